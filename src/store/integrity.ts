/**
 * Checksums of a Parquet dataset file, kept in its footer (`harvestry.checksums`), so damage
 * anywhere in the file is found before rows are appended to it or it is kept as a backup: a
 * CRC-32 for each run of bytes from the file's start to its footer (one run per write that added
 * row groups: an append adds one and keeps the others, so it never reads the old data again
 * to checksum it), and one for the footer itself (encoded without this entry).
 */
import zlib from 'node:zlib';
import { HarvestryError } from '../errors.js';
import { describeFooter, listItems, asStruct, parseFooter, type ParquetFooter } from './parquet-footer.js';
import { encodeThrift, field, type ThriftStruct, type ThriftValue } from './thrift.js';

/** The footer key-value entry holding a file's checksums. */
export const CHECKSUMS_KEY = 'harvestry.checksums';

/** CRC-32s of consecutive byte runs from the file's start: `[end, crc]`; the last run ends where the footer starts. */
export type Spans = readonly (readonly [number, number])[];

/** A file's checksums, as its footer holds them. */
export interface Checksums {
  readonly spans: Spans;
  /** The CRC-32 of the footer encoded without the checksums entry. */
  readonly footer: number;
}

const nativeCrc32 = (zlib as { crc32?: (data: Uint8Array, value?: number) => number }).crc32;

/**
 * The CRC-32 (zlib's) of some bytes, continuing from `value`.
 *
 * @param bytes - the bytes
 * @param value - the CRC of the bytes before them (0 at the start)
 * @returns the CRC of all the bytes so far
 */
export function crc32(bytes: Uint8Array, value = 0): number {
  if (nativeCrc32 !== undefined) return nativeCrc32(bytes, value);
  let c = ~value >>> 0;
  for (let i = 0; i < bytes.length; i++) c = CRC_TABLE[(c ^ bytes[i]!) & 0xff]! ^ (c >>> 8);
  return ~c >>> 0;
}

/** The table of the byte-wise CRC-32 (for Node before 20.15, which lacks zlib.crc32). */
const CRC_TABLE = nativeCrc32 !== undefined ? new Uint32Array(0) : makeCrcTable();

function makeCrcTable(): Uint32Array {
  const table = new Uint32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    table[n] = c >>> 0;
  }
  return table;
}

/**
 * The checksums a footer holds, or null when it holds none (a file written before harvestry
 * wrote checksums, or by another tool).
 *
 * @param footer - the footer
 * @param where - the file, for messages
 */
export function checksumsOf(footer: ParquetFooter, where: string): Checksums | null {
  const text = footer.keyValue.get(CHECKSUMS_KEY);
  if (text === undefined) return null;
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (err) {
    throw damaged(where, `its checksums entry \`${CHECKSUMS_KEY}\` is not JSON`, err);
  }
  const r = raw as { crc32?: unknown; footer?: unknown };
  const spans = r.crc32;
  let end = 0;
  const ok =
    Array.isArray(spans) &&
    spans.every((s) => {
      const good = Array.isArray(s) && s.length === 2 && Number.isSafeInteger(s[0]) && (s[0] as number) > end && Number.isInteger(s[1]);
      if (good) end = s[0] as number;
      return good;
    }) &&
    end === footer.start &&
    Number.isInteger(r.footer);
  if (!ok) throw damaged(where, `its checksums entry \`${CHECKSUMS_KEY}\` does not describe the file (it ends at byte ${end}, the footer starts at ${footer.start})`);
  return { spans: spans as Spans, footer: r.footer as number };
}

/**
 * The footer with its checksums set: `spans` for the data, and the CRC of the footer itself.
 *
 * @param meta - the footer's `FileMetaData` (any checksums entry in it is replaced)
 * @param spans - the checksums of the bytes before the footer
 * @returns the new footer tree
 */
export function sealFooter(meta: ThriftStruct, spans: Spans): ThriftStruct {
  const bare = withoutChecksums(meta);
  const footer = crc32(encodeThrift(bare));
  const entry: ThriftStruct = {
    t: 'struct',
    fields: [
      { id: 1, value: { t: 'binary', v: new TextEncoder().encode(CHECKSUMS_KEY) } },
      { id: 2, value: { t: 'binary', v: new TextEncoder().encode(JSON.stringify({ crc32: spans, footer })) } },
    ],
  };
  return withKeyValues(bare, [...listItems(field(bare, 5)), entry]);
}

/**
 * The footer without a checksums entry (for files whose old bytes have no known checksums).
 *
 * @param meta - the footer's `FileMetaData`
 */
export function withoutChecksums(meta: ThriftStruct): ThriftStruct {
  const items = listItems(field(meta, 5));
  const kept = items.filter((kv) => keyOf(kv) !== CHECKSUMS_KEY);
  return kept.length === items.length ? meta : withKeyValues(meta, kept);
}

/**
 * Adds checksums to a whole Parquet file as the encoder wrote it: one run for its data, and the
 * footer's.
 *
 * @param bytes - the file
 * @param where - the file, for messages
 * @returns the file with the checksums entry in its footer
 */
export function sealParquet(bytes: Uint8Array, where: string): Uint8Array {
  const footer = parseFooter(bytes, bytes.length, where);
  const meta = sealFooter(footer.meta, [[footer.start, crc32(bytes.subarray(0, footer.start))]]);
  const encoded = encodeThrift(meta);
  const out = new Uint8Array(footer.start + encoded.length + 8);
  out.set(bytes.subarray(0, footer.start));
  out.set(encoded, footer.start);
  const view = new DataView(out.buffer, out.byteOffset, out.byteLength);
  view.setUint32(footer.start + encoded.length, encoded.length, true);
  out.set([0x50, 0x41, 0x52, 0x31], footer.start + encoded.length + 4);
  return out;
}

/**
 * Checks a footer against its own checksum.
 *
 * @param footer - the footer
 * @param sums - its checksums
 * @param where - the file, for messages
 */
export function checkFooter(footer: ParquetFooter, sums: Checksums, where: string): void {
  const got = crc32(encodeThrift(withoutChecksums(footer.meta)));
  if (got !== sums.footer) throw damaged(where, `its footer (bytes ${footer.start} to ${footer.fileLength - 8}) does not match the checksum written with it (CRC-32 ${hex(got)}, written ${hex(sums.footer)})`);
}

/**
 * Checks the bytes of a whole file against its checksums (nothing to check without them).
 *
 * @param bytes - the whole file
 * @param footer - its footer
 * @param where - the file, for messages
 * @returns true when the file has checksums (and they match); false when it has none
 */
export function checkBytes(bytes: Uint8Array, footer: ParquetFooter, where: string): boolean {
  const sums = checksumsOf(footer, where);
  if (sums === null) return false;
  checkFooter(footer, sums, where);
  let from = 0;
  for (const [end, want] of sums.spans) {
    checkSpan(crc32(bytes.subarray(from, end)), want, from, end, where);
    from = end;
  }
  return true;
}

/**
 * Throws when a run of bytes does not match its checksum.
 *
 * @param got - the CRC of the bytes read
 * @param want - the CRC written with them
 * @param from - where the run starts
 * @param end - where it ends
 * @param where - the file, for messages
 */
export function checkSpan(got: number, want: number, from: number, end: number, where: string): void {
  if (got === want) return;
  throw damaged(where, `its bytes ${from} to ${end} do not match the checksum written with them (CRC-32 ${hex(got)}, written ${hex(want)}): some of its rows would read wrong or not at all`);
}

/**
 * The error for a file whose bytes are not those harvestry wrote.
 *
 * @param where - the file
 * @param why - what does not match
 * @param cause - the underlying error
 */
export function damaged(where: string, why: string, cause?: unknown): HarvestryError {
  return new HarvestryError('E_CORRUPT_FILE', `${where} is damaged: ${why}.`, { ...(cause === undefined ? {} : { cause }), details: { path: where } });
}

/**
 * The footer summary of a sealed footer tree.
 *
 * @param meta - the tree
 * @param start - where the footer starts
 * @param encodedLength - the length of its encoding
 */
export function describeSealed(meta: ThriftStruct, start: number, encodedLength: number): ParquetFooter {
  return describeFooter(meta, start, start + encodedLength + 8);
}

/** A shallow copy of the footer with other key-value entries (fields keep their wire order, so encodings compare). */
function withKeyValues(meta: ThriftStruct, items: ThriftValue[]): ThriftStruct {
  const value: ThriftValue = { t: 'list', elem: 12, items };
  if (meta.fields.some((f) => f.id === 5)) return { t: 'struct', fields: meta.fields.map((f) => (f.id === 5 ? { id: 5, value } : f)) };
  const fields = [...meta.fields];
  const before = fields.findIndex((f) => f.id > 5);
  fields.splice(before < 0 ? fields.length : before, 0, { id: 5, value });
  return { t: 'struct', fields };
}

function keyOf(kv: ThriftValue): string | null {
  const k = field(asStruct(kv), 1);
  return k?.t === 'binary' ? new TextDecoder().decode(k.v) : null;
}

function hex(n: number): string {
  return n.toString(16).padStart(8, '0');
}
