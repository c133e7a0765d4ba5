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
import { isValid, scalarAt } from '../dataset/cell.js';
import { columnInfo, columnNames, Dataset } from '../dataset/dataset.js';
import type { DatasetMeta, DimMeta } from '../dataset/meta.js';
import { pickCoords, type SelOptions, type Selection } from '../dataset/select.js';
import { concatColumns, nullColumn, takeRows, type ColumnData } from '../execute/columns.js';
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
    return { ds: whole, report: { rowGroups: 1, rowGroupsRead: 1 } };
  }
  await loadArrow();
  await loadParquetWasm();
  const meta = projectMeta(labels.meta, options.vars);
  const wanted = wantedValues(meta, options.sel ?? {}, options.selOptions ?? {});
  const names = columns(meta);
  const groups = labels.footer.rowGroups.map((g, i) => ({ g, i })).filter(({ g }) => [...wanted].every(([dim, values]) => mayHold(g.columns.get(dim), meta.dims.find((d) => d.name === dim)!, values)));
  const parts = new Map<string, ColumnData[]>(names.map((n) => [n, []]));
  const reader = await openChunkReader(path, labels.footer);
  try {
    for (const { i } of groups) {
      const table = await reader.read(i, names);
      const cols = new Map(names.map((n) => {
        const info = columnInfo(meta, n)!;
        return [n, fromArrowData(table.getChild(n)!.data as Arrow.Data[], info.type, info.container, info.depth)] as const;
      }));
      const rows = keepRows(cols, wanted, table.numRows);
      for (const n of names) parts.get(n)!.push(rows === null ? cols.get(n)! : takeRows(cols.get(n)!, rows));
    }
  } finally {
    await reader.close();
  }
  const out: Record<string, ColumnData> = {};
  for (const n of columnNames(meta)) {
    const list = parts.get(n)!;
    out[n] = list.length === 1 ? list[0]! : list.length > 0 ? concatColumns(n, list) : emptyColumn(meta, n);
  }
  return { ds: Dataset.fromColumns(meta, out), report: { rowGroups: labels.footer.rowGroups.length, rowGroupsRead: groups.length } };
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

/** The rows holding the wanted values, or null to keep all. */
function keepRows(cols: ReadonlyMap<string, ColumnData>, wanted: ReadonlyMap<string, Scalar[]>, n: number): number[] | null {
  if (wanted.size === 0) return null;
  const tests = [...wanted].map(([dim, values]) => ({ col: cols.get(dim)!, keys: new Set(values.map(keyOf)) }));
  const rows: number[] = [];
  for (let r = 0; r < n; r++) {
    if (tests.every(({ col, keys }) => keys.has(isValid(col, r) ? keyOf(scalarAt(col.values, col.type, r)) : null))) rows.push(r);
  }
  return rows;
}

function emptyColumn(meta: DatasetMeta, name: string): ColumnData {
  const info = columnInfo(meta, name);
  if (info === undefined) throw new HarvestryError('E_CORRUPT_FILE', `internal: no column ${name}`);
  return nullColumn(info, 0);
}
