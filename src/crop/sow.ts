/**
 * Sowing a crop: check the run as a harvest would (only the cases not yet in the dataset with
 * `missingOnly`), cut the cases into batches, and write the crop's folder atomically: it is
 * written whole under a temporary name and renamed into place, so a crop is sown or absent,
 * never half there.
 */
import { mkdirSync, renameSync, rmSync } from 'node:fs';
import { hostname } from 'node:os';
import { dirname } from 'node:path';
import { HarvestryError } from '../errors.js';
import { siteOf } from '../execute/site.js';
import { withoutResources } from '../execute/wire.js';
import { inspect, planOrder, type HarvestHost } from '../harvest/harvest.js';
import type { HarvestSpec } from '../harvest/options.js';
import { STALE_WARNING_CODE } from '../harvest/stale.js';
import type { PreparedRun, RunInput } from '../runner/prepare.js';
import type { Runner } from '../runner/runner.js';
import type { LockOptions } from '../store/lock.js';
import { syncDir, writeNewFileSync } from '../store/atomic.js';
import { removeLeftovers, tempPathOf } from '../store/temporaries.js';
import { VERSION } from '../version.js';
import { encodeFramed, type SownPlan } from './files.js';
import { currentLauncher } from './launcher.js';
import { finishHalfDeleted } from './remove.js';
import { chooseBatches, type BatchLayout } from './layout.js';
import { CROP_FORMAT, CROP_FORMAT_VERSION, cropPaths, readManifest, type CropManifest, type CropPaths } from './manifest.js';

/** What a sow wrote. */
export interface SowReport {
  /** The crop's folder. */
  readonly dir: string;
  /** Cases sown. */
  readonly cases: number;
  /** Cases of the request left out because the dataset already has them (`missingOnly`). */
  readonly skipped: number;
  /** Batches, numbered 1 to `batches`; 0 when nothing was sown. */
  readonly batches: number;
  /** The batch layout, or null when nothing was sown. */
  readonly layout: BatchLayout | null;
}

/** Everything a sow needs. */
export interface SowJob {
  readonly paths: CropPaths;
  readonly name: string;
  readonly runner: Runner<object, unknown, readonly unknown[]>;
  /** The Harvester's file and lock, or null for a crop of a Runner alone. */
  readonly dataset: { readonly path: string; readonly lock: LockOptions } | null;
  readonly input: RunInput;
  /** Checked harvest options (`missingOnly`, `rerun`) with the run options of the crop. */
  readonly spec: HarvestSpec;
  readonly batchSize: number | undefined;
  readonly numBatches: number | undefined;
  readonly where: string;
}

/**
 * Sows a crop: writes its folder with the cases to run, cut into batches.
 *
 * @param job - the crop, the function, the dataset and the request
 * @returns what was sown (nothing, and no folder, when every case is already in the dataset)
 */
export async function sowCrop(job: SowJob): Promise<SowReport> {
  const { paths, where } = job;
  finishHalfDeleted(paths);
  refuseExisting(paths, job.name, where);
  const { prep, order, report } = await planSow(job);
  const layout = report.layout;
  if (layout === null) return report;
  const sown: SownPlan = {
    plan: withoutResources(prep.plan),
    labels: { varNames: prep.assembly.varNames, varDims: prep.assembly.varDims, varCoords: prep.assembly.varCoords, attrs: prep.assembly.attrs, provenance: prep.assembly.provenance },
    order,
  };
  writeCropFolder(paths, job.name, manifestOf(job, prep, layout), sown, where);
  return report;
}

/**
 * What a sow would write, without writing it (a dry run): the run checked against the function
 * and the dataset, the cases to sow in order, and their batches.
 *
 * @param job - the crop, the function, the dataset and the request
 */
export async function planSow(job: SowJob): Promise<{ prep: PreparedRun; order: Int32Array; report: SowReport }> {
  const { prep, order } = await whatToSow(job);
  const skipped = prep.grid.size - order.length;
  const layout = order.length === 0 ? null : chooseBatches(order.length, job.batchSize, job.numBatches, job.where);
  return { prep, order, report: { dir: job.paths.dir, cases: order.length, skipped, batches: layout?.numBatches ?? 0, layout } };
}

/** The run, checked, and the grid indices to sow, in order (shuffled when asked). */
async function whatToSow(job: SowJob): Promise<{ prep: PreparedRun; order: Int32Array }> {
  const { runner, dataset, input, spec, where } = job;
  if (dataset === null) {
    if (spec.missingOnly) throw new HarvestryError('E_BAD_OPTION', `\`missingOnly\` in ${where} needs a dataset to compare with, but this crop belongs to a Runner alone. Make the crop from a Harvester: harvester.crop({ ... }).`);
    const prep = runner.prepare(input, spec.run, where);
    return { prep, order: prep.order ?? identity(prep.grid.size) };
  }
  const host: HarvestHost = {
    runner,
    path: dataset.path,
    lock: dataset.lock,
    onStale: (text) => {
      process.emitWarning(text, { code: STALE_WARNING_CODE });
    },
    onDataset: () => undefined,
  };
  const { prep, status } = await inspect(host, input, spec, where);
  const { order } = planOrder(status, spec, prep);
  return { prep, order: order ?? identity(prep.grid.size) };
}

function manifestOf(job: SowJob, prep: PreparedRun, layout: BatchLayout): CropManifest {
  const { runner } = job;
  const site = siteOf(runner.fn);
  const fnName = (runner.fn as { name?: unknown }).name;
  return {
    format: CROP_FORMAT,
    version: CROP_FORMAT_VERSION,
    name: job.name,
    sownAt: new Date().toISOString(),
    harvestry: VERSION,
    node: process.version,
    host: hostname(),
    cwd: process.cwd(),
    function: {
      module: site?.url ?? null,
      ordinal: site?.ordinal ?? 0,
      fingerprint: runner.fingerprint,
      enclosing: site?.enclosing ?? null,
      name: typeof fnName === 'string' && fnName !== '' ? fnName : null,
    },
    dataset: job.dataset?.path ?? null,
    dims: prep.grid.dims,
    spaceSize: prep.grid.size,
    layout,
    run: { onError: prep.run.onError, retries: prep.run.retries, timings: prep.run.timings, shuffle: prep.run.shuffle, missingOnly: job.spec.missingOnly },
    launcher: currentLauncher(),
  };
}

function refuseExisting(paths: CropPaths, name: string, where: string): void {
  if (readManifest(paths) !== null) {
    throw new HarvestryError(
      'E_CROP_EXISTS',
      `${where}: the crop '${name}' is already sown at ${paths.dir}. Grow and reap it (crop.grow(), crop.reap()), delete it (crop.delete()), or sow under another name.`,
      { details: { dir: paths.dir } },
    );
  }
}

/** Writes the folder under a temporary name (files fsynced) and renames it into place. */
function writeCropFolder(paths: CropPaths, name: string, manifest: CropManifest, sown: SownPlan, where: string): void {
  const parent = dirname(paths.dir);
  mkdirSync(parent, { recursive: true });
  removeLeftovers(paths.dir); // folders of sowers of this crop that were killed
  const tmp = tempPathOf(paths.dir, 'sowing');
  const t = cropPaths(tmp);
  try {
    mkdirSync(tmp);
    for (const d of [t.results, t.failed, t.running, t.jobs, t.logs]) mkdirSync(d);
    writeNewFileSync(t.plan, encodeFramed({ kind: 'plan', cases: sown.order.length }, sown));
    writeNewFileSync(t.manifest, Buffer.from(`${JSON.stringify(manifest, null, 2)}\n`));
    syncDir(tmp);
    renameSync(tmp, paths.dir);
  } catch (err) {
    rmSync(tmp, { recursive: true, force: true });
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOTEMPTY' || code === 'EEXIST') {
      refuseExisting(paths, name, where);
      throw new HarvestryError('E_CROP_EXISTS', `${where}: ${paths.dir} already exists and is not a crop. Move it away, or sow under another name.`, { cause: err, details: { dir: paths.dir } });
    }
    throw err;
  }
  syncDir(parent);
}

function identity(n: number): Int32Array {
  const out = new Int32Array(n);
  for (let i = 0; i < n; i++) out[i] = i;
  return out;
}
