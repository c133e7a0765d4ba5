/**
 * Appending rows to a Parquet file without decoding it: the new rows are encoded on their own
 * (same schema), then the new file is the old file's bytes up to its footer, the new row
 * groups, and one footer listing the old row groups and the new ones (their offsets shifted).
 * The cost grows with the new rows and the footer, not with the data already in the file; the
 * old bytes are copied by the kernel. The result replaces the file atomically.
 */
import { constants as fsConstants } from 'node:fs';
import { copyFile, open } from 'node:fs/promises';
import { describeFooter, i64, listItems, asStruct, parseFooter, type FileStamp, type ParquetFooter } from './parquet-footer.js';
import { crc32, sealFooter, withoutChecksums, type Spans } from './integrity.js';
import { replaceFile } from './replace.js';
import { cloneThrift, decodeThrift, encodeThrift, field, setField, type ThriftStruct, type ThriftValue } from './thrift.js';

/** Why rows cannot be appended (the caller rewrites the file instead). */
export class CannotAppendError extends Error {
  constructor(reason: string) {
    super(`cannot append: ${reason}`);
    this.name = 'CannotAppendError';
  }
}

/** The bytes to add after the old file's data, and the footer that follows them. */
export interface AppendPlan {
  /** Bytes written from the old footer's start on (new row groups, page indexes, footer, trailer). */
  readonly tail: readonly Uint8Array[];
  /** The merged footer. */
  readonly footer: ParquetFooter;
}

/**
 * Plans an append: the bytes that follow the old file's data.
 *
 * @param old - the old file's footer
 * @param buffer - a whole Parquet file holding the new rows, written with the same schema
 * @param oldSpans - the checksums of the old file's bytes before its footer (verified), or null
 *   when they are not known: the merged footer then has checksums only when they are
 * @returns the bytes to write at `old.start`, and the merged footer
 */
export function planAppend(old: ParquetFooter, buffer: Uint8Array, oldSpans: Spans | null = null): AppendPlan {
  const added = parseFooter(buffer, buffer.length, 'the new rows');
  if (field(old.meta, 8) !== undefined || field(added.meta, 8) !== undefined) throw new CannotAppendError('encrypted files');
  const oldSchema = field(old.meta, 2);
  const newSchema = field(added.meta, 2);
  if (oldSchema === undefined || newSchema === undefined || !sameBytes(encodeThrift(wrap(oldSchema)), encodeThrift(wrap(newSchema)))) {
    throw new CannotAppendError('the Parquet schemas differ');
  }
  const region = buffer.subarray(4, added.start);
  const shift = BigInt(old.start - 4);
  const indexes: Uint8Array[] = [];
  let at = old.start + region.length;
  const oldGroups = listItems(field(old.meta, 4));
  const groups = listItems(field(added.meta, 4)).map((g, k) => {
    const rg = cloneThrift(asStruct(g));
    shiftI64(rg, 5, shift);
    if (field(rg, 7) !== undefined) setField(rg, 7, { t: 'i16', v: oldGroups.length + k });
    for (const c of listItems(field(rg, 1))) {
      const chunk = asStruct(c);
      shiftI64(chunk, 2, shift);
      const md = field(chunk, 3);
      if (md?.t === 'struct') for (const id of [9, 10, 11, 14]) shiftI64(md, id, shift);
      shiftI64(chunk, 6, shift);
      const offIdx = field(chunk, 4);
      const offLen = field(chunk, 5);
      if (offIdx !== undefined) {
        if (offLen === undefined) throw new CannotAppendError('an offset index without a length');
        const from = Number(i64(offIdx));
        const moved = shiftOffsetIndex(buffer.subarray(from, from + Number(i64(offLen))), shift);
        setField(chunk, 4, { t: 'i64', v: BigInt(at) });
        setField(chunk, 5, { t: 'i32', v: moved.length });
        indexes.push(moved);
        at += moved.length;
      }
    }
    return rg;
  });
  let meta = cloneThrift(added.meta);
  setField(meta, 3, { t: 'i64', v: BigInt(old.numRows + added.numRows) });
  setField(meta, 4, { t: 'list', elem: 12, items: [...oldGroups, ...groups] });
  if (oldSpans === null) meta = withoutChecksums(meta);
  else {
    let crc = crc32(region);
    for (const part of indexes) crc = crc32(part, crc);
    meta = sealFooter(meta, [...oldSpans, [at, crc]]);
  }
  const footerBytes = encodeThrift(meta);
  const trailer = new Uint8Array(8);
  new DataView(trailer.buffer).setUint32(0, footerBytes.length, true);
  trailer.set([0x50, 0x41, 0x52, 0x31], 4);
  const footerStart = at;
  return { tail: [region, ...indexes, footerBytes, trailer], footer: describeFooter(meta, footerStart, footerStart + footerBytes.length + 8) };
}

/**
 * Appends the rows of `buffer` to the Parquet file at `path`, replacing it atomically (the old
 * version is kept as `<path>.bak`).
 *
 * @param path - the file
 * @param old - its footer, as read under the lock
 * @param stamp - its stamp when the footer was read; the append fails if it changed since
 * @param buffer - a whole Parquet file holding the new rows, with the same schema
 * @param oldSpans - the verified checksums of the old file's data, carried into the new footer
 * @returns the new file's footer and stamp
 */
export async function appendParquet(path: string, old: ParquetFooter, stamp: FileStamp, buffer: Uint8Array, oldSpans: Spans | null = null): Promise<{ footer: ParquetFooter; stamp: FileStamp }> {
  let plan: AppendPlan;
  try {
    plan = planAppend(old, buffer, oldSpans);
  } catch (err) {
    // a footer this code does not follow: the caller rewrites the file instead
    throw err instanceof CannotAppendError ? err : new CannotAppendError((err as Error).message);
  }
  const newStamp = await replaceFile(
    path,
    async (tmp) => {
      await copyFile(path, tmp, fsConstants.COPYFILE_FICLONE);
      const fh = await open(tmp, 'r+');
      try {
        let pos = old.start;
        for (const part of plan.tail) {
          let done = 0;
          while (done < part.length) {
            const { bytesWritten } = await fh.write(part, done, part.length - done, pos + done);
            done += bytesWritten;
          }
          pos += part.length;
        }
        await fh.truncate(pos);
      } finally {
        await fh.close();
      }
    },
    stamp,
  );
  return { footer: plan.footer, stamp: newStamp };
}

/** Shifts every page offset of an encoded OffsetIndex. */
function shiftOffsetIndex(bytes: Uint8Array, shift: bigint): Uint8Array {
  const { value } = decodeThrift(bytes);
  for (const loc of listItems(field(value, 1))) shiftI64(asStruct(loc), 1, shift);
  return encodeThrift(value);
}

function shiftI64(s: ThriftStruct, id: number, shift: bigint): void {
  const v = field(s, id);
  if (v === undefined) return;
  const n = i64(v);
  if (n <= 0n) return; // 0 marks an unset (deprecated) offset
  setField(s, id, { t: 'i64', v: n + shift });
}

function wrap(v: ThriftValue): ThriftStruct {
  return { t: 'struct', fields: [{ id: 1, value: v }] };
}

function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}
