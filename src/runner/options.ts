/**
 * Run options shared by every run (runner, harvester, sampler, crop), and their checked form.
 */
import { HarvestryError } from '../errors.js';
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
   * Where cases run. `'inline'`: in this thread, one after another.
   * @default 'inline'
   */
  readonly executor?: 'inline';
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
  /** A callback told of progress as cases finish. */
  readonly progress?: false | ((info: ProgressInfo) => void);
  /** Stops the run when aborted: no new case starts; finished results are kept. */
  readonly signal?: AbortSignal;
}

/** Run options after checking. */
export interface RunSpec {
  readonly executor: 'inline';
  readonly onError: OnError;
  readonly retries: number;
  readonly timings: boolean;
  readonly shuffle: number | null;
  readonly progress: ((info: ProgressInfo) => void) | null;
  readonly signal: AbortSignal | null;
}

/** The names of all run options. */
export const RUN_OPTION_NAMES: readonly (keyof RunOptions)[] = ['executor', 'onError', 'retries', 'timings', 'shuffle', 'progress', 'signal'];

/**
 * Checks run options (unknown names included) and returns them as given, for merging with
 * defaults.
 *
 * @param options - the options
 * @param where - the call they were given to, for messages
 */
export function normalizeRunOptions(options: RunOptions, where: string): RunOptions {
  const o = options as Record<string, unknown>;
  if (o.executor !== undefined && o.executor !== 'inline') {
    throw new HarvestryError('E_BAD_OPTION', `Expected \`executor\` in ${where} to be 'inline', got ${showValue(o.executor)}.`);
  }
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
  if (o.progress !== undefined && o.progress !== false && typeof o.progress !== 'function') {
    throw new HarvestryError('E_BAD_OPTION', `Expected \`progress\` in ${where} to be false or a callback, got ${showValue(o.progress)}.`);
  }
  if (o.signal !== undefined && !(o.signal instanceof AbortSignal)) {
    throw new HarvestryError('E_BAD_OPTION', `Expected \`signal\` in ${where} to be an AbortSignal, got ${showValue(o.signal)}.`);
  }
  return options;
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
    executor: 'inline',
    onError: o.onError ?? 'raise',
    retries: o.retries ?? 0,
    timings: o.timings ?? false,
    shuffle: o.shuffle === undefined || o.shuffle === false ? null : o.shuffle === true ? 1 : o.shuffle,
    progress: typeof o.progress === 'function' ? o.progress : null,
    signal: o.signal ?? null,
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

function stripUndefined<T extends object>(o: T): Partial<T> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>;
}
