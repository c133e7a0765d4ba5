/**
 * Verifying a dataset file before harvestry appends to it or keeps it as the backup: its bytes
 * against the checksums in its footer, or, for a file written without checksums (by an earlier
 * harvestry), a full read. Each file version (path and stamp) is verified once per process; the
 * files harvestry writes itself are known good. Also: what the backup of a damaged file is worth.
 */
import { existsSync, readFileSync } from 'node:fs';
import { open, readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { HarvestryError } from '../errors.js';
import { decodeDataset, decodeDatasetSync } from './dataset-file.js';
import { checkBytes, checkFooter, checkSpan, checksumsOf, crc32, type Spans } from './integrity.js';
import { parseFooter, sameStamp, type FileStamp, type ParquetFooter } from './parquet-footer.js';
import { backupPathOf, FileChangedError } from './replace.js';

/** File versions verified (or written) by this process, by absolute path. */
const verified = new Map<string, { stamp: FileStamp; spans: Spans }>();

/** Bytes read at a time while checking checksums. */
const READ_SIZE = 8 * 1024 * 1024;

/**
 * Verifies a Parquet dataset file, once per version: every byte before the footer against the
 * checksums in the footer, and the footer against its own; a file without checksums is decoded
 * whole instead. Throws `E_CORRUPT_FILE` (naming the backup and whether it is good) when
 * anything does not match, and {@link FileChangedError} when the file is no longer the version
 * described by `footer` and `stamp`.
 *
 * @param path - the file
 * @param footer - its footer
 * @param stamp - its stamp when the footer was read
 * @returns the checksums of its bytes before the footer (for an append to keep)
 */
export async function verifyDatasetFile(path: string, footer: ParquetFooter, stamp: FileStamp): Promise<Spans> {
  const key = resolve(path);
  const hit = verified.get(key);
  if (hit !== undefined && sameStamp(hit.stamp, stamp)) return hit.spans;
  let spans: Spans;
  try {
    const sums = checksumsOf(footer, path);
    if (sums === null) spans = await fullRead(path, footer, stamp);
    else {
      checkFooter(footer, sums, path);
      await checkFile(path, sums.spans, stamp);
      spans = sums.spans;
    }
  } catch (err) {
    throw withVerifiedBackup(err, path);
  }
  verified.set(key, { stamp, spans });
  return spans;
}

/**
 * Notes a file version this process wrote (its checksums are those it wrote).
 *
 * @param path - the file
 * @param stamp - its stamp after the write
 * @param footer - the footer written
 */
export function rememberWritten(path: string, stamp: FileStamp, footer: ParquetFooter): void {
  const sums = checksumsOf(footer, path);
  if (sums === null) verified.delete(resolve(path));
  else verified.set(resolve(path), { stamp, spans: sums.spans });
}

/**
 * A sentence for messages about a damaged file: where its backup is and whether the backup
 * itself is whole (checked against its checksums, or read whole when it has none).
 *
 * @param path - the damaged file
 */
export function describeBackup(path: string): string {
  const bak = backupPathOf(path);
  if (!existsSync(bak)) return `There is no backup (${bak} does not exist): restore the file from a copy of your own, or harvest into a new file.`;
  const restore = `to restore it, move it over ${path}`;
  let how: string;
  try {
    const bytes = readFileSync(bak);
    const footer = parseFooter(bytes, bytes.length, bak);
    if (checkBytes(bytes, footer, bak)) how = 'its checksums match';
    else {
      decodeDatasetSync(bytes, bak);
      how = 'it reads whole';
    }
  } catch (err) {
    if (err instanceof HarvestryError && err.code === 'E_CORRUPT_FILE') {
      return `Its backup ${bak} is damaged too (${err.message}): restore the file from a copy of your own, or harvest into a new file.`;
    }
    return `The previous version harvestry wrote is kept at ${bak}: ${restore}.`;
  }
  return `The previous version harvestry wrote is kept at ${bak}, and it is good (${how}): ${restore}.`;
}

/**
 * The error with a sentence about the backup added, for errors about a damaged file; other
 * errors as they are.
 *
 * @param err - the error
 * @param path - the file
 */
export function withVerifiedBackup(err: unknown, path: string): unknown {
  if (!(err instanceof HarvestryError) || err.code !== 'E_CORRUPT_FILE' || err.message.includes('.bak')) return err;
  return new HarvestryError(err.code, `${err.message} harvestry will not write over it. ${describeBackup(path)}`, { cause: err.cause ?? err, details: { ...err.details, path } });
}

/** Checks every run of bytes of the file against its checksum, reading it front to back. */
async function checkFile(path: string, spans: Spans, stamp: FileStamp): Promise<void> {
  const fh = await open(path, 'r');
  try {
    const st = await fh.stat();
    if (!sameStamp({ dev: st.dev, ino: st.ino, size: st.size, mtimeMs: st.mtimeMs }, stamp)) throw new FileChangedError(path);
    const end = spans[spans.length - 1]![0];
    const buf = new Uint8Array(Math.min(READ_SIZE, end));
    let span = 0;
    let spanStart = 0;
    let crc = 0;
    let pos = 0;
    while (pos < end) {
      const { bytesRead } = await fh.read(buf, 0, Math.min(buf.length, end - pos), pos);
      if (bytesRead === 0) throw new FileChangedError(path);
      let at = 0;
      while (at < bytesRead) {
        const [spanEnd, want] = spans[span]!;
        const take = Math.min(bytesRead - at, spanEnd - (pos + at));
        crc = crc32(buf.subarray(at, at + take), crc);
        at += take;
        if (pos + at === spanEnd) {
          checkSpan(crc, want, spanStart, spanEnd, path);
          span++;
          spanStart = spanEnd;
          crc = 0;
        }
      }
      pos += bytesRead;
    }
  } finally {
    await fh.close();
  }
}

/** Verifies a file without checksums by decoding all of it; returns the checksum of its data. */
async function fullRead(path: string, footer: ParquetFooter, stamp: FileStamp): Promise<Spans> {
  const bytes = await readFile(path);
  if (bytes.length !== stamp.size || bytes.length !== footer.fileLength) throw new FileChangedError(path);
  await decodeDataset(bytes, path);
  return [[footer.start, crc32(bytes.subarray(0, footer.start))]];
}
