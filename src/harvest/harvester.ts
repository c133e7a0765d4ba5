/**
 * `Harvester`: runs a labelled function again and again and merges every run into one Parquet
 * dataset file, which always holds everything, correctly merged, whatever happened.
 */
import { statSync } from 'node:fs';
import { HarvestryError } from '../errors.js';
import { inWorkerImport, stallWorkerImport } from '../execute/worker-import.js';
import type { Dataset } from '../dataset/dataset.js';
import type { Selection } from '../dataset/select.js';
import { Runner } from '../runner/runner.js';
import type { Cases, CheckedCombos, GivenByCases, GivenByConstants } from '../runner/types.js';
import type { CheckedPoint, Space } from '../space/space.js';
import { showValue } from '../space/values.js';
import { readDatasetSync } from '../store/dataset-file.js';
import { withBackupHint } from '../store/dataset-labels.js';
import { formatForPath } from '../store/format.js';
import type { RunInput } from '../runner/prepare.js';
import type { LockOptions } from '../store/lock.js';
import { deleteDataset, dropSelInFile, expandDimsInFile } from './edit.js';
import { runHarvest, type HarvestHost, type HarvestReport } from './harvest.js';
import { planHarvest, type HarvestPlan } from './plan.js';
import { checkHarvesterOptions, resolveHarvestSpec, type HarvestCasesOptions, type HarvestCombos, type HarvestCombosOptions, type HarvesterOptions, type HarvestOptions } from './options.js';
import { STALE_WARNING_CODE } from './stale.js';

/** Options of {@link Harvester.deleteDs}. */
export interface DeleteOptions {
  /**
   * Move the file aside to `<file>.BAK-YYYYmmdd-HHMMSS` instead of deleting it.
   * @default false
   */
  readonly backup?: boolean;
}

/**
 * Runs a labelled function and merges every run into one dataset file. Each harvest commits
 * finished rows as it goes (a crash loses at most the last interval), under a lock (several
 * processes can harvest into one file), and replaces the file atomically (keeping the previous
 * version as `<file>.bak`).
 *
 * @typeParam P - the function's parameter object
 * @typeParam R - what the function returns
 * @typeParam T - the positional argument tuple, for functions labelled with `fnArgs`
 * @example
 * ```ts
 * const h = new Harvester(runner, 'data/sweep.parquet');
 * await h.harvestCombos({ a: [1, 2, 3], b: [10, 20] });
 * await h.harvestCombos({ a: [4], b: '...' }, { missingOnly: true }); // '...': every b already on disk
 * h.fullDs?.numRows; // 8
 * ```
 */
export class Harvester<P extends object = Record<string, unknown>, R = unknown, T extends readonly unknown[] = never, G extends PropertyKey = never> {
  /** The labelled function. */
  readonly runner: Runner<P, R, T, G>;
  /** The dataset file (Parquet). */
  readonly path: string;
  private readonly options: HarvesterOptions;
  private last: Dataset | null = null;
  private report: HarvestReport | null = null;
  private full: { ds: Dataset; key: string } | null = null;
  private warnedStale = false;

  /**
   * A Harvester of `runner`'s results into the file at `path` (made by the first harvest).
   *
   * @param runner - the labelled function (from `label()`)
   * @param path - the dataset file, `.parquet`; made by the first harvest
   * @param options - commit interval and lock timings
   */
  constructor(runner: Runner<P, R, T, G>, path: string, options: HarvesterOptions = {}) {
    if (!(runner instanceof Runner)) {
      throw new HarvestryError('E_BAD_OPTION', `new Harvester() expects a labelled function (from label()) first, got ${showValue(runner)}.`);
    }
    if (typeof path !== 'string' || path === '') throw new HarvestryError('E_BAD_OPTION', `new Harvester() expects the path of the dataset file second, got ${showValue(path)}.`);
    if (formatForPath(path) !== 'parquet') {
      throw new HarvestryError('E_UNSUPPORTED_FORMAT', `A Harvester keeps its dataset as one Parquet file, but ${path} names an Arrow file. Name it .parquet.`);
    }
    this.runner = runner;
    this.path = path;
    this.options = checkHarvesterOptions(options);
  }

  /**
   * Everything in the file, loaded when first read and reloaded whenever the file changed
   * (another process's harvest shows up); null while there is no file.
   */
  get fullDs(): Dataset | null {
    let key: string;
    try {
      const st = statSync(this.path);
      key = `${st.dev}:${st.ino}:${st.size}:${st.mtimeMs}`;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return (this.full = null);
      throw err;
    }
    if (this.full?.key !== key) {
      try {
        this.full = { ds: readDatasetSync(this.path), key };
      } catch (err) {
        throw withBackupHint(err, this.path);
      }
    }
    return this.full.ds;
  }

  /** The dataset of the last harvest's run (only the cases it ran), or null before the first. */
  get lastDs(): Dataset | null {
    return this.last;
  }

  /** What the last harvest reported: cases run and skipped, failures, commits, time. */
  get lastReport(): HarvestReport | null {
    return this.report;
  }

  /**
   * Runs the cartesian product of the combos, or every point of a space (see
   * `docs/guide/space.md`), and merges the results into the file. The combos are checked at
   * compile time as `runCombos` checks them; a combos object held in a variable that uses
   * `'...'` must be written `as const` (TypeScript widens `'...'` to `string` otherwise).
   *
   * @param combos - for each swept argument its values, or `'...'` for every value already in the file; or a space
   * @param options - run options, `missingOnly`, `overwrite`, `rerun`, `commitEvery`, `cases`, `constants`
   * @returns the dataset of this run (only the cases it ran)
   * @example
   * ```ts
   * await h.harvestCombos({ a: [1, 2], b: [10, 20] }, { missingOnly: true, onError: 'record' });
   * ```
   */
  harvestCombos<const C extends object, K extends Partial<P> = never, Cs extends Cases<P, T> = readonly []>(
    combos: CheckedCombos<P, C, '...', G | GivenByConstants<K> | GivenByCases<P, Cs>>,
    options?: HarvestCombosOptions<P, T> & { readonly constants?: K; readonly cases?: Cs },
  ): Promise<Dataset>;
  async harvestCombos(combos: HarvestCombos<P> | Space<object>, options: HarvestCombosOptions<P, T> = {}): Promise<Dataset> {
    const { cases, constants, ...rest } = options;
    return this.harvest({ combos, cases, constants }, rest, 'harvestCombos()');
  }

  /**
   * Runs every point of a space, as {@link Harvester.harvestCombos} does.
   *
   * @param space - a space built with `points`, `zip`, `concat`, `product`, `repeat`, `filter`
   * @param options - run options, `missingOnly`, `overwrite`, `rerun`, `commitEvery`, `combos`, `constants`
   * @returns the dataset of this run
   */
  harvestCases<Q extends CheckedPoint<P, Q>>(space: Space<Q>, options?: HarvestCasesOptions<P>): Promise<Dataset>;
  /**
   * Runs explicit cases and merges the results into the file.
   *
   * @param cases - objects of argument values (tuples, with `fnArgs`)
   * @param options - run options, `missingOnly`, `overwrite`, `rerun`, `commitEvery`, `combos`, `constants`
   * @returns the dataset of this run
   * @example
   * ```ts
   * await h.harvestCases([{ a: 1, b: 10 }, { a: 7, b: 70 }], { overwrite: true });
   * ```
   */
  harvestCases(cases: Cases<P, T>, options?: HarvestCasesOptions<P>): Promise<Dataset>;
  async harvestCases(cases: Cases<P, T> | Space<object>, options: HarvestCasesOptions<P> = {}): Promise<Dataset> {
    const { combos, constants, ...rest } = options;
    return this.harvest({ combos, cases, constants }, rest, 'harvestCases()');
  }

  /**
   * A dry run of {@link Harvester.harvestCombos} with the same arguments: how many cases it
   * would run, and how many the file already holds (present, stale, recorded failures), read
   * from the file's key columns. Nothing runs and nothing is written.
   *
   * @param combos - as for `harvestCombos` (`'...'` included)
   * @param options - as for `harvestCombos`; `missingOnly` and `rerun` decide what would run
   * @returns the counts
   * @example
   * ```ts
   * const p = await h.plan({ a: [1, 2, 3], b: [10, 20] }, { missingOnly: true });
   * console.log(`${p.run} of ${p.cases} cases to run, ${p.present} present, ${p.stale} stale`);
   * ```
   */
  plan(combos: HarvestCombos<P>, options?: HarvestCombosOptions<P, T>): Promise<HarvestPlan>;
  /**
   * A dry run of a harvest of a space.
   *
   * @param space - a space built with `product`, `zip`, `concat`, `repeat`, `filter`, `points`
   * @param options - as for `harvestCombos`
   * @returns the counts
   */
  plan<Q extends CheckedPoint<P, Q>>(space: Space<Q>, options?: HarvestCombosOptions<P, T>): Promise<HarvestPlan>;
  async plan(combos: HarvestCombos<P> | Space<object>, options: HarvestCombosOptions<P, T> = {}): Promise<HarvestPlan> {
    const { cases, constants, ...rest } = options;
    return this.dryRun({ combos, cases, constants }, rest, 'plan()');
  }

  /**
   * A dry run of {@link Harvester.harvestCases} with the same arguments (see {@link Harvester.plan}).
   *
   * @param cases - as for `harvestCases`
   * @param options - as for `harvestCases`
   * @returns the counts
   */
  planCases(cases: Cases<P, T>, options?: HarvestCasesOptions<P>): Promise<HarvestPlan>;
  /**
   * A dry run of a harvest of a space's points (see {@link Harvester.plan}).
   *
   * @param space - a space built with `points`, `zip`, `concat`, `product`, `repeat`, `filter`
   * @param options - as for `harvestCases`
   * @returns the counts
   */
  planCases<Q extends CheckedPoint<P, Q>>(space: Space<Q>, options?: HarvestCasesOptions<P>): Promise<HarvestPlan>;
  async planCases(cases: Cases<P, T> | Space<object>, options: HarvestCasesOptions<P> = {}): Promise<HarvestPlan> {
    const { combos, constants, ...rest } = options;
    return this.dryRun({ combos, cases, constants }, rest, 'planCases()');
  }

  /**
   * The lock options of the file (for crops reaping into it).
   *
   * @internal
   */
  get lockOptions(): LockOptions {
    return this.options.lock ?? {};
  }

  /**
   * Adds a dim to the dataset: every row already in the file gets `value` for it (for example
   * when a former constant starts being swept). The new dim comes first.
   *
   * @param name - the new dim
   * @param value - its value for the existing rows
   * @example
   * ```ts
   * await h.expandDims('seed', 0); // then harvest with combos { seed: [1, 2], ... }
   * ```
   */
  async expandDims(name: string, value: unknown): Promise<void> {
    // A worker importing the module that calls this: skip it (see stallWorkerImport).
    if (inWorkerImport()) return stallWorkerImport();
    await expandDimsInFile(this.path, name, value, this.options.lock ?? {});
  }

  /**
   * Removes every row whose value of a named dim is one of the given values.
   *
   * @param selection - for each dim, a value or values to drop
   * @returns the number of rows removed
   * @example
   * ```ts
   * await h.dropSel({ a: [1, 2] });
   * ```
   */
  async dropSel(selection: Selection): Promise<number> {
    // A worker importing the module that calls this: skip it (see stallWorkerImport).
    if (inWorkerImport()) return stallWorkerImport();
    return dropSelInFile(this.path, selection, this.options.lock ?? {});
  }

  /**
   * Deletes the dataset file and its `.bak`.
   *
   * @param options - `backup: true` moves the file aside instead
   * @returns the path of the dated copy with `backup`, else null
   */
  async deleteDs(options: DeleteOptions = {}): Promise<string | null> {
    // A worker importing the module that calls this: skip it (see stallWorkerImport).
    if (inWorkerImport()) return stallWorkerImport();
    const kept = await deleteDataset(this.path, options.backup === true, this.options.lock ?? {});
    this.full = null;
    return kept;
  }

  private async dryRun(input: RunInput, options: HarvestOptions, where: string): Promise<HarvestPlan> {
    const spec = resolveHarvestSpec(options, this.options, where);
    return planHarvest(this.host(), input, spec, where);
  }

  private async harvest(input: RunInput, options: HarvestOptions, where: string): Promise<Dataset> {
    // A worker importing the module that calls this: skip it (see stallWorkerImport).
    if (inWorkerImport()) return stallWorkerImport();
    const spec = resolveHarvestSpec(options, this.options, where);
    const { ds } = await runHarvest(this.host(), input, spec, where);
    return ds;
  }

  private host(): HarvestHost {
    return {
      onReport: (report) => {
        this.report = report;
      },
      runner: this.runner as unknown as HarvestHost['runner'],
      path: this.path,
      lock: this.options.lock ?? {},
      onStale: (text) => {
        if (this.warnedStale) return;
        this.warnedStale = true;
        process.emitWarning(text, { code: STALE_WARNING_CODE });
      },
      onDataset: (ds) => {
        this.last = ds;
      },
    };
  }
}
