/**
 * The bookkeeping shared by the pool and subprocess executors: chunks as they arrive (handed to
 * `onChunk` one at a time, in arrival order), failures, progress, and why the run stops.
 */
import { HarvestryError } from '../errors.js';
import { Grid } from '../space/grid.js';
import type { CaseFailure, ChunkResult, EvalPlan, StopReason } from './evaluate.js';
import type { ExecOptions, ExecResult } from './execute.js';

/** The state of a run on other threads or processes. */
export class RunState {
  readonly total: number;
  readonly chunks: ChunkResult[] = [];
  readonly failures: CaseFailure[] = [];
  private readonly options: ExecOptions;
  private readonly started = performance.now();
  private readonly grid: Grid;
  private readonly order: Int32Array | null;
  private done = 0;
  private reason: StopReason = null;
  private fatal: { error: unknown } | null = null;
  private delivery: Promise<void> = Promise.resolve();
  private readonly onHalt: (() => void)[] = [];

  /**
   * @param plan - the run's plan
   * @param options - order, signal and callbacks
   */
  constructor(plan: EvalPlan, options: ExecOptions) {
    this.grid = new Grid(plan.grid);
    this.total = options.order?.length ?? this.grid.size;
    this.order = options.order ?? null;
    this.options = options;
    const signal = options.signal ?? null;
    if (signal !== null) {
      if (signal.aborted) this.halt('abort');
      else signal.addEventListener('abort', () => { this.halt('abort'); }, { once: true });
    }
  }

  /** True once the run is stopping: no new work should start. */
  get halted(): boolean {
    return this.reason !== null || this.fatal !== null;
  }

  /** Why the run stopped early, or null. */
  get stop(): StopReason {
    return this.reason;
  }

  /**
   * Calls `fn` (once) when the run starts stopping.
   *
   * @param fn - the callback
   */
  whenHalted(fn: () => void): void {
    if (this.halted) fn();
    else this.onHalt.push(fn);
  }

  /**
   * Takes a finished chunk: keeps it, hands it to `onChunk`, reports progress.
   *
   * @param chunk - the chunk
   * @param onErrorRaise - true when failures stop the run (`onError: 'raise'`)
   */
  add(chunk: ChunkResult, onErrorRaise: boolean): void {
    if (chunk.cases.length > 0) {
      this.chunks.push(chunk);
      this.failures.push(...chunk.failures);
      this.done += chunk.cases.length;
      const onChunk = this.options.onChunk;
      if (onChunk !== undefined) {
        this.delivery = this.delivery.then(() => (this.fatal === null ? onChunk(chunk) : undefined)).catch((err: unknown) => {
          this.failWith(err);
        });
      }
    }
    this.options.onProgress?.({ done: this.done, total: this.total, failed: this.failures.length, elapsedMs: performance.now() - this.started });
    if (onErrorRaise && chunk.failures.length > 0) this.halt('error');
  }

  /**
   * Records cases that failed without a result from the function (their worker died).
   *
   * @param positions - their positions in the execution order
   * @param why - why they failed: a message (E_WORKER_DIED), or the error
   * @param onErrorRaise - true when failures stop the run
   */
  addDead(positions: readonly number[], why: string | HarvestryError, onErrorRaise: boolean): void {
    const cases = Int32Array.from(positions, (p) => (this.order === null ? p : this.order[p]!));
    const error = typeof why === 'string' ? new HarvestryError('E_WORKER_DIED', why) : why;
    const failures = Array.from(cases, (index): CaseFailure => ({ index, values: this.grid.valuesAt(index), message: error.message, error }));
    this.add({ cases, columns: {}, varNames: null, failures, durations: null }, onErrorRaise);
  }

  /**
   * Stops the run: no new work starts.
   *
   * @param reason - `'error'` (a failure under `onError: 'raise'`) or `'abort'`
   */
  halt(reason: 'error' | 'abort'): void {
    if (this.halted) return;
    this.reason = reason;
    for (const f of this.onHalt.splice(0)) f();
  }

  /**
   * Fails the whole run (an error that is not a case's: a worker cannot load the function, a
   * result of the wrong shape, `onChunk` threw).
   *
   * @param error - the error the run rejects with
   */
  failWith(error: unknown): void {
    const was = this.halted;
    this.fatal ??= { error };
    if (!was) for (const f of this.onHalt.splice(0)) f();
  }

  /** Waits for every chunk to be handed over, then returns the result or throws the run's error. */
  async finish(): Promise<ExecResult> {
    await this.delivery;
    if (this.fatal !== null) throw this.fatal.error;
    return { chunks: this.chunks, failures: this.failures, stop: this.reason, total: this.total };
  }
}
