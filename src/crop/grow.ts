/**
 * Growing batches: the selected batches' cases run as one plan on any executor (`executePlan`:
 * in-process, worker threads or child processes), and each chunk of results is routed to its
 * batch by case index. A batch is written (atomically) once all its cases are in, so results
 * land where they belong whatever the order or the executor's chunking, and a batch cut short
 * (killed, aborted) leaves nothing: it is simply not done. Under `onError: 'raise'` a failing
 * case fails its batch only (recorded in `failed/<k>.json`); the other batches go on.
 */
import { HarvestryError } from '../errors.js';
import type { AnyFunction, CaseFailure, ChunkResult, EvalPlan } from '../execute/evaluate.js';
import type { ExecProgress } from '../execute/execute.js';
import { startProgressBar } from '../execute/progress-bar.js';
import { takeRows } from '../execute/columns.js';
import { executePlan, type ExecutorSpec } from '../execute/run.js';
import type { FunctionSite } from '../execute/site.js';
import { withResources } from '../execute/wire.js';
import type { ProgressInfo } from '../runner/options.js';
import { showCase } from '../space/values.js';
import { settleDeadClaims, thisGrower, writeClaim, writeFailure, writeResult, type SownPlan } from './files.js';
import { batchBounds } from './layout.js';
import type { CropManifest, CropPaths } from './manifest.js';

/** What a grow did. */
export interface GrowReport {
  /** Batches grown and written. */
  readonly grown: readonly number[];
  /** Batches that failed, with why. */
  readonly failed: readonly { readonly batch: number; readonly message: string }[];
  /** Batches left unfinished (the run was aborted). */
  readonly unfinished: readonly number[];
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
 * Grows batches and writes their results (or failure records).
 *
 * @param job - the crop, the function, the batches and the executor
 * @returns the batches grown, failed and left unfinished
 */
export async function growBatches(job: GrowJob): Promise<GrowReport> {
  const started = performance.now();
  const { manifest, sown, paths } = job;
  const states: BatchState[] = [];
  let total = 0;
  for (const k of job.batches) {
    const { start, end } = batchBounds(manifest.layout, k);
    states.push({ batch: k, size: end - start, got: 0, parts: [], failures: [] });
    total += end - start;
  }
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

  const raise = manifest.run.onError === 'raise';
  // Failing cases must not stop the other batches: run with 'record' and fail whole batches here.
  const plan = withResources({ ...sown.plan, onError: raise ? 'record' : sown.plan.onError, timeoutMs: job.timeoutMs ?? sown.plan.timeoutMs ?? null }, job.resources);
  const grower = thisGrower();
  const grown: number[] = [];
  const failed: { batch: number; message: string }[] = [];
  const finish = async (s: BatchState): Promise<void> => {
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

  const onChunk = async (chunk: ChunkResult): Promise<void> => {
    for (const [slot, part] of splitBySlot(chunk, slotOf)) {
      const s = states[slot]!;
      s.parts.push(part);
      s.failures.push(...part.failures);
      s.got += part.cases.length;
      if (s.got === s.size) await finish(s);
    }
  };
  settleDeadClaims(paths);
  const release = writeClaim(paths, job.batches);
  try {
    if (job.executor.kind === 'inline') await growInline(job, plan, order, states, onChunk);
    else {
      await executePlan(job.fn, plan, {
        order,
        // a child process per batch, as xyzpy's grow_subprocess
        executor: job.executor.kind === 'subprocess' ? { ...job.executor, batchSize: job.executor.batchSize ?? manifest.layout.batchSize } : job.executor,
        site: job.site,
        signal: job.signal,
        progress: job.progress,
        onChunk,
      });
    }
  } catch (err) {
    // an error of the whole run (the function cannot be loaded, a result of the wrong shape)
    const message = err instanceof Error ? err.message : String(err);
    for (const s of states) {
      if (s.got < s.size && s.got > 0) writeFailure(paths, { batch: s.batch, message, case: null, code: codeOf(err), at: new Date().toISOString(), grownBy: grower });
    }
    throw err;
  } finally {
    release();
  }
  const unfinished = states.filter((s) => s.got < s.size).map((s) => s.batch);
  return { grown, failed, unfinished, elapsedMs: performance.now() - started };
}

/**
 * In this thread, one batch after another, so each batch is written as soon as it is done
 * (one run over all of them would hand over results only every few seconds).
 */
async function growInline(job: GrowJob, plan: EvalPlan, order: Int32Array, states: readonly BatchState[], onChunk: (chunk: ChunkResult) => Promise<void>): Promise<void> {
  const total = order.length;
  const started = performance.now();
  const bar = job.progress === 'bar' ? startProgressBar() : null;
  const callback = typeof job.progress === 'function' ? job.progress : null;
  let before = 0;
  let failedBefore = 0;
  try {
    for (const s of states) {
      if (job.signal?.aborted === true) break;
      const result = await executePlan(job.fn, plan, {
        order: order.subarray(before, before + s.size),
        signal: job.signal,
        onChunk,
        ...(bar === null && callback === null
          ? {}
          : {
              onProgress: (p: ExecProgress) => {
                const info = { done: before + p.done, total, failed: failedBefore + p.failed, elapsedMs: performance.now() - started };
                bar?.update(info);
                callback?.(info);
              },
            }),
      });
      before += s.size;
      failedBefore += result.failures.length;
      if (result.stop === 'abort') break;
    }
  } finally {
    bar?.stop();
  }
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
