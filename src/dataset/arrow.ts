/**
 * Converting result columns ({@link ColumnData}) to Arrow data and back, without going value by
 * value where the layout allows it.
 */
import type * as Arrow from 'apache-arrow';
import { arrow } from './_arrow-lib.js';
import { allocValues, concatColumns, type ColumnData, type Container, type ElemType, type Values } from '../execute/columns.js';

/** An Arrow type as text, like `FixedSizeList[3]<Float64>` (Arrow's own rendering). */
export function typeText(t: Arrow.DataType): string {
  return (t as { toString(): string }).toString();
}

/** The Arrow type that stores elements of a storage type. */
export function arrowElemType(type: ElemType): Arrow.DataType {
  switch (type) {
    case 'float64':
    case 'null':
      return new arrow.Float64();
    case 'float32':
      return new arrow.Float32();
    case 'int8':
      return new arrow.Int8();
    case 'int16':
      return new arrow.Int16();
    case 'int32':
      return new arrow.Int32();
    case 'uint8':
      return new arrow.Uint8();
    case 'uint16':
      return new arrow.Uint16();
    case 'uint32':
      return new arrow.Uint32();
    case 'int64':
      return new arrow.Int64();
    case 'uint64':
      return new arrow.Uint64();
    case 'bool':
      return new arrow.Bool();
    case 'utf8':
      return new arrow.Utf8();
    case 'date':
      return new arrow.TimestampMillisecond('UTC');
  }
}

/** The Arrow type of a whole column of this shape. */
export function arrowColumnType(col: Pick<ColumnData, 'type' | 'size' | 'depth'>): Arrow.DataType {
  let t = arrowElemType(col.type);
  if (col.depth === 0) return t;
  if (col.size !== null) return new arrow.FixedSizeList(col.size, new arrow.Field('item', t, true));
  for (let d = 0; d < col.depth; d++) t = new arrow.List(new arrow.Field('item', t, true));
  return t;
}

/** Converts a column to Arrow data. */
export function toArrowData(col: ColumnData): Arrow.Data {
  const { length } = col;
  const [nullBitmap, nullCount] = bitmap(col.valid, length);
  if (col.depth === 0) return leafData(col.type, col.values, length, nullBitmap, nullCount);
  const leafCount = col.values.length;
  const [elemBitmap, elemNulls] = bitmap(col.elemValid, leafCount);
  let child = leafData(col.type, col.values, leafCount, elemBitmap, elemNulls);
  if (col.size !== null) {
    const type = new arrow.FixedSizeList(col.size, new arrow.Field('item', child.type, true));
    return arrow.makeData({ type, length, nullCount, nullBitmap, child });
  }
  const levels = col.offsets!;
  for (let d = levels.length - 1; d >= 0; d--) {
    const off = levels[d]!;
    const type = new arrow.List(new arrow.Field('item', child.type, true));
    const outer = d === 0;
    child = arrow.makeData({
      type,
      length: off.length - 1,
      nullCount: outer ? nullCount : 0,
      nullBitmap: outer ? nullBitmap : null,
      valueOffsets: off,
      child,
    }) as Arrow.Data;
  }
  return child;
}

function leafData(type: ElemType, values: Values, length: number, nullBitmap: Uint8Array | null, nullCount: number): Arrow.Data {
  const t = arrowElemType(type);
  if (type === 'utf8') {
    const data = arrow.vectorFromArray(values as (string | null)[], new arrow.Utf8()).data[0]!;
    return data as Arrow.Data;
  }
  let data: Exclude<Values, (string | null)[]>;
  if (type === 'bool') data = packBits(values as Uint8Array, length);
  else if (type === 'date') data = BigInt64Array.from(values as Float64Array, (ms) => BigInt(ms));
  else data = values as Exclude<Values, (string | null)[]>;
  // apache-arrow's makeData is overloaded per type class; the element type is chosen at run time.
  // eslint-disable-next-line @typescript-eslint/no-unsafe-class-instance-assignment
  if (type === 'null') return arrow.makeData({ type: t as Arrow.Float64, length, nullCount: length, nullBitmap: new Uint8Array(Math.ceil(length / 8)), data: data as Float64Array });
  // eslint-disable-next-line @typescript-eslint/no-unsafe-class-instance-assignment
  return arrow.makeData({ type: t as Arrow.Float64, length, nullCount, nullBitmap, data: data as Float64Array }) as Arrow.Data;
}

/**
 * Converts Arrow data (possibly several chunks) back to one column.
 *
 * @param chunks - the data chunks of an Arrow vector
 * @param type - the storage type of the elements
 * @param container - how values come back
 * @param depth - the number of internal dims
 */
export function fromArrowData(chunks: readonly Arrow.Data[], type: ElemType, container: Container, depth: number): ColumnData {
  const parts = chunks.map((d) => fromOneChunk(d, type, container, depth));
  if (parts.length === 1) return parts[0]!;
  if (parts.length === 0) return fromOneChunk(emptyData(type, depth), type, container, depth);
  return concatColumns('', parts);
}

function emptyData(type: ElemType, depth: number): Arrow.Data {
  // eslint-disable-next-line @typescript-eslint/no-unsafe-class-instance-assignment
  return arrow.makeData({ type: arrowColumnType({ type, size: null, depth }) as Arrow.Float64, length: 0, nullCount: 0 }) as Arrow.Data;
}

function fromOneChunk(data: Arrow.Data, type: ElemType, container: Container, depth: number): ColumnData {
  const { length, offset } = data;
  const valid = data.nullCount > 0 && data.nullBitmap.length > 0 ? unpackBits(data.nullBitmap, offset, length) : null;
  if (depth === 0) {
    return { type, container, length, valid, values: leafValues(data, type, offset, length), elemValid: null, size: null, offsets: null, depth };
  }
  if (data.type instanceof arrow.FixedSizeList) {
    const size = data.type.listSize;
    const child = data.children[0]!;
    const start = (offset + 0) * size;
    return {
      type,
      container,
      length,
      valid,
      values: leafValues(child, type, child.offset + start, length * size),
      elemValid: childValidity(child, child.offset + start, length * size),
      size,
      offsets: null,
      depth,
    };
  }
  const offsets: Int32Array[] = [];
  let node = data;
  let lo = offset;
  let hi = offset + length;
  for (let d = 0; d < depth; d++) {
    const raw = node.valueOffsets as Int32Array;
    const base = raw[lo]!;
    offsets.push(Int32Array.from(raw.subarray(lo, hi + 1), (x) => x - base));
    const child = node.children[0]!;
    const nlo = raw[lo]! + child.offset;
    const nhi = raw[hi]! + child.offset;
    node = child;
    lo = nlo;
    hi = nhi;
  }
  return {
    type,
    container,
    length,
    valid,
    values: leafValues(node, type, lo, hi - lo),
    elemValid: childValidity(node, lo, hi - lo),
    size: null,
    offsets,
    depth,
  };
}

function childValidity(child: Arrow.Data, start: number, count: number): Uint8Array | null {
  if (child.nullCount === 0 || child.nullBitmap.length === 0 || count === 0) return null;
  const v = unpackBits(child.nullBitmap, start, count);
  return v.includes(0) ? v : null;
}

function leafValues(data: Arrow.Data, type: ElemType, start: number, count: number): Values {
  if (type === 'null') return new Float64Array(count);
  if (type === 'utf8') return utf8Values(data, start - data.offset, count);
  if (type === 'bool') return unpackBits(data.values as Uint8Array, start, count);
  const values = data.values as Exclude<Values, (string | null)[]>;
  if (type === 'date') return Float64Array.from((values as BigInt64Array).subarray(start, start + count), (x) => Number(x));
  const out = allocValues(type, count) as Float64Array;
  out.set((values as Float64Array).subarray(start, start + count));
  return out;
}

/**
 * Decodes UTF-8 text exactly: a leading U+FEFF is part of the value. (apache-arrow's own decoder
 * is a default TextDecoder, which drops a byte order mark at the start of every string, so a key
 * like "\uFEFFa" would read back as "a" and never match itself.)
 */
const UTF8 = new TextDecoder('utf-8', { ignoreBOM: true });

/** The strings of `count` values of Utf8 (or dictionary-encoded Utf8) data from index `from` (relative to the data's offset). */
function utf8Values(data: Arrow.Data, from: number, count: number): (string | null)[] {
  const out = new Array<string | null>(count);
  const vec = arrow.makeVector(data);
  const hasNulls = data.nullCount > 0;
  if (data.type instanceof arrow.Dictionary) {
    const dict = (data as { dictionary?: Arrow.Vector }).dictionary!;
    const words = dict.data.flatMap((d: Arrow.Data) => utf8Values(d, 0, d.length));
    const keys = data.values as ArrayLike<number | bigint>;
    for (let i = 0; i < count; i++) {
      const k = from + i;
      out[i] = hasNulls && !vec.isValid(k) ? null : (words[Number(keys[k]!)] ?? null);
    }
    return out;
  }
  const offsets = data.valueOffsets as Int32Array;
  const bytes = data.values as Uint8Array;
  for (let i = 0; i < count; i++) {
    const k = from + i;
    out[i] = hasNulls && !vec.isValid(k) ? null : UTF8.decode(bytes.subarray(offsets[k], offsets[k + 1]));
  }
  return out;
}

function bitmap(valid: Uint8Array | null, length: number): [Uint8Array | null, number] {
  if (valid === null) return [null, 0];
  let nulls = 0;
  for (let i = 0; i < length; i++) if (valid[i] === 0) nulls++;
  return nulls === 0 ? [null, 0] : [packBits(valid, length), nulls];
}

/** Packs one byte per flag (0/1) into an LSB-first bitmap. */
export function packBits(flags: Uint8Array, length: number): Uint8Array {
  const out = new Uint8Array(Math.ceil(length / 8));
  for (let i = 0; i < length; i++) if (flags[i] !== 0) out[i >> 3]! |= 1 << (i & 7);
  return out;
}

/** Unpacks `count` bits of an LSB-first bitmap starting at bit `start` into bytes (0/1). */
export function unpackBits(bits: Uint8Array, start: number, count: number): Uint8Array {
  const out = new Uint8Array(count);
  for (let i = 0; i < count; i++) {
    const b = start + i;
    out[i] = (bits[b >> 3]! >> (b & 7)) & 1;
  }
  return out;
}
