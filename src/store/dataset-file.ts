/**
 * Reading and writing datasets as files: Parquet (zstd) or Arrow IPC, replaced atomically,
 * with the labels in the file's metadata.
 */
import { readFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import type * as Arrow from 'apache-arrow';
import { arrow, loadArrow } from '../dataset/_arrow-lib.js';
import { HarvestryError } from '../errors.js';
import { showValue } from '../space/values.js';
import { columnInfo, columnNames, Dataset, expectedArrowType } from '../dataset/dataset.js';
import { fromArrowData, toArrowData, typeText } from '../dataset/arrow.js';
import { decodeMeta, encodeMeta, type DatasetMeta } from '../dataset/meta.js';
import { SAMPLES_META_KEY } from '../dataset/sample-meta.js';
import { dictionaryEncodeFingerprints, fingerprintSummary } from './fingerprints.js';
import { formatForPath, sniffFormat, type DatasetFormat } from './format.js';
import { checkBytes, sealParquet } from './integrity.js';
import { withLock } from './lock.js';
import { parseFooter, type ParquetFooter } from './parquet-footer.js';
import { backupHint, FileChangedError, replaceFileBytes, stampOf } from './replace.js';
import { decodeParquetSync, encodeParquet, loadParquetWasm } from './parquet.js';

/** The metadata key that holds a dataset's labels. */
export const META_KEY = 'harvestry';

/** Options of {@link writeDataset}. */
export interface WriteOptions {
  /** The format; by default from the extension (`.parquet`, `.arrow`). */
  readonly format?: DatasetFormat;
  /**
   * Replace the file if there is one. Only a harvestry dataset that reads whole is replaced,
   * never a file harvestry did not write, a damaged one or a Sampler's table; its previous
   * version is kept as `<file>.bak`. Without it, an existing file is refused (`E_FILE_EXISTS`).
   * @default false
   */
  readonly overwrite?: boolean;
}

/** Options of {@link readDataset}. */
export interface ReadOptions {
  /** Read only these columns (dims and variables); the labels stay whole. */
  readonly columns?: readonly string[];
}

/**
 * Writes a dataset to a new file, atomically: written beside the target, fsynced, then renamed
 * into place, so a reader sees no file or the whole new one, never a part. An existing file is
 * refused (`E_FILE_EXISTS`) unless `overwrite: true`; even then only a harvestry dataset that
 * reads whole is replaced (its previous version kept as `<file>.bak`), never a file harvestry did
 * not write (`E_FOREIGN_FILE`), a damaged one (`E_CORRUPT_FILE`) or a Sampler's table
 * (`E_FILE_KIND`). The write holds the file's lock, so it waits for a harvest committing to it.
 *
 * @param ds - the dataset
 * @param path - the file (`.parquet` or `.arrow`)
 * @param options - the format; whether to replace an existing dataset
 * @example
 * ```ts
 * await writeDataset(ds, 'data/sweep.parquet');
 * await writeDataset(ds2, 'data/sweep.parquet', { overwrite: true }); // the first one is kept as data/sweep.parquet.bak
 * ```
 */
export async function writeDataset(ds: Dataset, path: string, options: WriteOptions = {}): Promise<void> {
  const format = formatForPath(path, options.format);
  const overwrite = options.overwrite ?? false;
  if (typeof overwrite !== 'boolean') {
    throw new HarvestryError('E_BAD_OPTION', `Expected \`overwrite\` of writeDataset() to be true or false, got ${showValue(overwrite)}.`);
  }
  const before = await stampOf(path);
  if (before !== null && !overwrite) throw existsError(path);
  const bytes = await encodeDataset(ds, format);
  await withLock(path, async (isCompromised) => {
    const stamp = await stampOf(path);
    if (stamp !== null) {
      if (!overwrite) throw existsError(path);
      await checkReplaceable(path);
    }
    try {
      if (isCompromised()) throw new FileChangedError(path);
      await replaceFileBytes(path, bytes, stamp);
    } catch (err) {
      if (!(err instanceof FileChangedError)) throw err;
      throw new HarvestryError('E_LOCKED', `${path} changed while writeDataset() replaced it: another program writes it without taking the lock ${path}.lock. Nothing was written; stop that program and write again.`, {
        cause: err,
        details: { path },
      });
    }
  });
}

function existsError(path: string): HarvestryError {
  return new HarvestryError(
    'E_FILE_EXISTS',
    `${path} already exists, and writeDataset() replaces a file only when asked: pass { overwrite: true } to replace it (its previous version is kept as ${path}.bak), write to a new path, or add rows to it with a Harvester.`,
    { details: { path } },
  );
}

/** Refuses to replace a file that is not a harvestry dataset reading whole (read all of it). */
async function checkReplaceable(path: string): Promise<void> {
  try {
    await decodeDataset(await readFile(path), path);
  } catch (err) {
    if (!(err instanceof HarvestryError)) throw err;
    const hint = err.code === 'E_CORRUPT_FILE' ? ` ${backupHint(path)}` : '';
    throw new HarvestryError(err.code, `${err.message} writeDataset() does not replace such a file, even with \`overwrite: true\`: move or delete it yourself if you mean to.${hint}`, {
      cause: err,
      details: { ...err.details, path },
    });
  }
}

/** Options of {@link encodeDataset}. */
export interface EncodeOptions {
  /** Footer key-value entries to write besides (or instead of) the ones computed from the dataset. */
  readonly keyValue?: ReadonlyMap<string, string>;
  /**
   * Write the checksums of the file's bytes into a Parquet footer (see docs/format.md); off for
   * rows that will be appended to another file, which gets its own.
   * @default true
   */
  readonly checksums?: boolean;
}

/**
 * Encodes a dataset as the bytes of a file.
 *
 * @param ds - the dataset
 * @param format - the format
 * @param options - extra footer entries
 */
export async function encodeDataset(ds: Dataset, format: DatasetFormat, options: EncodeOptions = {}): Promise<Uint8Array> {
  await loadArrow();
  const metaText = encodeMeta(ds.meta);
  const table = dictionaryEncodeFingerprints(ds, withMetadata(ds.table, metaText));
  if (format === 'arrow') return arrow.tableToIPC(table, 'file');
  const fingerprints = ds.meta.fingerprintColumn == null ? [] : [ds.meta.fingerprintColumn];
  const keyValue = new Map([[META_KEY, metaText], ...fingerprintSummary(ds), ...(options.keyValue ?? [])]);
  const bytes = await encodeParquet(table, { keyValue, dictionaryColumns: [...ds.dims, ...fingerprints], noStatisticsColumns: fingerprints });
  return options.checksums === false ? bytes : sealParquet(bytes, 'the new file');
}

/**
 * Reads a dataset that harvestry wrote (Parquet or Arrow IPC; the format is read from the file
 * itself). A file harvestry did not write, or a damaged one, is refused with a clear error.
 *
 * @param path - the file
 * @param options - columns to read
 * @returns the dataset
 * @example
 * ```ts
 * const ds = await readDataset('data/sweep.parquet');
 * ds.get('p');
 * ```
 */
export async function readDataset(path: string, options: ReadOptions = {}): Promise<Dataset> {
  let bytes: Uint8Array;
  try {
    bytes = await readFile(path);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') {
      throw new HarvestryError('E_NOT_FOUND', `There is no dataset at ${path}: the file does not exist.`, { cause: err });
    }
    throw err;
  }
  return decodeDataset(bytes, path, options);
}

/**
 * Decodes a dataset from a file's bytes.
 *
 * @param bytes - the bytes
 * @param where - the file, for messages
 * @param options - columns to read
 */
export async function decodeDataset(bytes: Uint8Array, where: string, options: ReadOptions = {}): Promise<Dataset> {
  await loadArrow();
  if (sniffFormat(bytes) === 'parquet') await loadParquetWasm();
  return decodeDatasetSync(bytes, where, options);
}

/**
 * Reads a dataset synchronously (for property getters that keep a file's contents in step).
 *
 * @param path - the file
 * @param options - columns to read
 */
export function readDatasetSync(path: string, options: ReadOptions = {}): Dataset {
  let bytes: Uint8Array;
  try {
    bytes = readFileSync(path);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') {
      throw new HarvestryError('E_NOT_FOUND', `There is no dataset at ${path}: the file does not exist.`, { cause: err });
    }
    throw err;
  }
  return decodeDatasetSync(bytes, path, options);
}

/**
 * Decodes a dataset from a file's bytes, synchronously.
 *
 * @param bytes - the bytes
 * @param where - the file, for messages
 * @param options - columns to read
 */
export function decodeDatasetSync(bytes: Uint8Array, where: string, options: ReadOptions = {}): Dataset {
  const table = decodeTable(bytes, where, options.columns);
  const text = table.schema.metadata.get(META_KEY);
  if (text === undefined && table.schema.metadata.has(SAMPLES_META_KEY)) throw sampleTableError(where);
  if (text === undefined) {
    throw new HarvestryError(
      'E_FOREIGN_FILE',
      `${where} is a valid file, but harvestry did not write it: it has no \`${META_KEY}\` metadata, so its dims and variables are unknown. harvestry will not guess them or write over it. Read it with apache-arrow or DuckDB instead, or point harvestry at a new file.`,
      { details: { path: where } },
    );
  }
  let meta = decodeMeta(text, where);
  if (options.columns !== undefined) meta = projectMeta(meta, options.columns);
  return new Dataset(normalizeTable(table, meta, where), meta);
}

function decodeTable(bytes: Uint8Array, where: string, columns: readonly string[] | undefined): Arrow.Table {
  const format = sniffFormat(bytes);
  if (format === null) {
    throw new HarvestryError('E_FOREIGN_FILE', `${where} is neither a Parquet nor an Arrow IPC file, so harvestry cannot read it as a dataset (and will not write over it).`, { details: { path: where } });
  }
  if (format === 'truncated-parquet') {
    throw new HarvestryError('E_CORRUPT_FILE', `${where} starts like a Parquet file but is cut short (no footer): it was not written completely. Restore it from its backup.`, {
      details: { path: where },
    });
  }
  if (format === 'parquet') {
    let footer: ParquetFooter;
    try {
      footer = parseFooter(bytes, bytes.length, where);
    } catch (err) {
      throw unreadable(where, err);
    }
    // damage anywhere (data pages, indexes, the footer) is found before anything is decoded
    checkBytes(bytes, footer, where);
  }
  try {
    if (format === 'parquet') return decodeParquetSync(bytes, columns);
    const table = arrow.tableFromIPC(bytes);
    return columns === undefined ? table : table.select(columns as string[]);
  } catch (err) {
    throw unreadable(where, err);
  }
}

function unreadable(where: string, err: unknown): HarvestryError {
  return new HarvestryError('E_CORRUPT_FILE', `${where} cannot be read (${(err as Error).message}): the file is damaged. Restore it from its backup.`, {
    cause: err,
    details: { path: where },
  });
}

/**
 * The error for a Sampler's table where a dataset was expected.
 *
 * @param where - the file
 */
export function sampleTableError(where: string): HarvestryError {
  return new HarvestryError(
    'E_FILE_KIND',
    `${where} is a Sampler's table (random samples, not keyed by case), not a harvestry dataset, so it cannot be read or harvested into as one. Read it with readSamples(), or harvest into another file.`,
    { details: { path: where } },
  );
}

/**
 * The labels restricted to some columns (dims always stay).
 *
 * @param meta - the labels
 * @param columns - the columns kept
 */
export function projectMeta(meta: DatasetMeta, columns: readonly string[]): DatasetMeta {
  const keep = new Set(columns);
  return {
    ...meta,
    vars: meta.vars.filter((v) => keep.has(v.name)),
    errorColumn: meta.errorColumn !== null && keep.has(meta.errorColumn) ? meta.errorColumn : null,
    durationColumn: meta.durationColumn !== null && keep.has(meta.durationColumn) ? meta.durationColumn : null,
    fingerprintColumn: meta.fingerprintColumn != null && keep.has(meta.fingerprintColumn) ? meta.fingerprintColumn : null,
  };
}

/**
 * Checks every labelled column is present with the right type, and rebuilds columns that came
 * back in another encoding (dictionary-encoded strings) in the canonical one.
 */
function normalizeTable(table: Arrow.Table, meta: DatasetMeta, where: string): Arrow.Table {
  const names = columnNames(meta);
  let rebuild = table.schema.fields.length !== names.length;
  for (const name of names) {
    const vec = table.getChild(name);
    const expected = typeText(expectedArrowType(meta, name)!);
    if (vec === null) {
      throw new HarvestryError('E_CORRUPT_FILE', `${where} has no column \`${name}\`, which its harvestry metadata lists. The file was changed by another tool; restore it from its backup.`);
    }
    const type = vec.type as Arrow.DataType;
    if (typeText(type) === expected) continue;
    if (type instanceof arrow.Dictionary && typeText(type.dictionary as Arrow.DataType) === expected) {
      rebuild = true;
      continue;
    }
    throw new HarvestryError(
      'E_CORRUPT_FILE',
      `Column \`${name}\` of ${where} is ${typeText(type)}, but its harvestry metadata says ${expected}. The file was changed by another tool; restore it from its backup.`,
    );
  }
  if (!rebuild) return table;
  const fields: Arrow.Field[] = [];
  const children: Arrow.Data[] = [];
  for (const name of names) {
    const info = columnInfo(meta, name)!;
    const data = toArrowData(fromArrowData(table.getChild(name)!.data as Arrow.Data[], info.type, info.container, info.depth));
    fields.push(new arrow.Field(name, data.type, true));
    children.push(data);
  }
  const schema = new arrow.Schema(fields, table.schema.metadata);
  const struct = arrow.makeData({ type: new arrow.Struct(fields), length: table.numRows, nullCount: 0, children });
  return new arrow.Table(schema, [new arrow.RecordBatch(schema, struct)]);
}

/** The table with its schema metadata replaced by the given labels. */
function withMetadata(table: Arrow.Table, metaText: string): Arrow.Table {
  if (table.schema.metadata.get(META_KEY) === metaText) return table;
  const schema = new arrow.Schema(table.schema.fields, new Map([...table.schema.metadata, [META_KEY, metaText]]));
  return new arrow.Table(schema, table.batches.map((b) => new arrow.RecordBatch(schema, b.data)));
}
