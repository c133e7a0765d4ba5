/**
 * `sel()`: selecting rows by dim values and elements by internal-dim values.
 */
import { HarvestryError } from '../errors.js';
import { allocLike, takeRows, type ColumnData } from '../execute/columns.js';
import { keyOf, showNames, showValue, type Scalar } from '../space/values.js';
import { isValid, scalarAt } from './cell.js';
import { columnNames, Dataset } from './dataset.js';
import type { DatasetMeta, DimMeta, VarMeta } from './meta.js';

/** A selection: for each dim, one value (the dim is dropped) or an array of values (kept). */
export type Selection = Readonly<Record<string, Scalar | readonly Scalar[]>>;

/** How `sel()` matches values to coords. */
export interface SelOptions {
  /**
   * `'exact'`: a value must equal a coord; `'nearest'`: the closest numeric coord (or Date),
   * as xarray's `method='nearest'` (exact for strings, booleans and null).
   * @defaultValue `'exact'`
   */
  readonly method?: 'exact' | 'nearest';
  /**
   * With `method: 'nearest'`: the largest distance accepted between a value and its coord
   * (a value further from every coord is not found).
   * @defaultValue `Infinity`
   */
  readonly tolerance?: number;
}

/** Applies a selection to a dataset. */
export function selectDataset(ds: Dataset, selection: Selection, options: SelOptions = {}): Dataset {
  const match = checkSelOptions(options);
  let meta = ds.meta;
  const columns: Record<string, ColumnData> = {};
  for (const name of columnNames(meta)) columns[name] = ds.column(name);
  let rows: number[] | null = null;
  for (const [name, want] of Object.entries(selection)) {
    const dim = meta.dims.find((d) => d.name === name);
    if (dim !== undefined) {
      const picked = pickCoords(dim.name, dim.coords, want, match);
      rows = filterRows(columns[name]!, picked, rows);
      meta = replaceDim(meta, dim, Array.isArray(want) ? picked.values : null, picked.values[0]!);
      continue;
    }
    const internal = meta.varCoords[name];
    if (internal === undefined) throw unknownDim(meta, name);
    const picked = pickCoords(name, internal.coords, want, match);
    meta = selectInternal(meta, columns, name, picked, Array.isArray(want) ? undefined : { value: picked.values[0]! });
  }
  if (rows !== null) for (const name of Object.keys(columns)) columns[name] = takeRows(columns[name]!, rows);
  for (const name of Object.keys(columns)) if (!columnNames(meta).includes(name)) delete columns[name];
  return Dataset.fromColumns(meta, columns);
}

interface Picked {
  readonly values: Scalar[];
  readonly indices: number[];
}

interface Match {
  readonly nearest: boolean;
  readonly tolerance: number;
}

function checkSelOptions(options: SelOptions): Match {
  const method: string = options.method ?? 'exact';
  if (method !== 'exact' && method !== 'nearest') {
    throw new HarvestryError('E_BAD_OPTION', `Expected \`method\` to be 'exact' or 'nearest', got ${showValue(method)}.`);
  }
  const tolerance: unknown = options.tolerance ?? Infinity;
  if (typeof tolerance !== 'number' || !(tolerance >= 0)) {
    throw new HarvestryError('E_BAD_OPTION', `Expected \`tolerance\` to be a number from 0 up, got ${showValue(tolerance)}.`);
  }
  if (options.tolerance !== undefined && method !== 'nearest') {
    throw new HarvestryError('E_BAD_OPTION', "`tolerance` applies to `method: 'nearest'` only; add `method: 'nearest'`.");
  }
  return { nearest: method === 'nearest', tolerance };
}

/**
 * The positions of wanted values among coords.
 *
 * @param name - the dim, for messages
 * @param coords - its coords
 * @param want - one value or several
 * @param match - exact or nearest
 */
export function pickCoords(name: string, coords: readonly Scalar[], want: Scalar | readonly Scalar[], match: Match = { nearest: false, tolerance: Infinity }): Picked {
  const wanted: readonly Scalar[] = Array.isArray(want) ? want : [want as Scalar];
  const index = new Map<unknown, number>();
  coords.forEach((c, i) => index.set(keyOf(c), i));
  const indices = wanted.map((w) => {
    const i = index.get(keyOf(w)) ?? (match.nearest ? nearestIndex(coords, w, match.tolerance) : undefined);
    if (i === undefined) {
      const how = match.nearest ? ` within ${match.tolerance} (method 'nearest')` : '';
      const hint = match.nearest ? 'Select a value closer to one of those, or widen `tolerance`.' : "Select one of those, or pass `{ method: 'nearest' }` to take the closest.";
      throw new HarvestryError('E_NOT_FOUND', `\`${name}\` has no value ${showValue(w)}${how}; its values are ${showValue(coords)}. ${hint}`, {
        details: { dim: name, value: w },
      });
    }
    return i;
  });
  return { values: indices.map((i) => coords[i]!), indices };
}

function asNumber(v: Scalar): number | null {
  if (typeof v === 'number') return v;
  if (typeof v === 'bigint') return Number(v);
  if (v instanceof Date) return v.getTime();
  return null;
}

function nearestIndex(coords: readonly Scalar[], w: Scalar, tolerance: number): number | undefined {
  const x = asNumber(w);
  if (x === null || Number.isNaN(x)) return undefined;
  let best: number | undefined;
  let bestDist = Infinity;
  coords.forEach((c, i) => {
    const y = asNumber(c);
    if (y === null || (typeof w === 'object') !== (typeof c === 'object')) return;
    const d = Math.abs(y - x);
    if (d < bestDist) {
      best = i;
      bestDist = d;
    }
  });
  return bestDist <= tolerance ? best : undefined;
}

function filterRows(col: ColumnData, picked: Picked, prev: number[] | null): number[] {
  const keys = new Set(picked.values.map(keyOf));
  const candidates = prev ?? Array.from({ length: col.length }, (_, i) => i);
  return candidates.filter((r) => keys.has(isValid(col, r) ? keyOf(scalarAt(col.values, col.type, r)) : null));
}

function replaceDim(meta: DatasetMeta, dim: DimMeta, kept: Scalar[] | null, want: Scalar): DatasetMeta {
  if (kept !== null) return { ...meta, dims: meta.dims.map((d) => (d === dim ? { ...d, coords: kept } : d)) };
  return { ...meta, dims: meta.dims.filter((d) => d !== dim), attrs: { ...meta.attrs, [dim.name]: want } };
}

function selectInternal(
  meta: DatasetMeta,
  columns: Record<string, ColumnData>,
  dim: string,
  picked: Picked,
  scalar: { value: Scalar } | undefined,
): DatasetMeta {
  const drop = scalar !== undefined;
  const vars: VarMeta[] = [];
  for (const v of meta.vars) {
    const p = v.dims.indexOf(dim);
    if (p < 0) {
      vars.push(v);
      continue;
    }
    const sizes = v.dims.map((d) => meta.varCoords[d]!.coords.length);
    columns[v.name] = gatherElements(columns[v.name]!, sizes, p, picked.indices, drop);
    const dims = drop ? v.dims.filter((d) => d !== dim) : v.dims;
    vars.push({ ...v, dims, container: dims.length === 0 ? 'scalar' : v.container });
  }
  const varCoords = { ...meta.varCoords };
  const attrs = { ...meta.attrs };
  if (drop) {
    delete varCoords[dim];
    attrs[dim] = scalar.value;
  } else {
    varCoords[dim] = { type: varCoords[dim]!.type, coords: picked.values };
  }
  return { ...meta, vars, varCoords, attrs };
}

function gatherElements(col: ColumnData, sizes: readonly number[], p: number, indices: readonly number[], drop: boolean): ColumnData {
  const newSizes = sizes.map((s, k) => (k === p ? indices.length : s));
  const newSize = newSizes.reduce((a, b) => a * b, 1);
  const gather = new Int32Array(newSize);
  const strides = sizes.map((_, k) => sizes.slice(k + 1).reduce((a, b) => a * b, 1));
  for (let j = 0; j < newSize; j++) {
    let rem = j;
    let old = 0;
    for (let k = newSizes.length - 1; k >= 0; k--) {
      const idx = rem % newSizes[k]!;
      rem = Math.floor(rem / newSizes[k]!);
      old += (k === p ? indices[idx]! : idx) * strides[k]!;
    }
    gather[j] = old;
  }
  const n = col.length;
  const S = col.size!;
  const values = allocLike(col.values, n * newSize);
  const elemValid = col.elemValid === null ? null : new Uint8Array(n * newSize);
  const src = col.values as unknown as ArrayLike<unknown> & Record<number, unknown>;
  const dst = values as unknown as Record<number, unknown>;
  for (let r = 0; r < n; r++) {
    for (let j = 0; j < newSize; j++) {
      dst[r * newSize + j] = src[r * S + gather[j]!];
      if (elemValid !== null) elemValid[r * newSize + j] = col.elemValid![r * S + gather[j]!]!;
    }
  }
  const depth = drop ? col.depth - 1 : col.depth;
  if (depth === 0) {
    const valid = mergeValidity(col.valid, elemValid, n);
    return { ...col, container: 'scalar', values, valid, elemValid: null, size: null, depth: 0 };
  }
  return { ...col, values, elemValid, size: newSize, depth };
}

function mergeValidity(rows: Uint8Array | null, elems: Uint8Array | null, n: number): Uint8Array | null {
  if (rows === null && elems === null) return null;
  const out = new Uint8Array(n);
  for (let r = 0; r < n; r++) out[r] = (rows === null || rows[r] === 1) && (elems === null || elems[r] === 1) ? 1 : 0;
  return out;
}

function unknownDim(meta: DatasetMeta, name: string): HarvestryError {
  const internal = [...new Set(meta.vars.flatMap((v) => v.dims))];
  const noCoords = internal.includes(name);
  const all = [...meta.dims.map((d) => d.name), ...Object.keys(meta.varCoords)];
  return new HarvestryError(
    'E_UNKNOWN_DIM',
    noCoords
      ? `The internal dim \`${name}\` has no coords, so it cannot be selected by value. Give it coords with \`varCoords\` (or a constant of the same name) when labelling the function.`
      : `The dataset has no dim \`${name}\`; it can select on ${showNames(all)}.`,
  );
}

