/**
 * Values of sample table columns as text, for the CSV and JSON-lines engines, and back. The
 * labels (beside the file) give every column's type, so values come back exactly: NaN and the
 * infinities as `NaN`, `Infinity`, `-Infinity`; -0 as `-0`; bigints as decimal digits; Dates as
 * ISO-8601 text; list cells as JSON arrays.
 */
import { HarvestryError } from '../errors.js';
import { columnFromScalars } from '../dataset/cell.js';
import { cellValue } from '../dataset/cell.js';
import { columnShape, type SampleColumnMeta, type SampleMeta } from '../dataset/sample-meta.js';
import { ResultCollector } from '../execute/collect.js';
import { TYPED_ARRAY_CTORS, type ColumnData, type ElemType } from '../execute/columns.js';
import type { Scalar } from '../space/values.js';

/** A number as text that reads back as the same number (NaN, ±Infinity and -0 included). */
export function numberText(v: number): string {
  return Object.is(v, -0) ? '-0' : String(v);
}

/**
 * The value of every row of a column as a JSON-compatible value: numbers (non-finite ones and
 * -0 as text), bigints as text, Dates as ISO text, lists as nested arrays; null for null rows.
 *
 * @param meta - the labels
 * @param c - the column's labels
 * @param col - the column
 */
export function jsonCells(meta: SampleMeta, c: SampleColumnMeta, col: ColumnData): unknown[] {
  const out = new Array<unknown>(col.length);
  const sizes = c.dims.map((d) => meta.varCoords[d]?.coords.length ?? 0);
  for (let r = 0; r < col.length; r++) out[r] = jsonValue(cellValue(col, r, sizes));
  return out;
}

function jsonValue(v: unknown): unknown {
  if (v === null || v === undefined) return null;
  if (typeof v === 'number') return Number.isFinite(v) && !Object.is(v, -0) ? v : numberText(v);
  if (typeof v === 'bigint') return v.toString();
  if (v instanceof Date) return v.toISOString();
  if (Array.isArray(v)) return v.map(jsonValue);
  if (ArrayBuffer.isView(v)) return Array.from(v as unknown as ArrayLike<number | bigint>, jsonValue);
  return v;
}

/**
 * A column from JSON-compatible cells (as {@link jsonCells} makes them, or text for CSV).
 *
 * @param meta - the labels
 * @param c - the column's labels
 * @param cells - one cell per row: null, text (CSV), or a JSON value
 * @param where - the file, for messages
 */
export function columnFromCells(meta: SampleMeta, c: SampleColumnMeta, cells: readonly unknown[], where: string): ColumnData {
  const shape = columnShape(meta, c);
  if (c.dims.length === 0) return columnFromScalars(c.type, cells.map((v) => scalarFromCell(v, c.type, c.name, where)));
  const collector = new ResultCollector(
    { varNames: [c.name], varDims: { [c.name]: c.dims }, dimSizes: knownSizes(meta, c.dims) },
    cells.length,
  );
  const show = (): string => `in ${where}`;
  cells.forEach((cell, r) => {
    if (cell === null) return;
    const value: unknown = typeof cell === 'string' ? parseJson(cell, c.name, where) : cell;
    collector.add(r, reviveList(value, c.type, c.container, c.dims.length), show);
  });
  const col = collector.finish(cells.length)[c.name]!;
  return { ...col, container: shape.container };
}

function knownSizes(meta: SampleMeta, dims: readonly string[]): Record<string, number> {
  const out: Record<string, number> = {};
  for (const d of dims) {
    const n = meta.varCoords[d]?.coords.length;
    if (n !== undefined) out[d] = n;
  }
  return out;
}

function parseJson(text: string, name: string, where: string): unknown {
  try {
    return JSON.parse(text);
  } catch (err) {
    throw new HarvestryError('E_CORRUPT_FILE', `A cell of column \`${name}\` of ${where} is not a JSON array (${(err as Error).message}). Restore the file from its backup.`, { cause: err });
  }
}

/** Nested arrays of JSON values back to the function's own form (typed arrays where it returned them). */
function reviveList(v: unknown, type: ElemType, container: string, depth: number): unknown {
  if (!Array.isArray(v)) return v;
  if (depth > 1) return v.map((x) => reviveList(x, type, container, depth - 1));
  const Ctor = TYPED_ARRAY_CTORS[container];
  if (Ctor !== undefined) return new Ctor(v.map((x) => (type === 'int64' || type === 'uint64' ? BigInt(x as string) : Number(x))) as never);
  return v.map((x) => (x === null ? null : scalarFromCell(x, type, '', '')));
}

/**
 * One scalar from a cell: text (CSV), a JSON value, or null.
 *
 * @param v - the cell
 * @param type - the column's storage type
 * @param name - the column, for messages
 * @param where - the file, for messages
 */
export function scalarFromCell(v: unknown, type: ElemType, name: string, where: string): Scalar {
  if (v === null || v === undefined || type === 'null') return null;
  switch (type) {
    case 'utf8':
      return typeof v === 'string' ? v : JSON.stringify(v);
    case 'bool':
      if (v === true || v === 'true') return true;
      if (v === false || v === 'false') return false;
      break;
    case 'date': {
      const d = new Date(v as string);
      if (!Number.isNaN(d.getTime())) return d;
      break;
    }
    case 'int64':
    case 'uint64':
      try {
        return BigInt(v as string);
      } catch {
        break;
      }
    default: {
      const n = typeof v === 'number' ? v : Number(v);
      if (!Number.isNaN(n) || v === 'NaN') return n;
    }
  }
  throw new HarvestryError('E_CORRUPT_FILE', `A cell of column \`${name}\` of ${where} holds ${JSON.stringify(v)}, which is not a ${type} value as the table's labels say. The file was changed by another tool; restore it from its backup.`);
}
