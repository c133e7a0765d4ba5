/**
 * Run options shared by every run (runner, harvester, sampler, crop), and their checked form.
 */
import { HarvestryError } from '../errors.js';
import { wantsProgressBar } from '../execute/progress-bar.js';
import type { ExecutorKind, ExecutorSpec } from '../execute/run.js';
import { showValue } from '../space/values.js';

/** What to do when the function throws for a case. */
export type OnError = 'raise' | 'skip' | 'record';

/** Progress of a run, given to a `progress` callback. */
export interface ProgressInfo {
  /** Cases finished (including failed ones). */
  readonly done: number;
  /** Cases in the run. */
  readonly total: number;
  /** Cases that failed so far. */
  readonly failed: number;
  /** Milliseconds since the run started. */
  readonly elapsedMs: number;
}

/** Options of every run. */
export interface RunOptions {
  /**
   * Where cases run. `'inline'`: in this thread, one after another. `'pool'`: on a pool of
   * worker threads (the function must be exported from its module). `'subprocess'`: each batch
   * in a fresh child process (with `numThreads`, `affinities`, `gpus`).
   * @default 'inline', or 'pool' with `parallel` or `numWorkers`, or 'subprocess' with `numThreads`, `affinities` or `gpus`
   */
  readonly executor?: ExecutorKind;
  /**
   * Run on the worker pool: `true` for one thread per CPU core, a number for that many threads.
   * @default false
   */
  readonly parallel?: boolean | number;
  /**
   * Threads of the pool, or child processes at once for `'subprocess'`.
   * @default the number of CPU cores (for subprocesses: cores / numThreads)
   */
  readonly numWorkers?: number;
  /** Subprocess: sets OMP, MKL, OPENBLAS, VECLIB, NUMEXPR and NUMBA thread counts in each child. */
  readonly numThreads?: number;
  /**
   * Subprocess: CPU ids to pin children to with `taskset` (an array or "0,1,2"), one child per
   * entry at a time; repeat an id to let two children share it.
   */
  readonly affinities?: readonly number[] | string;
  /**
   * Subprocess: GPU ids, one per child at a time as its `CUDA_VISIBLE_DEVICES` (an array or
   * "0,1"); repeat an id to let two children share it.
   */
  readonly gpus?: readonly (number | string)[] | string;
  /**
   * Subprocess: cases per child process.
   * @default the run split evenly over the children at once
   */
  readonly batchSize?: number;
  /**
   * When the function throws: `'raise'` rejects the run with E_CASE_FAILED (finished results
   * are kept by a Harvester); `'skip'` leaves failed cases out and reports them at the end;
   * `'record'` keeps a row with null outputs and the message in the `_error` column.
   * @default 'raise'
   */
  readonly onError?: OnError;
  /**
   * How many more times to try a case that throws before counting it as failed.
   * @default 0
   */
  readonly retries?: number;
  /**
   * Add a `_duration_ms` column with each case's wall time.
   * @default false
   */
  readonly timings?: boolean;
  /**
   * Run the cases in a shuffled order (results still land in canonical order): `true` for a
   * fixed seed, a number for that seed.
   * @default false
   */
  readonly shuffle?: boolean | number;
  /**
   * Progress: `true` for a bar on stderr (when it is a terminal), `false` for none, or a callback
   * told of progress as cases finish.
   * @default a bar when stderr is a terminal, outside CI, unless HARVESTRY_PROGRESS=off
   */
  readonly progress?: boolean | ((info: ProgressInfo) => void);
  /**
   * Stops the run when aborted: no new case starts, running cases get a grace period
   * (2 s, or until a second Ctrl-C) before their threads or child processes are ended; finished
   * results are kept and the run rejects with E_ABORTED.
   */
  readonly signal?: AbortSignal;
  /**
   * The longest one case may run, in ms. A case past it fails with E_CASE_TIMEOUT under
   * `onError` (and is not retried): on the pool its thread is ended and replaced, in a
   * subprocess its child process (and the child's process group) is killed, and an async case
   * on the inline executor is raced. A synchronous function on the inline executor cannot be
   * interrupted: it runs to its end and then counts as timed out; use the pool or subprocesses.
   * @default no limit
   */
  readonly timeoutMs?: number;
  /**
   * The seed of the generator a function gets when it takes an `rng` parameter: each case's
   * generator comes from this seed and the case's key, so stochastic results are reproducible
   * on any executor. (A Sampler's draws use it too.)
   * @default 0 (a Sampler chooses one at random, and records it)
   */
  readonly seed?: number;
}

/** Run options after checking. */
export interface RunSpec {
  readonly executor: ExecutorSpec;
  readonly onError: OnError;
  readonly retries: number;
  readonly timings: boolean;
  readonly shuffle: number | null;
  /** `'bar'`: a bar on stderr; a callback; or null for no progress reports. */
  readonly progress: 'bar' | ((info: ProgressInfo) => void) | null;
  readonly signal: AbortSignal | null;
  /** The longest one case may run, in ms, or null for no limit. */
  readonly timeoutMs: number | null;
  /** The seed of the generators given to functions that take `rng`. */
  readonly seed: number;
}

/** The names of all run options. */
export const RUN_OPTION_NAMES: readonly (keyof RunOptions)[] = [
  'executor',
  'parallel',
  'numWorkers',
  'numThreads',
  'affinities',
  'gpus',
  'batchSize',
  'onError',
  'retries',
  'timings',
  'shuffle',
  'progress',
  'signal',
  'timeoutMs',
  'seed',
];

/** The largest finite `timeoutMs` (the longest a Node timer waits, about 24.8 days). */
const MAX_TIMEOUT_MS = 2 ** 31 - 1;

const SUBPROCESS_ONLY = ['numThreads', 'affinities', 'gpus', 'batchSize'] as const;

/**
 * Checks run options (unknown names included) and returns them as given, for merging with
 * defaults.
 *
 * @param options - the options
 * @param where - the call they were given to, for messages
 */
export function normalizeRunOptions(options: RunOptions, where: string): RunOptions {
  const o = options as Record<string, unknown>;
  if (o.executor !== undefined && o.executor !== 'inline' && o.executor !== 'pool' && o.executor !== 'subprocess') {
    throw new HarvestryError('E_BAD_OPTION', `Expected \`executor\` in ${where} to be 'inline', 'pool' or 'subprocess', got ${showValue(o.executor)}.`);
  }
  if (o.parallel !== undefined && typeof o.parallel !== 'boolean' && !isCount(o.parallel)) {
    throw new HarvestryError('E_BAD_OPTION', `Expected \`parallel\` in ${where} to be true, false or a whole number of threads from 1 up, got ${showValue(o.parallel)}.`);
  }
  for (const name of ['numWorkers', 'numThreads', 'batchSize'] as const) {
    if (o[name] !== undefined && !isCount(o[name])) {
      throw new HarvestryError('E_BAD_OPTION', `Expected \`${name}\` in ${where} to be a whole number from 1 up, got ${showValue(o[name])}.`);
    }
  }
  if (o.affinities !== undefined) parseIds(o.affinities, 'affinities', where, true);
  if (o.gpus !== undefined) parseIds(o.gpus, 'gpus', where, false);
  if (o.onError !== undefined && o.onError !== 'raise' && o.onError !== 'skip' && o.onError !== 'record') {
    throw new HarvestryError('E_BAD_OPTION', `Expected \`onError\` in ${where} to be 'raise', 'skip' or 'record', got ${showValue(o.onError)}.`);
  }
  if (o.retries !== undefined && !(Number.isInteger(o.retries) && (o.retries as number) >= 0)) {
    throw new HarvestryError('E_BAD_OPTION', `Expected \`retries\` in ${where} to be a whole number from 0 up, got ${showValue(o.retries)}.`);
  }
  if (o.timings !== undefined && typeof o.timings !== 'boolean') {
    throw new HarvestryError('E_BAD_OPTION', `Expected \`timings\` in ${where} to be true or false, got ${showValue(o.timings)}.`);
  }
  if (o.shuffle !== undefined && typeof o.shuffle !== 'boolean' && !Number.isInteger(o.shuffle)) {
    throw new HarvestryError('E_BAD_OPTION', `Expected \`shuffle\` in ${where} to be true, false or a whole-number seed, got ${showValue(o.shuffle)}.`);
  }
  if (o.progress !== undefined && typeof o.progress !== 'boolean' && typeof o.progress !== 'function') {
    throw new HarvestryError('E_BAD_OPTION', `Expected \`progress\` in ${where} to be true, false or a callback, got ${showValue(o.progress)}.`);
  }
  if (o.signal !== undefined && !(o.signal instanceof AbortSignal)) {
    throw new HarvestryError('E_BAD_OPTION', `Expected \`signal\` in ${where} to be an AbortSignal, got ${showValue(o.signal)}.`);
  }
  if (o.timeoutMs !== undefined && !(typeof o.timeoutMs === 'number' && o.timeoutMs > 0 && (o.timeoutMs <= MAX_TIMEOUT_MS || o.timeoutMs === Infinity))) {
    throw new HarvestryError('E_BAD_OPTION', `Expected \`timeoutMs\` in ${where} to be a number of milliseconds above 0 (at most ${MAX_TIMEOUT_MS}, or Infinity for no limit), got ${showValue(o.timeoutMs)}.`);
  }
  if (o.seed !== undefined && !isSeed(o.seed)) {
    throw new HarvestryError('E_BAD_OPTION', `Expected \`seed\` in ${where} to be a whole number from 0 to 4294967295, got ${showValue(o.seed)}.`);
  }
  return options;
}

/**
 * True for a seed harvestry accepts: a whole number from 0 to 2^32 - 1.
 *
 * @param v - the value
 */
export function isSeed(v: unknown): v is number {
  return Number.isInteger(v) && (v as number) >= 0 && (v as number) <= 4294967295;
}

/**
 * Merges per-call options over defaults and returns the checked spec.
 *
 * @param defaults - the runner's default options
 * @param call - the options of this call
 * @param where - the call, for messages
 */
export function resolveRunSpec(defaults: RunOptions, call: RunOptions, where: string): RunSpec {
  const o = normalizeRunOptions({ ...defaults, ...stripUndefined(call) }, where);
  return {
    executor: resolveExecutor(o, where),
    onError: o.onError ?? 'raise',
    retries: o.retries ?? 0,
    timings: o.timings ?? false,
    shuffle: o.shuffle === undefined || o.shuffle === false ? null : o.shuffle === true ? 1 : o.shuffle,
    progress: typeof o.progress === 'function' ? o.progress : o.progress === false ? null : (o.progress === true ? process.stderr.isTTY : wantsProgressBar()) ? 'bar' : null,
    signal: o.signal ?? null,
    timeoutMs: o.timeoutMs === undefined || o.timeoutMs === Infinity ? null : o.timeoutMs,
    seed: o.seed ?? 0,
  };
}

/**
 * Throws E_BAD_OPTION for names that are not options of a call.
 *
 * @param options - the options given
 * @param allowed - the names the call accepts
 * @param where - the call, for messages
 */
export function checkOptionNames(options: object, allowed: readonly string[], where: string): void {
  const bad = Object.keys(options).filter((k) => !allowed.includes(k));
  if (bad.length > 0) {
    throw new HarvestryError('E_BAD_OPTION', `${where} has no option ${bad.map((b) => `\`${b}\``).join(', ')}. Its options are ${allowed.map((a) => `\`${a}\``).join(', ')}.`);
  }
}

/**
 * The executor from the options: `executor` if given, else the pool for `parallel` or
 * `numWorkers`, else subprocesses for their options, else inline. Options that do not apply to
 * the executor are refused rather than ignored.
 */
function resolveExecutor(o: RunOptions, where: string): ExecutorSpec {
  const subOnly = SUBPROCESS_ONLY.filter((n) => o[n] !== undefined);
  const parallel = o.parallel === undefined || o.parallel === false ? null : o.parallel;
  const kind: ExecutorKind = o.executor ?? (parallel !== null ? 'pool' : subOnly.length > 0 ? 'subprocess' : o.numWorkers !== undefined ? 'pool' : 'inline');
  const given = [...(o.numWorkers === undefined ? [] : ['numWorkers']), ...(parallel === null ? [] : ['parallel'])];
  const misplaced = kind === 'inline' ? [...given, ...subOnly] : kind === 'pool' ? subOnly : parallel === null ? [] : ['parallel'];
  if (misplaced.length > 0) {
    const applies = misplaced.map((n) => `\`${n}\``).join(', ');
    throw new HarvestryError(
      'E_BAD_OPTION',
      `${applies} in ${where} ${misplaced.length === 1 ? 'does' : 'do'} not apply to executor '${kind}': ${SUBPROCESS_ONLY.some((n) => misplaced.includes(n)) ? "`numThreads`, `affinities`, `gpus` and `batchSize` are for executor 'subprocess'" : "`parallel` is for executor 'pool', `numWorkers` for 'pool' and 'subprocess'"}. Drop ${misplaced.length === 1 ? 'it' : 'them'} or choose that executor.`,
    );
  }
  if (typeof parallel === 'number' && o.numWorkers !== undefined && o.numWorkers !== parallel) {
    throw new HarvestryError('E_BAD_OPTION', `\`parallel: ${parallel}\` and \`numWorkers: ${o.numWorkers}\` in ${where} ask for different numbers of threads. Give one of them.`);
  }
  return {
    kind,
    numWorkers: o.numWorkers ?? (typeof parallel === 'number' ? parallel : null),
    numThreads: o.numThreads ?? null,
    affinities: o.affinities === undefined ? null : parseIds(o.affinities, 'affinities', where, true).map(Number),
    gpus: o.gpus === undefined ? null : parseIds(o.gpus, 'gpus', where, false),
    batchSize: o.batchSize ?? null,
  };
}

function isCount(v: unknown): v is number {
  return Number.isInteger(v) && (v as number) >= 1;
}

/** CPU or GPU ids from an array or a comma-separated string; at least one. */
function parseIds(raw: unknown, name: string, where: string, numeric: boolean): string[] {
  const list = typeof raw === 'string' ? raw.split(',').map((x) => x.trim()) : Array.isArray(raw) ? (raw as unknown[]) : null;
  const ok = (x: unknown): boolean => (typeof x === 'number' ? Number.isInteger(x) && x >= 0 : !numeric && typeof x === 'string' ? x !== '' : typeof x === 'string' && /^\d+$/.test(x));
  if (list === null || list.length === 0 || !list.every(ok)) {
    const what = numeric ? 'CPU ids (whole numbers from 0 up)' : 'GPU ids';
    throw new HarvestryError('E_BAD_OPTION', `Expected \`${name}\` in ${where} to be a non-empty array of ${what} or a string like "0,1", got ${showValue(raw)}.`);
  }
  return list.map(String);
}

function stripUndefined<T extends object>(o: T): Partial<T> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>;
}
