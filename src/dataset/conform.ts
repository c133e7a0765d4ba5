/**
 * Conforming a dataset to labels it is about to be merged under: the columns in the labels'
 * order, all-null columns where a variable never had a value, and the extra columns (`_error`,
 * `_duration_ms`, `_fingerprint`) filled in where the dataset lacks them.
 */
import type * as Arrow from 'apache-arrow';
import { arrow } from './_arrow-lib.js';
import { nullColumn, type ColumnData } from '../execute/columns.js';
import { withConstantText } from './constant-column.js';
import { columnInfo, columnNames, Dataset } from './dataset.js';
import { encodeMeta, type DatasetMeta } from './meta.js';

/** Values for columns the dataset does not have. */
export interface ConformFill {
  /** The fingerprint of rows that have none (the function that made them). */
  readonly fingerprint: string | null;
}

/**
 * The dataset with exactly the columns of `meta`, in its order and with its types.
 *
 * @param ds - the dataset (same dims and variables as `meta`)
 * @param meta - the labels to conform to
 * @param fill - values for missing extra columns
 */
export function conformDataset(ds: Dataset, meta: DatasetMeta, fill: ConformFill): Dataset {
  const have = new Set(columnNames(ds.meta));
  const fp = meta.fingerprintColumn;
  if (fp != null && !have.has(fp)) {
    const rest = conformDataset(ds, { ...meta, fingerprintColumn: null }, fill);
    return withConstantText(rest, meta, fp, fill.fingerprint);
  }
  if (sameStorage(ds.meta, meta)) return new Dataset(relabel(ds.table, meta), meta);
  const n = ds.numRows;
  const columns: Record<string, ColumnData> = {};
  for (const name of columnNames(meta)) {
    const info = columnInfo(meta, name)!;
    if (!have.has(name)) {
      columns[name] = nullColumn(info, n);
      continue;
    }
    const col = ds.column(name);
    if (col.type === 'null' && info.type !== 'null') {
      const v = meta.vars.find((x) => x.name === name);
      columns[name] = nullColumn({ type: info.type, container: v?.container ?? 'scalar', size: info.size, depth: info.depth }, n);
    } else columns[name] = col;
  }
  return Dataset.fromColumns(meta, columns);
}

/** True when two labels have the same columns, in the same order, stored the same way. */
export function sameStorage(a: DatasetMeta, b: DatasetMeta): boolean {
  const na = columnNames(a);
  const nb = columnNames(b);
  if (na.length !== nb.length || na.some((x, i) => x !== nb[i])) return false;
  return na.every((name) => {
    const x = columnInfo(a, name)!;
    const y = columnInfo(b, name)!;
    return x.type === y.type && x.size === y.size && x.depth === y.depth;
  });
}

/** The table with its `harvestry` schema metadata set to `meta`. */
function relabel(table: Arrow.Table, meta: DatasetMeta): Arrow.Table {
  const schema = new arrow.Schema(table.schema.fields, new Map([...table.schema.metadata, ['harvestry', encodeMeta(meta)]]));
  return new arrow.Table(schema, table.batches.map((b) => new arrow.RecordBatch(schema, b.data)));
}
