/**
 * `Dataset`: the results of a run (or a file), one row per case, as an Arrow table plus labels.
 */
import type * as Arrow from 'apache-arrow';
import { arrow } from './_arrow-lib.js';
import { HarvestryError } from '../errors.js';
import type { ColumnData } from '../execute/columns.js';
import type { Scalar } from '../space/values.js';
import { showNames } from '../space/values.js';
import { arrowColumnType, fromArrowData, toArrowData } from './arrow.js';
import { toDenseArray, type LabelledArray } from './dense.js';
import { encodeMeta, type DatasetMeta, type Provenance } from './meta.js';
import { rowsToRecords, toLongDataset } from './records.js';
import { selectDataset, type SelOptions, type Selection } from './select.js';
import { loadDataFrame, type DataFrameLike } from './dataframe.js';
import { renderSummary } from './summary.js';
import { renderDatasetHead } from './head.js';

/** One row of a dataset as a plain object: dim values, then variable values. */
export type DatasetRecord = Record<string, unknown>;

/** Options of {@link Dataset.toRecords}, {@link Dataset.toLong} and {@link Dataset.toDataFrame}. */
export interface RecordOptions {
  /**
   * Keep the `_fingerprint` column a Harvester adds (which version of the function made each
   * row). The file always keeps it; records and frames leave it out unless asked.
   * @default false
   */
  readonly fingerprint?: boolean;
}

/**
 * The results of a run, or of a file: one row per case. The key columns are the dims (in the
 * order given), then one column per variable; variables with internal dims are list columns.
 *
 * @example
 * ```ts
 * const ds = await runner.runCombos({ a: [1, 2], b: [10, 20, 30] });
 * ds.dims;                 // ['a', 'b']
 * ds.numRows;              // 6
 * ds.sel({ a: 1 }).get('p').data; // Float64Array [10, 20, 30]
 * ```
 */
export class Dataset {
  /** The rows as an Arrow table; its schema metadata holds the labels under `harvestry`. */
  readonly table: Arrow.Table;
  /** The labels: dims and coords, variables, internal dims, attrs, fingerprint, provenance. */
  readonly meta: DatasetMeta;
  private readonly cache = new Map<string, ColumnData>();

  /**
   * Wraps an Arrow table and its labels. Most code gets datasets from a run or
   * {@link readDataset} instead.
   *
   * @param table - one row per case: dim columns, then variable columns
   * @param meta - the labels
   */
  constructor(table: Arrow.Table, meta: DatasetMeta) {
    this.table = table;
    this.meta = meta;
  }

  /**
   * Builds a dataset from columns in plain data.
   *
   * @param meta - the labels
   * @param columns - every column named in `meta` (dims, vars, and the error / duration columns if any)
   */
  static fromColumns(meta: DatasetMeta, columns: Readonly<Record<string, ColumnData>>): Dataset {
    const names = columnNames(meta);
    const fields: Arrow.Field[] = [];
    const children: Arrow.Data[] = [];
    let length = 0;
    for (const name of names) {
      const col = columns[name];
      if (col === undefined) throw new Error(`internal: column ${name} missing`);
      length = col.length;
      const data = toArrowData(col);
      fields.push(new arrow.Field(name, data.type, true));
      children.push(data);
    }
    const schema = new arrow.Schema(fields, new Map([['harvestry', encodeMeta(meta)]]));
    const struct = arrow.makeData({ type: new arrow.Struct(fields), length, nullCount: 0, children });
    const table = new arrow.Table(schema, [new arrow.RecordBatch(schema, struct)]);
    const ds = new Dataset(table, meta);
    for (const name of names) ds.cache.set(name, columns[name]!);
    return ds;
  }

  /** The dims (key columns), in order. */
  get dims(): readonly string[] {
    return this.meta.dims.map((d) => d.name);
  }

  /** The coords of every dim and of every internal dim whose coords are known. */
  get coords(): Readonly<Record<string, readonly Scalar[]>> {
    const out: Record<string, readonly Scalar[]> = {};
    for (const d of this.meta.dims) out[d.name] = d.coords;
    for (const [k, c] of Object.entries(this.meta.varCoords)) out[k] = c.coords;
    return out;
  }

  /** The variable names, in order. */
  get varNames(): readonly string[] {
    return this.meta.vars.map((v) => v.name);
  }

  /** The internal dims of each variable (an empty list for scalar variables). */
  get varDims(): Readonly<Record<string, readonly string[]>> {
    return Object.fromEntries(this.meta.vars.map((v) => [v.name, v.dims]));
  }

  /** The attrs: constants that are not internal dims, the runner's attrs, and scalar selections. */
  get attrs(): Readonly<Record<string, unknown>> {
    return this.meta.attrs;
  }

  /** The fingerprint (a hash of the labelled function's source) of the function that made the rows. */
  get fingerprint(): string | null {
    return this.meta.fingerprint;
  }

  /** Where the rows came from: library, Node version, host, time, git commit. */
  get provenance(): Provenance | null {
    return this.meta.provenance;
  }

  /** The number of rows (cases). */
  get numRows(): number {
    return this.table.numRows;
  }

  /**
   * A column in plain data (typed arrays), by name: a dim, a variable, or the error / duration
   * column.
   *
   * @param name - the column
   */
  column(name: string): ColumnData {
    const hit = this.cache.get(name);
    if (hit !== undefined) return hit;
    const info = columnInfo(this.meta, name);
    const vec = this.table.getChild(name);
    if (info === undefined || vec === null) {
      throw new HarvestryError('E_UNKNOWN_VAR', `The dataset has no column \`${name}\`. Its dims are ${showNames(this.dims)} and its variables ${showNames(this.varNames)}.`);
    }
    const col = fromArrowData(vec.data as Arrow.Data[], info.type, info.container, info.depth);
    this.cache.set(name, col);
    return col;
  }

  /**
   * Selects by coordinate values. A single value keeps the rows with that value and drops the
   * dim (its value moves to `attrs`); an array keeps the rows with any of those values, in that
   * order. Internal dims with known coords can be selected too. With `{ method: 'nearest' }`
   * each value picks the closest coord (`0.3` finds `0.30000000000000004`), within `tolerance`.
   *
   * @param selection - dim name to value or array of values
   * @param options - exact (default) or nearest matching
   * @returns a new dataset
   * @example
   * ```ts
   * ds.sel({ a: 1 });          // rows with a = 1, without the `a` dim
   * ds.sel({ b: [10, 30] });   // rows with b = 10 or 30
   * ds.sel({ t: 0 });          // element t = 0 of every variable over `t`
   * ds.sel({ gamma: 0.3 }, { method: 'nearest', tolerance: 1e-9 });
   * ```
   */
  sel(selection: Selection, options: SelOptions = {}): Dataset {
    return selectDataset(this, selection, options);
  }

  /**
   * A variable as a dense labelled n-d array over the dims then its internal dims; holes (cases
   * not run, or null) are NaN for numbers and null otherwise.
   *
   * @param name - the variable
   * @example
   * ```ts
   * const p = ds.get('p'); // { dims: ['a', 'b'], shape: [2, 3], coords, data: Float64Array(6) }
   * p.data[p.shape[1] * i + j]; // row-major: a = coords.a[i], b = coords.b[j]
   * ```
   */
  get(name: string): LabelledArray {
    return toDenseArray(this, name);
  }

  /**
   * The rows as plain objects: dim values then variable values, each as the function returned
   * it (numbers, bigints, Dates, typed arrays, nested arrays). Also `_error` and
   * `_duration_ms` when the dataset has them; `_fingerprint` only when asked for.
   *
   * @param options - `fingerprint: true` to keep the `_fingerprint` column
   * @returns the rows
   * @example
   * ```ts
   * ds.toRecords(); // [{ a: 1, b: 10, p: 10 }, { a: 1, b: 20, p: 20 }, ...]
   * ```
   */
  toRecords(options: RecordOptions = {}): DatasetRecord[] {
    return rowsToRecords(this, options.fingerprint === true);
  }

  /**
   * The long form: one row per element of the variables with internal dims, which become dims
   * themselves. Scalar variables repeat along them. This is the form xarray's `to_xarray()`
   * and plotting tools like.
   *
   * @param vars - the variables to keep (default: all; those with internal dims must share them)
   * @param options - `fingerprint: true` to keep the `_fingerprint` column
   * @returns the long form
   * @example
   * ```ts
   * ds.toLong().toRecords(); // [{ x: 1, t: 0, trace: 1 }, { x: 1, t: 1, trace: 0.5 }, ...]
   * ```
   */
  toLong(vars?: readonly string[], options: RecordOptions = {}): Dataset {
    return toLongDataset(this, vars, options.fingerprint === true);
  }

  /**
   * A danfo DataFrame of the rows (of the long form when there are internal dims). danfo is
   * loaded only now: `danfojs-node` where installed, else `danfojs`.
   *
   * @param options - `fingerprint: true` to keep the `_fingerprint` column
   * @returns the DataFrame
   * @example
   * ```ts
   * const df = await ds.toDataFrame();
   * df.print();
   * ```
   */
  async toDataFrame(options: RecordOptions = {}): Promise<DataFrameLike> {
    return loadDataFrame(this, options.fingerprint === true);
  }

  /**
   * The first rows as an aligned text table, for a terminal: dims, then variables (list
   * cells abbreviated to their first and last elements and their shape).
   *
   * @param n - how many rows
   * @default 10
   * @example
   * ```ts
   * console.log(ds.head(3));
   * // Dataset: first 3 of 6 rows
   * // a   b   p
   * // ─  ──  ──
   * // 1  10  10
   * // ...
   * ```
   */
  head(n = 10): string {
    return renderDatasetHead(this, n);
  }

  /**
   * A short summary: rows, dims and coords, variables, attrs, provenance.
   *
   * @example
   * ```ts
   * console.log(String(ds));
   * ```
   */
  toString(): string {
    return renderSummary(this);
  }
}

/** The column names of a dataset, in table order. */
export function columnNames(meta: DatasetMeta): string[] {
  const names = [...meta.dims.map((d) => d.name), ...meta.vars.map((v) => v.name)];
  if (meta.errorColumn !== null) names.push(meta.errorColumn);
  if (meta.durationColumn !== null) names.push(meta.durationColumn);
  if (meta.fingerprintColumn != null) names.push(meta.fingerprintColumn);
  return names;
}

/** The storage facts of one column of a dataset, or undefined when there is no such column. */
export function columnInfo(meta: DatasetMeta, name: string): Pick<ColumnData, 'type' | 'container' | 'depth' | 'size'> | undefined {
  const dim = meta.dims.find((d) => d.name === name);
  if (dim !== undefined) return { type: dim.type, container: 'scalar', depth: 0, size: null };
  const v = meta.vars.find((x) => x.name === name);
  if (v !== undefined) {
    const sizes = v.dims.map((d) => meta.varCoords[d]?.coords.length ?? null);
    const fixed = v.dims.length > 0 && sizes.every((s) => s !== null);
    return { type: v.type, container: v.container, depth: v.dims.length, size: fixed ? (sizes).reduce((a, b) => a * b, 1) : null };
  }
  if (name === meta.errorColumn) return { type: 'utf8', container: 'scalar', depth: 0, size: null };
  if (name === meta.durationColumn) return { type: 'float64', container: 'scalar', depth: 0, size: null };
  if (name === meta.fingerprintColumn) return { type: 'utf8', container: 'scalar', depth: 0, size: null };
  return undefined;
}

/** The Arrow type a column of the dataset has (used to check files against their labels). */
export function expectedArrowType(meta: DatasetMeta, name: string): Arrow.DataType | undefined {
  const info = columnInfo(meta, name);
  return info === undefined ? undefined : arrowColumnType(info);
}
