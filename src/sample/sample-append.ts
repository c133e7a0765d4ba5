/**
 * Appending rows to a sample table file, under the file's lock (the Harvester's), so several
 * processes can sample into one file and lose nothing. Parquet adds row groups without
 * rewriting the file (the Harvester's append); Arrow IPC is rewritten whole; CSV and JSON lines
 * append text and fsync. A change of columns (one added, an untyped one typed) rewrites what
 * must be rewritten. Columns keep their order: new ones go last.
 */
import { HarvestryError } from '../errors.js';
import { decodeSampleMeta, encodeSampleMeta, reconcileSampleMeta, SAMPLES_META_KEY, type SampleMeta } from '../dataset/sample-meta.js';
import { concatBatches, conformBatch, notSamples, sampleTable, type SampleBatch } from '../dataset/sample-table.js';
import { arrow, loadArrow } from '../dataset/_arrow-lib.js';
import { appendParquet, CannotAppendError } from '../store/append.js';
import { withLock, type LockOptions } from '../store/lock.js';
import { encodeParquet, loadParquetWasm } from '../store/parquet.js';
import { readFooter } from '../store/parquet-footer.js';
import { FileChangedError, replaceFileBytes, stampOf } from '../store/replace.js';
import { readSampleFile, type SampleFormat } from '../store/sample-file.js';
import { appendText } from './sample-append-text.js';
import { codedFsError } from '../store/writable.js';

/** What an append wrote. */
export interface SampleAppendInfo {
  /** Rows added. */
  readonly rows: number;
  /** Rows in the file after the append; null when that would take reading the file (CSV and JSON-lines appends). */
  readonly fileRows: number | null;
  /**
   * `'create'`: the file was made; `'append'`: rows were added at the end without rewriting the
   * file; `'rewrite'`: the file was rewritten (Arrow IPC always; others when columns change).
   */
  readonly mode: 'create' | 'append' | 'rewrite';
  /** The labels of the file after the append. */
  readonly meta: SampleMeta;
}

/** Row groups below this many rows are small; this many small ones trigger a compacting rewrite (as the Harvester's). */
const SMALL_GROUP_ROWS = 65536;
const MAX_SMALL_GROUPS = 64;

/**
 * Appends rows to a sample file (creating it), holding its lock.
 *
 * @param path - the file
 * @param format - its format
 * @param batch - the rows
 * @param lock - the lock's timings
 * @returns what was written
 */
export async function appendSamples(path: string, format: SampleFormat, batch: SampleBatch, lock: LockOptions = {}): Promise<SampleAppendInfo> {
  await loadArrow();
  if (format === 'parquet') await loadParquetWasm(); // not while holding the lock
  for (let attempt = 0; ; attempt++) {
    try {
      return await withLock(path, (isCompromised) => appendOnce(path, format, batch, isCompromised), lock);
    } catch (err) {
      // the file changed under us (a writer broke our lock as stale): take the lock again and redo
      if (!(err instanceof FileChangedError)) throw codedFsError(err, path, `add rows to ${path}`);
      if (attempt >= 5) {
        throw new HarvestryError(
          'E_LOCKED',
          `${path} changed under this Sampler's lock ${attempt + 1} times while it tried to add rows: another program writes it without taking the lock ${path}.lock. Stop that program, or sample into another file.`,
          { cause: err, details: { path } },
        );
      }
    }
  }
}

function appendOnce(path: string, format: SampleFormat, batch: SampleBatch, isCompromised: () => boolean): Promise<SampleAppendInfo> {
  const check = (): void => {
    if (isCompromised()) throw new FileChangedError(path);
  };
  if (format === 'parquet') return appendParquetSamples(path, batch, check);
  if (format === 'arrow') return appendArrowSamples(path, batch, check);
  return appendText(path, format, batch, check);
}

async function appendParquetSamples(path: string, batch: SampleBatch, check: () => void): Promise<SampleAppendInfo> {
  const read = await readFooter(path);
  if (read === null) {
    const bytes = await encodeSamplesParquet(batch);
    check();
    await replaceFileBytes(path, bytes, null);
    return { rows: batch.numRows, fileRows: batch.numRows, mode: 'create', meta: batch.meta };
  }
  const { footer, stamp } = read;
  const text = footer.keyValue.get(SAMPLES_META_KEY);
  if (text === undefined) throw notSamples(path, footer.keyValue.has('harvestry'));
  const rec = reconcileSampleMeta(decodeSampleMeta(text, path), batch.meta, path);
  const part = conformBatch(batch, rec.meta);
  const small = footer.rowGroups.filter((g) => g.numRows < SMALL_GROUP_ROWS).length;
  if (rec.added.length === 0 && rec.retyped.length === 0 && small < MAX_SMALL_GROUPS) {
    const buffer = await encodeSamplesParquet(part);
    check();
    try {
      const after = await appendParquet(path, footer, stamp, buffer);
      return { rows: batch.numRows, fileRows: after.footer.numRows, mode: 'append', meta: rec.meta };
    } catch (err) {
      if (!(err instanceof CannotAppendError)) throw err;
    }
  }
  const old = await readSampleFile(path, 'parquet');
  const all = concatBatches(rec.meta, [conformBatch(old!, rec.meta), part]);
  const bytes = await encodeSamplesParquet(all);
  check();
  await replaceFileBytes(path, bytes, stamp);
  return { rows: batch.numRows, fileRows: all.numRows, mode: 'rewrite', meta: rec.meta };
}

async function appendArrowSamples(path: string, batch: SampleBatch, check: () => void): Promise<SampleAppendInfo> {
  const stamp = await stampOf(path);
  const old = stamp === null ? null : await readSampleFile(path, 'arrow');
  if (old === null) {
    const bytes = arrow.tableToIPC(sampleTable(batch), 'file');
    check();
    await replaceFileBytes(path, bytes, null);
    return { rows: batch.numRows, fileRows: batch.numRows, mode: 'create', meta: batch.meta };
  }
  const rec = reconcileSampleMeta(old.meta, batch.meta, path);
  const all = concatBatches(rec.meta, [conformBatch(old, rec.meta), conformBatch(batch, rec.meta)]);
  const bytes = arrow.tableToIPC(sampleTable(all), 'file');
  check();
  await replaceFileBytes(path, bytes, stamp);
  return { rows: batch.numRows, fileRows: all.numRows, mode: 'rewrite', meta: rec.meta };
}

/**
 * A sample table as Parquet bytes, its labels also in a footer key-value entry (where DuckDB's
 * `parquet_kv_metadata()` and the append's footer read finds them).
 *
 * @param batch - the rows
 */
export async function encodeSamplesParquet(batch: SampleBatch): Promise<Uint8Array> {
  return encodeParquet(sampleTable(batch), { keyValue: new Map([[SAMPLES_META_KEY, encodeSampleMeta(batch.meta)]]) });
}
