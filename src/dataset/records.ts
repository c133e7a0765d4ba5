/**
 * Rows as plain objects (`toRecords`) and the long form (`toLong`), where internal dims become
 * dims and every element gets its own row.
 */
import { HarvestryError } from '../errors.js';
import { allocLike, takeRows, type ColumnData } from '../execute/columns.js';
import type { Scalar } from '../space/values.js';
import { showNames } from '../space/values.js';
import { cellValue, columnFromScalars } from './cell.js';
import { columnNames, Dataset, type DatasetRecord } from './dataset.js';
import type { DatasetMeta, DimMeta, VarMeta } from './meta.js';

/** Every row of a dataset as a plain object (`_fingerprint` only when asked for). */
export function rowsToRecords(ds: Dataset, withFingerprint = false): DatasetRecord[] {
  const meta = ds.meta;
  const names = columnNames(meta).filter((name) => withFingerprint || name !== meta.fingerprintColumn);
  const cols = names.map((name) => {
    const v = meta.vars.find((x) => x.name === name);
    const sizes = v === undefined ? [] : v.dims.map((d) => meta.varCoords[d]?.coords.length ?? 0);
    return { name, col: ds.column(name), sizes };
  });
  const out: DatasetRecord[] = new Array<DatasetRecord>(ds.numRows);
  for (let r = 0; r < ds.numRows; r++) {
    const rec: DatasetRecord = {};
    for (const { name, col, sizes } of cols) rec[name] = cellValue(col, r, sizes);
    out[r] = rec;
  }
  return out;
}

/** The long form of a dataset (see {@link Dataset.toLong}); `_fingerprint` only when asked for. */
export function toLongDataset(ds: Dataset, vars?: readonly string[], withFingerprint = false): Dataset {
  const meta = withFingerprint || ds.meta.fingerprintColumn == null ? ds.meta : { ...ds.meta, fingerprintColumn: null };
  const chosen = (vars ?? ds.varNames).map((name) => {
    const v = meta.vars.find((x) => x.name === name);
    if (v === undefined) throw new HarvestryError('E_UNKNOWN_VAR', `\`toLong()\` got \`${name}\`, which is not a variable; the variables are ${showNames(ds.varNames)}.`);
    return v;
  });
  const lists = chosen.filter((v) => v.dims.length > 0);
  const extra = [meta.errorColumn, meta.durationColumn, meta.fingerprintColumn ?? null].filter((c): c is string => c !== null);
  if (lists.length === 0) return rebuild(ds, { ...meta, vars: chosen }, null, chosen, extra);
  const innerDims = lists[0]!.dims;
  const other = lists.find((v) => v.dims.join('\u0000') !== innerDims.join('\u0000'));
  if (other !== undefined) {
    throw new HarvestryError(
      'E_BAD_OPTION',
      `\`toLong()\` explodes variables along their internal dims, so they must share them: \`${lists[0]!.name}\` has ${showNames(innerDims)} but \`${other.name}\` has ${showNames(other.dims)}. Pass the variables to keep, for example ds.toLong(['${lists[0]!.name}']).`,
    );
  }
  const plan = explodePlan(ds, lists, innerDims);
  const dims: DimMeta[] = [...meta.dims, ...plan.innerDims];
  const varCoords = { ...meta.varCoords };
  for (const d of innerDims) delete varCoords[d];
  const longVars: VarMeta[] = chosen.map((v) => ({ ...v, dims: [], container: 'scalar' }));
  return rebuild(ds, { ...meta, dims, vars: longVars, varCoords }, plan, chosen, extra);
}

interface ExplodePlan {
  readonly rowOf: Int32Array;
  readonly leafOf: Int32Array;
  readonly innerDims: DimMeta[];
  readonly innerColumns: ColumnData[];
}

function explodePlan(ds: Dataset, lists: readonly VarMeta[], innerDims: readonly string[]): ExplodePlan {
  const meta = ds.meta;
  const first = ds.column(lists[0]!.name);
  for (const v of lists.slice(1)) {
    const c = ds.column(v.name);
    if (c.size !== first.size || (c.offsets !== null && !sameOffsets(c.offsets, first.offsets!))) {
      throw new HarvestryError(
        'E_RESULT_SHAPE',
        `\`toLong()\` needs \`${lists[0]!.name}\` and \`${v.name}\` to have the same shape in every row; they differ. Explode them one at a time.`,
      );
    }
  }
  const n = first.length;
  const rowOf: number[] = [];
  const leafOf: number[] = [];
  const idx: number[][] = innerDims.map(() => []);
  if (first.size !== null) {
    const sizes = innerDims.map((d) => meta.varCoords[d]!.coords.length);
    for (let r = 0; r < n; r++) {
      for (let j = 0; j < first.size; j++) {
        rowOf.push(r);
        leafOf.push(r * first.size + j);
        let rem = j;
        for (let k = sizes.length - 1; k >= 0; k--) {
          idx[k]!.push(rem % sizes[k]!);
          rem = Math.floor(rem / sizes[k]!);
        }
      }
    }
  } else {
    for (let r = 0; r < n; r++) walkRagged(first.offsets!, 0, r, [], r, rowOf, leafOf, idx);
  }
  const dimsMeta = innerDims.map((d, k): DimMeta => {
    const known = meta.varCoords[d];
    if (known !== undefined) return { name: d, type: known.type, coords: known.coords };
    const max = idx[k]!.reduce((m, x) => Math.max(m, x + 1), 0);
    return { name: d, type: 'float64', coords: Array.from({ length: max }, (_, i) => i) };
  });
  const innerColumns = dimsMeta.map((d, k) => columnFromScalars(d.type, idx[k]!.map((i) => d.coords[i]!)));
  return { rowOf: Int32Array.from(rowOf), leafOf: Int32Array.from(leafOf), innerDims: dimsMeta, innerColumns };
}

function walkRagged(levels: readonly Int32Array[], level: number, k: number, prefix: number[], row: number, rowOf: number[], leafOf: number[], idx: number[][]): void {
  const off = levels[level]!;
  for (let j = off[k]!; j < off[k + 1]!; j++) {
    const at = [...prefix, j - off[k]!];
    if (level === levels.length - 1) {
      rowOf.push(row);
      leafOf.push(j);
      at.forEach((x, d) => idx[d]!.push(x));
    } else walkRagged(levels, level + 1, j, at, row, rowOf, leafOf, idx);
  }
}

function sameOffsets(a: readonly Int32Array[], b: readonly Int32Array[]): boolean {
  return a.length === b.length && a.every((x, d) => x.length === b[d]!.length && x.every((v, i) => v === b[d]![i]));
}

function rebuild(ds: Dataset, meta: DatasetMeta, plan: ExplodePlan | null, chosen: readonly VarMeta[], extra: readonly string[]): Dataset {
  const columns: Record<string, ColumnData> = {};
  const repeat = (c: ColumnData): ColumnData => (plan === null ? c : takeRows(c, plan.rowOf));
  for (const d of ds.meta.dims) columns[d.name] = repeat(ds.column(d.name));
  plan?.innerDims.forEach((d, k) => (columns[d.name] = plan.innerColumns[k]!));
  for (const v of chosen) {
    const col = ds.column(v.name);
    columns[v.name] = v.dims.length === 0 || plan === null ? repeat(col) : flattenList(col, plan);
  }
  for (const e of extra) columns[e] = repeat(ds.column(e));
  return Dataset.fromColumns(meta, columns);
}

function flattenList(col: ColumnData, plan: ExplodePlan): ColumnData {
  const n = plan.leafOf.length;
  const values = allocLike(col.values, n);
  const src = col.values as unknown as Record<number, Scalar>;
  const dst = values as unknown as Record<number, Scalar>;
  let valid: Uint8Array | null = null;
  for (let i = 0; i < n; i++) {
    const leaf = plan.leafOf[i]!;
    dst[i] = src[leaf]!;
    const ok = (col.valid === null || col.valid[plan.rowOf[i]!] === 1) && (col.elemValid === null || col.elemValid[leaf] === 1);
    if (!ok) {
      valid ??= new Uint8Array(n).fill(1);
      valid[i] = 0;
    }
  }
  return { type: col.type, container: 'scalar', length: n, valid, values, elemValid: null, size: null, offsets: null, depth: 0 };
}
