/**
 * `renderHead`: the first rows of a dataset or a sample table as an aligned text table, for a
 * terminal. Numbers are right-aligned, list cells abbreviated to their first and last elements
 * and their shape.
 */
import { HarvestryError } from '../errors.js';
import type { ColumnData } from '../execute/columns.js';
import { showValue } from '../space/values.js';
import { cellValue } from './cell.js';
import type * as Arrow from 'apache-arrow';
import { columnNames, Dataset } from './dataset.js';
import { batchFromTable, type SampleBatch } from './sample-table.js';

/** One column to show: its name, its values and the sizes of its internal dims (fixed-size lists). */
export interface HeadColumn {
  readonly name: string;
  readonly col: ColumnData;
  readonly sizes: readonly number[];
}

/** The widest a cell is drawn (longer text is cut with `…`). */
const MAX_CELL = 40;

/**
 * The first rows of a dataset or of a sample table (a Sampler's `fullTable`, or what
 * `readSamples()` returns) as an aligned text table, for a terminal. A dataset's own
 * `ds.head(n)` does the same.
 *
 * @param source - a dataset or a sample table
 * @param n - how many rows
 * @default 10
 * @returns the text: a title line, column names, a rule, one line per row
 * @example
 * ```ts
 * console.log(head(await readSamples('data/samples.parquet'), 5));
 * ```
 */
export function head(source: Dataset | Arrow.Table, n = 10): string {
  if (source instanceof Dataset) return renderDatasetHead(source, n);
  return renderSampleHead(batchFromTable(source, 'the table given to head()'), n);
}

/**
 * The first `n` rows of a dataset as an aligned table.
 *
 * @param ds - the dataset
 * @param n - how many rows (default 10)
 */
export function renderDatasetHead(ds: Dataset, n = 10): string {
  const meta = ds.meta;
  const cols = columnNames(meta).map((name): HeadColumn => {
    const v = meta.vars.find((x) => x.name === name);
    const sizes = v === undefined ? [] : v.dims.map((d) => meta.varCoords[d]?.coords.length ?? 0);
    return { name, col: ds.column(name), sizes };
  });
  return renderHead(cols, ds.numRows, checkCount(n), 'Dataset');
}

/**
 * The first `n` rows of a sample table as an aligned table.
 *
 * @param batch - the rows
 * @param n - how many rows (default 10)
 */
export function renderSampleHead(batch: SampleBatch, n = 10): string {
  const cols = batch.meta.columns.map((c): HeadColumn => ({
    name: c.name,
    col: batch.columns[c.name]!,
    sizes: c.dims.map((d) => batch.meta.varCoords[d]?.coords.length ?? 0),
  }));
  return renderHead(cols, batch.numRows, checkCount(n), 'Sample table');
}

/**
 * Renders columns as an aligned table under a one-line title (`Dataset: 3 of 12 rows`).
 *
 * @param cols - the columns
 * @param numRows - the rows in all
 * @param n - how many to show
 * @param what - the title's noun
 */
export function renderHead(cols: readonly HeadColumn[], numRows: number, n: number, what: string): string {
  const shown = Math.min(n, numRows);
  const title = `${what}: ${shown === numRows ? '' : `first ${shown} of `}${numRows} row${numRows === 1 ? '' : 's'}`;
  if (cols.length === 0) return title;
  const table = cols.map(({ name, col, sizes }) => {
    const cells: string[] = [];
    for (let r = 0; r < shown; r++) cells.push(cut(showCell(cellValue(col, r, sizes))));
    const right = col.depth === 0 && col.type !== 'utf8' && col.type !== 'bool' && col.type !== 'date';
    const width = Math.max(name.length, ...cells.map((c) => c.length));
    return { name, cells, right, width };
  });
  const pad = (text: string, width: number, right: boolean): string => (right ? text.padStart(width) : text.padEnd(width));
  const lines = [title, table.map((c) => pad(c.name, c.width, c.right)).join('  ').trimEnd()];
  lines.push(table.map((c) => '─'.repeat(c.width)).join('  '));
  for (let r = 0; r < shown; r++) lines.push(table.map((c) => pad(c.cells[r]!, c.width, c.right)).join('  ').trimEnd());
  return lines.join('\n');
}

/**
 * A cell as short text: numbers with up to 6 significant digits, strings as they are, lists as
 * their first and last elements and their shape (`[0, 0.1 … 1] (11)`).
 *
 * @param v - the value, as {@link cellValue} gives it
 */
export function showCell(v: unknown): string {
  if (v === null || v === undefined) return 'null';
  if (typeof v === 'number') return showNumber(v);
  if (typeof v === 'string') return v;
  if (Array.isArray(v) || ArrayBuffer.isView(v)) return showList(v as ArrayLike<unknown>);
  return showValue(v);
}

function showNumber(x: number): string {
  if (!Number.isFinite(x) || (Number.isInteger(x) && Math.abs(x) < 1e15)) return Object.is(x, -0) ? '-0' : String(x);
  const abs = Math.abs(x);
  if (abs >= 1e-4 && abs < 1e15) return String(Number(x.toPrecision(6)));
  return x.toExponential(4).replace(/\.?0+e/, 'e');
}

function showList(list: ArrayLike<unknown>): string {
  const items = Array.from(list);
  const shape = shapeOf(items);
  const inner = items.map((x) => (Array.isArray(x) || ArrayBuffer.isView(x) ? '[…]' : showScalar(x)));
  const body = inner.length <= 4 ? inner.join(', ') : `${inner.slice(0, 2).join(', ')} … ${inner[inner.length - 1]!}`;
  return `[${body}] (${shape.join('×')})`;
}

function shapeOf(items: readonly unknown[]): string[] {
  const first = items[0];
  if (first !== undefined && (Array.isArray(first) || ArrayBuffer.isView(first))) {
    const inner = shapeOf(Array.from(first as ArrayLike<unknown>));
    const ragged = items.some((x) => String((x as ArrayLike<unknown>).length) !== inner[0]);
    return [String(items.length), ...(ragged ? ['?'] : inner)];
  }
  return [String(items.length)];
}

function showScalar(x: unknown): string {
  if (typeof x === 'string') return JSON.stringify(x);
  return showCell(x);
}

function cut(text: string): string {
  const one = text.replace(/\s+/g, ' ');
  return one.length <= MAX_CELL ? one : `${one.slice(0, MAX_CELL - 1)}…`;
}

function checkCount(n: number): number {
  if (!Number.isInteger(n) || n < 0) {
    throw new HarvestryError('E_BAD_OPTION', `Expected the number of rows for \`head()\` to be a whole number from 0 up, got ${showValue(n)}.`);
  }
  return n;
}
