/**
 * Evaluating a chunk of cases: build each case's arguments, call the function (sync or async),
 * check and collect its result, apply the error policy. The same code runs in this thread and
 * inside pool workers; its output is plain data that can cross a thread boundary.
 */
import { Grid, type GridSpec } from '../space/grid.js';
import { showCase, type Scalar } from '../space/values.js';
import { ResultCollector, type OutputSpec } from './collect.js';
import type { ColumnData } from './columns.js';

/** What to do when the function throws for a case. */
export type OnError = 'raise' | 'skip' | 'record';

/** A labelled function as the executors see it. */
export type AnyFunction = (...args: never[]) => unknown;

/** Everything needed to evaluate cases, in plain data (the function is resolved separately). */
export interface EvalPlan {
  readonly grid: GridSpec;
  /** Constants and resources, merged into every call's arguments. */
  readonly fixed: Readonly<Record<string, unknown>>;
  /**
   * The names in `fixed` that are resources: never sent to workers, which take them from their
   * own import of the labelled function.
   */
  readonly resourceNames?: readonly string[];
  /** Positional argument names, or null for a function taking one object. */
  readonly fnArgs: readonly string[] | null;
  readonly outputs: OutputSpec;
  readonly onError: OnError;
  readonly retries: number;
  readonly timings: boolean;
}

/** A case that failed: its index, values and the error. */
export interface CaseFailure {
  /** The case's index in canonical order. */
  readonly index: number;
  /** The case's dim values, aligned with the grid's dims. */
  readonly values: readonly Scalar[];
  /** The error's message. */
  readonly message: string;
  /** The error itself (in this thread), or a plain copy of its name, message and stack. */
  readonly error: unknown;
}

/** The results of a chunk of cases: one row per case attempted, failed ones null. */
export interface ChunkResult {
  /** The case index of each row. */
  readonly cases: Int32Array;
  /** One column per variable. */
  readonly columns: Readonly<Record<string, ColumnData>>;
  /** The variable names (discovered from results for `varNames: null`). */
  readonly varNames: readonly string[] | null;
  /** The cases that failed (their rows are null). */
  readonly failures: readonly CaseFailure[];
  /** Wall time of each row in ms, with `timings`. */
  readonly durations: Float64Array | null;
}

/** Why a chunk stopped early. */
export type StopReason = 'error' | 'abort' | null;

/** A chunk's results, and where and why it stopped. */
export interface EvalOutcome {
  readonly chunk: ChunkResult;
  /** The position after the last case attempted. */
  readonly next: number;
  readonly stop: StopReason;
}

/** Limits on one chunk. */
export interface EvalLimits {
  /** Stop after the case that finishes past this time (`performance.now()` ms). */
  readonly deadline?: number;
  /** Stop before the next case when aborted. */
  readonly signal?: AbortSignal | null;
  /** Stop before the next case when its first element is not 0 (memory shared with the thread that stops the run). */
  readonly stopFlag?: Int32Array | null;
}

/**
 * Evaluates the cases at positions `from` to `to` (exclusive) of `order` (the identity when
 * null), stopping early at `limits`, or at the first failure when `onError` is `'raise'`.
 *
 * @param fn - the labelled function
 * @param plan - the plan
 * @param order - the execution order of case indices (for shuffled runs), or null
 * @param from - the first position
 * @param to - the position after the last
 * @param limits - a deadline and an abort signal
 */
export async function evaluateChunk(fn: AnyFunction, plan: EvalPlan, order: Int32Array | null, from: number, to: number, limits: EvalLimits = {}): Promise<EvalOutcome> {
  const grid = new Grid(plan.grid);
  const dims = grid.dims;
  const n = to - from;
  const collector = new ResultCollector(plan.outputs, n);
  const cases = new Int32Array(n);
  const failures: CaseFailure[] = [];
  const durations = plan.timings ? new Float64Array(n) : null;
  const cursor = order === null ? grid.cursor(from) : null;
  const values = cursor?.values ?? new Array<Scalar>(dims.length);
  const call = caller(fn, plan, dims);
  const deadline = limits.deadline ?? Infinity;
  const clock = new DeadlineClock(deadline);
  const signal = limits.signal ?? null;
  const stopFlag = limits.stopFlag ?? null;
  // A flag set by the signal's listener (abort() dispatches synchronously, so a case that aborts
  // stops the next one) is much cheaper to test per case than the `aborted` getter.
  let aborted = signal?.aborted === true;
  const onAbort = (): void => {
    aborted = true;
  };
  signal?.addEventListener('abort', onAbort, { once: true });
  let row = 0;
  let stop: StopReason = null;
  try {
    for (let pos = from; pos < to; pos++) {
      if (aborted || (stopFlag !== null && Atomics.load(stopFlag, 0) !== 0)) {
        stop = 'abort';
        break;
      }
      const index = order === null ? pos : order[pos]!;
      if (cursor === null) grid.valuesAt(index, values);
      else if (pos > from) cursor.next();
      cases[row] = index;
      const started = durations === null ? 0 : performance.now();
      let failure: unknown = NO_ERROR;
      for (let attempt = 0; attempt <= plan.retries; attempt++) {
        try {
          let result = call(values);
          if (isThenable(result)) result = await result;
          collector.add(row, result, () => showCase(dims, values));
          failure = NO_ERROR;
          break;
        } catch (err) {
          failure = err;
          if (isHarvestryShapeError(err)) break;
        }
      }
      if (durations !== null) durations[row] = performance.now() - started;
      row++;
      if (failure !== NO_ERROR) {
        if (isHarvestryShapeError(failure)) throw failure;
        failures.push({ index, values: values.slice(), message: messageOf(failure), error: failure });
        if (plan.onError === 'raise') {
          stop = 'error';
          break;
        }
      }
      if (deadline !== Infinity && clock.due()) break;
    }
  } finally {
    signal?.removeEventListener('abort', onAbort);
  }
  const chunk: ChunkResult = {
    cases: row === n ? cases : cases.slice(0, row),
    columns: collector.finish(row),
    varNames: collector.varNames,
    failures,
    durations: durations === null ? null : durations.slice(0, row),
  };
  return { chunk, next: from + row, stop };
}

const NO_ERROR = Symbol('no error');

/**
 * Tells when a deadline has passed without reading the clock after every case: fast cases are
 * checked every few dozen, slow ones every time (the stride doubles while checks come less
 * than 1 ms apart and drops back to 1 when they come more than 10 ms apart).
 */
class DeadlineClock {
  private readonly deadline: number;
  private stride = 1;
  private left = 1;
  private last = performance.now();

  constructor(deadline: number) {
    this.deadline = deadline;
  }

  due(): boolean {
    if (--this.left > 0) return false;
    const now = performance.now();
    const gap = now - this.last;
    this.last = now;
    if (gap < 1 && this.stride < 1024) this.stride *= 2;
    else if (gap > 10) this.stride = 1;
    this.left = this.stride;
    return now > this.deadline;
  }
}

/**
 * Builds the call: the arguments object (or positional list) from fixed values and dim values.
 * Every case's object is cloned from one template holding all names, so all share one shape,
 * and the dim values are set by a function made once per plan with constant keys.
 */
function caller(fn: AnyFunction, plan: EvalPlan, dims: readonly string[]): (values: readonly Scalar[]) => unknown {
  const template: Record<string, unknown> = { ...plan.fixed };
  for (const d of dims) template[d] = null;
  const body = dims.map((d, k) => `p[${JSON.stringify(d)}] = v[${k}];`).join(' ');
  // eslint-disable-next-line @typescript-eslint/no-implied-eval -- built from JSON-quoted names only
  const fill = new Function('p', 'v', body) as (p: Record<string, unknown>, v: readonly Scalar[]) => void;
  const f = fn as (...args: unknown[]) => unknown;
  if (plan.fnArgs !== null) {
    const names = plan.fnArgs;
    return (values) => {
      const params: Record<string, unknown> = { ...template };
      fill(params, values);
      return f(...names.map((n) => params[n]));
    };
  }
  return (values) => {
    const params: Record<string, unknown> = { ...template };
    fill(params, values);
    return f(params);
  };
}

function isThenable(v: unknown): v is PromiseLike<unknown> {
  return typeof v === 'object' && v !== null && typeof (v as { then?: unknown }).then === 'function';
}

/** Results of the wrong shape or type are the caller's mistake, not a failed case: they always raise. */
function isHarvestryShapeError(err: unknown): boolean {
  if (typeof err !== 'object' || err === null) return false;
  const code = (err as { code?: unknown }).code;
  return (err as { name?: unknown }).name === 'HarvestryError' && (code === 'E_RESULT_SHAPE' || code === 'E_RESULT_TYPE' || code === 'E_UNSUPPORTED_VALUE');
}

/** The message of a thrown value. */
export function messageOf(err: unknown): string {
  if (err instanceof Error) return err.message || err.name;
  if (typeof err === 'string') return err;
  try {
    const text = JSON.stringify(err) as unknown;
    return typeof text === 'string' ? text : String(err);
  } catch {
    return String(err);
  }
}
