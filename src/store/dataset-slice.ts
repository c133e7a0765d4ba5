/**
 * `readDatasetSlice`: part of a Parquet dataset file, read without reading the rest: only the
 * columns asked for (projection), only the row groups whose min/max statistics can hold the
 * selected dim values (pushdown), and only the rows with those values. Memory and time grow
 * with the row groups read, not with the file. Files it cannot read this way (Arrow IPC, list
 * columns) are read whole, projected.
 */
import type * as Arrow from 'apache-arrow';
import { HarvestryError } from '../errors.js';
import { fromArrowData } from '../dataset/arrow.js';
import { isValid } from '../dataset/cell.js';
import { columnInfo, columnNames, Dataset } from '../dataset/dataset.js';
import type { DatasetMeta, DimMeta } from '../dataset/meta.js';
import { pickCoords, type SelOptions, type Selection } from '../dataset/select.js';
import { allocValues, concatColumns, nullColumn, takeRows, type ColumnData } from '../execute/columns.js';
import { keyOf, type Scalar } from '../space/values.js';
import { openChunkReader } from './column-chunks.js';
import { projectMeta, readDataset } from './dataset-file.js';
import { readDatasetLabels } from './dataset-labels.js';
import { loadArrow } from '../dataset/_arrow-lib.js';
import { loadParquetWasm } from './parquet.js';
import type { ChunkInfo } from './parquet-footer.js';

/** What {@link readDatasetSlice} reads. */
export interface SliceOptions {
  /** The variables to read (dims are always read). */
  readonly vars: readonly string[];
  /** Dim values to keep (one value or several per dim); other dims and internal dims are ignored here. */
  readonly sel?: Selection;
  /** How `sel` matches (nearest coords are found from the labels first). */
  readonly selOptions?: SelOptions;
}

/** How much of the file a slice read. */
export interface SliceReport {
  readonly rowGroups: number;
  readonly rowGroupsRead: number;
  /**
   * Rows decoded of the columns other than the selected dims: with a selection, only the rows
   * from the first match to the last of each row group read.
   */
  readonly rowsDecoded: number;
}

/**
 * Reads the rows of a dataset file that hold some dim values, and some of its variables.
 *
 * @param path - the dataset file
 * @param options - the variables and the dim values
 * @returns the dataset (labels whole, rows selected) and how many row groups were read
 */
export async function readDatasetSlice(path: string, options: SliceOptions): Promise<{ ds: Dataset; report: SliceReport }> {
  const labels = path.toLowerCase().endsWith('.parquet') ? await readDatasetLabels(path) : null;
  const columns = (meta: DatasetMeta): string[] => [...meta.dims.map((d) => d.name), ...options.vars.filter((v) => meta.vars.some((x) => x.name === v))];
  if (labels === null || labels.meta.vars.some((v) => options.vars.includes(v.name) && v.container !== 'scalar')) {
    const whole = await readDatasetWhole(path, options.vars, labels?.meta);
    return { ds: whole, report: { rowGroups: 1, rowGroupsRead: 1, rowsDecoded: whole.numRows } };
  }
  await loadArrow();
  await loadParquetWasm();
  const meta = projectMeta(labels.meta, options.vars);
  const wanted = wantedValues(meta, options.sel ?? {}, options.selOptions ?? {});
  const names = columns(meta);
  const groups = labels.footer.rowGroups.map((g, i) => ({ g, i })).filter(({ g }) => [...wanted].every(([dim, values]) => mayHold(g.columns.get(dim), meta.dims.find((d) => d.name === dim)!, values)));
  const parts = new Map<string, ColumnData[]>(names.map((n) => [n, []]));
  const column = (table: Arrow.Table, n: string): ColumnData => {
    const info = columnInfo(meta, n)!;
    return fromArrowData(table.getChild(n)!.data as Arrow.Data[], info.type, info.container, info.depth);
  };
  // a selected dim's column as a view of the decoded data (not copied: only its matching rows
  // are, by takeRows), when it is plain numbers with no nulls
  const keyColumn = (table: Arrow.Table, n: string): ColumnData => {
    const info = columnInfo(meta, n)!;
    const chunks = table.getChild(n)!.data as Arrow.Data[];
    const d = chunks[0];
    const plain = chunks.length === 1 && d?.nullCount === 0 && info.depth === 0 && !['date', 'bool', 'utf8', 'null'].includes(info.type);
    if (!plain || !(d.values instanceof (allocValues(info.type, 0).constructor as new () => unknown))) return column(table, n);
    const values = (d.values as Float64Array).subarray(d.offset, d.offset + d.length);
    return { type: info.type, container: info.container, length: d.length, valid: null, values, elemValid: null, size: null, offsets: null, depth: 0 };
  };
  // the selected dims are decoded first, alone; the other columns only over the rows from the
  // first match to the last (rows before are skipped while decoding, rows after never decoded)
  const selDims = names.filter((n) => wanted.has(n));
  const others = names.filter((n) => !wanted.has(n));
  let rowsDecoded = 0;
  const reader = await openChunkReader(path, labels.footer);
  try {
    for (const { i } of groups) {
      if (selDims.length === 0) {
        const table = await reader.read(i, names);
        for (const n of names) parts.get(n)!.push(column(table, n));
        rowsDecoded += table.numRows;
        continue;
      }
      const keyTable = await reader.read(i, selDims);
      const keys = new Map(selDims.map((n) => [n, keyColumn(keyTable, n)] as const));
      const rows = keepRows(keys, wanted, keyTable.numRows);
      if (rows.length === 0) continue;
      for (const n of selDims) parts.get(n)!.push(rows.length === keyTable.numRows ? keys.get(n)! : takeRows(keys.get(n)!, rows));
      if (others.length === 0) continue;
      const start = rows[0]!;
      const count = rows[rows.length - 1]! - start + 1;
      const rest = await reader.read(i, others, { start, count });
      rowsDecoded += rest.numRows;
      const shifted = count === rows.length ? null : rows.map((r) => r - start);
      for (const n of others) parts.get(n)!.push(shifted === null ? column(rest, n) : takeRows(column(rest, n), shifted));
    }
  } finally {
    await reader.close();
  }
  const out: Record<string, ColumnData> = {};
  for (const n of columnNames(meta)) {
    const list = parts.get(n)!;
    out[n] = list.length === 1 ? list[0]! : list.length > 0 ? concatColumns(n, list) : emptyColumn(meta, n);
  }
  return { ds: Dataset.fromColumns(meta, out), report: { rowGroups: labels.footer.rowGroups.length, rowGroupsRead: groups.length, rowsDecoded } };
}

async function readDatasetWhole(path: string, vars: readonly string[], meta: DatasetMeta | undefined): Promise<Dataset> {
  if (meta === undefined) return readDataset(path);
  return readDataset(path, { columns: [...meta.dims.map((d) => d.name), ...vars] });
}

/** The exact coord values wanted per dim (nearest ones resolved from the labels). */
function wantedValues(meta: DatasetMeta, sel: Selection, options: SelOptions): Map<string, Scalar[]> {
  const out = new Map<string, Scalar[]>();
  const match = { nearest: options.method === 'nearest', tolerance: options.tolerance ?? Infinity };
  for (const [name, want] of Object.entries(sel)) {
    const dim = meta.dims.find((d) => d.name === name);
    if (dim === undefined) continue;
    out.set(name, pickCoords(name, dim.coords, want, match).values);
  }
  return out;
}

/** False when a row group's statistics show it holds none of the values. */
function mayHold(chunk: ChunkInfo | undefined, dim: DimMeta, values: readonly Scalar[]): boolean {
  const min = decodeStat(chunk?.min ?? null, dim.type);
  const max = decodeStat(chunk?.max ?? null, dim.type);
  if (min === null || max === null) return true;
  return values.some((v) => {
    const x = typeof v === 'bigint' ? v : typeof v === 'number' ? v : typeof v === 'string' ? v : null;
    if (x === null) return true;
    return typeof x === typeof min ? x >= min && x <= max : Number(x) >= Number(min) && Number(x) <= Number(max);
  });
}

/** A plain-encoded statistic as a value to compare, or null when its type is not handled. */
function decodeStat(bytes: Uint8Array | null, type: DimMeta['type']): number | bigint | string | null {
  if (bytes === null) return null;
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  switch (type) {
    case 'float64':
      return bytes.length === 8 ? view.getFloat64(0, true) : null;
    case 'float32':
      return bytes.length === 4 ? view.getFloat32(0, true) : null;
    case 'int8':
    case 'int16':
    case 'int32':
      return bytes.length === 4 ? view.getInt32(0, true) : null;
    case 'uint8':
    case 'uint16':
    case 'uint32':
      return bytes.length === 4 ? view.getUint32(0, true) : null;
    case 'int64':
      return bytes.length === 8 ? view.getBigInt64(0, true) : null;
    case 'utf8':
      return new TextDecoder().decode(bytes);
    default:
      return null;
  }
}

/** The rows holding the wanted values (every selected dim matching). */
function keepRows(cols: ReadonlyMap<string, ColumnData>, wanted: ReadonlyMap<string, Scalar[]>, n: number): number[] {
  let rows: number[] | null = null;
  for (const [dim, values] of wanted) {
    const col = cols.get(dim)!;
    const keys = new Set(values.map(keyOf));
    const kept: number[] = [];
    // a row's key as keyOf(scalarAt(...)) gives it, read straight from the column
    const key = col.type === 'bool' ? (r: number): unknown => (col.values as Uint8Array)[r] === 1 : col.type === 'null' ? (): unknown => null : (r: number): unknown => (col.values as ArrayLike<unknown>)[r] ?? null;
    const test = (r: number): boolean => keys.has((isValid(col, r) ? key(r) : null) as ReturnType<typeof keyOf>);
    if (rows === null) {
      for (let r = 0; r < n; r++) if (test(r)) kept.push(r);
    } else {
      for (const r of rows) if (test(r)) kept.push(r);
    }
    rows = kept;
  }
  return rows ?? Array.from({ length: n }, (_, r) => r);
}

function emptyColumn(meta: DatasetMeta, name: string): ColumnData {
  const info = columnInfo(meta, name);
  if (info === undefined) throw new HarvestryError('E_CORRUPT_FILE', `internal: no column ${name}`);
  return nullColumn(info, 0);
}
