/**
 * Evaluating a chunk of cases: build each case's arguments, call the function (sync or async),
 * check and collect its result, apply the error policy. The same code runs in this thread and
 * inside pool workers; its output is plain data that can cross a thread boundary.
 */
import { Grid, type GridSpec } from '../space/grid.js';
import { caseRng, rngStream, type Rng } from '../space/rng.js';
import { HarvestryError } from '../errors.js';
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
  /** The longest one case may run, in ms (absent or null: no limit). */
  readonly timeoutMs?: number | null;
  /** Give each call an `rng` argument, a generator seeded from the case (absent: none). */
  readonly rng?: CaseRngSpec | null;
}

/**
 * How the `rng` argument of each case is seeded: from the seed and the case's key (dim names
 * and values: Runner and Harvester runs), or from the seed and the case's index (a Sampler's
 * samples, whose values may repeat).
 */
export interface CaseRngSpec {
  readonly seed: number;
  readonly from: 'key' | 'index';
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
  /** Set when a pending case was interrupted by a fatal {@link CaseInterrupt}: the run's error. */
  readonly fatal?: unknown;
}

/** Limits on one chunk. */
export interface EvalLimits {
  /** Stop after the case that finishes past this time (`performance.now()` ms). */
  readonly deadline?: number;
  /** Stop before the next case when aborted. */
  readonly signal?: AbortSignal | null;
  /** Stop before the next case when its first element is not 0 (memory shared with the thread that stops the run). */
  readonly stopFlag?: Int32Array | null;
  /** Called as each case starts, with its position (pool and subprocess runs watch for cases past `timeoutMs`). */
  readonly onCaseStart?: ((pos: number) => void) | null;
  /** Called about every {@link TICK_MS} with the rows finished in this chunk so far (progress). */
  readonly onTick?: ((rows: number) => void) | null;
  /** Let the event loop run at least this often, in ms, between cases (so signals are seen at once). */
  readonly yieldMs?: number | null;
  /** Settles a pending async case early (an abort's grace period is over, or it can never settle). */
  readonly interrupter?: CaseInterrupter | null;
}

/** How often `onTick` is called, in ms. */
export const TICK_MS = 150;

/**
 * Why a pending case was given up: `'abandon'` (the run was aborted and its grace period is
 * over: the case is left out, not counted as failed) or `'fatal'` (the run fails with `error`,
 * or with what `error` returns for the case's description when it is a function).
 */
export class CaseInterrupt extends Error {
  /**
   * @param kind - abandon the case, or fail the run
   * @param error - the run's error, for `'fatal'`
   */
  constructor(
    readonly kind: 'abandon' | 'fatal',
    readonly error: unknown = null,
  ) {
    super(`case interrupted (${kind})`);
  }
}

/**
 * Interrupts the async case a chunk is waiting for (and every later one) once fired. One slot,
 * not a shared promise, so millions of awaited cases leave no reactions behind.
 */
export class CaseInterrupter {
  private fired: CaseInterrupt | null = null;
  private waiting: ((i: CaseInterrupt) => void) | null = null;

  /** The interrupt, once fired. */
  get interrupt(): CaseInterrupt | null {
    return this.fired;
  }

  /**
   * Interrupts the pending case (the first interrupt wins).
   *
   * @param interrupt - abandon or fail
   */
  fire(interrupt: CaseInterrupt): void {
    if (this.fired !== null) return;
    this.fired = interrupt;
    const w = this.waiting;
    this.waiting = null;
    w?.(interrupt);
  }

  /**
   * Watches one pending case: `reject` is called if the interrupter fires before `clear()`.
   *
   * @param reject - settles the case's race
   */
  watch(reject: (i: CaseInterrupt) => void): void {
    if (this.fired !== null) reject(this.fired);
    else this.waiting = reject;
  }

  /** Stops watching the case. */
  clear(): void {
    this.waiting = null;
  }
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
  const onTick = limits.onTick ?? null;
  const yieldMs = limits.yieldMs ?? null;
  const paced = deadline !== Infinity || onTick !== null || yieldMs !== null;
  const clock = new Clock();
  let lastTick = clock.last;
  let lastYield = clock.last;
  const timeoutMs = plan.timeoutMs ?? null;
  const onCaseStart = limits.onCaseStart ?? null;
  const interrupter = limits.interrupter ?? null;
  let fatal: unknown = NO_ERROR;
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
      onCaseStart?.(pos);
      const started = durations === null ? 0 : performance.now();
      let failure: unknown = NO_ERROR;
      let interrupted: CaseInterrupt | null = null;
      for (let attempt = 0; attempt <= plan.retries; attempt++) {
        try {
          const t0 = timeoutMs === null ? 0 : performance.now();
          let result = call(values, index);
          if (isThenable(result)) result = await settle(result, timeoutMs, interrupter);
          if (timeoutMs !== null) checkOverrun(performance.now() - t0, timeoutMs);
          collector.add(row, result, () => showCase(dims, values));
          failure = NO_ERROR;
          break;
        } catch (err) {
          if (err instanceof CaseInterrupt) {
            interrupted = err;
            break;
          }
          failure = err;
          if (isHarvestryShapeError(err) || isTimeout(err)) break;
        }
      }
      if (interrupted !== null) {
        if (interrupted.kind === 'fatal') fatal = typeof interrupted.error === 'function' ? (interrupted.error as (c: string) => unknown)(showCase(dims, values)) : interrupted.error;
        else stop = 'abort';
        break;
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
      if (paced && clock.due()) {
        const now = clock.last;
        if (now > deadline) break;
        if (onTick !== null && now - lastTick >= TICK_MS) {
          lastTick = now;
          onTick(row);
        }
        if (yieldMs !== null && now - lastYield >= yieldMs) {
          await new Promise((resolve) => setImmediate(resolve));
          lastYield = performance.now();
        }
      }
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
  return fatal === NO_ERROR ? { chunk, next: from + row, stop } : { chunk, next: from + row, stop, fatal };
}

/**
 * The error of a case past `timeoutMs`.
 *
 * @param timeoutMs - the limit
 * @param how - what was done about it
 */
export function timeoutError(timeoutMs: number, how: string): HarvestryError {
  return new HarvestryError('E_CASE_TIMEOUT', `The case ran longer than \`timeoutMs\` (${timeoutMs} ms)${how === '' ? '' : `; ${how}`}. Raise \`timeoutMs\`, or find why the case does not end.`);
}

/** Waits for an async case, at most `timeoutMs`, and no longer than the interrupter allows. */
function settle(p: PromiseLike<unknown>, timeoutMs: number | null, interrupter: CaseInterrupter | null): Promise<unknown> {
  if (timeoutMs === null && interrupter === null) return Promise.resolve(p);
  return new Promise((resolve, reject) => {
    let timer: NodeJS.Timeout | null = null;
    const done = (): void => {
      if (timer !== null) clearTimeout(timer);
      interrupter?.clear();
    };
    if (timeoutMs !== null) {
      timer = setTimeout(() => {
        done();
        reject(timeoutError(timeoutMs, 'its promise was given up (it may still be running: pass it a way to stop, or use the pool or subprocesses, where the case is ended)'));
      }, timeoutMs);
    }
    interrupter?.watch((i) => {
      done();
      reject(i);
    });
    p.then(
      (v) => {
        done();
        resolve(v);
      },
      (e: unknown) => {
        done();
        // eslint-disable-next-line @typescript-eslint/prefer-promise-reject-errors -- the function's own rejection, passed on as it is
        reject(e);
      },
    );
  });
}

/** A synchronous case that returned after `timeoutMs` counts as timed out too (as it would on the pool). */
function checkOverrun(ms: number, timeoutMs: number): void {
  if (ms > timeoutMs) {
    throw timeoutError(timeoutMs, `it took ${Math.round(ms)} ms, and its result was discarded (a synchronous function on the inline executor cannot be interrupted: use the pool or subprocesses to end it on time)`);
  }
}

function isTimeout(err: unknown): boolean {
  return err instanceof HarvestryError && err.code === 'E_CASE_TIMEOUT';
}

const NO_ERROR = Symbol('no error');

/**
 * Reads the clock without doing so after every case: fast cases are checked every few dozen,
 * slow ones every time (the stride doubles while checks come less than 1 ms apart and drops
 * back to 1 when they come more than 10 ms apart).
 */
class Clock {
  /** The time of the last reading. */
  last = performance.now();
  private stride = 1;
  private left = 1;

  /** True when the clock was read now (into `last`). */
  due(): boolean {
    if (--this.left > 0) return false;
    const now = performance.now();
    const gap = now - this.last;
    this.last = now;
    if (gap < 1 && this.stride < 1024) this.stride *= 2;
    else if (gap > 10) this.stride = 1;
    this.left = this.stride;
    return true;
  }
}

/**
 * Builds the call: the arguments object (or positional list) from fixed values and dim values.
 * Every case's object is cloned from one template holding all names, so all share one shape,
 * and the dim values are set by a function made once per plan with constant keys.
 */
function caller(fn: AnyFunction, plan: EvalPlan, dims: readonly string[]): (values: readonly Scalar[], index: number) => unknown {
  const template: Record<string, unknown> = { ...plan.fixed };
  for (const d of dims) template[d] = null;
  const rngOf = rngMaker(plan.rng ?? null, dims);
  if (rngOf !== null) template.rng = null;
  const body = dims.map((d, k) => `p[${JSON.stringify(d)}] = v[${k}];`).join(' ');
  // eslint-disable-next-line @typescript-eslint/no-implied-eval -- built from JSON-quoted names only
  const fill = new Function('p', 'v', body) as (p: Record<string, unknown>, v: readonly Scalar[]) => void;
  const f = fn as (...args: unknown[]) => unknown;
  if (plan.fnArgs !== null) {
    const names = plan.fnArgs;
    return (values, index) => {
      const params: Record<string, unknown> = { ...template };
      fill(params, values);
      if (rngOf !== null) params.rng = rngOf(values, index);
      return f(...names.map((n) => params[n]));
    };
  }
  return (values, index) => {
    const params: Record<string, unknown> = { ...template };
    fill(params, values);
    if (rngOf !== null) params.rng = rngOf(values, index);
    return f(params);
  };
}

/** Makes each case's `rng` (a fresh one per attempt, so a retry draws the same numbers), or null for none. */
function rngMaker(spec: CaseRngSpec | null, dims: readonly string[]): ((values: readonly Scalar[], index: number) => Rng) | null {
  if (spec === null) return null;
  if (spec.from === 'key') return (values) => caseRng(spec.seed, dims, values);
  const stream = rngStream('harvestry-sample-rng', spec.seed);
  return (_values, index) => stream(index);
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
