/**
 * What state each batch of a crop is in, from its files (results, failure records, growers'
 * claims) and, for batches submitted to SLURM, from the scheduler (`squeue`): `sown` (waiting),
 * `queued`, `running`, `done` or `failed` (with why). Also the text the CLI prints.
 */
import { hostname } from 'node:os';
import { HarvestryError } from '../errors.js';
import { join } from 'node:path';
import { isAlive, readClaims, readFailures, verifiedBatches } from './files.js';
import { readSubmissions, tasksOf, type Submission } from './jobs.js';
import { batchBounds, formatBatchList } from './layout.js';
import { resultPath, type CropManifest, type CropPaths } from './manifest.js';
import { slurmTasks, type SlurmTask } from './scheduler.js';

/** The state of a batch. */
export type BatchState = 'sown' | 'queued' | 'running' | 'done' | 'failed';

/** One batch's status. */
export interface BatchStatus {
  readonly batch: number;
  readonly state: BatchState;
  /** Cases in the batch. */
  readonly cases: number;
  /** Why it failed (state `failed`), else null. */
  readonly error: string | null;
  /** The scheduler's job and array task that last took it (`123_4`), else null. */
  readonly job: string | null;
  /** The scheduler's log of that task, else null. */
  readonly log: string | null;
}

/** A crop's status. */
export interface CropStatus {
  readonly name: string;
  readonly dir: string;
  /** The Harvester's dataset file, or null for a crop of a Runner alone. */
  readonly dataset: string | null;
  /** Cases sown. */
  readonly cases: number;
  readonly numBatches: number;
  /** Every batch, in order. */
  readonly batches: readonly BatchStatus[];
  /** Batch numbers by state. */
  readonly done: readonly number[];
  readonly failed: readonly number[];
  readonly running: readonly number[];
  readonly queued: readonly number[];
  readonly sown: readonly number[];
  /** Batches not done (sown, queued, running or failed): what a reap would leave out. */
  readonly missing: readonly number[];
  /** True when every batch is done. */
  readonly complete: boolean;
  /** The scheduler jobs of the crop, and an error met asking about them (null when none). */
  readonly scheduler: { readonly jobs: readonly string[]; readonly error: string | null };
}

const QUEUED = new Set(['PENDING', 'CONFIGURING', 'REQUEUED', 'REQUEUE_HOLD', 'REQUEUE_FED', 'RESV_DEL_HOLD', 'SUSPENDED', 'RESIZING']);
const RUNNING = new Set(['RUNNING', 'COMPLETING', 'SIGNALING', 'STAGE_OUT']);

/**
 * Reads a crop's status.
 *
 * @param paths - the crop's paths
 * @param manifest - its manifest
 * @param options - `scheduler: false` to leave the scheduler out (files only)
 */
export async function readCropStatus(paths: CropPaths, manifest: CropManifest, options: { readonly scheduler?: boolean } = {}): Promise<CropStatus> {
  const n = manifest.layout.numBatches;
  const casesOf = (k: number): number => {
    const { start, end } = batchBounds(manifest.layout, k);
    return end - start;
  };
  // a result file counts once checked whole: a damaged one is a failed batch, grown again
  let { done, damaged } = verifiedBatches(paths, casesOf);
  const failures = readFailures(paths);
  const here = hostname();
  // the scheduler's view of each batch: the latest submission that took it
  const submissions = readSubmissions(paths);
  const scheduler = options.scheduler === false ? { views: new Map<number, SchedulerView>(), error: null } : await schedulerViews(paths, submissions, done);
  // A task that ended between the read of the results above and SLURM's answer wrote its result
  // in between: read the results again before calling its batch failed.
  if ([...scheduler.views.values()].some((v) => v.state === 'failed')) ({ done, damaged } = verifiedBatches(paths, casesOf));
  const live = new Map<number, { at: string }>();
  const dead = new Map<number, { at: string; who: string }>();
  for (const { claim } of readClaims(paths)) {
    const alive = claim.grownBy.host !== here || isAlive(claim.grownBy.pid);
    for (const k of claim.batches) {
      if (alive) live.set(k, { at: claim.startedAt });
      else if ((dead.get(k)?.at ?? '') < claim.startedAt) dead.set(k, { at: claim.startedAt, who: `pid ${claim.grownBy.pid} on ${claim.grownBy.host}${claim.grownBy.job === null ? '' : `, job ${claim.grownBy.job}`}` });
    }
  }
  const batches: BatchStatus[] = [];
  for (let k = 1; k <= n; k++) {
    const { start, end } = batchBounds(manifest.layout, k);
    const view = scheduler.views.get(k) ?? null;
    const base = { batch: k, cases: end - start, job: view?.job ?? null, log: view?.log ?? null };
    const record = failures.get(k) ?? null;
    const deadClaim = dead.get(k) ?? null;
    // evidence written after the latest submission tells about that submission's task
    const sinceSubmitted = (at: string): boolean => view === null || at >= view.submittedAt;
    let state: BatchState = 'sown';
    let error: string | null = null;
    if (done.has(k)) state = 'done';
    else if (live.has(k)) state = 'running';
    else if (view !== null && (view.state === 'queued' || view.state === 'running') && !(record !== null && sinceSubmitted(record.at)) && !(deadClaim !== null && sinceSubmitted(deadClaim.at))) state = view.state;
    else {
      const reasons: string[] = [];
      const taskFailed = view?.state === 'failed';
      if (record !== null && (!taskFailed || sinceSubmitted(record.at))) reasons.push(record.message);
      else if (deadClaim !== null && (!taskFailed || sinceSubmitted(deadClaim.at))) reasons.push(`its grower (${deadClaim.who}) ended without finishing it`);
      if (taskFailed) reasons.push(view.said);
      const damage = damaged.get(k);
      if (damage !== undefined) reasons.push(`its result file ${resultPath(paths, k)} is damaged (${damage}); grow the batch again`);
      if (reasons.length > 0) {
        state = 'failed';
        error = reasons.join('; ');
      }
    }
    batches.push({ ...base, state, error });
  }
  const by = (s: BatchState): number[] => batches.filter((b) => b.state === s).map((b) => b.batch);
  return {
    name: manifest.name,
    dir: paths.dir,
    dataset: manifest.dataset,
    cases: manifest.layout.cases,
    numBatches: n,
    batches,
    done: by('done'),
    failed: by('failed'),
    running: by('running'),
    queued: by('queued'),
    sown: by('sown'),
    missing: batches.filter((b) => b.state !== 'done').map((b) => b.batch),
    complete: batches.every((b) => b.state === 'done'),
    scheduler: { jobs: submissions.map((s) => s.jobId), error: scheduler.error },
  };
}

interface SchedulerView {
  readonly state: 'queued' | 'running' | 'failed' | 'unknown';
  readonly job: string;
  readonly log: string | null;
  readonly said: string;
  readonly submittedAt: string;
}

/** What SLURM says about the latest task of each batch not done. */
async function schedulerViews(paths: CropPaths, submissions: readonly Submission[], done: ReadonlySet<number>): Promise<{ views: Map<number, SchedulerView>; error: string | null }> {
  const latest = new Map<number, Submission>();
  for (const s of submissions) for (const [, batches] of tasksOf(s.tasks)) for (const b of batches) latest.set(b, s);
  const views = new Map<number, SchedulerView>();
  let error: string | null = null;
  const asked = new Set<Submission>();
  for (const [b, s] of latest) if (!done.has(b)) asked.add(s);
  for (const s of asked) {
    if (s.scheduler !== 'slurm') {
      // PBS and SGE are not asked: their batches count as queued until a task's files say otherwise
      for (const [index, batches] of tasksOf(s.tasks)) {
        const said = `submitted to ${s.scheduler.toUpperCase()} as job ${s.jobId} (index ${index}); harvestry does not ask ${s.scheduler.toUpperCase()} about it: if the task ended without a result, submit the batch again by number`;
        for (const b of batches) if (latest.get(b) === s && !done.has(b)) views.set(b, { state: 'queued', job: `${s.jobId}[${index}]`, log: null, said, submittedAt: s.submittedAt });
      }
      continue;
    }
    let tasks: Map<number, SlurmTask> | null;
    try {
      tasks = await slurmTasks(s.jobId);
    } catch (err) {
      error = err instanceof Error ? err.message : String(err);
      continue;
    }
    for (const [index, batches] of tasksOf(s.tasks)) {
      const t = tasks === null ? null : (tasks.get(index) ?? GONE);
      const job = `${s.jobId}_${index}`;
      const log = join(paths.logs, `${job}.out`);
      for (const b of batches) {
        if (latest.get(b) !== s || done.has(b)) continue;
        views.set(b, { ...viewOf(t, job), log, submittedAt: s.submittedAt });
      }
    }
  }
  return { views, error };
}

/** A task missing from a job SLURM still lists: a pending task cancelled alone leaves no record. */
const GONE: SlurmTask = { index: -1, state: 'GONE', reason: '' };

function viewOf(t: SlurmTask | null, job: string): Omit<SchedulerView, 'log' | 'submittedAt'> {
  if (t === null) return { state: 'unknown', job, said: `SLURM no longer knows task ${job}` };
  if (t === GONE) return { state: 'failed', job, said: `SLURM task ${job} is gone without a result (cancelled before it started)` };
  const reason = t.reason === '' || t.reason === 'None' ? '' : ` (${t.reason})`;
  if (QUEUED.has(t.state)) return { state: 'queued', job, said: `SLURM task ${job} is ${t.state}${reason}` };
  if (RUNNING.has(t.state)) return { state: 'running', job, said: `SLURM task ${job} is ${t.state}` };
  if (t.state === 'COMPLETED') return { state: 'failed', job, said: `SLURM task ${job} ended COMPLETED without writing the batch's result` };
  // A pending task cancelled keeps the reason it was pending for (JobArrayTaskLimit, Priority,
  // Dependency, ...) until SLURM forgets it; a task that ran has none. That reason is not why it
  // ended.
  if (t.state === 'CANCELLED' && reason !== '') return { state: 'failed', job, said: `SLURM task ${job} was cancelled before it started (it was pending: ${t.reason})` };
  return { state: 'failed', job, said: `SLURM task ${job} ended ${t.state}${reason}` };
}

/**
 * Polls a crop's status until no batch is queued or running.
 *
 * @param read - reads the status
 * @param options - poll interval, time limit, signal
 * @param name - the crop's name, for messages
 * @returns the last status
 */
export async function waitForCrop(read: () => Promise<CropStatus>, options: { readonly pollMs: number; readonly timeoutMs: number; readonly signal: AbortSignal | null }, name: string): Promise<CropStatus> {
  const started = Date.now();
  for (;;) {
    const status = await read();
    if (status.queued.length === 0 && status.running.length === 0) return status;
    if (options.signal?.aborted === true) throw new HarvestryError('E_ABORTED', `crop.wait() was aborted with ${status.queued.length} batches of crop '${name}' queued and ${status.running.length} running.`);
    if (Date.now() - started > options.timeoutMs) {
      throw new HarvestryError('E_TIMEOUT', `crop.wait() gave up after ${options.timeoutMs} ms: ${status.queued.length} batches of crop '${name}' are still queued and ${status.running.length} running. Wait longer, or look at crop.status().`, { details: { status } });
    }
    await new Promise((r) => setTimeout(r, options.pollMs));
  }
}

/**
 * A crop's status as text (what `harvestry crop status` prints).
 *
 * @param status - the status
 * @returns the text
 * @example
 * ```ts
 * console.log(renderCropStatus(await crop.status()));
 * ```
 */
export function renderCropStatus(status: CropStatus): string {
  const lines = [
    `crop ${status.name} at ${status.dir}`,
    `  ${status.cases} cases in ${status.numBatches} batches${status.dataset === null ? '' : `, reaped into ${status.dataset}`}`,
  ];
  const states: [string, readonly number[]][] = [
    ['done', status.done],
    ['running', status.running],
    ['queued', status.queued],
    ['failed', status.failed],
    ['sown', status.sown],
  ];
  for (const [name, list] of states) if (list.length > 0) lines.push(`  ${name.padEnd(8)}${String(list.length).padStart(6)}  ${formatBatchList(list)}`);
  lines.push(status.complete ? '  complete: ready to reap' : `  missing ${String(status.missing.length).padStart(6)}  ${formatBatchList(status.missing)}`);
  const failed = status.batches.filter((b) => b.state === 'failed');
  if (failed.length > 0) {
    lines.push('failures:');
    for (const b of failed.slice(0, 10)) lines.push(`  batch ${b.batch}: ${b.error ?? 'failed'}${b.log === null ? '' : ` [log ${b.log}]`}`);
    if (failed.length > 10) lines.push(`  … and ${failed.length - 10} more`);
  }
  if (status.scheduler.jobs.length > 0) lines.push(`jobs: ${status.scheduler.jobs.join(', ')}`);
  if (status.scheduler.error !== null) lines.push(`scheduler: ${status.scheduler.error}`);
  return lines.join('\n');
}
