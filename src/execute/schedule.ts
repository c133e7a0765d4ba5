/**
 * Cutting a run's positions into tasks for a pool: small tasks first, then tasks sized from the
 * measured time per case so each takes about {@link TASK_MS} (the per-task cost vanishes beside
 * the cases, yet the last tasks stay short so no thread idles long at the end), never more than
 * a fair share of what is left. Leftovers (a task stopped at its time budget) and cases to rerun
 * alone (after a thread died) go first.
 */

/** The time a task aims to take, in ms. */
export const TASK_MS = 40;

/** A range of positions. */
export interface Span {
  readonly from: number;
  readonly to: number;
}

/** Hands out spans of positions `0..total`. */
export class ChunkScheduler {
  private readonly total: number;
  private readonly workers: number;
  private next = 0;
  private readonly leftovers: Span[] = [];
  private readonly alone: number[] = [];
  private msPerCase: number | null = null;
  private ramp = 4;

  /**
   * @param total - the number of positions
   * @param workers - the number of threads sharing them
   */
  constructor(total: number, workers: number) {
    this.total = total;
    this.workers = workers;
  }

  /** The next span to run, or null when every position was handed out. */
  take(): Span | null {
    const p = this.alone.shift();
    if (p !== undefined) return { from: p, to: p + 1 };
    const want = this.size();
    const left = this.leftovers.shift();
    if (left !== undefined) {
      if (left.to - left.from > want) this.leftovers.unshift({ from: left.from + want, to: left.to });
      return { from: left.from, to: Math.min(left.to, left.from + want) };
    }
    if (this.next >= this.total) return null;
    const from = this.next;
    this.next = Math.min(this.total, from + want);
    return { from, to: this.next };
  }

  /** True when every position was handed out (none left, none to hand out again). */
  isEmpty(): boolean {
    return this.alone.length === 0 && this.leftovers.length === 0 && this.next >= this.total;
  }

  /**
   * Learns from a finished span.
   *
   * @param cases - the cases it ran
   * @param ms - the time they took
   */
  report(cases: number, ms: number): void {
    if (cases <= 0) return;
    const per = Math.max(ms, 1e-3) / cases;
    this.msPerCase = this.msPerCase === null ? per : 0.5 * this.msPerCase + 0.5 * per;
    this.ramp = Math.min(this.ramp * 16, 1 << 24);
  }

  /**
   * Hands a span out again later (a task that stopped at its time budget).
   *
   * @param span - the positions not run
   */
  putBack(span: Span): void {
    if (span.to > span.from) this.leftovers.push(span);
  }

  /**
   * Hands each position of a span out again, one per task (after the thread running them died,
   * to find which case killed it).
   *
   * @param span - the positions
   */
  isolate(span: Span): void {
    for (let p = span.from; p < span.to; p++) this.alone.push(p);
  }

  private size(): number {
    let left = this.total - this.next;
    for (const s of this.leftovers) left += s.to - s.from;
    const share = Math.max(1, Math.ceil(left / (2 * this.workers)));
    const target = this.msPerCase === null ? this.ramp : Math.max(1, Math.floor(TASK_MS / this.msPerCase));
    return Math.max(1, Math.min(share, target, this.ramp));
  }
}
