/**
 * Appending to CSV and JSON-lines sample files (under the lock taken by `appendSamples`): the
 * labels go in `<file>.meta.json`, written atomically before any row that needs them; rows are
 * appended at the end of the file and fsynced. A record cut short by a crash is cut off before
 * the next append (and skipped by readers). A CSV file whose columns change is rewritten with
 * the new header; a JSON-lines file never needs to be (a key a line lacks is null).
 */
import { open, readFile } from 'node:fs/promises';
import { HarvestryError } from '../errors.js';
import { decodeSampleMeta, encodeSampleMeta, reconcileSampleMeta, type SampleMeta } from '../dataset/sample-meta.js';
import { concatBatches, conformBatch, type SampleBatch } from '../dataset/sample-table.js';
import { writeFileAtomic } from '../store/atomic.js';
import { csvHeader, csvHeaderNames, decodeCsv, encodeCsvRows } from '../store/csv.js';
import { encodeJsonLines } from '../store/json-lines.js';
import { replaceFileBytes, stampOf } from '../store/replace.js';
import { labelsPathOf, unlabelled } from '../store/sample-file.js';
import type { SampleAppendInfo } from './sample-append.js';

/**
 * Appends rows to a CSV or JSON-lines sample file (creating it and its labels).
 *
 * @param path - the file
 * @param format - `'csv'` or `'json'`
 * @param batch - the rows
 * @param check - throws when the lock was lost
 */
export async function appendText(path: string, format: 'csv' | 'json', batch: SampleBatch, check: () => void): Promise<SampleAppendInfo> {
  const labelsPath = labelsPathOf(path);
  const stamp = await stampOf(path);
  if (stamp === null) {
    check();
    await writeFileAtomic(labelsPath, new TextEncoder().encode(encodeSampleMeta(batch.meta)));
    const text = format === 'csv' ? csvHeader(batch.meta) + encodeCsvRows(batch) : encodeJsonLines(batch);
    await replaceFileBytes(path, new TextEncoder().encode(text), null);
    return { rows: batch.numRows, fileRows: batch.numRows, mode: 'create', meta: batch.meta };
  }
  let labels: string;
  try {
    labels = await readFile(labelsPath, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') throw unlabelled(path);
    throw err;
  }
  const old = decodeSampleMeta(labels, labelsPath);
  const rec = reconcileSampleMeta(old, batch.meta, path);
  const part = conformBatch(batch, rec.meta);
  if (labelsDiffer(old, rec.meta)) {
    check();
    await writeFileAtomic(labelsPath, new TextEncoder().encode(encodeSampleMeta(rec.meta)));
  }
  if (format === 'csv') {
    const header = csvHeaderNames(await readHead(path));
    const names = rec.meta.columns.map((c) => c.name);
    if (header.length !== names.length || header.some((h, k) => h !== names[k])) {
      // new columns (or a rewrite cut short): the rows already there get the new header
      const before = decodeCsv(await readFile(path, 'utf8'), rec.meta, path);
      const all = concatBatches(rec.meta, [before, part]);
      check();
      await replaceFileBytes(path, new TextEncoder().encode(csvHeader(rec.meta) + encodeCsvRows(all)), stamp);
      return { rows: batch.numRows, fileRows: all.numRows, mode: 'rewrite', meta: rec.meta };
    }
  }
  check();
  await appendLines(path, format === 'csv' ? encodeCsvRows(part) : encodeJsonLines(part), format);
  return { rows: batch.numRows, fileRows: null, mode: 'append', meta: rec.meta };
}

/** True when the labels differ in anything but provenance (which is not rewritten for every append). */
function labelsDiffer(a: SampleMeta, b: SampleMeta): boolean {
  return encodeSampleMeta({ ...a, provenance: null }) !== encodeSampleMeta({ ...b, provenance: null });
}

/** The first 64 KiB of a file (enough for a header), as text. */
async function readHead(path: string): Promise<string> {
  const fh = await open(path, 'r');
  try {
    const buf = Buffer.alloc(65536);
    const { bytesRead } = await fh.read(buf, 0, buf.length, 0);
    const text = buf.subarray(0, bytesRead).toString('utf8');
    return bytesRead < buf.length || text.includes('\n') ? text : await readFile(path, 'utf8');
  } finally {
    await fh.close();
  }
}

/** Writes text at the end of the file, after cutting off a record left incomplete by a crash, then fsyncs. */
async function appendLines(path: string, text: string, format: 'csv' | 'json'): Promise<void> {
  if (text === '') return;
  const fh = await open(path, 'r+');
  try {
    const { size } = await fh.stat();
    let end = size;
    if (size > 0) {
      const last = Buffer.alloc(1);
      await fh.read(last, 0, 1, size - 1);
      if (last[0] !== 0x0a) end = completeBytes(await readFile(path), format, path);
    }
    if (end < size) await fh.truncate(end);
    const bytes = Buffer.from(text, 'utf8');
    let done = 0;
    while (done < bytes.length) done += (await fh.write(bytes, done, bytes.length - done, end + done)).bytesWritten;
    await fh.sync();
  } finally {
    await fh.close();
  }
}

/** The length of a file's complete records: up to its last record-ending newline (outside quotes, for CSV). */
function completeBytes(bytes: Uint8Array, format: 'csv' | 'json', path: string): number {
  if (format === 'json') return bytes.lastIndexOf(0x0a) + 1;
  let inQuotes = false;
  let end = 0;
  for (let i = 0; i < bytes.length; i++) {
    const b = bytes[i]!;
    if (b === 0x22) inQuotes = !inQuotes;
    else if (b === 0x0a && !inQuotes) end = i + 1;
  }
  if (end === 0) throw new HarvestryError('E_CORRUPT_FILE', `${path} has no complete header line. Restore it from its backup.`, { details: { path } });
  return end;
}
