/**
 * Merging new rows into a dataset by key (the tuple of dim values), under an overwrite policy:
 * `null` merges and refuses a key whose results differ, `true` takes the new row, `false` keeps
 * the old one. A recorded failure is not a result: any new row replaces it, and a new failure
 * never replaces a result.
 */
import { HarvestryError } from '../errors.js';
import { concatColumns, takeRows, type ColumnData } from '../execute/columns.js';
import { keyOf, showCase, type Scalar } from '../space/values.js';
import { cellValue, isValid, scalarAt } from './cell.js';
import { conformDataset } from './conform.js';
import { columnNames, Dataset } from './dataset.js';
import { CoordIndex, combineKeys } from './keys.js';
import type { DatasetMeta } from './meta.js';
import { reconcileMeta } from './reconcile.js';

/** What to do with a key present on both sides (see the module comment). */
export type Overwrite = boolean | null;

/** How to merge. */
export interface MergePolicy {
  readonly overwrite: Overwrite;
  /** Where the old rows come from, for messages (the file). */
  readonly where: string;
  /**
   * Old rows any new result replaces besides failures (stale results when rerunning them), by
   * old row position.
   */
  readonly replaceable?: (oldRow: number) => boolean;
  /** Old rows made by another version of the function, to say so in a conflict's message. */
  readonly stale?: (oldRow: number) => boolean;
}

/** The outcome of a merge. */
export interface MergeResult {
  readonly ds: Dataset;
  /** New keys added. */
  readonly added: number;
  /** The positions in `add` of the rows added as new keys. */
  readonly addedRows: readonly number[];
  /** Old rows replaced by new ones. */
  readonly replaced: number;
  /** New rows dropped (an equal or kept old row, or a failure where there is a result). */
  readonly dropped: number;
}

/**
 * Merges `add` into `old`. Under `overwrite: null` a key whose results differ throws
 * E_MERGE_CONFLICT naming the keys, and nothing is merged.
 *
 * @param old - the dataset on disk
 * @param add - the new rows
 * @param policy - overwrite policy, messages, replaceable rows
 * @returns the merged dataset and counts
 */
export function mergeDatasets(old: Dataset, add: Dataset, policy: MergePolicy): MergeResult {
  const meta = reconcileMeta(old.meta, add.meta, { where: policy.where, newAttrsWin: policy.overwrite === true });
  const a = conformDataset(old, meta, { fingerprint: old.meta.fingerprint });
  const b = conformDataset(add, meta, { fingerprint: add.meta.fingerprint });
  const [keysA, keysB] = rowKeys(meta, a, b) as [Float64Array | string[], Float64Array | string[]];
  const newRowOf = new Map<number | string, number>();
  for (let j = 0; j < b.numRows; j++) newRowOf.set(keysB[j]!, j);
  const failedA = failures(a);
  const failedB = failures(b);
  const take: number[] = [];
  const usedNew = new Uint8Array(b.numRows);
  const conflicts: { row: number; old: number; name: string }[] = [];
  let replaced = 0;
  let dropped = 0;
  for (let i = 0; i < a.numRows; i++) {
    const j = newRowOf.get(keysA[i]!);
    if (j === undefined) {
      take.push(i);
      continue;
    }
    usedNew[j] = 1;
    const choice = choose(i, j, failedA, failedB, policy, a, b, meta);
    if (typeof choice === 'object') {
      conflicts.push({ row: j, old: i, name: choice.conflict });
      take.push(i);
    } else if (choice === 'new') {
      take.push(a.numRows + j);
      replaced++;
    } else {
      take.push(i);
      dropped++;
    }
  }
  if (conflicts.length > 0) throw conflictError(conflicts, b, meta, policy);
  const addedRows: number[] = [];
  for (let j = 0; j < b.numRows; j++) {
    if (usedNew[j] === 0) {
      take.push(a.numRows + j);
      addedRows.push(j);
    }
  }
  const added = addedRows.length;
  const columns: Record<string, ColumnData> = {};
  for (const name of columnNames(meta)) columns[name] = takeRows(concatColumns(name, [a.column(name), b.column(name)]), take);
  return { ds: Dataset.fromColumns(meta, columns), added, addedRows, replaced, dropped };
}

/**
 * The key of every row of each dataset, all in one key space (both conformed to `meta`).
 *
 * @param meta - the labels both share (coords: the union)
 * @param sets - the datasets
 */
export function rowKeys(meta: DatasetMeta, ...sets: Dataset[]): (Float64Array | string[])[] {
  const indexes = meta.dims.map((d) => new CoordIndex(d.type, d.coords));
  const sizes = indexes.map((x) => x.size);
  return sets.map((ds) =>
    combineKeys(
      meta.dims.map((d, k) => indexes[k]!.mapColumn(ds.column(d.name))),
      sizes,
      ds.numRows,
    ),
  );
}

/** Per row, 1 where the row is a recorded failure. */
export function failures(ds: Dataset): Uint8Array {
  const out = new Uint8Array(ds.numRows);
  const name = ds.meta.errorColumn;
  if (name === null) return out;
  const col = ds.column(name);
  if (col.valid === null) return out.fill(1);
  out.set(col.valid);
  return out;
}

/** 'old', 'new', or the variable that conflicts. */
function choose(i: number, j: number, failedA: Uint8Array, failedB: Uint8Array, policy: MergePolicy, a: Dataset, b: Dataset, meta: DatasetMeta): 'old' | 'new' | { conflict: string } {
  if (failedA[i] === 1) return 'new';
  if (failedB[j] === 1) return 'old';
  if (policy.replaceable?.(i) === true) return 'new';
  if (policy.overwrite === true) return 'new';
  if (policy.overwrite === false) return 'old';
  for (const v of meta.vars) {
    if (!sameCell(a.column(v.name), i, b.column(v.name), j)) return { conflict: v.name };
  }
  return 'old';
}

/**
 * True when row `i` of `x` and row `j` of `y` hold the same value (NaN equals NaN, null
 * equals null, lists element by element).
 */
export function sameCell(x: ColumnData, i: number, y: ColumnData, j: number): boolean {
  const vx = isValid(x, i);
  if (vx !== isValid(y, j)) return false;
  if (!vx) return true;
  if (x.depth === 0) return sameScalarCell(scalarAt(x.values, x.type, i), scalarAt(y.values, y.type, j));
  if (x.size !== null && y.size !== null) {
    const s = x.size;
    if (s !== y.size) return false;
    for (let k = 0; k < s; k++) {
      const ex = x.elemValid === null || x.elemValid[i * s + k] === 1;
      const ey = y.elemValid === null || y.elemValid[j * s + k] === 1;
      if (ex !== ey) return false;
      if (ex && !sameScalarCell(scalarAt(x.values, x.type, i * s + k), scalarAt(y.values, y.type, j * s + k))) return false;
    }
    return true;
  }
  return sameDeep(cellValue(x, i, []), cellValue(y, j, []));
}

function sameScalarCell(a: Scalar, b: Scalar): boolean {
  if (typeof a === 'number' && typeof b === 'number') return a === b || (Number.isNaN(a) && Number.isNaN(b));
  if (a instanceof Date && b instanceof Date) return a.getTime() === b.getTime();
  return a === b;
}

function sameDeep(a: unknown, b: unknown): boolean {
  if (Array.isArray(a) || ArrayBuffer.isView(a)) {
    const xa = a as ArrayLike<unknown>;
    const xb = b as ArrayLike<unknown> | null;
    if (xb === null || typeof xb !== 'object' || xa.length !== xb.length) return false;
    for (let k = 0; k < xa.length; k++) if (!sameDeep(xa[k], xb[k])) return false;
    return true;
  }
  return sameScalarCell(a as Scalar, b as Scalar);
}

function conflictError(found: readonly { row: number; old: number; name: string }[], b: Dataset, meta: DatasetMeta, policy: MergePolicy): HarvestryError {
  const dims = meta.dims.map((d) => d.name);
  const keyOfRow = (r: number): Scalar[] =>
    dims.map((d) => {
      const col = b.column(d);
      return isValid(col, r) ? scalarAt(col.values, col.type, r) : null;
    });
  // Named in canonical order (each dim's coords), whatever order the rows came in.
  const rank = meta.dims.map((d) => new Map(d.coords.map((c, i) => [keyOf(c), i])));
  const ranked = found.map((c) => {
    const key = keyOfRow(c.row);
    return { c, key, order: key.map((v, i) => rank[i]!.get(keyOf(v)) ?? -1) };
  });
  ranked.sort((x, y) => {
    for (let i = 0; i < x.order.length; i++) if (x.order[i] !== y.order[i]) return x.order[i]! - y.order[i]!;
    return 0;
  });
  const conflicts = ranked.map((r) => r.c);
  const keys = ranked.map((r) => r.key);
  const first = conflicts[0]!;
  const shown = keys.slice(0, 5).map((k) => showCase(dims, k));
  const more = conflicts.length > 5 ? ` … and ${conflicts.length - 5} more` : '';
  const n = conflicts.length;
  const stale = policy.stale === undefined ? 0 : conflicts.filter((c) => policy.stale!(c.old)).length;
  const why = stale === 0 ? '' : ` ${stale === n ? 'All' : `${stale} of them`} were made by another version of the function (their \`_fingerprint\` differs): pass rerun: 'stale' to replace results of older versions.`;
  return new HarvestryError(
    'E_MERGE_CONFLICT',
    `${n} case${n === 1 ? '' : 's'} already in ${policy.where} got different results in this run: ${shown.join(', ')}${more} (the first differs in \`${first.name}\`). Nothing was written.${why} Pass overwrite: true to replace the old results with the new ones, overwrite: false to keep the old ones, or harvest into a new file.`,
    { details: { path: policy.where, count: n, keys: keys.map((k) => Object.fromEntries(dims.map((d, i) => [d, k[i]]))), variable: first.name, stale } },
  );
}
