/**
 * `cultivate()`: sow, grow and reap in one call, resuming a crop of the same name left by an
 * interrupted run (reap what it finished, then sow and grow only what is still missing).
 */
import { HarvestryError } from '../errors.js';
import type { Dataset } from '../dataset/dataset.js';
import { inWorkerImport, stallWorkerImport } from '../execute/worker-import.js';
import { Harvester } from '../harvest/harvester.js';
import type { HarvestCombos } from '../harvest/options.js';
import { checkOptionNames, type OnError } from '../runner/options.js';
import { Runner } from '../runner/runner.js';
import type { Cases } from '../runner/types.js';
import { showValue } from '../space/values.js';
import { cropPaths } from './manifest.js';
import type { GrowOptions } from './options.js';
import { finishHalfDeleted } from './remove.js';
import type { SubmitOptions } from './submit-options.js';

/** What `cultivate` does with something left on disk: see {@link CultivateOptions}. */
export type CultivateAction = 'reap' | 'delete' | 'skip' | 'raise';

/** Options of {@link cultivate}. */
export interface CultivateOptions<P = Record<string, unknown>, T extends readonly unknown[] = never> extends Omit<GrowOptions, 'batches'> {
  /** The dataset file, when cultivating a Runner (a Harvester brings its own). */
  readonly path?: string;
  /** Combos to sow (with `'...'` for every value already in the dataset). */
  readonly combos?: HarvestCombos<P>;
  /** Cases to sow (combined with the combos, case-major). */
  readonly cases?: Cases<P, T>;
  /** Extra constants for this crop. */
  readonly constants?: Partial<P>;
  /** The crop's name. @default the dataset file's name */
  readonly name?: string;
  /** The folder holding the crop. @default the dataset's folder */
  readonly parentDir?: string;
  readonly batchSize?: number;
  readonly numBatches?: number;
  readonly shuffle?: boolean | number;
  /**
   * Sow only the cases not yet in the dataset (then reap with `overwrite: null`); false sows
   * every case and reaps with `overwrite: true`.
   * @default true
   */
  readonly missingOnly?: boolean;
  /** What a failing case does (as `onError` of a run): fail its batch, skip it, or record it. */
  readonly onCaseError?: OnError;
  /** Grow on a cluster instead: submit with these options and wait for the jobs. */
  readonly submit?: SubmitOptions;
  /**
   * A crop of that name already on disk (an interrupted run): `'reap'` merges what it finished,
   * removes it, then sows and grows what is still missing; `'delete'` removes it first; `'skip'`
   * leaves it and returns; `'raise'` throws E_CROP_EXISTS.
   * @default 'reap'
   */
  readonly onExisting?: CultivateAction;
  /**
   * Growing or reaping failed (a batch failed, a merge conflict, an interruption): `'raise'`
   * keeps the crop and throws; `'reap'` merges what finished, removes the crop and returns;
   * `'delete'` removes the crop and throws; `'skip'` keeps the crop and returns.
   * @default 'raise'
   */
  readonly onError?: CultivateAction;
}

const NAMES = ['path', 'combos', 'cases', 'constants', 'name', 'parentDir', 'batchSize', 'numBatches', 'shuffle', 'missingOnly', 'onCaseError', 'submit', 'onExisting', 'onError', 'executor', 'parallel', 'numWorkers', 'numThreads', 'affinities', 'gpus', 'progress', 'signal', 'timeoutMs'];

/**
 * Sows, grows and reaps a sweep through a crop, into a Harvester's dataset. A crop of the same
 * name left on disk by an interrupted run is resumed (`onExisting`).
 *
 * @param farmer - a Harvester, or a Runner with `path`
 * @param options - what to sow, how to grow, what to do with leftovers and failures
 * @returns everything in the dataset afterwards (`harvester.fullDs`), or null when it is empty
 * @example
 * ```ts
 * await cultivate(harvester, { combos: { a: [1, 2, 3], b: [10, 20] }, numBatches: 3, executor: 'pool' });
 * ```
 */
export async function cultivate<P extends object, R, T extends readonly unknown[] = never>(farmer: Harvester<P, R, T> | Runner<P, R, T>, options: CultivateOptions<P, T> = {}): Promise<Dataset | null> {
  if (inWorkerImport()) return stallWorkerImport();
  const where = 'cultivate()';
  checkOptionNames(options, NAMES, where);
  const { path, combos, cases, constants, name, parentDir, batchSize, numBatches, shuffle, missingOnly = true, onCaseError, submit, onExisting = 'reap', onError = 'raise', ...grow } = options;
  for (const [opt, v] of [['onExisting', onExisting], ['onError', onError]] as const) {
    if (!['reap', 'delete', 'skip', 'raise'].includes(v)) throw new HarvestryError('E_BAD_OPTION', `Expected \`${opt}\` in ${where} to be 'reap', 'delete', 'skip' or 'raise', got ${showValue(v)}.`);
  }
  if (combos === undefined && cases === undefined) throw new HarvestryError('E_BAD_OPTION', `${where} needs \`combos\` or \`cases\` (or both): what to run.`);
  const harvester = harvesterOf(farmer, path, where);
  const crop = harvester.crop(defined({ name, parentDir, batchSize, numBatches, shuffle }));
  const overwrite = missingOnly ? null : true;
  finishHalfDeleted(cropPaths(crop.dir));
  if (crop.isSown) {
    if (onExisting === 'raise') throw new HarvestryError('E_CROP_EXISTS', `${where}: a crop '${crop.name}' is left at ${crop.dir} (an interrupted run?). Pass onExisting: 'reap' to merge what it finished and go on, 'delete' to start again, or 'skip'.`, { details: { dir: crop.dir } });
    if (onExisting === 'skip') {
      process.emitWarning(`cultivate(): the crop '${crop.name}' at ${crop.dir} is left as it is (onExisting: 'skip'); nothing was run.`, { code: 'HARVESTRY_CROP_SKIPPED' });
      return harvester.fullDs;
    }
    if (onExisting === 'reap') await crop.reap({ allowIncomplete: true, clean: true, overwrite });
    else crop.delete();
  }
  const sown = await crop.sowCombos((combos ?? {}) as HarvestCombos<P>, defined({ cases, constants, missingOnly, ...(onCaseError === undefined ? {} : { onError: onCaseError }) }));
  if (sown.batches === 0) return harvester.fullDs;
  try {
    if (submit === undefined) {
      const report = await crop.grow(grow);
      if (report.unfinished.length > 0) throw new HarvestryError('E_ABORTED', `${where} was stopped with ${report.unfinished.length} batches of crop '${crop.name}' unfinished; it is kept at ${crop.dir}: cultivate again to resume.`);
      if (report.failed.length > 0) throw batchesFailed(crop, report.failed);
    } else {
      await crop.submit(submit);
      const status = await crop.wait(grow.signal === undefined ? {} : { signal: grow.signal });
      if (status.failed.length > 0) throw batchesFailed(crop, status.batches.filter((b) => b.state === 'failed').map((b) => ({ batch: b.batch, message: b.error ?? 'failed' })));
    }
    await crop.reap({ overwrite });
  } catch (err) {
    if (onError === 'raise' || !crop.isSown) throw err;
    if (onError === 'delete') {
      crop.delete();
      throw err;
    }
    if (onError === 'reap') await crop.reap({ allowIncomplete: true, clean: true, overwrite });
    const what = err instanceof HarvestryError && typeof err.details.summary === 'string' ? err.details.summary : err instanceof Error ? err.message : String(err);
    process.emitWarning(`cultivate(): ${what}; onError: '${onError}': ${onError === 'reap' ? 'the finished batches were merged and the crop removed' : `the crop is kept at ${crop.dir}`}.`, { code: 'HARVESTRY_CULTIVATE_ERROR' });
  }
  return harvester.fullDs;
}

function harvesterOf<P extends object, R, T extends readonly unknown[]>(farmer: Harvester<P, R, T> | Runner<P, R, T>, path: string | undefined, where: string): Harvester<P, R, T> {
  if (farmer instanceof Harvester) {
    if (path !== undefined) throw new HarvestryError('E_BAD_OPTION', `\`path\` in ${where} is for a Runner; a Harvester brings its own dataset file (${farmer.path}). Drop \`path\`.`);
    return farmer;
  }
  if (farmer instanceof Runner) {
    if (path === undefined) throw new HarvestryError('E_BAD_OPTION', `${where} of a Runner needs \`path\`, the dataset file to reap into (cultivate keeps every result on disk): cultivate(runner, { path: 'data/sweep.parquet', ... }).`);
    return new Harvester(farmer, path);
  }
  throw new HarvestryError('E_BAD_OPTION', `${where} expects a Harvester or a labelled function (from label()) first, got ${showValue(farmer)}.`);
}

function batchesFailed(crop: { readonly name: string; readonly dir: string }, failed: readonly { batch: number; message: string }[]): HarvestryError {
  const first = failed.slice(0, 3).map((f) => `batch ${f.batch}: ${f.message}`).join('; ');
  const summary = `${failed.length} batch${failed.length === 1 ? '' : 'es'} of crop '${crop.name}' failed (${first}${failed.length > 3 ? '; …' : ''})`;
  return new HarvestryError('E_BATCH_FAILED', `${summary}. The crop is kept at ${crop.dir}: fix the cause and cultivate again (it resumes), or grow them again with crop.grow({ batches: 'failed' }).`, {
    details: { failed, dir: crop.dir, summary },
  });
}

function defined<O extends object>(o: O): { [K in keyof O]?: Exclude<O[K], undefined> } {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as { [K in keyof O]?: Exclude<O[K], undefined> };
}
