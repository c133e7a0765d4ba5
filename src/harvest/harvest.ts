/**
 * One harvest: read what the file holds for the requested cases, run the ones to run, and
 * commit finished rows to the file as the run goes.
 */
import { isMainThread } from 'node:worker_threads';
import { HarvestryError } from '../errors.js';
import { loadArrow } from '../dataset/_arrow-lib.js';
import { assembleDataset } from '../dataset/assemble.js';
import type { Dataset } from '../dataset/dataset.js';
import { dimType, type DatasetMeta } from '../dataset/meta.js';
import { reconcileMeta } from '../dataset/reconcile.js';
import type { AnyFunction, CaseFailure, ChunkResult } from '../execute/evaluate.js';
import type { ExecResult } from '../execute/execute.js';
import { executePlan, SIGINT_REPEAT_MS, type PlanOptions } from '../execute/run.js';
import type { PreparedRun, RunInput } from '../runner/prepare.js';
import { caseFailedError, planOptions, warnSkipped, type Runner } from '../runner/runner.js';
import { permutation } from '../space/rng.js';
import { readVerifiedLabels } from '../store/dataset-labels.js';
import { backupPathOf } from '../store/replace.js';
import { lockPathOf, type LockOptions } from '../store/lock.js';
import { removeLeftovers } from '../store/temporaries.js';
import { checkWritable } from '../store/writable.js';
import { withBackupHint } from '../store/dataset-labels.js';
import { commitRows, type CommitTarget } from './commit.js';
import { expandEllipsis } from './ellipsis.js';
import { ABSENT, FAILED, GridLocator, GridStatus, PRESENT, STALE, scanRowGroups } from './grid-status.js';
import type { CommitInfo, HarvestSpec } from './options.js';
import { renderStaleWarning } from './stale.js';

/** What a harvest reported besides its dataset. */
export interface HarvestReport {
  /** Cases run (including failed ones). */
  readonly cases: number;
  /** Cases of the request not run because the file already had them (`missingOnly`). */
  readonly skipped: number;
  /** Cases that failed. */
  readonly failures: readonly CaseFailure[];
  /** Commits that wrote to the file. */
  readonly commits: number;
  /** Wall time in ms. */
  readonly elapsedMs: number;
}

/** The Harvester's side of a harvest. */
export interface HarvestHost {
  readonly runner: Runner<object, unknown, readonly unknown[]>;
  readonly path: string;
  readonly lock: LockOptions;
  /** Called with the stale-results warning text; the host warns once. */
  readonly onStale: (text: string) => void;
  /** Called with the run's dataset as soon as it is known (also when the harvest fails). */
  readonly onDataset: (ds: Dataset) => void;
  /** Called with the report, also when the harvest fails (what ran and what was committed). */
  readonly onReport?: (report: HarvestReport) => void;
}

/**
 * Runs a harvest.
 *
 * @param host - the runner, the file and the Harvester's callbacks
 * @param input - combos (with `'...'`), cases, per-run constants
 * @param spec - the checked harvest options
 * @param where - the call, for messages
 * @returns the dataset of the cases run, and the report
 */
export async function runHarvest(host: HarvestHost, input: RunInput, spec: HarvestSpec, where: string): Promise<{ ds: Dataset; report: HarvestReport }> {
  // A Ctrl-C while the harvest prepares (reads the file, plans), before its run listens, stops it
  // as one during the run does: with no listener, Node (or tsx's relay of the signal) would end
  // the process with nothing caught.
  const early = new AbortController();
  /** When the last SIGINT came (never: -Infinity). */
  let last = Number.NEGATIVE_INFINITY;
  const onEarly = (): void => {
    last = performance.now();
    early.abort(new Error('SIGINT'));
  };
  if (isMainThread) process.on('SIGINT', onEarly);
  try {
    return await harvestUntil(early.signal, host, input, spec, where);
  } finally {
    // As the run's own listener does: the repeats of a Ctrl-C that came in the last second (tsx's
    // CLI relays it again when the process has not ended within a few ms) are the same Ctrl-C.
    // With no listener left, one would end the process before the caller's catch wrote anything.
    const left = SIGINT_REPEAT_MS - (performance.now() - last);
    if (left <= 0) process.off('SIGINT', onEarly);
    else setTimeout(() => process.off('SIGINT', onEarly), left).unref();
  }
}

async function harvestUntil(early: AbortSignal, host: HarvestHost, input: RunInput, spec: HarvestSpec, where: string): Promise<{ ds: Dataset; report: HarvestReport }> {
  const started = performance.now();
  const { prep, status, locator } = await inspect(host, input, spec, where);
  const plan = planOrder(status, spec, prep);
  const { runner, path } = host;
  const target: CommitTarget = { path, lock: host.lock, overwrite: spec.overwrite, rerunStale: spec.rerunStale, fingerprint: runner.fingerprint, locator, status };
  const committer = new Committer(target, prep, spec, plan.hold);
  let result: ExecResult | null = null;
  const reportOf = (failures: readonly CaseFailure[]): HarvestReport => ({
    cases: committer.all.reduce((s, c) => s + c.cases.length, 0),
    skipped: prep.grid.size - plan.total,
    failures,
    commits: committer.commits,
    elapsedMs: performance.now() - started,
  });
  try {
    if (plan.total > 0) {
      const options = planOptions(prep);
      result = await runPlan(runner.fn, prep, {
        ...options,
        signal: options.signal == null ? early : AbortSignal.any([early, options.signal]),
        order: plan.order,
        flushMs: spec.commitMs,
        chunkRows: Math.min(spec.commitRows, 131072),
        onChunk: (chunk) => committer.add(chunk),
      });
      await committer.flush();
    }
  } catch (err) {
    // The run failed (not a commit): what finished is still committed.
    if (!committer.broken) await committer.flush().catch(() => undefined);
    keepPartial(host, prep, committer.all);
    host.onReport?.(reportOf(committer.all.flatMap((c) => c.failures)));
    throw err;
  }
  const ds = committer.whole ?? assembleDataset(prep.assembly, committer.all.length > 0 ? committer.all : [EMPTY_CHUNK]);
  host.onDataset(ds);
  const failures = result?.failures ?? [];
  const report = reportOf(failures);
  host.onReport?.(report);
  if (result?.stop === 'error') throw caseFailedError(prep, failures[0]!, ds);
  if (result?.stop === 'abort') {
    throw new HarvestryError('E_ABORTED', `The harvest was aborted after ${report.cases} of ${plan.total} cases; the finished results were written to ${path} and are in \`err.details.partial\` (and \`lastDs\`).`, {
      details: { partial: ds },
    });
  }
  if (prep.run.onError === 'skip' && failures.length > 0) warnSkipped(prep, failures, plan.total);
  return { ds, report };
}

/**
 * Reads what the file holds for the requested cases (and refuses a run that does not fit it).
 * Also used by crops to sow only the missing cases, and by `planHarvest` (a dry run).
 *
 * @param host - the runner, the file and the Harvester's callbacks
 * @param input - combos (with `'...'`), cases, per-run constants
 * @param spec - the checked harvest options
 * @param where - the call, for messages
 * @param dryRun - only look: leave temporary files of dead writers where they are, and check the
 *   kinds of the paths to write without trying to write them
 */
export async function inspect(host: HarvestHost, input: RunInput, spec: HarvestSpec, where: string, dryRun = false): Promise<{ prep: PreparedRun; status: GridStatus; locator: GridLocator; fileRows: number }> {
  const { path, runner } = host;
  await loadArrow();
  if (!dryRun) removeLeftovers(path);
  // before anything runs: a run that could not commit would lose every result it computed
  checkWritable({ path, what: 'the dataset file', where, lockPath: lockPathOf(path), backupPath: backupPathOf(path) }, !dryRun);
  // a damaged file is found now, before any case runs (and before anything is appended to it)
  const file = await readVerifiedLabels(path);
  const combos = expandEllipsis(input.combos, file?.meta ?? null, path, where);
  const prep = runner.prepare({ combos, cases: input.cases, constants: input.constants }, spec.run, where);
  const status = new GridStatus(prep.grid.size);
  const locator = new GridLocator(prep.grid);
  if (file === null) return { prep, status, locator, fileRows: 0 };
  checkAgainstFile(file.meta, prep, runner, path);
  await scanRowGroups({ path, footer: file.footer, meta: file.meta, fingerprint: runner.fingerprint }, locator, status).catch((err: unknown) => {
    throw withBackupHint(err, path);
  });
  status.stamp = file.stamp;
  status.fileRows = file.footer.numRows;
  if (status.stale.count > 0) host.onStale(renderStaleWarning(path, file.meta.dims.map((d) => d.name), status.stale, file.footer.numRows, runner.fingerprint));
  return { prep, status, locator, fileRows: file.footer.numRows };
}

/**
 * The one call that runs the cases of a harvest, on the executor its run options name (inline,
 * pool or subprocess); chunks reach `onChunk` as they finish, in any order.
 */
function runPlan(fn: AnyFunction, prep: PreparedRun, options: PlanOptions): Promise<ExecResult> {
  return executePlan(fn, prep.plan, options);
}

/** A chunk of no rows, so a harvest that runs nothing still returns a dataset (of no rows). */
const EMPTY_CHUNK: ChunkResult = { cases: new Int32Array(0), columns: {}, varNames: null, failures: [], durations: null };

/** Gives the host the dataset of what finished before a failure, if it assembles. */
function keepPartial(host: HarvestHost, prep: PreparedRun, chunks: readonly ChunkResult[]): void {
  try {
    host.onDataset(assembleDataset(prep.assembly, chunks));
  } catch {
    // the failure being thrown says more than a failure to assemble its partial results
  }
}

/** Holds finished chunks and commits them when due. */
class Committer {
  readonly all: ChunkResult[] = [];
  commits = 0;
  /** True once a commit failed: nothing more is written. */
  broken = false;
  /** The dataset of every chunk, when one commit took them all. */
  whole: Dataset | null = null;
  private pending: ChunkResult[] = [];
  private pendingRows = 0;
  private last = performance.now();
  private held: number;

  constructor(
    private readonly target: CommitTarget,
    private readonly prep: PreparedRun,
    private readonly spec: HarvestSpec,
    private readonly hold: Uint8Array | null,
  ) {
    this.held = hold === null ? 0 : hold.reduce((s, x) => s + x, 0);
  }

  async add(chunk: ChunkResult): Promise<void> {
    this.all.push(chunk);
    this.pending.push(chunk);
    this.pendingRows += chunk.cases.length;
    if (this.hold !== null) for (const c of chunk.cases) this.held -= this.hold[c]!;
    if (this.held > 0) return;
    if (this.pendingRows >= this.spec.commitRows || performance.now() - this.last >= this.spec.commitMs) await this.flush();
  }

  async flush(): Promise<void> {
    if (this.pending.length === 0) return;
    const chunks = this.pending;
    let info: CommitInfo;
    let ds: Dataset;
    try {
      ds = assembleDataset(this.prep.assembly, chunks);
      const cases = rowCases(chunks, this.prep.run.onError === 'record');
      info = await commitRows(this.target, ds, cases);
    } catch (err) {
      this.broken = true;
      // The file is gone: hand over every row this harvest finished, written before or not.
      if (!(err instanceof HarvestryError && err.code === 'E_FILE_REPLACED')) throw err;
      throw new HarvestryError(err.code, err.message, { details: { ...err.details, partial: assembleDataset(this.prep.assembly, this.all) } });
    }
    this.whole = chunks.length === this.all.length ? ds : null;
    this.pending = [];
    this.pendingRows = 0;
    this.last = performance.now();
    if (info.mode !== 'none') this.commits++;
    this.spec.onCommit?.(info);
  }
}

/** The grid index of each row of the dataset assembled from these chunks (its row order). */
function rowCases(chunks: readonly ChunkResult[], keepFailed: boolean): Int32Array {
  const failed = new Set<number>();
  if (!keepFailed) for (const c of chunks) for (const f of c.failures) failed.add(f.index);
  let out = new Int32Array(chunks.reduce((s, c) => s + c.cases.length, 0));
  let n = 0;
  for (const c of chunks) {
    if (failed.size === 0) {
      out.set(c.cases, n);
      n += c.cases.length;
    } else for (const i of c.cases) if (!failed.has(i)) out[n++] = i;
  }
  out = out.subarray(0, n);
  for (let k = 1; k < n; k++) if (out[k]! < out[k - 1]!) return out.sort();
  return out;
}

/**
 * Which cases to run, in which order, and which ones hold commits back until they are all done.
 * Also used by crops to sow only the missing cases.
 *
 * @param status - what the file holds for each case
 * @param spec - the checked harvest options
 * @param prep - the run
 */
export function planOrder(status: GridStatus, spec: HarvestSpec, prep: PreparedRun): { order: Int32Array | null; total: number; hold: Uint8Array | null } {
  const codes = status.codes;
  const n = codes.length;
  if (!codes.some((c) => c !== ABSENT)) return { order: prep.order, total: n, hold: null };
  const runs = (code: number): boolean => !spec.missingOnly || code === ABSENT || code === FAILED || (code === STALE && spec.rerunStale);
  // Under overwrite: null, cases already in the file may conflict: run them first and commit
  // nothing until they are all checked, so a conflict is found before anything is written.
  const mayConflict = (code: number): boolean => spec.overwrite === null && (code === PRESENT || (code === STALE && !spec.rerunStale));
  let nFirst = 0;
  let nRest = 0;
  for (let i = 0; i < n; i++) {
    const code = codes[i]!;
    if (!runs(code)) continue;
    if (mayConflict(code)) nFirst++;
    else nRest++;
  }
  const total = nFirst + nRest;
  if (total === n && nFirst === 0) return { order: prep.order, total, hold: null };
  const first = new Int32Array(nFirst);
  const rest = new Int32Array(nRest);
  const hold = nFirst > 0 ? new Uint8Array(n) : null;
  nFirst = 0;
  nRest = 0;
  for (let i = 0; i < n; i++) {
    const code = codes[i]!;
    if (!runs(code)) continue;
    if (mayConflict(code)) {
      first[nFirst++] = i;
      if (hold !== null) hold[i] = 1;
    } else rest[nRest++] = i;
  }
  const seed = prep.run.shuffle;
  const shuffled = (xs: Int32Array): Int32Array => (seed === null ? xs : permutation(xs.length, seed).map((k) => xs[k]!));
  const order = new Int32Array(total);
  order.set(shuffled(first));
  order.set(shuffled(rest), first.length);
  return { order, total, hold };
}

/** Refuses, before anything runs, a harvest whose dims or variables differ from the file's. */
function checkAgainstFile(meta: DatasetMeta, prep: PreparedRun, runner: Runner<object, unknown, readonly unknown[]>, path: string): void {
  const varNames = runner.varNames;
  const provisional: DatasetMeta = {
    ...meta,
    dims: prep.assembly.dims.map((d) => ({ name: d.name, type: dimType(d.kind), coords: d.coords })),
    vars:
      varNames === null
        ? meta.vars
        : varNames.map((name) => ({ name, type: 'null', container: 'scalar', dims: prep.assembly.varDims[name] ?? [] })),
    varCoords: Object.fromEntries(Object.entries(prep.assembly.varCoords).filter(([k]) => Object.values(prep.assembly.varDims).some((d) => d.includes(k)))),
  };
  reconcileMeta(meta, provisional, { where: path, newAttrsWin: false });
}
