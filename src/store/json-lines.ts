/**
 * Sample tables as JSON lines: one JSON object per sample and per line, keys in column order.
 * Appending is writing lines at the end, so the format stays appendable where a JSON array would
 * need a rewrite. A null is `null`; numbers that JSON cannot hold (NaN, ±Infinity, -0) and
 * bigints are text; Dates are ISO-8601 text; list cells are arrays.
 */
import { HarvestryError } from '../errors.js';
import type { SampleMeta } from '../dataset/sample-meta.js';
import type { SampleBatch } from '../dataset/sample-table.js';
import type { ColumnData } from '../execute/columns.js';
import { columnFromCells, jsonCells } from './text-values.js';

/**
 * The rows of a batch as JSON lines, each ending in a newline.
 *
 * @param batch - the rows
 */
export function encodeJsonLines(batch: SampleBatch): string {
  const { meta } = batch;
  const keys = meta.columns.map((c, k) => `${k === 0 ? '{' : ','}${JSON.stringify(c.name)}:`);
  const cells = meta.columns.map((c) => jsonCells(meta, c, batch.columns[c.name]!));
  let out = '';
  for (let r = 0; r < batch.numRows; r++) {
    let line = '';
    for (let k = 0; k < keys.length; k++) line += keys[k]! + JSON.stringify(cells[k]![r]);
    out += `${line}}\n`;
  }
  return out;
}

/**
 * Parses JSON lines into a sample table. A last line cut short (a write that did not finish) is
 * left out; keys a line lacks are null.
 *
 * @param text - the file's text
 * @param meta - the labels
 * @param where - the file, for messages
 */
export function decodeJsonLines(text: string, meta: SampleMeta, where: string): SampleBatch {
  const lines = text.slice(0, text.lastIndexOf('\n') + 1).split('\n');
  lines.pop();
  const names = new Set(meta.columns.map((c) => c.name));
  const cells = new Map(meta.columns.map((c) => [c.name, new Array<unknown>(lines.length).fill(null)]));
  lines.forEach((line, r) => {
    let row: unknown;
    try {
      row = JSON.parse(line);
    } catch (err) {
      throw new HarvestryError('E_CORRUPT_FILE', `Line ${r + 1} of ${where} is not JSON (${(err as Error).message}). Restore the file from its backup.`, { cause: err, details: { path: where } });
    }
    if (typeof row !== 'object' || row === null || Array.isArray(row)) {
      throw new HarvestryError('E_CORRUPT_FILE', `Line ${r + 1} of ${where} is not a JSON object. Restore the file from its backup.`, { details: { path: where } });
    }
    for (const [k, v] of Object.entries(row)) {
      if (!names.has(k)) {
        throw new HarvestryError('E_CORRUPT_FILE', `Line ${r + 1} of ${where} has a key \`${k}\` that its labels (${where}.meta.json) do not list. The file was changed by another tool; restore it from its backup.`, { details: { path: where } });
      }
      cells.get(k)![r] = v;
    }
  });
  const columns: Record<string, ColumnData> = {};
  for (const c of meta.columns) columns[c.name] = columnFromCells(meta, c, cells.get(c.name)!, where);
  return { meta, columns, numRows: lines.length };
}
