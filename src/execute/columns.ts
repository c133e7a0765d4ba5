/**
 * Result columns in plain data: typed arrays and arrays that can be transferred from a worker
 * thread, concatenated, reordered, and turned into Arrow data without going row by row.
 */
import { HarvestryError } from '../errors.js';

/** The storage type of a variable's values (or of its elements, for internal dims). */
export type ElemType =
  | 'float64'
  | 'float32'
  | 'int8'
  | 'int16'
  | 'int32'
  | 'uint8'
  | 'uint16'
  | 'uint32'
  | 'int64'
  | 'uint64'
  | 'bool'
  | 'utf8'
  | 'date'
  | 'null';

/** How a variable's values came back: one scalar, or (nested) plain arrays / typed arrays. */
export type Container =
  | 'scalar'
  | 'array'
  | 'Float64Array'
  | 'Float32Array'
  | 'Int8Array'
  | 'Int16Array'
  | 'Int32Array'
  | 'Uint8Array'
  | 'Uint8ClampedArray'
  | 'Uint16Array'
  | 'Uint32Array'
  | 'BigInt64Array'
  | 'BigUint64Array';

/** Flat element storage for each type. */
export type Values =
  | Float64Array
  | Float32Array
  | Int8Array
  | Int16Array
  | Int32Array
  | Uint8Array
  | Uint16Array
  | Uint32Array
  | BigInt64Array
  | BigUint64Array
  | (string | null)[];

/**
 * One column of results for a run of rows.
 *
 * - scalar (`depth` 0): `values[r]` is row r.
 * - fixed (`size` set): `values[r*size .. (r+1)*size)` is row r, row-major over its dims.
 * - ragged (`offsets` set): Arrow-style offsets, one array per internal dim, outermost first.
 */
export interface ColumnData {
  readonly type: ElemType;
  readonly container: Container;
  readonly length: number;
  /** Row validity: 1 = a value, 0 = null. `null` means every row has a value. */
  readonly valid: Uint8Array | null;
  /** Flat element values. Date elements are milliseconds since the epoch; bools are 0/1. */
  readonly values: Values;
  /** Element validity for list columns (1 = a value). `null` means all present. */
  readonly elemValid: Uint8Array | null;
  /** Elements per row for fixed-size list columns; `null` otherwise. */
  readonly size: number | null;
  /** Offsets per nesting level for ragged list columns; `null` otherwise. */
  readonly offsets: readonly Int32Array[] | null;
  /** Number of internal dims (0 for a scalar column). */
  readonly depth: number;
}

/** Allocates flat storage of `n` elements for a type. */
export function allocValues(type: ElemType, n: number): Values {
  switch (type) {
    case 'float64':
    case 'date':
    case 'null':
      return new Float64Array(n);
    case 'float32':
      return new Float32Array(n);
    case 'int8':
      return new Int8Array(n);
    case 'int16':
      return new Int16Array(n);
    case 'int32':
      return new Int32Array(n);
    case 'uint8':
    case 'bool':
      return new Uint8Array(n);
    case 'uint16':
      return new Uint16Array(n);
    case 'uint32':
      return new Uint32Array(n);
    case 'int64':
      return new BigInt64Array(n);
    case 'uint64':
      return new BigUint64Array(n);
    case 'utf8':
      return new Array<string | null>(n).fill(null);
  }
}

/** A column of `n` null rows shaped like `like` (used for failed cases kept as rows). */
export function nullColumn(like: Pick<ColumnData, 'type' | 'container' | 'size' | 'depth'>, n: number): ColumnData {
  const fixed = like.size !== null;
  return {
    type: like.type,
    container: like.container,
    length: n,
    valid: new Uint8Array(n),
    values: allocValues(like.type, like.depth === 0 ? n : fixed ? n * like.size : 0),
    elemValid: null,
    size: like.size,
    offsets: fixed || like.depth === 0 ? null : Array.from({ length: like.depth }, () => new Int32Array(n + 1)),
    depth: like.depth,
  };
}

/**
 * Joins columns of one variable end to end. Types must agree, except that an all-null column
 * takes the type of the others.
 *
 * @param name - the variable, for messages
 * @param parts - the columns in row order
 */
export function concatColumns(name: string, parts: readonly ColumnData[]): ColumnData {
  if (parts.length === 1) return parts[0]!;
  const typed = parts.filter((p) => p.type !== 'null');
  const model = typed[0] ?? parts[0]!;
  for (const p of typed) {
    if (p.type !== model.type || p.container !== model.container || p.size !== model.size || p.depth !== model.depth) {
      throw new HarvestryError(
        'E_RESULT_TYPE',
        `Variable \`${name}\` came back as ${describe(model)} in some cases and as ${describe(p)} in others. A variable must have one type in every case.`,
      );
    }
  }
  const cast = parts.map((p) => (p.type === 'null' && model.type !== 'null' ? nullColumn(model, p.length) : p));
  const length = cast.reduce((s, p) => s + p.length, 0);
  const anyInvalid = cast.some((p) => p.valid !== null);
  const valid = anyInvalid ? concatTyped(cast.map((p) => p.valid ?? ones(p.length))) : null;
  const values = joinValues(model.type, cast.map((p) => p.values));
  const elemCount = cast.map((p) => p.values.length);
  const anyElemInvalid = cast.some((p) => p.elemValid !== null);
  const elemValid = anyElemInvalid ? concatTyped(cast.map((p, i) => p.elemValid ?? ones(elemCount[i]!))) : null;
  const offsets = model.offsets === null ? null : joinOffsets(cast.map((p) => p.offsets!));
  return { ...model, length, valid, values, elemValid, offsets };
}

/**
 * Reorders (and may drop) rows: row `i` of the result is row `order[i]` of `col`.
 *
 * @param col - the column
 * @param order - row indices to take
 */
export function takeRows(col: ColumnData, order: ArrayLike<number>): ColumnData {
  const n = order.length;
  const valid = col.valid === null ? null : new Uint8Array(n);
  if (valid !== null) for (let i = 0; i < n; i++) valid[i] = col.valid![order[i]!]!;
  if (col.depth === 0 || col.size !== null) {
    const size = col.size ?? 1;
    const values = allocLike(col.values, n * size);
    const elemValid = col.elemValid === null ? null : new Uint8Array(n * size);
    for (let i = 0; i < n; i++) {
      const from = order[i]! * size;
      copyRange(col.values, from, from + size, values, i * size);
      if (elemValid !== null) elemValid.set(col.elemValid!.subarray(from, from + size), i * size);
    }
    return { ...col, length: n, valid, values, elemValid };
  }
  return takeRagged(col, order, valid);
}

function takeRagged(col: ColumnData, order: ArrayLike<number>, valid: Uint8Array | null): ColumnData {
  const levels = col.offsets!;
  const n = order.length;
  const newOffsets = levels.map(() => [0]);
  const pickedLeaves: [number, number][] = [];
  for (let i = 0; i < n; i++) {
    let lo = order[i]!;
    let hi = lo + 1;
    for (let d = 0; d < levels.length; d++) {
      const off = levels[d]!;
      const out = newOffsets[d]!;
      const base = out[out.length - 1]!;
      const start = off[lo]!;
      for (let k = lo; k < hi; k++) out.push(base + off[k + 1]! - start);
      lo = off[lo]!;
      hi = off[hi]!;
    }
    pickedLeaves.push([lo, hi]);
  }
  const total = pickedLeaves.reduce((s, [a, b]) => s + b - a, 0);
  const values = allocLike(col.values, total);
  const elemValid = col.elemValid === null ? null : new Uint8Array(total);
  let at = 0;
  for (const [a, b] of pickedLeaves) {
    copyRange(col.values, a, b, values, at);
    if (elemValid !== null) elemValid.set(col.elemValid!.subarray(a, b), at);
    at += b - a;
  }
  return { ...col, length: n, valid, values, elemValid, offsets: newOffsets.map((o) => Int32Array.from(o)) };
}

/** Allocates storage of the same kind as `like`. */
export function allocLike(like: Values | Int32Array, n: number): Values {
  if (Array.isArray(like)) return new Array<string | null>(n).fill(null);
  const Ctor = like.constructor as new (n: number) => Exclude<Values, (string | null)[]>;
  return new Ctor(n);
}

function copyRange(src: Values, from: number, to: number, dst: Values, at: number): void {
  if (Array.isArray(src)) {
    const d = dst as (string | null)[];
    for (let k = from; k < to; k++) d[at + k - from] = src[k]!;
  } else {
    (dst as Float64Array).set((src as Float64Array).subarray(from, to), at);
  }
}

function joinValues(type: ElemType, parts: readonly Values[]): Values {
  if (type === 'utf8') return parts.flatMap((p) => p as (string | null)[]);
  return concatTyped(parts as Float64Array[]);
}

/**
 * Joins typed arrays of one class end to end.
 *
 * @param parts - the arrays (at least one)
 */
export function concatTyped<T extends Exclude<Values, (string | null)[]> | Int32Array>(parts: readonly T[]): T {
  if (parts.length === 1) return parts[0]!;
  const out = allocLike(parts[0]!, parts.reduce((s, p) => s + p.length, 0)) as T;
  let at = 0;
  for (const p of parts) {
    (out as Float64Array).set(p as Float64Array, at);
    at += p.length;
  }
  return out;
}

/** Typed array classes by name, for rebuilding values as the function returned them. */
export const TYPED_ARRAY_CTORS: Readonly<Record<string, new (src: never) => ArrayBufferView>> = {
  Float64Array,
  Float32Array,
  Int8Array,
  Int16Array,
  Int32Array,
  Uint8Array,
  Uint8ClampedArray,
  Uint16Array,
  Uint32Array,
  BigInt64Array,
  BigUint64Array,
};

function joinOffsets(parts: readonly (readonly Int32Array[])[]): Int32Array[] {
  const depth = parts[0]!.length;
  const out: Int32Array[] = [];
  for (let d = 0; d < depth; d++) {
    const levels = parts.map((p) => p[d]!);
    const res = new Int32Array(levels.reduce((s, l) => s + l.length - 1, 0) + 1);
    let at = 0;
    let base = 0;
    for (const l of levels) {
      for (let k = 1; k < l.length; k++) res[at + k] = base + l[k]!;
      at += l.length - 1;
      base += l[l.length - 1]!;
    }
    out.push(res);
  }
  return out;
}

function ones(n: number): Uint8Array {
  return new Uint8Array(n).fill(1);
}

/** Describes a column's type in words, for messages. */
export function describe(c: Pick<ColumnData, 'type' | 'container' | 'size' | 'depth'>): string {
  if (c.depth === 0) return `${c.type} scalars`;
  const shape = c.size === null ? `${c.depth}-d ragged` : `${c.depth}-d (${c.size} elements)`;
  return `${shape} ${c.container === 'array' ? 'arrays' : c.container + 's'} of ${c.type}`;
}
