/**
 * A Parquet file's footer (its Thrift `FileMetaData`), read without reading the data: row
 * groups, row counts, per-column null counts, and the key-value metadata. Reading a footer costs
 * two small reads whatever the size of the file.
 */
import { createHash } from 'node:crypto';
import { open, type FileHandle } from 'node:fs/promises';
import { HarvestryError } from '../errors.js';
import { decodeThrift, encodeThrift, field, type ThriftStruct, type ThriftValue } from './thrift.js';

/** Who a file is: it changes whenever the file is replaced or written. */
export interface FileStamp {
  readonly dev: number;
  readonly ino: number;
  readonly size: number;
  readonly mtimeMs: number;
}

/** A column chunk of a row group, as far as the footer tells. */
export interface ChunkInfo {
  /** Values in the chunk (rows, for a flat column). */
  readonly numValues: number;
  /** Null values, when the writer recorded statistics. */
  readonly nullCount: number | null;
  /** The smallest and largest values as plain-encoded bytes, when the writer recorded them. */
  readonly min?: Uint8Array | null;
  readonly max?: Uint8Array | null;
}

/** A row group, as far as the footer tells. */
export interface RowGroupInfo {
  readonly numRows: number;
  /** Identifies the row group's bytes in this file: equal signatures, same data. */
  readonly signature: string;
  /** Its column chunks, by top-level column name. */
  readonly columns: ReadonlyMap<string, ChunkInfo>;
}

/** A parsed footer. */
export interface ParquetFooter {
  /** The `FileMetaData` tree. */
  readonly meta: ThriftStruct;
  /** Where the footer starts in the file (the data ends here). */
  readonly start: number;
  /** The length of the whole file. */
  readonly fileLength: number;
  readonly numRows: number;
  readonly rowGroups: readonly RowGroupInfo[];
  /** The footer's key-value metadata. */
  readonly keyValue: ReadonlyMap<string, string>;
}

const MAGIC = 0x31524150; // 'PAR1' little-endian

/**
 * Parses a footer from the last bytes of a file.
 *
 * @param tail - the file's last bytes (at least the footer and its 8-byte trailer)
 * @param fileLength - the length of the whole file
 * @param where - the file, for messages
 */
export function parseFooter(tail: Uint8Array, fileLength: number, where: string): ParquetFooter {
  const view = new DataView(tail.buffer, tail.byteOffset, tail.byteLength);
  if (tail.length < 8 || view.getUint32(tail.length - 4, true) !== MAGIC) throw corrupt(where, 'it does not end with the Parquet magic bytes (it was cut short)');
  const len = view.getUint32(tail.length - 8, true);
  const start = fileLength - 8 - len;
  if (len > tail.length - 8 || start < 4) throw corrupt(where, `its footer length (${len} bytes) does not fit the file`);
  let meta: ThriftStruct;
  try {
    meta = decodeThrift(tail.subarray(tail.length - 8 - len, tail.length - 8)).value;
  } catch (err) {
    throw corrupt(where, `its footer does not decode (${(err as Error).message})`, err);
  }
  return describeFooter(meta, start, fileLength);
}

/**
 * Reads the footer of a Parquet file, or returns null when the file does not exist.
 *
 * @param path - the file
 * @returns the footer and the file's stamp
 */
export async function readFooter(path: string): Promise<{ footer: ParquetFooter; stamp: FileStamp } | null> {
  let fh: FileHandle;
  try {
    fh = await open(path, 'r');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw err;
  }
  try {
    const st = await fh.stat();
    const stamp: FileStamp = { dev: st.dev, ino: st.ino, size: st.size, mtimeMs: st.mtimeMs };
    if (st.size < 12) throw corrupt(path, `it is only ${st.size} bytes long`);
    const head = await readAt(fh, 0, 4);
    if (new DataView(head.buffer, head.byteOffset).getUint32(0, true) !== MAGIC) {
      throw new HarvestryError('E_FOREIGN_FILE', `${path} is not a Parquet file, so harvestry cannot read it as a dataset.`, {
        details: { path },
      });
    }
    const trailer = await readAt(fh, st.size - 8, 8);
    const len = new DataView(trailer.buffer, trailer.byteOffset).getUint32(0, true);
    if (new DataView(trailer.buffer, trailer.byteOffset).getUint32(4, true) !== MAGIC) throw corrupt(path, 'it does not end with the Parquet magic bytes (it was cut short)');
    if (len + 12 > st.size) throw corrupt(path, `its footer length (${len} bytes) does not fit the file`);
    const tail = await readAt(fh, st.size - 8 - len, len + 8);
    return { footer: parseFooter(tail, st.size, path), stamp };
  } finally {
    await fh.close();
  }
}

/** True when two stamps name the same unchanged file. */
export function sameStamp(a: FileStamp | null, b: FileStamp | null): boolean {
  if (a === null || b === null) return a === b;
  return a.dev === b.dev && a.ino === b.ino && a.size === b.size && a.mtimeMs === b.mtimeMs;
}

/**
 * The summary of a `FileMetaData` tree.
 *
 * @param meta - the tree
 * @param start - where the footer starts
 * @param fileLength - the file's length
 */
export function describeFooter(meta: ThriftStruct, start: number, fileLength: number): ParquetFooter {
  const rowGroups = listItems(field(meta, 4)).map((rg) => describeRowGroup(asStruct(rg)));
  const keyValue = new Map<string, string>();
  const decoder = new TextDecoder();
  for (const kv of listItems(field(meta, 5))) {
    const s = asStruct(kv);
    const k = field(s, 1);
    const v = field(s, 2);
    if (k?.t === 'binary') keyValue.set(decoder.decode(k.v), v?.t === 'binary' ? decoder.decode(v.v) : '');
  }
  return { meta, start, fileLength, numRows: Number(i64(field(meta, 3))), rowGroups, keyValue };
}

function describeRowGroup(rg: ThriftStruct): RowGroupInfo {
  const columns = new Map<string, ChunkInfo>();
  for (const c of listItems(field(rg, 1))) {
    const chunk = asStruct(c);
    const md = field(chunk, 3);
    if (md?.t !== 'struct') continue;
    const path = listItems(field(md, 3));
    const name = path[0]?.t === 'binary' ? new TextDecoder().decode(path[0].v) : '';
    const stats = field(md, 12);
    const nulls = stats?.t === 'struct' ? field(stats, 3) : undefined;
    // min_value (6) and max_value (5); the deprecated min (2) and max (1) only as a fallback
    const bytesOf = (...ids: number[]): Uint8Array | null => {
      for (const id of ids) {
        const v = stats?.t === 'struct' ? field(stats, id) : undefined;
        if (v?.t === 'binary') return v.v;
      }
      return null;
    };
    columns.set(name, { numValues: Number(i64(field(md, 5))), nullCount: nulls === undefined ? null : Number(i64(nulls)), min: bytesOf(6, 2), max: bytesOf(5, 1) });
  }
  const numRows = Number(i64(field(rg, 3)));
  // the whole RowGroup (offsets, sizes, statistics of every chunk): equal only for the same data
  const signature = createHash('sha1').update(encodeThrift(rg)).digest('base64');
  return { numRows, signature, columns };
}

/** The items of a list value (empty when absent). */
export function listItems(v: ThriftValue | undefined): ThriftValue[] {
  return v?.t === 'list' ? v.items : [];
}

/** A value that must be a struct. */
export function asStruct(v: ThriftValue | undefined): ThriftStruct {
  if (v?.t !== 'struct') throw new Error(`expected a Thrift struct, got ${v?.t ?? 'nothing'}`);
  return v;
}

/** An integer value as a bigint (0 when absent). */
export function i64(v: ThriftValue | undefined): bigint {
  if (v === undefined) return 0n;
  if (v.t === 'i64') return v.v;
  if (v.t === 'i32' || v.t === 'i16' || v.t === 'i8') return BigInt(v.v);
  throw new Error(`expected a Thrift integer, got ${v.t}`);
}

async function readAt(fh: FileHandle, position: number, length: number): Promise<Uint8Array> {
  const buf = new Uint8Array(length);
  let done = 0;
  while (done < length) {
    const { bytesRead } = await fh.read(buf, done, length - done, position + done);
    if (bytesRead === 0) break;
    done += bytesRead;
  }
  return buf.subarray(0, done);
}

function corrupt(where: string, why: string, cause?: unknown): HarvestryError {
  return new HarvestryError('E_CORRUPT_FILE', `${where} cannot be read as a dataset: ${why}.`, {
    ...(cause === undefined ? {} : { cause }),
    details: { path: where },
  });
}
