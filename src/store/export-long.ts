/**
 * `exportLong`: a dataset file rewritten in the long form, one row per element of its
 * variables with internal dims, every dim and internal dim a plain column, so DuckDB, polars or
 * pandas read it with no metadata step (no list columns, no coords in the footer to join).
 */
import { resolve } from 'node:path';
import { HarvestryError } from '../errors.js';
import { readDataset, writeDataset, type WriteOptions } from './dataset-file.js';

/** Options of {@link exportLong}. */
export interface ExportLongOptions extends WriteOptions {
  /**
   * The variables to keep (default: all). Variables with internal dims must share them: pass
   * those over one set of internal dims (scalar variables repeat along them).
   */
  readonly vars?: readonly string[];
}

/** What {@link exportLong} wrote. */
export interface ExportLongReport {
  /** The file written. */
  readonly path: string;
  /** Its rows. */
  readonly rows: number;
  /** Its columns, in order: dims, internal dims, variables, then `_error` / `_duration_ms` / `_fingerprint` when the source has them. */
  readonly columns: readonly string[];
}

/**
 * Writes a dataset file's long form to another file (Parquet, or Arrow IPC by extension): the
 * dims, then the internal dims as columns holding their coords, then the variables as scalar
 * columns. The file is also a harvestry dataset (its labels are in the footer), so
 * `readDataset()` reads it back.
 *
 * @param path - the dataset file
 * @param out - the file to write (replaced atomically when it exists; never `path` itself)
 * @param options - the variables to keep, the format
 * @returns the file, its rows and columns
 * @example
 * ```ts
 * await exportLong('data/rabi.parquet', 'data/rabi-long.parquet');
 * // DuckDB: SELECT omega, t, pop FROM 'data/rabi-long.parquet' WHERE omega = 1
 * ```
 */
export async function exportLong(path: string, out: string, options: ExportLongOptions = {}): Promise<ExportLongReport> {
  if (resolve(path) === resolve(out)) {
    throw new HarvestryError('E_BAD_OPTION', `\`exportLong()\` writes a new file, but the output ${out} is the dataset itself. Name another file, for example ${out.replace(/(\.[a-z]+)?$/i, '-long$1')}.`);
  }
  const ds = await readDataset(path);
  const long = ds.toLong(options.vars);
  await writeDataset(long, out, options.format === undefined ? {} : { format: options.format });
  return { path: out, rows: long.numRows, columns: long.table.schema.fields.map((f) => f.name) };
}
