/**
 * A sample table as a danfo DataFrame (danfo loaded on demand by `loadDanfo`).
 */
import type { ColumnData } from '../execute/columns.js';
import { cellValue } from '../dataset/cell.js';
import { loadDanfo, type DataFrameLike } from '../dataset/dataframe.js';
import type { SampleBatch } from '../dataset/sample-table.js';

/**
 * Makes a danfo DataFrame of sample rows: one column per table column, in order. bigints become
 * numbers when they fit exactly (else strings), null numbers NaN, list cells plain arrays.
 *
 * @param batch - the rows
 */
export async function sampleDataFrame(batch: SampleBatch): Promise<DataFrameLike> {
  const danfo = await loadDanfo();
  const data: Record<string, unknown[]> = {};
  for (const c of batch.meta.columns) {
    const sizes = c.dims.map((d) => batch.meta.varCoords[d]?.coords.length ?? 0);
    data[c.name] = frameValues(batch.columns[c.name]!, sizes);
  }
  return new danfo.DataFrame(data, { columns: batch.meta.columns.map((c) => c.name) });
}

function frameValues(col: ColumnData, sizes: readonly number[]): unknown[] {
  const numeric = col.type !== 'utf8' && col.type !== 'bool' && col.type !== 'date';
  const out = new Array<unknown>(col.length);
  for (let r = 0; r < col.length; r++) out[r] = frameValue(cellValue(col, r, sizes), numeric);
  return out;
}

function frameValue(v: unknown, numeric: boolean): unknown {
  if (v === null) return numeric ? NaN : null;
  if (typeof v === 'bigint') return Number.isSafeInteger(Number(v)) ? Number(v) : v.toString();
  if (Array.isArray(v)) return v.map((x) => frameValue(x, numeric));
  if (ArrayBuffer.isView(v)) return Array.from(v as unknown as ArrayLike<number | bigint>, (x) => frameValue(x, numeric));
  return v;
}
