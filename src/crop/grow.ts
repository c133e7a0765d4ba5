/**
 * Growing batches: the selected batches' cases run as one plan on any executor (`executePlan`:
 * in-process, worker threads or child processes), and each chunk of results is routed to its
 * batch by case index. A batch is written (atomically) once all its cases are in, so results
 * land where they belong whatever the order or the executor's chunking, and a batch cut short
 * (killed, aborted) leaves nothing: it is simply not done. Under `onError: 'raise'` a failing
 * case fails its batch only (recorded in `failed/<k>.json`); the other batches go on.
 */
import { existsSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { loadArrow } from '../dataset/_arrow-lib.js';
import { assembleDataset, type AssemblyPlan } from '../dataset/assemble.js';
import { reconcileMeta } from '../dataset/reconcile.js';
import { HarvestryError } from '../errors.js';
import { harvestMeta } from '../harvest/commit.js';
import { Grid } from '../space/grid.js';
import { readDatasetLabels } from '../store/dataset-labels.js';
import type { AnyFunction, CaseFailure, ChunkResult, EvalPlan } from '../execute/evaluate.js';
import type { ExecProgress, ExecResult } from '../execute/execute.js';
import { startProgressBar } from '../execute/progress-bar.js';
import { takeRows } from '../execute/columns.js';
import { executePlan, type ExecutorSpec } from '../execute/run.js';
import type { FunctionSite } from '../execute/site.js';
import { withResources } from '../execute/wire.js';
import type { ProgressInfo } from '../runner/options.js';
import { showCase } from '../space/values.js';
import { claimBatch, readJson, resultDamage, settleDeadClaims, thisGrower, writeFailure, writeResult, type SownPlan } from './files.js';
import { batchBounds } from './layout.js';
import { failurePath, resultPath, type CropManifest, type CropPaths } from './manifest.js';

/** What a grow did. */
export interface GrowReport {
  /** Batches grown and written. */
  readonly grown: readonly number[];
  /** Batches that failed, with why. */
  readonly failed: readonly { readonly batch: number; readonly message: string }[];
  /** Batches left unfinished (the run was aborted). */
  readonly unfinished: readonly number[];
  /** Batches left to other growers: claimed by a live grower, or grown or failed by one since this grow started. */
  readonly skipped: readonly number[];
  /** Wall time in ms. */
  readonly elapsedMs: number;
}

/** Everything a grow needs. */
export interface GrowJob {
  readonly paths: CropPaths;
  readonly manifest: CropManifest;
  readonly sown: SownPlan;
  /** The function, its resources, its fingerprint and where workers find it. */
  readonly fn: AnyFunction;
  readonly resources: Readonly<Record<string, unknown>>;
  readonly fingerprint: string;
  readonly site: FunctionSite | null;
  /** The batches to grow, ascending. */
  readonly batches: readonly number[];
  /**
   * True to grow the batches even when they are done (batches asked for by number); false to
   * leave a batch another grower finished (or failed) since this grow started.
   */
  readonly regrowDone: boolean;
  readonly executor: ExecutorSpec;
  readonly progress: 'bar' | ((info: ProgressInfo) => void) | null;
  readonly signal: AbortSignal | null;
  /** The longest one case may run, in ms (E_CASE_TIMEOUT), or null for no limit. */
  readonly timeoutMs?: number | null;
}

interface BatchState {
  readonly batch: number;
  readonly size: number;
  got: number;
  readonly parts: ChunkResult[];
  readonly failures: CaseFailure[];
}

/**
 * Grows batches and writes their results (or failure records). Batches are claimed a few at a
 * time (one for the inline executor, one per worker otherwise) just before they run, so growers
 * of one crop started together or late split the batches between them: a batch claimed by a
 * live grower is left to it, and a dead grower's claim is taken over.
 *
 * @param job - the crop, the function, the batches and the executor
 * @returns the batches grown, failed, left unfinished and left to other growers
 */
export async function growBatches(job: GrowJob): Promise<GrowReport> {
  const started = performance.now();
  const startedAt = new Date().toISOString();
  const { manifest, paths } = job;
  const raise = manifest.run.onError === 'raise';
  // Failing cases must not stop the other batches: run with 'record' and fail whole batches here.
  const plan = withResources({ ...job.sown.plan, onError: raise ? 'record' : job.sown.plan.onError, timeoutMs: job.timeoutMs ?? job.sown.plan.timeoutMs ?? null }, job.resources);
  const grower = thisGrower();
  const grown: number[] = [];
  const failed: { batch: number; message: string }[] = [];
  const skipped: number[] = [];
  const unfinished: number[] = [];
  // the first batch this grower completes is checked against the dataset it will be reaped into
  let targetChecked = manifest.dataset === null;
  let clash: HarvestryError | null = null;
  const finish = async (s: BatchState): Promise<void> => {
    if (clash !== null) return; // the grow is stopping: batches completing meanwhile stay sown
    if (!targetChecked && !(raise && s.failures.length > 0)) {
      targetChecked = true;
      clash = await targetClash(job, s);
      if (clash !== null) {
        writeFailure(paths, { batch: s.batch, message: clash.message, case: null, code: clash.code, at: new Date().toISOString(), grownBy: grower });
        failed.push({ batch: s.batch, message: clash.message });
        s.got = s.size + 1; // settled: not written, not unfinished
        throw clash;
      }
    }
    if (raise && s.failures.length > 0) {
      const f = s.failures.reduce((a, b) => (a.index <= b.index ? a : b));
      const message = `${showCase(manifest.dims, f.values)}: ${f.message}`;
      writeFailure(paths, { batch: s.batch, message, case: Object.fromEntries(manifest.dims.map((d, i) => [d, f.values[i]])), code: codeOf(f.error), at: new Date().toISOString(), grownBy: grower });
      failed.push({ batch: s.batch, message });
    } else {
      await writeResult(paths, { batch: s.batch, cases: s.size, failures: s.failures.length, fingerprint: job.fingerprint, grownBy: grower, finishedAt: new Date().toISOString(), elapsedMs: performance.now() - started }, s.parts);
      grown.push(s.batch);
    }
    s.parts.length = 0;
  };

  const sizeOf = (k: number): number => {
    const { start, end } = batchBounds(manifest.layout, k);
    return end - start;
  };
  const queue = [...job.batches];
  let total = queue.reduce((n, k) => n + sizeOf(k), 0);
  const bar = job.progress === 'bar' ? startProgressBar() : null;
  const callback = typeof job.progress === 'function' ? job.progress : null;
  let before = 0;
  let failedBefore = 0;
  const onProgress = bar === null && callback === null ? undefined : (p: ExecProgress): void => {
    const info = { done: before + p.done, total, failed: failedBefore + p.failed, elapsedMs: performance.now() - started };
    bar?.update(info);
    callback?.(info);
  };
  const groupSize = job.executor.kind === 'inline' ? 1 : Math.max(1, job.executor.numWorkers ?? availableParallelism());
  settleDeadClaims(paths);
  try {
    while (queue.length > 0 && job.signal?.aborted !== true) {
      const group: BatchState[] = [];
      const releases: (() => void)[] = [];
      try {
        while (group.length < groupSize && queue.length > 0) {
          const k = queue.shift()!;
          const release = claimBatch(paths, k, startedAt);
          if (release !== null && (job.regrowDone || !takenMeanwhile(paths, k, sizeOf(k), startedAt))) {
            releases.push(release);
            group.push({ batch: k, size: sizeOf(k), got: 0, parts: [], failures: [] });
          } else {
            release?.();
            skipped.push(k);
            total -= sizeOf(k);
          }
        }
        if (group.length === 0) continue;
        const result = await growGroup(job, plan, group, finish, onProgress);
        for (const s of group) if (s.got < s.size) unfinished.push(s.batch);
        before += group.reduce((n, s) => n + s.size, 0);
        failedBefore += result.failures.length;
        if (result.stop === 'abort') break;
      } catch (err) {
        // an error of the whole run (the function cannot be loaded, a result of the wrong shape)
        const message = err instanceof Error ? err.message : String(err);
        for (const s of group) {
          if (s.got < s.size && s.got > 0 && err !== clash) writeFailure(paths, { batch: s.batch, message, case: null, code: codeOf(err), at: new Date().toISOString(), grownBy: grower });
        }
        throw err;
      } finally {
        for (const release of releases) release();
      }
    }
  } finally {
    bar?.stop();
  }
  unfinished.push(...queue);
  return { grown, failed, unfinished, skipped, elapsedMs: performance.now() - started };
}

/**
 * Whether a batch's results can be merged into the crop's dataset file (dims, variables and
 * their types as on disk), so a clash (a string output into a numeric file) is found once the
 * first batch is grown rather than at the reap, after every batch. Null when they fit or there
 * is no file yet.
 */
async function targetClash(job: GrowJob, s: BatchState): Promise<HarvestryError | null> {
  const path = job.manifest.dataset!;
  const file = await readDatasetLabels(path);
  if (file === null) return null;
  await loadArrow();
  const grid = new Grid(job.sown.plan.grid);
  const plan: AssemblyPlan = { grid, dims: grid.dimInfo(), ...job.sown.labels, fingerprint: job.fingerprint, onError: job.manifest.run.onError, timings: job.manifest.run.timings };
  try {
    reconcileMeta(file.meta, harvestMeta(assembleDataset(plan, s.parts).meta), { where: path, newAttrsWin: false });
    return null;
  } catch (err) {
    if (!(err instanceof HarvestryError) || err.code !== 'E_SCHEMA_MISMATCH') throw err;
    return new HarvestryError(
      'E_SCHEMA_MISMATCH',
      `Batch ${s.batch} of the crop '${job.manifest.name}' was grown, but its results cannot be reaped into ${path}: ${err.message} Its results were not kept and no further batch was grown: fix the function (its results must fit the file) and grow again, or delete the crop and sow it for another file.`,
      { cause: err, details: { ...err.details, batch: s.batch, dir: job.paths.dir } },
    );
  }
}

/** True when another grower finished batch `k`, or recorded it as failed, since `startedAt`. */
function takenMeanwhile(paths: CropPaths, k: number, cases: number, startedAt: string): boolean {
  // (a damaged result file is not done: it is grown again)
  if (existsSync(resultPath(paths, k)) && resultDamage(paths, k, cases) === null) return true;
  const record = readJson(failurePath(paths, k)) as { at?: unknown } | null;
  return typeof record?.at === 'string' && record.at >= startedAt;
}

/** Runs the cases of a group of claimed batches as one plan; each batch is written when complete. */
async function growGroup(job: GrowJob, plan: EvalPlan, states: readonly BatchState[], finish: (s: BatchState) => Promise<void>, onProgress: ((p: ExecProgress) => void) | undefined): Promise<ExecResult> {
  const { manifest, sown } = job;
  const total = states.reduce((n, s) => n + s.size, 0);
  const order = new Int32Array(total);
  const slotOf = new CaseSlots(manifest.spaceSize, total);
  let pos = 0;
  states.forEach((s, slot) => {
    const { start, end } = batchBounds(manifest.layout, s.batch);
    const part = sown.order.subarray(start, end);
    order.set(part, pos);
    for (const c of part) slotOf.set(c, slot);
    pos += part.length;
  });
  const onChunk = async (chunk: ChunkResult): Promise<void> => {
    for (const [slot, part] of splitBySlot(chunk, slotOf)) {
      const s = states[slot]!;
      s.parts.push(part);
      s.failures.push(...part.failures);
      s.got += part.cases.length;
      if (s.got === s.size) await finish(s);
    }
  };
  return executePlan(job.fn, plan, {
    order,
    // a child process per batch, as xyzpy's grow_subprocess
    executor: job.executor.kind === 'subprocess' ? { ...job.executor, batchSize: job.executor.batchSize ?? manifest.layout.batchSize } : job.executor,
    site: job.executor.kind === 'inline' ? null : job.site,
    signal: job.signal,
    progress: null,
    onChunk,
    ...(onProgress === undefined ? {} : { onProgress }),
  });
}

/** Which batch (slot) each case of the grow belongs to. */
class CaseSlots {
  private readonly table: Int32Array | null;
  private readonly map: Map<number, number> | null;

  constructor(spaceSize: number, total: number) {
    const dense = spaceSize <= 8 * total + 65536;
    this.table = dense ? new Int32Array(spaceSize).fill(-1) : null;
    this.map = dense ? null : new Map();
  }

  set(c: number, slot: number): void {
    if (this.table !== null) this.table[c] = slot;
    else this.map!.set(c, slot);
  }

  get(c: number): number {
    return this.table !== null ? this.table[c]! : (this.map!.get(c) ?? -1);
  }
}

/** A chunk cut into the parts of each batch it holds rows of (the chunk itself when it holds one batch's). */
function splitBySlot(chunk: ChunkResult, slots: CaseSlots): [number, ChunkResult][] {
  const n = chunk.cases.length;
  if (n === 0) return [];
  const first = slots.get(chunk.cases[0]!);
  let one = true;
  for (let r = 1; r < n && one; r++) one = slots.get(chunk.cases[r]!) === first;
  if (one) return [[checkSlot(first, chunk.cases[0]!), chunk]];
  const rows = new Map<number, number[]>();
  for (let r = 0; r < n; r++) {
    const slot = checkSlot(slots.get(chunk.cases[r]!), chunk.cases[r]!);
    let list = rows.get(slot);
    if (list === undefined) rows.set(slot, (list = []));
    list.push(r);
  }
  const out: [number, ChunkResult][] = [];
  for (const [slot, list] of rows) {
    const cases = Int32Array.from(list, (r) => chunk.cases[r]!);
    const mine = new Set(cases);
    out.push([
      slot,
      {
        cases,
        columns: Object.fromEntries(Object.entries(chunk.columns).map(([name, col]) => [name, takeRows(col, list)])),
        varNames: chunk.varNames,
        failures: chunk.failures.filter((f) => mine.has(f.index)),
        durations: chunk.durations === null ? null : Float64Array.from(list, (r) => chunk.durations![r]!),
      },
    ]);
  }
  return out;
}

function checkSlot(slot: number, c: number): number {
  if (slot < 0) throw new HarvestryError('E_CORRUPT_FILE', `A grower returned case ${c}, which belongs to none of the batches it was given. This is a bug in harvestry: please report it.`);
  return slot;
}

function codeOf(err: unknown): string | null {
  const code = (err as { code?: unknown } | null)?.code;
  return typeof code === 'string' ? code : null;
}
