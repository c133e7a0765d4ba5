/**
 * `Crop`: a sweep cut into batches in a folder, grown anywhere (here, in worker threads or
 * child processes, or as a job array on a cluster) and reaped into a Harvester's dataset,
 * resumably. The class is a facade over the free functions of this folder.
 */
import { basename, dirname, extname, resolve } from 'node:path';
import { HarvestryError } from '../errors.js';
import { siteOf } from '../execute/site.js';
import { inWorkerImport, stallWorkerImport } from '../execute/worker-import.js';
import { Harvester } from '../harvest/harvester.js';
import { resolveHarvestSpec, type HarvestCombos } from '../harvest/options.js';
import { checkOptionNames, resolveRunSpec } from '../runner/options.js';
import type { RunInput } from '../runner/prepare.js';
import { Runner } from '../runner/runner.js';
import type { Cases } from '../runner/types.js';
import type { CheckedPoint, Space } from '../space/space.js';
import { showValue } from '../space/values.js';
import type { LockOptions } from '../store/lock.js';
import { readSownPlan } from './files.js';
import { growBatches, type GrowReport } from './grow.js';
import { API_HINTS, cliHints, type CropHints } from './hints.js';
import { renderJobScript } from './job-script.js';
import { checkBatchNumbers } from './layout.js';
import { loadCropFunction } from './load-function.js';
import { checkCropName, cropDirOf, cropPaths, readManifest, type CropManifest, type CropPaths } from './manifest.js';
import { bad, checkCropOptions, checkReapOptions, checkWaitOptions, GROW_RUN_OPTIONS, SOW_RUN_OPTIONS, type CropOptions, type GrowOptions, type ReapOptions, type SowCasesOptions, type SowCombosOptions, type SowOptions, type WaitOptions } from './options.js';
import { reapCrop, type ReapReport } from './reap.js';
import { removeCropDir } from './remove.js';
import { planSow, sowCrop, type SowJob, type SowReport } from './sow.js';
import { readCropStatus, renderCropStatus, waitForCrop, type CropStatus } from './status.js';
import { checkSubmitOptions, type SubmitOptions } from './submit-options.js';
import { planScripts, selectBatches, submitCrop, type SubmitReport } from './submit.js';

type AnyRunner = Runner<object, unknown, readonly unknown[]>;

/**
 * A sweep cut into batches on disk: sow it, grow its batches anywhere, reap the results into a
 * Harvester's dataset. Its folder, `<parentDir>/<name>.crop`, holds everything another process
 * needs to grow or reap it, so a crop is re-opened by name (`harvester.crop({ name })`) or by
 * folder (`Crop.open(dir)`, `harvestry crop ... <dir>`).
 *
 * @typeParam P - the function's parameter object
 * @typeParam R - what the function returns
 * @typeParam T - the positional argument tuple, for functions labelled with `fnArgs`
 * @example
 * ```ts
 * const crop = harvester.crop({ numBatches: 10 });
 * await crop.sowCombos({ a: [1, 2, 3], b: [10, 20] });
 * await crop.grow({ executor: 'pool', numWorkers: 2 }); // or crop.submit({ scheduler: 'slurm' })
 * await crop.reap(); // merged into the Harvester's file
 * ```
 */
export class Crop<P extends object = Record<string, unknown>, R = unknown, T extends readonly unknown[] = never> {
  /** The crop's name. */
  readonly name: string;
  /** The crop's folder. */
  readonly dir: string;
  /** The labelled function, or null for a crop opened from its folder alone. */
  readonly runner: Runner<P, R, T> | null;
  /** The Harvester whose dataset the crop is reaped into, or null. */
  readonly harvester: Harvester<P, R, T> | null;
  private readonly paths: CropPaths;
  private readonly options: CropOptions;
  private readonly lock: LockOptions;
  private readonly hints: CropHints = API_HINTS;

  /**
   * A crop of a Harvester (reaped into its dataset) or of a Runner (reaped into a dataset
   * returned, not saved). An existing crop of that name is re-opened.
   *
   * @param farmer - a Harvester, or a Runner (from `label()`)
   * @param options - name, folder, batch size or count, shuffle
   */
  constructor(farmer: Harvester<P, R, T> | Runner<P, R, T>, options: CropOptions = {}) {
    const where = 'new Crop()';
    checkCropOptions(options, where);
    const isRunner = farmer instanceof Runner;
    const harvester = isRunner ? null : farmer;
    if (!isRunner && !(harvester !== null && typeof harvester === 'object' && harvester.runner instanceof Runner && typeof harvester.path === 'string')) {
      throw new HarvestryError('E_BAD_OPTION', `new Crop() expects a Harvester or a labelled function (from label()) first, got ${showValue(farmer)}.`);
    }
    this.runner = isRunner ? farmer : harvester!.runner;
    this.harvester = harvester;
    this.lock = (harvester as { lockOptions?: LockOptions } | null)?.lockOptions ?? {};
    const path = harvester === null ? null : resolve(harvester.path);
    this.name = checkCropName(options.name ?? defaultName(this.runner, path), where);
    this.dir = cropDirOf(this.name, options.parentDir ?? (path === null ? process.cwd() : dirname(path)));
    this.paths = cropPaths(this.dir);
    this.options = options;
    // (not checked while a grower imports the module that made this crop: its working directory may differ)
    const manifest = inWorkerImport() ? null : readManifest(this.paths);
    if (manifest !== null && manifest.dataset !== path) {
      throw new HarvestryError(
        'E_CROP_MISMATCH',
        `The crop at ${this.dir} was sown for ${manifest.dataset === null ? 'a Runner alone (no dataset)' : `the dataset ${manifest.dataset}`}, not for ${path ?? 'a Runner alone'}. Open it with the same Harvester (or Crop.open(dir)), or give this crop another name.`,
        { details: { dir: this.dir, dataset: manifest.dataset } },
      );
    }
  }

  /**
   * Opens a crop from its folder alone (as the CLI does): growing imports the function from the
   * module that labelled it, reaping merges into the dataset the crop was sown for.
   *
   * @param dir - the crop's folder
   * @returns the crop
   */
  static open(dir: string): Crop {
    return openCrop(dir, API_HINTS, 'Crop.open()');
  }

  /** True once the crop is sown (its folder holds a manifest). */
  get isSown(): boolean {
    return readManifest(this.paths) !== null;
  }

  /** The crop's manifest (what was sown, for which function and dataset), or null before sowing. */
  get manifest(): CropManifest | null {
    return readManifest(this.paths);
  }

  /**
   * Sows the cartesian product of the combos: writes the cases to run, cut into batches, to the
   * crop's folder (atomically). With `missingOnly`, only the cases not yet in the dataset.
   *
   * @param combos - for each swept argument its values (`'...'`: every value in the dataset), or a space
   * @param options - `cases`, `constants`, `missingOnly`, batch size or count, `shuffle`, `onError`
   * @returns what was sown (nothing, and no folder, when nothing is missing)
   */
  sowCombos(combos: HarvestCombos<P>, options?: SowCombosOptions<P, T>): Promise<SowReport>;
  /**
   * Sows every point of a space.
   *
   * @param space - a space built with `product`, `zip`, `concat`, `repeat`, `filter`, `points`
   * @param options - `cases`, `constants`, `missingOnly`, batch size or count, `shuffle`, `onError`
   * @returns what was sown
   */
  sowCombos<Q extends CheckedPoint<P, Q>>(space: Space<Q>, options?: SowCombosOptions<P, T>): Promise<SowReport>;
  async sowCombos(combos: HarvestCombos<P> | Space<object>, options: SowCombosOptions<P, T> = {}): Promise<SowReport> {
    if (inWorkerImport()) return stallWorkerImport();
    return sowCrop(this.sowJob({ combos, cases: options.cases, constants: options.constants }, options, 'crop.sowCombos()', 'cases'));
  }

  /**
   * Sows explicit cases. Shuffling them is safe: results land by their case, not their position.
   *
   * @param cases - objects of argument values (tuples, with `fnArgs`), or a space
   * @param options - `combos`, `constants`, `missingOnly`, batch size or count, `shuffle`, `onError`
   * @returns what was sown
   */
  async sowCases(cases: Cases<P, T> | Space<object>, options: SowCasesOptions<P> = {}): Promise<SowReport> {
    if (inWorkerImport()) return stallWorkerImport();
    return sowCrop(this.sowJob({ combos: options.combos, cases, constants: options.constants }, options, 'crop.sowCases()', 'combos'));
  }

  /**
   * What `sowCombos` would sow, without writing anything (a dry run): cases, cases already in
   * the dataset (with `missingOnly`), batches.
   *
   * @param combos - as for `sowCombos`
   * @param options - as for `sowCombos`
   * @returns what would be sown
   */
  async plan(combos: HarvestCombos<P> | Space<object>, options: SowCombosOptions<P, T> = {}): Promise<SowReport> {
    return (await planSow(this.sowJob({ combos, cases: options.cases, constants: options.constants }, options, 'crop.plan()', 'cases'))).report;
  }

  /**
   * Grows batches (by default every batch not done and not queued or running elsewhere) on an
   * executor: in this thread, on worker threads (`executor: 'pool'`) or in child processes
   * (`executor: 'subprocess'`). Each batch's results are written when it is complete; a batch
   * whose case fails (under `onError: 'raise'`) is recorded as failed and the others go on.
   *
   * @param options - `batches`, executor options, `progress`, `signal`
   * @returns the batches grown, failed and left unfinished
   */
  async grow(options: GrowOptions = {}): Promise<GrowReport> {
    if (inWorkerImport()) return stallWorkerImport();
    const where = this.hints.where('grow');
    const { manifest } = this.sown(where);
    checkOptionNames(options, [...GROW_RUN_OPTIONS, 'batches'], where);
    const { batches: which = 'missing', ...run } = options;
    const runSpec = resolveRunSpec({}, run, where);
    let batches: number[];
    if (Array.isArray(which)) batches = checkBatchNumbers(which, manifest.layout.numBatches, `\`batches\` in ${where}`);
    else if (which === 'missing' || which === 'failed') batches = selectBatches(await this.status(), { batches: which }, where);
    else bad(where, 'batches', "'missing', 'failed' or an array of batch numbers", which);
    const sown = readSownPlan(this.paths);
    const fn = this.runner !== null
      ? { fn: this.runner.fn as never, resources: this.runner.resources, fingerprint: this.runner.fingerprint, site: siteOf(this.runner.fn) }
      : await loadCropFunction(manifest, this.dir);
    const report = await growBatches({ paths: this.paths, manifest, sown, ...fn, batches, regrowDone: Array.isArray(which), executor: runSpec.executor, progress: runSpec.progress, signal: runSpec.signal, timeoutMs: runSpec.timeoutMs });
    if (report.failed.length > 0) {
      const first = report.failed.slice(0, 3).map((f) => `  batch ${f.batch}: ${f.message}`).join('\n');
      process.emitWarning(`${report.failed.length} of ${batches.length} batches of crop '${this.name}' failed (see ${this.hints.status}; grow them again with ${this.hints.growFailed}):\n${first}${report.failed.length > 3 ? `\n  … and ${report.failed.length - 3} more` : ''}`, { code: 'HARVESTRY_BATCHES_FAILED' });
    }
    return report;
  }

  /**
   * Every batch's state: sown, queued, running, done or failed (with why), from the crop's files
   * and, for batches submitted to SLURM, from `squeue`.
   *
   * @param options - `scheduler: false` to leave the scheduler out
   * @returns the status
   */
  async status(options: { readonly scheduler?: boolean } = {}): Promise<CropStatus> {
    const { manifest } = this.sown(this.hints.where('status'));
    return readCropStatus(this.paths, manifest, options);
  }

  /**
   * Merges the results of finished batches into the Harvester's dataset (all its merge,
   * lock and durability rules apply) and removes the crop's folder. An unfinished crop is
   * refused unless `allowIncomplete`; the report says which batches were left out.
   *
   * @param options - `allowIncomplete`, `clean`, `overwrite`
   * @returns the dataset reaped, the batches reaped and missing
   */
  async reap(options: ReapOptions = {}): Promise<ReapReport> {
    if (inWorkerImport()) return stallWorkerImport();
    const where = this.hints.where('reap');
    const { manifest } = this.sown(where);
    const o = checkReapOptions(options, where);
    const dataset = manifest.dataset === null ? null : { path: manifest.dataset, lock: this.lock };
    return reapCrop({ paths: this.paths, manifest, sown: readSownPlan(this.paths), dataset, ...o, where, hints: this.hints });
  }

  /**
   * Submits batches as job arrays to a cluster scheduler (SLURM; PBS and SGE through `qsub`):
   * one array task per batch (or per `batchesPerTask` batches), each running
   * `harvestry crop grow <dir> --batch <k>`, with logs under the crop's `logs/` folder.
   *
   * @param options - scheduler, `batches` (`'missing'`, `'failed'`, numbers), time, memory, CPUs, partition, account, `maxRunning`, `extra`, `setup`
   * @returns the job ids and batches submitted
   */
  async submit(options: SubmitOptions = {}): Promise<SubmitReport> {
    if (inWorkerImport()) return stallWorkerImport();
    const where = this.hints.where('submit');
    const { manifest } = this.sown(where);
    const spec = checkSubmitOptions(options, where);
    const status = await this.status();
    return submitCrop(this.paths, manifest, selectBatches(status, spec, where), spec);
  }

  /**
   * The job script(s) `submit()` would submit, without submitting (several when the array is
   * split at the scheduler's largest array).
   *
   * @param options - as for `submit`
   * @returns the scripts' text
   */
  async renderScript(options: SubmitOptions = {}): Promise<string> {
    const where = 'crop.renderScript()';
    const { manifest } = this.sown(where);
    const spec = checkSubmitOptions(options, where);
    const batches = Array.isArray(spec.batches) ? selectBatches(await this.status({ scheduler: false }), spec, where) : selectBatches(await this.status(), spec, where);
    const planned = await planScripts(this.paths, manifest, batches, spec);
    return planned.map((p) => renderJobScript(p.script)).join('\n');
  }

  /**
   * Waits until no batch is queued or running (polling the files and the scheduler).
   *
   * @param options - `pollMs`, `timeoutMs`, `signal`
   * @returns the final status
   */
  async wait(options: WaitOptions = {}): Promise<CropStatus> {
    return waitForCrop(() => this.status(), checkWaitOptions(options, 'crop.wait()'), this.name);
  }

  /**
   * Removes the crop's folder (results not reaped are lost): renamed away first, then deleted,
   * so a removal killed in the middle leaves the whole crop or none of it.
   */
  delete(): void {
    removeCropDir(this.paths);
  }

  /** The crop's name and folder. */
  toString(): string {
    const m = readManifest(this.paths);
    return `Crop '${this.name}' at ${this.dir}: ${m === null ? 'not sown' : `${m.layout.cases} cases in ${m.layout.numBatches} batches`}`;
  }

  /**
   * The status as text (what `harvestry crop status` prints).
   *
   * @param status - a status from `crop.status()`
   */
  static render(status: CropStatus): string {
    return renderCropStatus(status);
  }

  private sown(where: string): { manifest: CropManifest } {
    const manifest = readManifest(this.paths);
    if (manifest === null) throw notSown(this.dir, where);
    return { manifest };
  }

  private sowJob(input: RunInput, options: SowOptions<P> & { readonly cases?: unknown; readonly combos?: unknown }, where: string, allowed: string): SowJob {
    if (this.runner === null) throw new HarvestryError('E_BAD_OPTION', `${where} needs the labelled function: make the crop with harvester.crop() or new Crop(runner), not Crop.open().`);
    checkOptionNames(options, [...SOW_RUN_OPTIONS, 'missingOnly', 'rerun', 'batchSize', 'numBatches', 'constants', allowed], where);
    const { batchSize, numBatches } = options;
    const o = { onError: options.onError, retries: options.retries, timings: options.timings, shuffle: options.shuffle ?? this.options.shuffle, missingOnly: options.missingOnly, rerun: options.rerun };
    const spec = resolveHarvestSpec(defined(o), {}, where);
    return {
      paths: this.paths,
      name: this.name,
      runner: this.runner as unknown as AnyRunner,
      dataset: this.harvester === null ? null : { path: resolve(this.harvester.path), lock: this.lock },
      input,
      spec,
      batchSize: batchSize ?? (numBatches === undefined ? this.options.batchSize : undefined),
      numBatches: numBatches ?? (batchSize === undefined ? this.options.numBatches : undefined),
      where,
    };
  }
}

declare module '../harvest/harvester.js' {
  // Declaration merging: `crop()` is a method of every Harvester, declared and installed here so
  // that harvest/ never imports crop/ (crop/ builds on harvest/, not the reverse).
  // eslint-disable-next-line @typescript-eslint/no-unused-vars -- a merged declaration repeats the class's type parameters
  interface Harvester<P extends object, R, T extends readonly unknown[], G extends PropertyKey> {
    /**
     * A crop of this Harvester: the sweep cut into batches in a folder (beside the dataset by
     * default), grown anywhere and reaped into this dataset. An existing crop of that name is
     * re-opened. See `docs/guide/crop.md`. (Same as `new Crop(harvester, options)`.)
     *
     * @param options - name, folder, batch size or count, shuffle
     * @returns the crop
     * @example
     * ```ts
     * const crop = h.crop({ numBatches: 10 });
     * await crop.sowCombos({ a: [1, 2, 3], b: [10, 20] }, { missingOnly: true });
     * await crop.grow();
     * await crop.reap();
     * ```
     */
    crop(options?: CropOptions): Crop<P, R, T>;
  }
}

// Installed once, when this module is first imported: `harvestry`'s entry point (src/index.ts)
// imports it, so every Harvester a user can make has it. Non-enumerable, like a class method.
Object.defineProperty(Harvester.prototype, 'crop', {
  value: function crop<P extends object, R, T extends readonly unknown[]>(this: Harvester<P, R, T>, options: CropOptions = {}): Crop<P, R, T> {
    return new Crop(this, options);
  },
  writable: true,
  configurable: true,
  enumerable: false,
});

/**
 * Opens a crop from its folder for the CLI: its messages name the CLI's commands and flags
 * (`harvestry crop grow <dir> --failed`) instead of JavaScript calls.
 *
 * @param dir - the crop's folder, as the user typed it
 * @returns the crop
 */
export function openCropForCli(dir: string): Crop {
  return openCrop(dir, cliHints(dir), 'harvestry crop');
}

function openCrop(dir: string, hints: CropHints, where: string): Crop {
  const paths = cropPaths(dir);
  const manifest = readManifest(paths);
  if (manifest === null) throw notSown(paths.dir, where);
  const crop = Object.create(Crop.prototype) as { -readonly [K in keyof Crop]: Crop[K] } & Record<string, unknown>;
  Object.assign(crop, { name: manifest.name, dir: paths.dir, runner: null, harvester: null, paths, options: {}, lock: {}, hints });
  return crop as unknown as Crop;
}

function notSown(dir: string, where: string): HarvestryError {
  return new HarvestryError('E_CROP_NOT_SOWN', `${where}: there is no crop at ${dir} (no crop.json). Sow it first (crop.sowCombos() or crop.sowCases()), or check the folder (it is removed once reaped).`, { details: { dir } });
}

function defaultName(runner: { readonly fn: unknown }, path: string | null): string {
  if (path !== null) return basename(path, extname(path));
  const name = (runner.fn as { name?: unknown }).name;
  if (typeof name === 'string' && /^[A-Za-z0-9_-][A-Za-z0-9_.-]*$/.test(name)) return name;
  throw new HarvestryError('E_BAD_OPTION', 'A crop of a Runner needs a `name` (its function has none to borrow): new Crop(runner, { name: "sweep" }).');
}

function defined(o: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined));
}
