/**
 * `Sampler`: runs a labelled function on randomly drawn parameters and appends every sample to
 * one flat table, in memory or in a file (Parquet, Arrow IPC, CSV or JSON lines).
 */
import { statSync } from 'node:fs';
import type * as Arrow from 'apache-arrow';
import { HarvestryError } from '../errors.js';
import { inWorkerImport, stallWorkerImport } from '../execute/worker-import.js';
import type { DataFrameLike } from '../dataset/dataframe.js';
import { reconcileSampleMeta } from '../dataset/sample-meta.js';
import { sampleDataFrame } from './sample-frame.js';
import { concatBatches, conformBatch, sampleTable, type SampleBatch } from '../dataset/sample-table.js';
import { Runner } from '../runner/runner.js';
import { showValue } from '../space/values.js';
import { withBackupHint } from '../store/dataset-labels.js';
import { labelsPathOf, readSampleFileSync, sampleFormatFor, type SampleFormat } from '../store/sample-file.js';
import { mergeSampleCombos, parseSampleCombos } from './sampler-combos.js';
import { checkSamplerOptions, resolveSampleSpec, type SampleOptions, type SamplerOptions } from './sampler-options.js';
import { runSample, type SampleHost, type SampleReport } from './sampler-run.js';

/**
 * Runs a labelled function on random draws of its parameters and keeps every sample as a row of
 * one table: the drawn parameters, scalar constants, outputs, and each sample's `_seed` and
 * `_sample` index, so any row can be drawn again. Rows are not keyed: the same parameters may
 * come up twice. With a path, rows are appended to the file as they finish (durably, under a
 * lock, so several processes can sample into one file).
 *
 * @typeParam P - the function's parameter object
 * @typeParam R - what the function returns
 * @typeParam T - the positional argument tuple, for functions labelled with `fnArgs`
 * @example
 * ```ts
 * const s = new Sampler(runner, 'data/samples.parquet', { defaultCombos: { x: (rng) => rng(), y: [1, 2, 3] } });
 * await s.sampleCombos(1000, { seed: 42 });
 * s.fullTable?.numRows; // 1000
 * ```
 */
export class Sampler<P extends object = Record<string, unknown>, R = unknown, T extends readonly unknown[] = never> {
  /** The labelled function. */
  readonly runner: Runner<P, R, T>;
  /** The table's file, or null when the table is kept in memory only. */
  readonly path: string | null;
  /** The file's format (null without a file). */
  readonly format: SampleFormat | null;
  private readonly options: SamplerOptions<P>;
  private memory: SampleBatch | null = null;
  private last: { batch: SampleBatch; table: Arrow.Table | null } | null = null;
  private full: { batch: SampleBatch; key: string; table: Arrow.Table | null } | null = null;
  private report: SampleReport | null = null;

  /**
   * A Sampler of `runner` into the file at `path` (made by the first call), or in memory.
   *
   * @param runner - the labelled function (from `label()`)
   * @param path - the table's file (`.parquet` by default; `.arrow`, `.csv`, `.jsonl`), or null to keep it in memory
   * @param options - `defaultCombos`, `format`, `commitEvery`, `lock`
   */
  constructor(runner: Runner<P, R, T>, path?: string | null, options?: SamplerOptions<P>);
  /**
   * A Sampler that keeps its table in memory.
   *
   * @param runner - the labelled function (from `label()`)
   * @param options - `defaultCombos`
   */
  constructor(runner: Runner<P, R, T>, options: SamplerOptions<P>);
  constructor(runner: Runner<P, R, T>, path?: string | null | SamplerOptions<P>, options: SamplerOptions<P> = {}) {
    if (!(runner instanceof Runner)) throw new HarvestryError('E_BAD_OPTION', `new Sampler() expects a labelled function (from label()) first, got ${showValue(runner)}.`);
    let opts = options;
    let file: string | null = null;
    if (typeof path === 'object' && path !== null) opts = path;
    else if (typeof path === 'string' && path !== '') file = path;
    else if (path !== undefined && path !== null) {
      throw new HarvestryError('E_BAD_OPTION', `new Sampler() expects the path of the table's file second (or null to keep it in memory), got ${showValue(path)}.`);
    }
    this.options = checkSamplerOptions(opts);
    if (file === null && opts.format !== undefined) {
      throw new HarvestryError('E_BAD_OPTION', `\`format\` in new Sampler() names the format of the table's file, but this Sampler has no file. Give a path, or drop \`format\`.`);
    }
    this.runner = runner;
    this.path = file;
    this.format = file === null ? null : sampleFormatFor(file, opts.format);
    parseSampleCombos(mergeSampleCombos(opts.defaultCombos, undefined, 'new Sampler()'), 'new Sampler()');
  }

  /**
   * Draws `n` parameter sets, runs them, and appends the rows to the table (and the file).
   * Each key of `combos` (over `defaultCombos`) is drawn from: an array (one value, uniformly),
   * a function `(rng) => value`, or a space / `mixture()` drawing several parameters. With a
   * `seed`, the same call gives the same rows on any machine, executor and number of workers;
   * sample `i` depends only on the seed and `i` (a larger `n` keeps the first draws).
   *
   * @param n - how many samples (a whole number from 1)
   * @param options - `combos`, `seed`, `constants`, run options, `commitEvery`, `onCommit`
   * @returns the new rows (also `lastTable`), in sample order
   * @example
   * ```ts
   * await s.sampleCombos(100, { combos: { y: [10, 20] }, seed: 7, executor: 'pool' });
   * ```
   */
  async sampleCombos(n: number, options: SampleOptions<P> = {}): Promise<Arrow.Table> {
    // A worker importing the module that calls this: skip it (see stallWorkerImport).
    if (inWorkerImport()) return stallWorkerImport();
    const where = 'sampleCombos()';
    const spec = resolveSampleSpec(n, options, this.options, this.runner.defaults, where);
    const sources = parseSampleCombos(mergeSampleCombos(this.options.defaultCombos, spec.combos, where), where);
    const host: SampleHost = {
      runner: this.runner as unknown as SampleHost['runner'],
      path: this.path,
      format: this.format ?? 'parquet',
      lock: this.options.lock ?? {},
      onRows: (batch) => {
        this.last = { batch, table: null };
        if (this.path === null) this.remember(batch);
      },
      onReport: (report) => {
        this.report = report;
      },
    };
    await runSample(host, n, sources, spec, where);
    return this.lastTable!;
  }

  /** Every row of the table (the file's, read again whenever it changed); null before any row. */
  get fullTable(): Arrow.Table | null {
    const full = this.fullBatch();
    if (full === null) return null;
    if (this.path === null) return (this.full ??= { batch: full, key: '', table: null }).table ??= sampleTable(full);
    return (this.full!.table ??= sampleTable(full));
  }

  /** The rows of the last call, in sample order; null before the first. */
  get lastTable(): Arrow.Table | null {
    if (this.last === null) return null;
    return (this.last.table ??= sampleTable(this.last.batch));
  }

  /** What the last call reported: samples, seed, failures, commits, time. */
  get lastReport(): SampleReport | null {
    return this.report;
  }

  /**
   * Every row as a danfo DataFrame (needs `danfojs` or `danfojs-node`), or null before any row.
   *
   * @returns the DataFrame, one column per table column
   */
  async fullDf(): Promise<DataFrameLike | null> {
    const full = this.fullBatch();
    return full === null ? null : sampleDataFrame(full);
  }

  /**
   * The rows of the last call as a danfo DataFrame, or null before the first call.
   *
   * @returns the DataFrame, one column per table column
   */
  async lastDf(): Promise<DataFrameLike | null> {
    return this.last === null ? null : sampleDataFrame(this.last.batch);
  }

  /** Adds the rows of a call to the in-memory table. */
  private remember(batch: SampleBatch): void {
    if (batch.numRows === 0) return;
    const old = this.memory;
    if (old === null) this.memory = batch;
    else {
      const { meta } = reconcileSampleMeta(old.meta, batch.meta, "the Sampler's table");
      this.memory = concatBatches(meta, [conformBatch(old, meta), conformBatch(batch, meta)]);
    }
    this.full = null;
  }

  private fullBatch(): SampleBatch | null {
    if (this.path === null) return this.memory;
    const key = this.stampKey();
    if (key === null) return (this.full = null);
    if (this.full?.key !== key) {
      try {
        const batch = readSampleFileSync(this.path, this.format!);
        if (batch === null) return (this.full = null);
        this.full = { batch, key, table: null };
      } catch (err) {
        throw withBackupHint(err, this.path);
      }
    }
    return this.full.batch;
  }

  /** Identifies the file's (and its labels file's) version; null when there is no file. */
  private stampKey(): string | null {
    const paths = this.format === 'csv' || this.format === 'json' ? [this.path!, labelsPathOf(this.path!)] : [this.path!];
    const parts: string[] = [];
    for (const p of paths) {
      try {
        const st = statSync(p);
        parts.push(`${st.dev}:${st.ino}:${st.size}:${st.mtimeMs}`);
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
        if (p === this.path) return null;
        parts.push('-');
      }
    }
    return parts.join('|');
  }
}
