/**
 * The options of a Harvester and of its harvests, and their checked form.
 */
import { HarvestryError } from '../errors.js';
import type { RunOptions } from '../runner/options.js';
import { checkOptionNames, RUN_OPTION_NAMES } from '../runner/options.js';
import type { Cases, Combos } from '../runner/types.js';
import { showValue } from '../space/values.js';
import type { LockOptions } from '../store/lock.js';

/** When a long harvest writes its finished rows to the file: whichever comes first. */
export interface CommitEvery {
  /**
   * At most this long after the last commit, in ms.
   * @default 2000
   */
  readonly ms?: number;
  /**
   * Once this many rows are waiting.
   * @default 500000
   */
  readonly rows?: number;
}

/** What a commit did, given to `onCommit`. */
export interface CommitInfo {
  /** The dataset file. */
  readonly path: string;
  /** Rows of this run written by this commit (new keys, and rows that replaced old ones). */
  readonly rows: number;
  /** Rows in the file after the commit. */
  readonly fileRows: number;
  /**
   * `'create'`: the file was made; `'append'`: new row groups were added without rewriting the
   * old ones; `'rewrite'`: the file was rewritten (rows replaced, columns added, or compacted);
   * `'none'`: nothing changed, nothing was written.
   */
  readonly mode: 'create' | 'append' | 'rewrite' | 'none';
}

/** Options of `new Harvester()`. */
export interface HarvesterOptions {
  /** The default commit interval of harvests. */
  readonly commitEvery?: CommitEvery;
  /** The lock of the file: when a dead holder's lock is broken, and how long to wait for a live one. */
  readonly lock?: LockOptions;
}

/** Options shared by `harvestCombos` and `harvestCases`: run options plus how to merge. */
export interface HarvestOptions extends RunOptions {
  /**
   * Run only the cases not yet in the file (a recorded failure counts as not there; a NaN or
   * null result counts as there). Nothing missing: nothing runs and nothing is written.
   * @default false
   */
  readonly missingOnly?: boolean;
  /**
   * A case already in the file that is run again: `null` keeps one row when the results are
   * equal and throws E_MERGE_CONFLICT (writing nothing) when they differ; `true` replaces the
   * old row; `false` keeps it and drops the new one.
   * @default null
   */
  readonly overwrite?: boolean | null;
  /**
   * `'stale'`: also run the cases whose row was made by another version of the function (its
   * fingerprint differs), and replace those rows with the new results. `'none'`: stale rows are
   * kept and count as present (a warning says which they are).
   * @default 'none'
   */
  readonly rerun?: 'stale' | 'none';
  /** When to write finished rows to the file during the run (overrides the Harvester's). */
  readonly commitEvery?: CommitEvery;
  /** Called after every commit, with what it wrote. */
  readonly onCommit?: (info: CommitInfo) => void;
}

/**
 * Combos for a harvest: like a run's, and `'...'` for a dim means every value of it already in
 * the file.
 *
 * @typeParam P - the function's parameter object
 */
export type HarvestCombos<P> = { readonly [K in keyof P]?: Combos<P>[K] | '...' };

/** Options of `harvestCombos`. */
export interface HarvestCombosOptions<P, T extends readonly unknown[] = never> extends HarvestOptions {
  /** Cases to combine with every combo point (case-major). */
  readonly cases?: Cases<P, T>;
  /** Extra constants for this run only. */
  readonly constants?: Partial<P>;
}

/** Options of `harvestCases`. */
export interface HarvestCasesOptions<P> extends HarvestOptions {
  /** Combos to combine with every case (case-major). */
  readonly combos?: HarvestCombos<P>;
  /** Extra constants for this run only. */
  readonly constants?: Partial<P>;
}

/** Harvest options after checking. */
export interface HarvestSpec {
  readonly missingOnly: boolean;
  readonly overwrite: boolean | null;
  readonly rerunStale: boolean;
  readonly commitMs: number;
  readonly commitRows: number;
  readonly onCommit: ((info: CommitInfo) => void) | null;
  /** The run options, passed on to the runner. */
  readonly run: RunOptions;
}

/** The names of the harvest options besides run options. */
export const HARVEST_OPTION_NAMES = ['missingOnly', 'overwrite', 'rerun', 'commitEvery', 'onCommit'] as const;

/**
 * Checks harvest options and splits them from the run options.
 *
 * @param options - the options of the call (without combos / cases / constants)
 * @param defaults - the Harvester's options
 * @param where - the call, for messages
 */
export function resolveHarvestSpec(options: HarvestOptions, defaults: HarvesterOptions, where: string): HarvestSpec {
  checkOptionNames(options, [...RUN_OPTION_NAMES, ...HARVEST_OPTION_NAMES], where);
  const { missingOnly, overwrite, rerun, commitEvery, onCommit, ...run } = options as Record<string, unknown>;
  if (missingOnly !== undefined && typeof missingOnly !== 'boolean') bad(where, 'missingOnly', 'true or false', missingOnly);
  if (overwrite !== undefined && overwrite !== null && typeof overwrite !== 'boolean') bad(where, 'overwrite', 'null, true or false', overwrite);
  if (rerun !== undefined && rerun !== 'stale' && rerun !== 'none') bad(where, 'rerun', "'stale' or 'none'", rerun);
  if (onCommit !== undefined && typeof onCommit !== 'function') bad(where, 'onCommit', 'a callback', onCommit);
  const every = { ...checkCommitEvery(defaults.commitEvery, 'new Harvester()'), ...checkCommitEvery(commitEvery, where) };
  return {
    missingOnly: missingOnly === true,
    overwrite: typeof overwrite === 'boolean' ? overwrite : null,
    rerunStale: rerun === 'stale',
    commitMs: every.ms ?? 2000,
    commitRows: every.rows ?? 500000,
    onCommit: typeof onCommit === 'function' ? (onCommit as (info: CommitInfo) => void) : null,
    run: run,
  };
}

/**
 * Checks a Harvester's options.
 *
 * @param options - the options
 */
export function checkHarvesterOptions(options: HarvesterOptions): HarvesterOptions {
  checkOptionNames(options, ['commitEvery', 'lock'], 'new Harvester()');
  checkCommitEvery(options.commitEvery, 'new Harvester()');
  checkLockOptions(options.lock, 'new Harvester()');
  return options;
}

/**
 * Checks a `lock` option.
 *
 * @param lock - the option as given
 * @param where - the call, for messages
 */
export function checkLockOptions(lock: LockOptions | undefined, where: string): void {
  if (lock === undefined) return;
  checkOptionNames(lock, ['staleMs', 'timeoutMs'], `\`lock\` in ${where}`);
  if (lock.staleMs !== undefined && !(Number.isFinite(lock.staleMs) && lock.staleMs >= 2000)) bad(where, 'lock.staleMs', 'a number of ms from 2000 up', lock.staleMs);
  if (lock.timeoutMs !== undefined && !(Number.isFinite(lock.timeoutMs) && lock.timeoutMs >= 0)) bad(where, 'lock.timeoutMs', 'a number of ms from 0 up', lock.timeoutMs);
}

/**
 * Checks a `commitEvery` option.
 *
 * @param raw - the option as given
 * @param where - the call, for messages
 */
export function checkCommitEvery(raw: unknown, where: string): CommitEvery {
  if (raw === undefined) return {};
  if (typeof raw !== 'object' || raw === null) bad(where, 'commitEvery', 'an object like { ms: 2000, rows: 500000 }', raw);
  const every = raw as Record<string, unknown>;
  checkOptionNames(every, ['ms', 'rows'], `\`commitEvery\` in ${where}`);
  if (every.ms !== undefined && !(typeof every.ms === 'number' && Number.isFinite(every.ms) && every.ms >= 0)) bad(where, 'commitEvery.ms', 'a number of ms from 0 up', every.ms);
  if (every.rows !== undefined && !(Number.isInteger(every.rows) && (every.rows as number) >= 1)) bad(where, 'commitEvery.rows', 'a whole number from 1 up', every.rows);
  return Object.fromEntries(Object.entries(every).filter(([, v]) => v !== undefined));
}

function bad(where: string, name: string, expected: string, got: unknown): never {
  throw new HarvestryError('E_BAD_OPTION', `Expected \`${name}\` in ${where} to be ${expected}, got ${showValue(got)}.`);
}
