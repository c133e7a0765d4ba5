/**
 * Sample table files: Parquet (the default), Arrow IPC, CSV or JSON lines, chosen by option or
 * by extension. Parquet and Arrow files hold their labels in their metadata; CSV and JSON-lines
 * files keep them beside the file, in `<file>.meta.json`.
 */
import { existsSync, readFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { extname } from 'node:path';
import type * as Arrow from 'apache-arrow';
import { arrow, loadArrow } from '../dataset/_arrow-lib.js';
import { decodeSampleMeta, SAMPLES_META_KEY } from '../dataset/sample-meta.js';
import { batchFromTable, notSamples, sampleTable, type SampleBatch } from '../dataset/sample-table.js';
import { HarvestryError } from '../errors.js';
import { showValue } from '../space/values.js';
import { decodeCsv } from './csv.js';
import { DATASET_EXTENSIONS, sniffFormat } from './format.js';
import { decodeJsonLines } from './json-lines.js';
import { decodeParquetSync, loadParquetWasm } from './parquet.js';

/** A file format for sample tables. */
export type SampleFormat = 'parquet' | 'arrow' | 'csv' | 'json';

const FORMATS: readonly SampleFormat[] = ['parquet', 'arrow', 'csv', 'json'];

const EXTENSIONS: Readonly<Record<string, SampleFormat>> = {
  ...DATASET_EXTENSIONS,
  '.csv': 'csv',
  '.json': 'json',
  '.jsonl': 'json',
  '.ndjson': 'json',
};

/** Options of {@link readSamples}. */
export interface ReadSamplesOptions {
  /** The format; by default from the extension (Parquet when there is none). */
  readonly format?: SampleFormat;
}

/**
 * The format of a sample file: given, else from the extension, else Parquet for a name
 * without one.
 *
 * @param path - the file
 * @param format - the format, when given
 */
export function sampleFormatFor(path: string, format?: SampleFormat): SampleFormat {
  if (format !== undefined) {
    if (!FORMATS.includes(format)) {
      throw new HarvestryError('E_UNSUPPORTED_FORMAT', `Expected \`format\` to be 'parquet', 'arrow', 'csv' or 'json', got ${showValue(format)}.`);
    }
    return format;
  }
  const ext = extname(path).toLowerCase();
  if (ext === '') return 'parquet';
  const found = EXTENSIONS[ext];
  if (found === undefined) {
    throw new HarvestryError(
      'E_UNSUPPORTED_FORMAT',
      `Cannot tell the format of ${path} from its extension ${JSON.stringify(ext)}. Name it .parquet, .arrow, .csv or .jsonl, or pass { format: 'parquet' } (or 'arrow', 'csv', 'json').`,
    );
  }
  return found;
}

/**
 * The file beside a CSV or JSON-lines sample file that holds its labels.
 *
 * @param path - the sample file
 */
export function labelsPathOf(path: string): string {
  return `${path}.meta.json`;
}

/**
 * Reads a sample table a Sampler wrote, as an Arrow table whose schema metadata holds its labels
 * (`harvestry.samples`).
 *
 * @param path - the file
 * @param options - its format, when the extension does not tell
 * @returns the table
 * @example
 * ```ts
 * const table = await readSamples('data/samples.parquet');
 * table.numRows;
 * ```
 */
export async function readSamples(path: string, options: ReadSamplesOptions = {}): Promise<Arrow.Table> {
  const format = sampleFormatFor(path, options.format);
  await loadArrow();
  if (format === 'parquet') await loadParquetWasm();
  const batch = readSampleFileSync(path, format);
  if (batch === null) throw new HarvestryError('E_NOT_FOUND', `There is no sample table at ${path}: the file does not exist.`, { details: { path } });
  return sampleTable(batch);
}

/**
 * Reads a sample file synchronously, or returns null when there is none.
 *
 * @param path - the file
 * @param format - its format
 */
export function readSampleFileSync(path: string, format: SampleFormat): SampleBatch | null {
  let bytes: Uint8Array;
  try {
    bytes = readFileSync(path);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw err;
  }
  return decodeSampleFile(bytes, path, format, readLabelsSync(path, format));
}

/**
 * Reads a sample file, or returns null when there is none.
 *
 * @param path - the file
 * @param format - its format
 */
export async function readSampleFile(path: string, format: SampleFormat): Promise<SampleBatch | null> {
  let bytes: Uint8Array;
  try {
    bytes = await readFile(path);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw err;
  }
  return decodeSampleFile(bytes, path, format, readLabelsSync(path, format));
}

/** The labels file of a CSV or JSON-lines sample file, as text, or null (no file, or another format). */
function readLabelsSync(path: string, format: SampleFormat): string | null {
  if (format !== 'csv' && format !== 'json') return null;
  try {
    return readFileSync(labelsPathOf(path), 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw err;
  }
}

/**
 * Decodes a sample file's bytes.
 *
 * @param bytes - the file's bytes
 * @param path - the file, for messages
 * @param format - its format
 * @param labels - the text of its labels file (CSV and JSON lines)
 */
export function decodeSampleFile(bytes: Uint8Array, path: string, format: SampleFormat, labels: string | null): SampleBatch {
  if (format === 'csv' || format === 'json') {
    if (labels === null) throw unlabelled(path);
    const meta = decodeSampleMeta(labels, labelsPathOf(path));
    const text = new TextDecoder().decode(bytes);
    return format === 'csv' ? decodeCsv(text, meta, path) : decodeJsonLines(text, meta, path);
  }
  const sniffed = sniffFormat(bytes);
  if (sniffed === 'truncated-parquet') {
    throw new HarvestryError('E_CORRUPT_FILE', `${path} starts like a Parquet file but is cut short (no footer): it was not written completely. Restore it from its backup.`, { details: { path } });
  }
  if (sniffed !== format) {
    throw new HarvestryError('E_FOREIGN_FILE', `${path} is not ${format === 'parquet' ? 'a Parquet' : 'an Arrow IPC'} file${sniffed === null ? '' : ` (it is ${sniffed === 'parquet' ? 'Parquet' : 'Arrow IPC'}: pass { format: '${sniffed}' })`}, so harvestry cannot read it as a sample table, and will not write over it.`, {
      details: { path },
    });
  }
  let table: Arrow.Table;
  try {
    table = format === 'parquet' ? decodeParquetSync(bytes) : arrow.tableFromIPC(bytes);
  } catch (err) {
    throw new HarvestryError('E_CORRUPT_FILE', `${path} cannot be read (${(err as Error).message}): the file is damaged. Restore it from its backup.`, { cause: err, details: { path } });
  }
  if (!table.schema.metadata.has(SAMPLES_META_KEY)) throw notSamples(path, table.schema.metadata.has('harvestry'));
  return batchFromTable(table, path);
}

/**
 * The error for a CSV or JSON-lines file without its labels beside it.
 *
 * @param path - the file
 */
export function unlabelled(path: string): HarvestryError {
  const hint = existsSync(`${labelsPathOf(path)}.bak`) ? ` A previous version of the labels is at ${labelsPathOf(path)}.bak.` : '';
  return new HarvestryError(
    'E_FOREIGN_FILE',
    `${path} has no labels beside it (${labelsPathOf(path)} does not exist), so harvestry did not write it as a sample table, or its labels were removed: its column types are unknown. harvestry will not guess them or add rows to it. Sample into a new file.${hint}`,
    { details: { path } },
  );
}
