/**
 * One call of a Sampler: draw the samples, run them on the executor the options name, and
 * append the rows to the file as they finish (in sample order: a commit waits for earlier
 * samples still running), under the file's lock.
 */
import { HarvestryError } from '../errors.js';
import { loadArrow } from '../dataset/_arrow-lib.js';
import { currentProvenance } from '../runner/provenance.js';
import { sampleTable, type SampleBatch } from '../dataset/sample-table.js';
import { SAMPLE_COLUMN, SEED_COLUMN } from '../dataset/sample-meta.js';
import { DURATION_COLUMN, ERROR_COLUMN } from '../dataset/meta.js';
import type { CaseFailure, ChunkResult } from '../execute/evaluate.js';
import type { ExecResult } from '../execute/execute.js';
import { executePlan } from '../execute/run.js';
import { checkCall, evalPlanOf } from '../runner/prepare.js';
import type { Runner } from '../runner/runner.js';
import { permutation } from '../space/rng.js';
import type { GridSpec } from '../space/space-spec.js';
import { showCase, showNames, type Scalar } from '../space/values.js';
import { lockPathOf, type LockOptions } from '../store/lock.js';
import { backupPathOf } from '../store/replace.js';
import { appendSamples } from './sample-append.js';
import { labelsPathOf, type SampleFormat } from '../store/sample-file.js';
import { removeLeftovers } from '../store/temporaries.js';
import { checkWritable } from '../store/writable.js';
import { batchFromChunks, splitConstants, type SampleLayout } from './sampler-batch.js';
import { drawColumns, type DrawnColumn, type SampleSource } from './sampler-combos.js';
import type { SampleSpec } from './sampler-options.js';

/** What a Sampler's call reported besides its rows. */
export interface SampleReport {
  /** Samples drawn and run (including failed ones). */
  readonly samples: number;
  /** The seed of the draws (given, or chosen and recorded in `_seed`). */
  readonly seed: number;
  /** Samples that failed. */
  readonly failures: readonly CaseFailure[];
  /** Commits that wrote to the file. */
  readonly commits: number;
  /** Wall time in ms. */
  readonly elapsedMs: number;
}

/** The Sampler's side of a call. */
export interface SampleHost {
  readonly runner: Runner<object, unknown, readonly unknown[]>;
  /** The file, or null for a Sampler that keeps its table in memory. */
  readonly path: string | null;
  readonly format: SampleFormat;
  readonly lock: LockOptions;
  /** Called with the rows of the call as soon as they are known (also when the call fails). */
  readonly onRows: (batch: SampleBatch) => void;
  /** Called with the report, also when the call fails (what ran and what was committed). */
  readonly onReport?: (report: SampleReport) => void;
}

const RESERVED = [ERROR_COLUMN, DURATION_COLUMN, SEED_COLUMN, SAMPLE_COLUMN];

/**
 * Runs one call.
 *
 * @param host - the runner, the file and the Sampler's callback
 * @param n - how many samples
 * @param sources - what to draw from
 * @param spec - the checked options
 * @param where - the call, for messages
 * @returns the rows of the call (in sample order) and the report
 */
export async function runSample(host: SampleHost, n: number, sources: readonly SampleSource[], spec: SampleSpec, where: string): Promise<{ batch: SampleBatch; report: SampleReport }> {
  const started = performance.now();
  const { runner } = host;
  const drawn = drawColumns(sources, n, spec.seed, where);
  const reserved = drawn.names.filter((d) => RESERVED.includes(d));
  if (reserved.length > 0) {
    throw new HarvestryError('E_BAD_OPTION', `${where} draws ${showNames(reserved)}, the name of a column harvestry adds to every sample table. Rename the parameter.`);
  }
  const call = checkCall(runner.spec, drawn.names, spec.constants, spec.run, where);
  if (host.path !== null) prepareFile(host.path, host.format, where);
  const split = splitConstants(call.constants, call.varCoords, runner.spec.attrs);
  const layout: SampleLayout = {
    drawn,
    seed: spec.seed,
    constants: split.columns,
    varNames: runner.spec.varNames,
    varDims: runner.spec.varDims,
    varCoords: call.varCoords,
    attrs: split.attrs,
    fingerprint: runner.spec.fingerprint,
    provenance: currentProvenance(),
    onError: call.run.onError,
    timings: call.run.timings,
  };
  const plan = evalPlanOf(runner.spec, gridOf(drawn.names, drawn.columns, n), call, 'index');
  const committer = new SampleCommitter(host, layout, spec, n, call.run.shuffle !== null);
  await loadArrow();
  let result: ExecResult;
  const reportOf = (failures: readonly CaseFailure[]): SampleReport => ({
    samples: committer.all.reduce((s, c) => s + c.cases.length, 0),
    seed: spec.seed,
    failures,
    commits: committer.commits,
    elapsedMs: performance.now() - started,
  });
  try {
    const { run } = call;
    result = await executePlan(runner.fn, plan, {
      order: run.shuffle === null ? null : permutation(n, run.shuffle),
      signal: run.signal,
      executor: run.executor,
      progress: run.progress,
      flushMs: spec.commitMs,
      chunkRows: Math.min(spec.commitRows, 131072),
      onChunk: (chunk) => committer.add(chunk),
    });
    await committer.flush(true);
  } catch (err) {
    // The run failed (not a commit): what finished is still committed.
    if (!committer.broken) await committer.flush(true).catch(() => undefined);
    keepPartial(host, layout, committer.all);
    host.onReport?.(reportOf(committer.all.flatMap((c) => c.failures)));
    throw err;
  }
  const batch = committer.whole ?? batchFromChunks(layout, committer.all);
  host.onRows(batch);
  const report = reportOf(result.failures);
  host.onReport?.(report);
  const saved = host.path === null ? '' : ` and written to ${host.path}`;
  if (result.stop === 'error') {
    const f = result.failures[0]!;
    throw new HarvestryError(
      'E_CASE_FAILED',
      `The function threw for sample ${f.index} ${showCase(drawn.names, f.values)} (seed ${spec.seed}): ${f.message}. The finished samples were kept${saved}. Fix the function, or sample with onError: 'skip' (leave failed samples out) or 'record' (keep them as rows with the error message).`,
      { cause: f.error, details: { sample: f.index, seed: spec.seed, case: Object.fromEntries(drawn.names.map((d, k) => [d, f.values[k]])), partial: sampleTable(batch) } },
    );
  }
  if (result.stop === 'abort') {
    throw new HarvestryError('E_ABORTED', `The sampling was aborted after ${report.samples} of ${n} samples; the finished ones were kept${saved} (and are \`lastTable\`).`, { details: { partial: sampleTable(batch) } });
  }
  return { batch, report };
}

/**
 * Before anything runs: removes the temporaries of writers of the file that died, and checks that
 * the file (its folder, backup, lock and labels) can be written, so that no sample is computed
 * only to be lost at its first append.
 */
function prepareFile(path: string, format: SampleFormat, where: string): void {
  const text = format === 'csv' || format === 'json';
  const labels = text ? [labelsPathOf(path)] : [];
  removeLeftovers(path);
  for (const l of labels) removeLeftovers(l);
  checkWritable({ path, what: 'the sample table', where, lockPath: lockPathOf(path), backupPath: backupPathOf(path), companions: labels, inPlace: text });
}

/**
 * The space of a call: the drawn columns, paired (values may repeat: samples are not keyed).
 * A Float64Array column is read by index like an array of numbers, here and in workers.
 */
function gridOf(names: readonly string[], columns: readonly DrawnColumn[], n: number): GridSpec {
  if (names.length === 0) return { caseNames: [], cases: new Array<readonly Scalar[]>(n).fill([]), comboNames: [], comboValues: [] };
  return { kind: 'columns', names, columns: columns as readonly (readonly Scalar[])[] };
}

function keepPartial(host: SampleHost, layout: SampleLayout, chunks: readonly ChunkResult[]): void {
  try {
    host.onRows(batchFromChunks(layout, chunks));
  } catch {
    // the failure being thrown says more than a failure to assemble its partial results
  }
}

/**
 * Holds finished chunks and appends them to the file when due, in sample order: only chunks
 * whose samples all come before the first sample not yet finished are written.
 */
class SampleCommitter {
  readonly all: ChunkResult[] = [];
  commits = 0;
  /** True once a commit failed: nothing more is written. */
  broken = false;
  /** The rows of every chunk, when one commit wrote them all. */
  whole: SampleBatch | null = null;
  private pending: ChunkResult[] = [];
  private pendingRows = 0;
  private readonly done: Uint8Array;
  private next = 0;
  private last = performance.now();

  constructor(
    private readonly host: SampleHost,
    private readonly layout: SampleLayout,
    private readonly spec: SampleSpec,
    n: number,
    private readonly shuffled: boolean,
  ) {
    this.done = new Uint8Array(n);
  }

  async add(chunk: ChunkResult): Promise<void> {
    this.all.push(chunk);
    if (this.host.path === null) return;
    this.pending.push(chunk);
    this.pendingRows += chunk.cases.length;
    const { cases } = chunk;
    const len = cases.length;
    // unshuffled, a chunk is a range of samples in order
    if (!this.shuffled && len > 0) this.done.fill(1, cases[0], cases[0]! + len);
    else for (let k = 0; k < len; k++) this.done[cases[k]!] = 1;
    const gap = this.done.indexOf(0, this.next);
    this.next = gap < 0 ? this.done.length : gap;
    if (this.pendingRows >= this.spec.commitRows || performance.now() - this.last >= this.spec.commitMs) await this.flush(false);
  }

  /** Writes the pending chunks that are due (all of them when `final`). */
  async flush(final: boolean): Promise<void> {
    const path = this.host.path;
    if (path === null || this.pending.length === 0) return;
    const ready = final ? this.pending : this.pending.filter((c) => c.cases.every((i) => i < this.next));
    if (ready.length === 0) return;
    let batch: SampleBatch;
    let info: Awaited<ReturnType<typeof appendSamples>>;
    try {
      batch = batchFromChunks(this.layout, ready);
      this.whole = ready.length === this.all.length ? batch : null;
      this.pending = final ? [] : this.pending.filter((c) => !ready.includes(c));
      this.pendingRows = this.pending.reduce((s, c) => s + c.cases.length, 0);
      this.last = performance.now();
      if (batch.numRows === 0) return;
      info = await appendSamples(path, this.host.format, batch, this.host.lock);
    } catch (err) {
      this.broken = true;
      throw err;
    }
    this.commits++;
    this.spec.onCommit?.({ path, rows: info.rows, fileRows: info.fileRows, mode: info.mode });
  }
}
