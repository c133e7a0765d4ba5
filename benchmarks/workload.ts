/**
 * The shape of a benchmark workload and the statistics the harness reports for it.
 */

/** Summary statistics of timed runs, in milliseconds. */
export interface Stats {
  readonly median_ms: number;
  readonly min_ms: number;
  readonly max_ms: number;
  readonly samples_ms: readonly number[];
}

/** One named workload (W1, W2, ...). */
export interface Workload<C = unknown> {
  /** The workload's name, as given on the command line. */
  readonly name: string;
  /** One line saying what it measures. */
  readonly description: string;
  /** The number of cases it runs. */
  readonly cases: number;
  /** Timed runs (default 20). */
  readonly runs?: number;
  /** Untimed runs first (default 10): the JIT warms up as in a long session. */
  readonly warmup?: number;
  /** Untimed, once: build inputs. Gets a fresh temporary folder. */
  prepare?(dir: string): Promise<C>;
  /** Untimed, before every run (for example: remove the output file). */
  before?(ctx: C, dir: string, i: number): Promise<void>;
  /** The timed part. */
  run(ctx: C, dir: string, i: number): Promise<void>;
  /** Extra fields for the JSON line (for example a speedup), computed after the runs. */
  extra?(ctx: C, stats: Stats, dir: string): Promise<Record<string, number>>;
}

/** The median of some numbers. */
export function median(xs: readonly number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 === 1 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
}
