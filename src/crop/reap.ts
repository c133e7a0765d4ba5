/**
 * Reaping a crop: the results of its finished batches, assembled into a dataset in canonical
 * order (dims in the order given; shuffling changed only the order of growing) and merged into
 * the Harvester's file by the Harvester's own commit (lock, merge under the overwrite policy,
 * atomic replace). Results grown by different versions of the function are committed with
 * their own fingerprints. The crop's folder is removed only after the merge succeeded.
 */
import { existsSync } from 'node:fs';
import { HarvestryError } from '../errors.js';
import { loadArrow } from '../dataset/_arrow-lib.js';
import { assembleDataset, type AssemblyPlan } from '../dataset/assemble.js';
import type { Dataset } from '../dataset/dataset.js';
import type { ChunkResult } from '../execute/evaluate.js';
import { commitRows, type CommitTarget } from '../harvest/commit.js';
import { GridLocator, GridStatus } from '../harvest/grid-status.js';
import { Grid } from '../space/grid.js';
import type { LockOptions } from '../store/lock.js';
import { cropFileGone, readResult, verifiedBatches, type SownPlan } from './files.js';
import { removeCropDir } from './remove.js';
import { batchBounds, formatBatchList } from './layout.js';
import { API_HINTS, type CropHints } from './hints.js';
import { resultPath, type CropManifest, type CropPaths } from './manifest.js';

/** What a reap did. */
export interface ReapReport {
  /** The dataset of the reaped results (every finished batch). */
  readonly ds: Dataset;
  /** The batches reaped. */
  readonly batches: readonly number[];
  /** The batches not done, left out. */
  readonly missing: readonly number[];
  /** Rows written to the dataset file (new keys and replaced rows); 0 for a crop of a Runner alone. */
  readonly rows: number;
  /** True when the crop's folder was removed. */
  readonly cleaned: boolean;
}

/** Everything a reap needs. */
export interface ReapJob {
  readonly paths: CropPaths;
  readonly manifest: CropManifest;
  readonly sown: SownPlan;
  /** The Harvester's file and lock, or null to return the dataset only. */
  readonly dataset: { readonly path: string; readonly lock: LockOptions } | null;
  readonly overwrite: boolean | null;
  readonly allowIncomplete: boolean;
  readonly clean: boolean;
  readonly where: string;
  /** How messages name the next step (JavaScript calls or CLI flags). */
  readonly hints: CropHints;
}

/**
 * Reaps a crop.
 *
 * @param job - the crop, the dataset, the policies
 * @returns the dataset and what was reaped and left out
 */
export async function reapCrop(job: ReapJob): Promise<ReapReport> {
  const { paths, manifest, sown } = job;
  const n = manifest.layout.numBatches;
  const { done, damaged } = verifiedBatches(paths, (k) => {
    const { start, end } = batchBounds(manifest.layout, k);
    return end - start;
  });
  if (!existsSync(paths.manifest)) throw cropFileGone(paths, paths.manifest, Object.assign(new Error('gone'), { code: 'ENOENT' }));
  const batches: number[] = [];
  const missing: number[] = [];
  for (let k = 1; k <= n; k++) (done.has(k) ? batches : missing).push(k);
  if (missing.length > 0 && !job.allowIncomplete) {
    throw new HarvestryError(
      'E_CROP_INCOMPLETE',
      `${job.where}: the crop '${manifest.name}' is not complete: ${missing.length} of ${n} batches (${formatBatchList(missing)}) have no results yet${damagedNote(damaged, paths)} (see ${job.hints.status} for which are running or failed). Grow them (${job.hints.grow}, or submit them again), or reap what is done with ${job.hints.allowIncomplete}.`,
      { details: { missing, dir: paths.dir } },
    );
  }
  await loadArrow();
  const grid = new Grid(sown.plan.grid);
  const base: AssemblyPlan = {
    grid,
    dims: grid.dimInfo(),
    ...sown.labels,
    fingerprint: manifest.function.fingerprint,
    onError: manifest.run.onError,
    timings: manifest.run.timings,
  };
  const groups = new Map<string, ChunkResult[]>();
  for (const k of batches) {
    const { start, end } = batchBounds(manifest.layout, k);
    let read: ReturnType<typeof readResult>;
    try {
      read = readResult(paths, k, end - start);
    } catch (err) {
      throw err instanceof HarvestryError ? err : cropFileGone(paths, resultPath(paths, k), err);
    }
    const { header, chunks } = read;
    let list = groups.get(header.fingerprint);
    if (list === undefined) groups.set(header.fingerprint, (list = []));
    list.push(...chunks);
  }
  let rows = 0;
  let ds: Dataset | null = null;
  if (job.dataset !== null && groups.size > 0) {
    const status = new GridStatus(grid.size);
    const locator = new GridLocator(grid);
    for (const [fingerprint, chunks] of groups) {
      const part = assembleDataset({ ...base, fingerprint }, chunks);
      const target: CommitTarget = { path: job.dataset.path, lock: job.dataset.lock, overwrite: job.overwrite, rerunStale: false, fingerprint, locator, status };
      rows += (await commitRows(target, part, rowCases(chunks, manifest.run.onError === 'record')).catch((err: unknown) => {
        throw withHints(err, job.hints);
      })).rows;
      if (groups.size === 1) ds = part;
    }
  }
  const all = [...groups.values()].flat();
  ds ??= assembleDataset({ ...base, fingerprint: groups.size === 0 ? base.fingerprint : [...groups.keys()].at(-1)! }, all.length > 0 ? all : [EMPTY_CHUNK]);
  if (job.clean) removeCropDir(paths);
  return { ds, batches, missing, rows, cleaned: job.clean };
}

function damagedNote(damaged: ReadonlyMap<number, string>, paths: CropPaths): string {
  if (damaged.size === 0) return '';
  const [k, why] = [...damaged][0]!;
  return ` (${damaged.size === 1 ? '' : `${damaged.size} of them have damaged result files; the first, `}batch ${k}'s result file ${resultPath(paths, k)} is damaged: ${why})`;
}

/** A merge conflict's advice in the words of the caller (CLI flags under the CLI). */
function withHints(err: unknown, hints: CropHints): unknown {
  if (!(err instanceof HarvestryError) || err.code !== 'E_MERGE_CONFLICT' || hints === API_HINTS) return err;
  const message = err.message.replace('Pass overwrite: true to replace the old results with the new ones, overwrite: false to keep the old ones', `Pass ${hints.overwrite.replace} to replace the old results with the new ones, ${hints.overwrite.keep} to keep the old ones`);
  return new HarvestryError(err.code, message, { cause: err, details: err.details });
}

const EMPTY_CHUNK: ChunkResult = { cases: new Int32Array(0), columns: {}, varNames: null, failures: [], durations: null };

/** The grid index of each row of the dataset assembled from these chunks (canonical order). */
function rowCases(chunks: readonly ChunkResult[], keepFailed: boolean): Int32Array {
  const failed = new Set<number>();
  if (!keepFailed) for (const c of chunks) for (const f of c.failures) failed.add(f.index);
  const out: number[] = [];
  for (const c of chunks) for (const i of c.cases) if (!failed.has(i)) out.push(i);
  return Int32Array.from(out).sort();
}
