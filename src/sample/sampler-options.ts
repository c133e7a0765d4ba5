/**
 * The options of a Sampler and of its calls, and their checked form.
 */
import { randomInt } from 'node:crypto';
import { HarvestryError } from '../errors.js';
import { checkOptionNames, isSeed, RUN_OPTION_NAMES, type RunOptions } from '../runner/options.js';
import { showValue } from '../space/values.js';
import type { LockOptions } from '../store/lock.js';
import type { SampleFormat } from '../store/sample-file.js';
import { checkCommitEvery, checkLockOptions, type CommitEvery } from '../harvest/options.js';
import type { SampleCombos } from './sampler-combos.js';

/** What a commit of a Sampler wrote, given to `onCommit`. */
export interface SampleCommitInfo {
  /** The sample file. */
  readonly path: string;
  /** Rows written by this commit. */
  readonly rows: number;
  /** Rows in the file after it; null when that would take reading the file (CSV and JSON-lines appends). */
  readonly fileRows: number | null;
  /**
   * `'create'`: the file was made; `'append'`: rows were added at its end; `'rewrite'`: it was
   * rewritten (Arrow IPC always; others when columns change).
   */
  readonly mode: 'create' | 'append' | 'rewrite';
}

/**
 * Options of `new Sampler()`.
 *
 * @typeParam P - the function's parameter object
 */
export interface SamplerOptions<P = Record<string, unknown>> {
  /** What to draw each parameter from, unless a call's `combos` says otherwise. */
  readonly defaultCombos?: SampleCombos<P>;
  /**
   * The file format: `'parquet'`, `'arrow'` (IPC), `'csv'` or `'json'` (JSON lines).
   * @default from the extension (.parquet, .arrow, .csv, .json / .jsonl / .ndjson), Parquet without one
   */
  readonly format?: SampleFormat;
  /** When a long call writes its finished rows to the file (every 2 s or 500,000 rows by default). */
  readonly commitEvery?: CommitEvery;
  /** The file's lock: when a dead holder's lock is broken, and how long to wait for a live one. */
  readonly lock?: LockOptions;
}

/**
 * Options of `sampleCombos()`: run options (`seed` among them) plus what to draw from.
 *
 * @typeParam P - the function's parameter object
 */
export interface SampleOptions<P = Record<string, unknown>> extends RunOptions {
  /** What to draw parameters from; each key overrides the same key of `defaultCombos`. */
  readonly combos?: SampleCombos<P>;
  /** Extra constants for this call only (scalar constants are saved as columns). */
  readonly constants?: Partial<P>;
  /** When to write finished rows to the file during the call (overrides the Sampler's). */
  readonly commitEvery?: CommitEvery;
  /** Called after every commit, with what it wrote. */
  readonly onCommit?: (info: SampleCommitInfo) => void;
}

/** A call's options after checking. */
export interface SampleSpec {
  readonly combos: unknown;
  readonly constants: unknown;
  /** The seed: given, or the runner's default, or chosen at random. */
  readonly seed: number;
  readonly commitMs: number;
  readonly commitRows: number;
  readonly onCommit: ((info: SampleCommitInfo) => void) | null;
  /** The run options, `seed` set. */
  readonly run: RunOptions;
}

/**
 * Checks a Sampler's options.
 *
 * @param options - the options
 */
export function checkSamplerOptions<P>(options: SamplerOptions<P>): SamplerOptions<P> {
  const raw: unknown = options;
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) {
    throw new HarvestryError('E_BAD_OPTION', `Expected the options of new Sampler() to be an object like { defaultCombos: { x: [1, 2] } }, got ${showValue(options)}.`);
  }
  checkOptionNames(options, ['defaultCombos', 'format', 'commitEvery', 'lock'], 'new Sampler()');
  checkCommitEvery(options.commitEvery, 'new Sampler()');
  checkLockOptions(options.lock, 'new Sampler()');
  return options;
}

/**
 * Checks the options of a call and fills in the seed.
 *
 * @param n - the number of samples
 * @param options - the call's options
 * @param defaults - the Sampler's options
 * @param runnerDefaults - the runner's default run options
 * @param where - the call, for messages
 */
export function resolveSampleSpec<P>(n: unknown, options: SampleOptions<P>, defaults: SamplerOptions<P>, runnerDefaults: RunOptions, where: string): SampleSpec {
  if (!(Number.isInteger(n) && (n as number) >= 1 && (n as number) <= 2147483647)) {
    throw new HarvestryError('E_BAD_OPTION', `Expected the number of samples given to ${where} to be a whole number from 1 to 2147483647, got ${showValue(n)}.`);
  }
  const raw: unknown = options;
  if (typeof raw !== 'object' || raw === null) throw new HarvestryError('E_BAD_OPTION', `Expected the options of ${where} to be an object, got ${showValue(options)}.`);
  checkOptionNames(options, [...RUN_OPTION_NAMES, 'combos', 'constants', 'commitEvery', 'onCommit'], where);
  const { combos, constants, commitEvery, onCommit, ...run } = options;
  if (onCommit !== undefined && typeof onCommit !== 'function') {
    throw new HarvestryError('E_BAD_OPTION', `Expected \`onCommit\` in ${where} to be a callback, got ${showValue(onCommit)}.`);
  }
  const given = run.seed ?? runnerDefaults.seed;
  if (given !== undefined && !isSeed(given)) {
    throw new HarvestryError('E_BAD_OPTION', `Expected \`seed\` in ${where} to be a whole number from 0 to 4294967295, got ${showValue(given)}.`);
  }
  const seed = given ?? randomInt(0, 4294967296);
  const every = { ...checkCommitEvery(defaults.commitEvery, 'new Sampler()'), ...checkCommitEvery(commitEvery, where) };
  return {
    combos,
    constants,
    seed,
    commitMs: every.ms ?? 2000,
    commitRows: every.rows ?? 500000,
    onCommit: onCommit ?? null,
    run: { ...run, seed },
  };
}
