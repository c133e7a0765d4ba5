/**
 * `get()`: a variable as a dense labelled n-d array over the dims and its internal dims.
 */
import { HarvestryError } from '../errors.js';
import type { ColumnData, ElemType } from '../execute/columns.js';
import { keyOf, showNames, showValue, type Scalar } from '../space/values.js';
import { isValid, scalarAt } from './cell.js';
import type { Dataset } from './dataset.js';

/** The flat data of a dense array: numbers in a typed array (NaN holes), others in an array (null holes). */
export type DenseData = Float64Array | Float32Array | Scalar[];

/**
 * A dense labelled n-d array: `data` is row-major over `dims`, whose coordinate values are in
 * `coords` and sizes in `shape`.
 */
export class LabelledArray {
  /** The variable's name. */
  readonly name: string;
  /** The dims, outer (the dataset's dims) then internal. */
  readonly dims: readonly string[];
  /** The coordinate values of each dim (0, 1, 2... for internal dims without coords). */
  readonly coords: Readonly<Record<string, readonly Scalar[]>>;
  /** The size of each dim. */
  readonly shape: readonly number[];
  /** The values, row-major; holes are NaN (numbers) or null. */
  readonly data: DenseData;

  /**
   * Wraps dense data with its labels (made by `Dataset.get()`).
   *
   * @param name - the variable
   * @param dims - the dims in order
   * @param coords - the coords of each dim
   * @param data - the values, row-major
   */
  constructor(name: string, dims: readonly string[], coords: Readonly<Record<string, readonly Scalar[]>>, data: DenseData) {
    this.name = name;
    this.dims = dims;
    this.coords = coords;
    this.shape = dims.map((d) => coords[d]!.length);
    this.data = data;
  }

  /**
   * The value at the given coordinate values (one per dim).
   *
   * @param labels - a value for every dim
   * @example
   * ```ts
   * ds.get('p').at({ a: 2, b: 30 }); // 60
   * ```
   */
  at(labels: Readonly<Record<string, Scalar>>): Scalar {
    let flat = 0;
    for (let d = 0; d < this.dims.length; d++) {
      const dim = this.dims[d]!;
      if (!(dim in labels)) {
        throw new HarvestryError('E_UNKNOWN_DIM', `\`at()\` needs a value for every dim of \`${this.name}\` (${showNames(this.dims)}); \`${dim}\` is missing.`);
      }
      const want = keyOf(labels[dim]!);
      const idx = this.coords[dim]!.findIndex((c) => sameKey(keyOf(c), want));
      if (idx < 0) throw new HarvestryError('E_NOT_FOUND', `\`${dim}\` has no coordinate ${showValue(labels[dim])} in \`${this.name}\`.`);
      flat = flat * this.shape[d]! + idx;
    }
    const v = this.data[flat];
    return v === undefined ? null : v;
  }
}

function sameKey(a: unknown, b: unknown): boolean {
  return a === b || (Number.isNaN(a) && Number.isNaN(b));
}

/** Builds the dense array of variable `name` of a dataset. */
export function toDenseArray(ds: Dataset, name: string): LabelledArray {
  const meta = ds.meta;
  const v = meta.vars.find((x) => x.name === name);
  if (v === undefined) {
    throw new HarvestryError('E_UNKNOWN_VAR', `The dataset has no variable \`${name}\`; its variables are ${showNames(ds.varNames)}.`);
  }
  const col = ds.column(name);
  const n = col.length;
  const outerIdx = outerIndices(ds, n);
  const innerCoords = v.dims.map((d, level) => meta.varCoords[d]?.coords ?? range(maxLength(col, level)));
  const coords: Record<string, readonly Scalar[]> = {};
  for (const d of meta.dims) coords[d.name] = d.coords;
  v.dims.forEach((d, k) => (coords[d] = innerCoords[k]!));
  const innerShape = innerCoords.map((c) => c.length);
  const innerSize = innerShape.reduce((a, b) => a * b, 1);
  const outerSize = meta.dims.reduce((s, d) => s * d.coords.length, 1);
  const data = allocDense(col.type, outerSize * innerSize);
  for (let r = 0; r < n; r++) {
    if (!isValid(col, r)) continue;
    const base = outerIdx[r]! * innerSize;
    if (col.depth === 0) setDense(data, base, col, r);
    else if (col.size !== null) for (let k = 0; k < innerSize; k++) setDense(data, base + k, col, r * innerSize + k, true);
    else fillRagged(data, base, col, 0, r, innerShape);
  }
  return new LabelledArray(name, [...meta.dims.map((d) => d.name), ...v.dims], coords, data);
}

/** For each row, its flat index in the grid of the dataset's dims (row-major over coords). */
export function outerIndices(ds: Dataset, n: number): Int32Array {
  const out = new Int32Array(n);
  for (const dim of ds.meta.dims) {
    const size = dim.coords.length;
    const index = new Map<unknown, number>();
    dim.coords.forEach((c, i) => index.set(keyOf(c), i));
    const col = ds.column(dim.name);
    for (let r = 0; r < n; r++) {
      const key = isValid(col, r) ? keyOf(scalarAt(col.values, col.type, r)) : null;
      const i = index.get(key);
      if (i === undefined) {
        throw new HarvestryError('E_CORRUPT_FILE', `Row ${r} has \`${dim.name}\` = ${showValue(key)}, which is not among the dim's coords: the dataset's labels do not match its rows.`);
      }
      out[r] = out[r]! * size + i;
    }
  }
  return out;
}

function allocDense(type: ElemType, n: number): DenseData {
  if (type === 'float32') return new Float32Array(n).fill(NaN);
  if (type === 'int64' || type === 'uint64' || type === 'bool' || type === 'utf8' || type === 'date') return new Array<Scalar>(n).fill(null);
  return new Float64Array(n).fill(NaN);
}

function setDense(data: DenseData, at: number, col: ColumnData, i: number, element = false): void {
  if (element && col.elemValid !== null && col.elemValid[i] === 0) return;
  const v = scalarAt(col.values, col.type, i);
  if (Array.isArray(data)) data[at] = v;
  else data[at] = v as number;
}

function fillRagged(data: DenseData, base: number, col: ColumnData, level: number, k: number, shape: readonly number[]): void {
  const off = col.offsets![level]!;
  const stride = shape.slice(level + 1).reduce((a, b) => a * b, 1);
  for (let j = off[k]!; j < off[k + 1]!; j++) {
    const at = base + (j - off[k]!) * stride;
    if (level === shape.length - 1) setDense(data, at, col, j, true);
    else fillRagged(data, at, col, level + 1, j, shape);
  }
}

function maxLength(col: ColumnData, level: number): number {
  if (col.size !== null) return col.size;
  const off = col.offsets![level]!;
  let m = 0;
  for (let k = 0; k + 1 < off.length; k++) m = Math.max(m, off[k + 1]! - off[k]!);
  return m;
}

function range(n: number): number[] {
  return Array.from({ length: n }, (_, i) => i);
}
