/**
 * Sample tables as CSV (RFC 4180): a header row of column names, then one row per sample. A null
 * is an empty field; an empty string is `""`; list cells are JSON arrays. Parsing goes through
 * csv-parse (the only file that imports it), loaded on first use.
 */
import { createRequire } from 'node:module';
import type * as CsvParseSync from 'csv-parse/sync';
import { HarvestryError } from '../errors.js';
import type { SampleMeta } from '../dataset/sample-meta.js';
import type { SampleBatch } from '../dataset/sample-table.js';
import type { ColumnData } from '../execute/columns.js';
import { columnFromCells, jsonCells, numberText } from './text-values.js';

let csvParse: typeof CsvParseSync | undefined;
const load = (): typeof CsvParseSync => (csvParse ??= createRequire(import.meta.url)('csv-parse/sync') as typeof CsvParseSync);

/**
 * The header line of a table's columns.
 *
 * @param meta - the labels
 */
export function csvHeader(meta: SampleMeta): string {
  return `${meta.columns.map((c) => quote(c.name)).join(',')}\n`;
}

/**
 * The rows of a batch as CSV lines (no header), each ending in a newline.
 *
 * @param batch - the rows, in the column order of its labels
 */
export function encodeCsvRows(batch: SampleBatch): string {
  const { meta } = batch;
  const cells = meta.columns.map((c) => textCells(meta, c, batch.columns[c.name]!));
  const lines = new Array<string>(batch.numRows);
  for (let r = 0; r < batch.numRows; r++) {
    let line = '';
    for (let k = 0; k < cells.length; k++) line += (k === 0 ? '' : ',') + cells[k]![r]!;
    lines[r] = line;
  }
  return batch.numRows === 0 ? '' : `${lines.join('\n')}\n`;
}

/**
 * Parses the CSV text of a sample table (header first). A last record cut short (a write that
 * did not finish) is left out. Columns the labels list but the header lacks are null.
 *
 * @param text - the file's text
 * @param meta - the labels
 * @param where - the file, for messages
 */
export function decodeCsv(text: string, meta: SampleMeta, where: string): SampleBatch {
  let records: (string | null)[][];
  try {
    const parsed: unknown = load().parse(text.slice(0, completeLength(text)), {
      cast: (value: string, context: { quoting: boolean }) => (value === '' && !context.quoting ? null : value),
      bom: true,
    });
    records = parsed as (string | null)[][];
  } catch (err) {
    throw new HarvestryError('E_CORRUPT_FILE', `${where} cannot be read as CSV (${(err as Error).message}). Restore it from its backup.`, { cause: err, details: { path: where } });
  }
  const header = records[0]?.map((h) => h ?? '') ?? [];
  const at = new Map(header.map((h, k) => [h, k]));
  const unknown = header.filter((h) => !meta.columns.some((c) => c.name === h));
  if (unknown.length > 0) {
    throw new HarvestryError('E_CORRUPT_FILE', `${where} has a column \`${unknown[0]!}\` that its labels (${where}.meta.json) do not list. The file was changed by another tool; restore it from its backup.`, { details: { path: where } });
  }
  const rows = records.slice(1);
  const columns: Record<string, ColumnData> = {};
  for (const c of meta.columns) {
    const k = at.get(c.name);
    columns[c.name] = columnFromCells(meta, c, rows.map((row) => (k === undefined ? null : (row[k] ?? null))), where);
  }
  return { meta, columns, numRows: rows.length };
}

/**
 * The length of the text up to the end of its last complete record: the last newline outside
 * quotes (quotes toggle; a doubled quote toggles twice). Text after it is a record cut short.
 *
 * @param text - CSV text
 */
export function completeLength(text: string): number {
  let inQuotes = false;
  let end = 0;
  for (let i = 0; i < text.length; i++) {
    const ch = text.charCodeAt(i);
    if (ch === 34) inQuotes = !inQuotes;
    else if (ch === 10 && !inQuotes) end = i + 1;
  }
  return end;
}

/** The header names of CSV text (its first record). */
export function csvHeaderNames(text: string): string[] {
  const first = text.slice(0, completeLength(text.slice(0, firstRecordEnd(text))));
  if (first === '') return [];
  const rows: string[][] = load().parse(first, { bom: true });
  return rows[0] ?? [];
}

function firstRecordEnd(text: string): number {
  let inQuotes = false;
  for (let i = 0; i < text.length; i++) {
    const ch = text.charCodeAt(i);
    if (ch === 34) inQuotes = !inQuotes;
    else if (ch === 10 && !inQuotes) return i + 1;
  }
  return text.length;
}

function textCells(meta: SampleMeta, c: SampleMeta['columns'][number], col: ColumnData): string[] {
  const out = new Array<string>(col.length);
  if (c.dims.length > 0) {
    const json = jsonCells(meta, c, col);
    for (let r = 0; r < col.length; r++) out[r] = json[r] === null ? '' : quote(JSON.stringify(json[r]));
    return out;
  }
  const { values, valid, type } = col;
  for (let r = 0; r < col.length; r++) {
    if (type === 'null' || (valid !== null && valid[r] === 0)) {
      out[r] = '';
      continue;
    }
    switch (type) {
      case 'utf8':
        out[r] = quote((values as (string | null)[])[r]!);
        break;
      case 'bool':
        out[r] = (values as Uint8Array)[r] === 1 ? 'true' : 'false';
        break;
      case 'date':
        out[r] = new Date((values as Float64Array)[r]!).toISOString();
        break;
      case 'int64':
      case 'uint64':
        out[r] = (values as BigInt64Array)[r]!.toString();
        break;
      default:
        out[r] = numberText((values as Float64Array)[r]!);
    }
  }
  return out;
}

/** A text field, quoted when it must be (empty, or holding a comma, quote, CR or LF). */
function quote(s: string): string {
  return s === '' || /[",\r\n]/.test(s) || s.trim() !== s ? `"${s.replace(/"/g, '""')}"` : s;
}
