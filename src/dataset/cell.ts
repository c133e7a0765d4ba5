/**
 * Reading single values back out of columns, as the labelled function returned them.
 */
import { allocValues, TYPED_ARRAY_CTORS, type ColumnData, type Container, type ElemType, type Values } from '../execute/columns.js';
import type { Scalar } from '../space/values.js';

/**
 * The scalar at flat position `i` of some values.
 *
 * @param values - flat values
 * @param type - their storage type
 * @param i - the position
 */
export function scalarAt(values: Values, type: ElemType, i: number): Scalar {
  switch (type) {
    case 'null':
      return null;
    case 'date':
      return new Date((values as Float64Array)[i]!);
    case 'bool':
      return (values as Uint8Array)[i] === 1;
    case 'utf8':
      return (values as (string | null)[])[i] ?? null;
    default:
      return (values as Float64Array)[i]!;
  }
}

/** True when row `row` of a column holds a value. */
export function isValid(col: ColumnData, row: number): boolean {
  return col.valid === null || col.valid[row] === 1;
}

/**
 * The value of row `row`, as the function returned it: a scalar, or (nested) arrays / typed
 * arrays for variables with internal dims.
 *
 * @param col - the column
 * @param row - the row
 * @param sizes - the size of each internal dim (for fixed-size columns)
 */
export function cellValue(col: ColumnData, row: number, sizes: readonly number[]): unknown {
  if (!isValid(col, row)) return null;
  if (col.depth === 0) return scalarAt(col.values, col.type, row);
  if (col.size !== null) return nestFixed(col, row * col.size, sizes, 0);
  return nestRagged(col, 0, row, row + 1)[0];
}

function nestFixed(col: ColumnData, start: number, sizes: readonly number[], level: number): unknown {
  const n = sizes[level]!;
  if (level === sizes.length - 1) return leaf(col, start, start + n);
  const stride = sizes.slice(level + 1).reduce((a, b) => a * b, 1);
  const out: unknown[] = new Array<unknown>(n);
  for (let k = 0; k < n; k++) out[k] = nestFixed(col, start + k * stride, sizes, level + 1);
  return out;
}

function nestRagged(col: ColumnData, level: number, lo: number, hi: number): unknown[] {
  const off = col.offsets![level]!;
  const out: unknown[] = [];
  for (let k = lo; k < hi; k++) {
    if (level === col.offsets!.length - 1) out.push(leaf(col, off[k]!, off[k + 1]!));
    else out.push(nestRagged(col, level + 1, off[k]!, off[k + 1]!));
  }
  return out;
}

function leaf(col: ColumnData, a: number, b: number): unknown {
  return makeLeaf(col.container, col.type, col.values, col.elemValid, a, b);
}

/**
 * The innermost array of a value: a typed array of the original class, or a plain array with
 * nulls where elements are null.
 */
export function makeLeaf(container: Container, type: ElemType, values: Values, elemValid: Uint8Array | null, a: number, b: number): unknown {
  const Ctor = TYPED_ARRAY_CTORS[container];
  if (Ctor !== undefined) return new Ctor((values as Float64Array).subarray(a, b) as never);
  const out: Scalar[] = new Array<Scalar>(b - a);
  for (let i = a; i < b; i++) out[i - a] = elemValid !== null && elemValid[i] === 0 ? null : scalarAt(values, type, i);
  return out;
}

/**
 * Builds a scalar column from values of one storage type (nulls allowed).
 *
 * @param type - the storage type
 * @param values - the values, one per row
 */
export function columnFromScalars(type: ElemType, values: readonly Scalar[]): ColumnData {
  const n = values.length;
  const out = allocValues(type, n);
  let valid: Uint8Array | null = null;
  for (let i = 0; i < n; i++) {
    const v = values[i] as Scalar;
    if (v === null) {
      valid ??= new Uint8Array(n).fill(1);
      valid[i] = 0;
    } else if (type === 'date') (out as Float64Array)[i] = (v as Date).getTime();
    else if (type === 'bool') (out as Uint8Array)[i] = v === true ? 1 : 0;
    else (out as unknown as Scalar[])[i] = v;
  }
  return { type, container: 'scalar', length: n, valid, values: out, elemValid: null, size: null, offsets: null, depth: 0 };
}

/**
 * Builds a scalar column by picking, for each row, one of a dim's coordinate values.
 *
 * @param type - the storage type of the coords
 * @param coords - the coordinate values
 * @param indices - for each row, the index of its value in `coords`
 */
export function columnFromCoords(type: ElemType, coords: readonly Scalar[], indices: Int32Array): ColumnData {
  const lookup = columnFromScalars(type, coords);
  const n = indices.length;
  const values = allocValues(type, n);
  const src = lookup.values as unknown as ArrayLike<unknown>;
  const dst = values as unknown as Record<number, unknown>;
  for (let r = 0; r < n; r++) dst[r] = src[indices[r]!];
  let valid: Uint8Array | null = null;
  if (lookup.valid !== null) {
    valid = new Uint8Array(n);
    for (let r = 0; r < n; r++) valid[r] = lookup.valid[indices[r]!]!;
  }
  return { type, container: 'scalar', length: n, valid, values, elemValid: null, size: null, offsets: null, depth: 0 };
}
