/**
 * The options of a crop and of its calls (sow, grow, reap, wait), and their checks.
 */
import { HarvestryError } from '../errors.js';
import type { HarvestCombos } from '../harvest/options.js';
import { checkOptionNames, type OnError, type RunOptions } from '../runner/options.js';
import type { Cases } from '../runner/types.js';
import { showValue } from '../space/values.js';

/** Options of `new Crop()` and `harvester.crop()`. */
export interface CropOptions {
  /**
   * The crop's name; its folder is `<parentDir>/<name>.crop`.
   * @default a Harvester's dataset file name without its extension; for a Runner, the function's name
   */
  readonly name?: string;
  /**
   * The folder holding the crop's folder (a folder every machine that grows it can reach).
   * @default the folder of a Harvester's dataset file; for a Runner, the working directory
   */
  readonly parentDir?: string;
  /** Cases per batch (the last batch may be shorter). */
  readonly batchSize?: number;
  /** Number of batches (the first ones take one case more when the cases do not divide evenly). */
  readonly numBatches?: number;
  /**
   * Sow the cases in a shuffled order (`true` for a fixed seed, a number for that seed), so
   * batches mix slow and fast cases. Where each result lands does not change.
   * @default false
   */
  readonly shuffle?: boolean | number;
}

/** Options of `sowCombos` and `sowCases`. */
export interface SowOptions<P = Record<string, unknown>> {
  /**
   * Sow only the cases not yet in the Harvester's dataset (a recorded failure counts as not there).
   * @default false
   */
  readonly missingOnly?: boolean;
  /** `'stale'`: with `missingOnly`, also sow cases whose row was made by another version of the function. */
  readonly rerun?: 'stale' | 'none';
  /** Cases per batch (overrides the crop's). */
  readonly batchSize?: number;
  /** Number of batches (overrides the crop's). */
  readonly numBatches?: number;
  /** Shuffle the order cases are sown in (overrides the crop's). */
  readonly shuffle?: boolean | number;
  /** Extra constants for this crop only. */
  readonly constants?: Partial<P>;
  /**
   * When the function throws for a case: `'raise'` fails the case's batch (the other batches go
   * on); `'skip'` leaves the case out; `'record'` keeps a row with its message.
   * @default the label's, else 'raise'
   */
  readonly onError?: OnError;
  /** How many more times to try a case that throws. */
  readonly retries?: number;
  /** Add a `_duration_ms` column. */
  readonly timings?: boolean;
}

/** Options of `sowCombos`. */
export interface SowCombosOptions<P, T extends readonly unknown[] = never> extends SowOptions<P> {
  /** Cases to combine with every combo point (case-major). */
  readonly cases?: Cases<P, T>;
}

/** Options of `sowCases`. */
export interface SowCasesOptions<P> extends SowOptions<P> {
  /** Combos to combine with every case (case-major). */
  readonly combos?: HarvestCombos<P>;
}

/** Options of `grow`. */
export interface GrowOptions extends Pick<RunOptions, 'executor' | 'parallel' | 'numWorkers' | 'numThreads' | 'affinities' | 'gpus' | 'progress' | 'signal' | 'timeoutMs'> {
  /**
   * `'missing'`: batches not done and not queued or running elsewhere; `'failed'`: failed
   * batches only; or batch numbers (a done batch given by number is grown again).
   * @default 'missing'
   */
  readonly batches?: 'missing' | 'failed' | readonly number[];
}

/** Options of `reap`. */
export interface ReapOptions {
  /**
   * Reap the batches that are done and leave the rest out (else an unfinished crop is refused
   * with E_CROP_INCOMPLETE).
   * @default false
   */
  readonly allowIncomplete?: boolean;
  /**
   * Remove the crop's folder after a successful merge.
   * @default true, or false with `allowIncomplete`
   */
  readonly clean?: boolean;
  /**
   * Cases already in the dataset: `null` refuses different results (E_MERGE_CONFLICT, nothing
   * written, the crop kept); `true` replaces them; `false` keeps the old rows.
   * @default null
   */
  readonly overwrite?: boolean | null;
}

/** Options of `wait`. */
export interface WaitOptions {
  /**
   * How often to look, in ms.
   * @default 500
   */
  readonly pollMs?: number;
  /** Give up after this long, in ms (E_TIMEOUT). */
  readonly timeoutMs?: number;
  /** Stop waiting when aborted (E_ABORTED). */
  readonly signal?: AbortSignal;
}

/** The grow options that are run options. */
export const GROW_RUN_OPTIONS = ['executor', 'parallel', 'numWorkers', 'numThreads', 'affinities', 'gpus', 'progress', 'signal', 'timeoutMs'] as const;

/** The sow options that are run options (they shape results). */
export const SOW_RUN_OPTIONS = ['onError', 'retries', 'timings', 'shuffle'] as const;

/**
 * Checks the crop's options.
 *
 * @param options - the options
 * @param where - the call, for messages
 */
export function checkCropOptions(options: CropOptions, where: string): CropOptions {
  if (typeof options !== 'object' || (options as unknown) === null) bad(where, 'the options', 'an object', options);
  checkOptionNames(options, ['name', 'parentDir', 'batchSize', 'numBatches', 'shuffle'], where);
  if (options.parentDir !== undefined && (typeof options.parentDir !== 'string' || options.parentDir === '')) bad(where, 'parentDir', 'a folder path', options.parentDir);
  for (const name of ['batchSize', 'numBatches'] as const) {
    const v = options[name];
    if (v !== undefined && !(Number.isInteger(v) && v >= 1)) bad(where, name, 'a whole number from 1 up', v);
  }
  if (options.shuffle !== undefined && typeof options.shuffle !== 'boolean' && !Number.isInteger(options.shuffle)) bad(where, 'shuffle', 'true, false or a whole-number seed', options.shuffle);
  return options;
}

/**
 * Checks reap options and fills in the defaults.
 *
 * @param options - the options
 * @param where - the call, for messages
 */
export function checkReapOptions(options: ReapOptions, where: string): { allowIncomplete: boolean; clean: boolean; overwrite: boolean | null } {
  checkOptionNames(options, ['allowIncomplete', 'clean', 'overwrite'], where);
  if (options.allowIncomplete !== undefined && typeof options.allowIncomplete !== 'boolean') bad(where, 'allowIncomplete', 'true or false', options.allowIncomplete);
  if (options.clean !== undefined && typeof options.clean !== 'boolean') bad(where, 'clean', 'true or false', options.clean);
  if (options.overwrite !== undefined && options.overwrite !== null && typeof options.overwrite !== 'boolean') bad(where, 'overwrite', 'null, true or false', options.overwrite);
  const allowIncomplete = options.allowIncomplete ?? false;
  return { allowIncomplete, clean: options.clean ?? !allowIncomplete, overwrite: options.overwrite ?? null };
}

/**
 * Checks wait options.
 *
 * @param options - the options
 * @param where - the call, for messages
 */
export function checkWaitOptions(options: WaitOptions, where: string): { pollMs: number; timeoutMs: number; signal: AbortSignal | null } {
  checkOptionNames(options, ['pollMs', 'timeoutMs', 'signal'], where);
  for (const name of ['pollMs', 'timeoutMs'] as const) {
    const v = options[name];
    if (v !== undefined && !(typeof v === 'number' && Number.isFinite(v) && v >= 0)) bad(where, name, 'a number of ms from 0 up', v);
  }
  if (options.signal !== undefined && !(options.signal instanceof AbortSignal)) bad(where, 'signal', 'an AbortSignal', options.signal);
  return { pollMs: options.pollMs ?? 500, timeoutMs: options.timeoutMs ?? Infinity, signal: options.signal ?? null };
}

/**
 * Throws E_BAD_OPTION in the house style.
 *
 * @param where - the call
 * @param name - the option
 * @param expected - what it accepts
 * @param got - what it got
 */
export function bad(where: string, name: string, expected: string, got: unknown): never {
  throw new HarvestryError('E_BAD_OPTION', `Expected \`${name}\` in ${where} to be ${expected}, got ${showValue(got)}.`);
}
