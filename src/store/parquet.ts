/**
 * Parquet through parquet-wasm: the only file that imports it. The wasm module is loaded on
 * first use, so importing harvestry stays fast.
 */
import { createRequire } from 'node:module';
import type * as Arrow from 'apache-arrow';
import { arrow } from '../dataset/_arrow-lib.js';
import type * as ParquetWasmModule from 'parquet-wasm';

type ParquetWasm = typeof ParquetWasmModule;

let wasm: Promise<ParquetWasm> | undefined;

/** Loads parquet-wasm once. */
export async function loadParquetWasm(): Promise<ParquetWasm> {
  wasm ??= import('parquet-wasm');
  return wasm;
}

let wasmSync: ParquetWasm | undefined;

/**
 * Loads parquet-wasm synchronously (its Node build loads the wasm module synchronously), for
 * reads that cannot wait (a property getter). The same module instance as the async load.
 */
export function loadParquetWasmSync(): ParquetWasm {
  wasmSync ??= createRequire(import.meta.url)('parquet-wasm') as ParquetWasm;
  return wasmSync;
}

/** Options for writing Parquet. */
export interface ParquetWriteOptions {
  /** Extra key-value metadata written into the Parquet footer (besides the Arrow schema). */
  readonly keyValue?: ReadonlyMap<string, string>;
  /**
   * Rows per row group.
   * @default 1048576
   */
  readonly rowGroupSize?: number;
  /**
   * Columns to dictionary-encode (few distinct values: the dims). Others are written plain,
   * which is faster and as small for measured values.
   */
  readonly dictionaryColumns?: readonly string[];
  /** Columns to write without statistics (long strings whose min/max nobody filters on). */
  readonly noStatisticsColumns?: readonly string[];
}

/**
 * Encodes an Arrow table as Parquet (zstd). The table's schema metadata is kept in the Arrow
 * schema entry; `keyValue` entries go into the Parquet footer too, where DuckDB's
 * `parquet_kv_metadata()` and other readers find them.
 *
 * @param table - the table
 * @param options - footer metadata and row group size
 */
export async function encodeParquet(table: Arrow.Table, options: ParquetWriteOptions = {}): Promise<Uint8Array> {
  const pw = await loadParquetWasm();
  const input = pw.Table.fromIPCStream(arrow.tableToIPC(table, 'stream'));
  const split = splitEncodings(table.schema);
  let props = new pw.WriterPropertiesBuilder()
    .setCompression(pw.Compression.ZSTD)
    .setDictionaryEnabled(false)
    .setStatisticsEnabled(pw.EnabledStatistics.Chunk)
    .setMaxRowGroupSize(options.rowGroupSize ?? 1 << 20);
  if (split.global) props = props.setEncoding(pw.Encoding.BYTE_STREAM_SPLIT);
  for (const col of split.plain) props = props.setColumnEncoding(col, pw.Encoding.PLAIN);
  for (const col of split.split) props = props.setColumnEncoding(col, pw.Encoding.BYTE_STREAM_SPLIT);
  for (const col of options.dictionaryColumns ?? []) props = props.setColumnDictionaryEnabled(col, true);
  for (const col of options.noStatisticsColumns ?? []) props = props.setColumnStatisticsEnabled(col, pw.EnabledStatistics.None);
  if (options.keyValue !== undefined) props = props.setKeyValueMetadata(new Map(options.keyValue));
  return pw.writeParquet(input, props.build());
}

/**
 * Which columns to write with BYTE_STREAM_SPLIT, the encoding that makes floating-point values
 * compress several times better and faster under zstd (DuckDB, pyarrow, polars read it).
 * parquet-wasm addresses only top-level columns by name, so list columns of floats get it from
 * the file-wide default: it is used when every list column holds floats, with PLAIN set back
 * on each top-level column that is not a float; otherwise only top-level float columns get it.
 */
function splitEncodings(schema: Arrow.Schema): { global: boolean; plain: string[]; split: string[] } {
  const isFloat = (t: Arrow.DataType): boolean => t instanceof arrow.Float32 || t instanceof arrow.Float64;
  const leaf = (t: Arrow.DataType): Arrow.DataType => (t instanceof arrow.List || t instanceof arrow.FixedSizeList ? leaf((t.children[0]!).type as Arrow.DataType) : t);
  const nested = schema.fields.filter((f) => leaf(f.type as Arrow.DataType) !== f.type);
  const global = nested.length > 0 && nested.every((f) => isFloat(leaf(f.type as Arrow.DataType)));
  const topFloat = schema.fields.filter((f) => isFloat(f.type as Arrow.DataType)).map((f) => f.name);
  if (global) return { global, plain: schema.fields.filter((f) => !isFloat(leaf(f.type as Arrow.DataType))).map((f) => f.name), split: [] };
  return { global, plain: [], split: topFloat };
}

/** A run of rows to decode: `count` rows from row `start` (of the whole file). */
export interface RowRange {
  readonly start: number;
  readonly count: number;
}

/**
 * Decodes Parquet bytes into an Arrow table, synchronously (see {@link loadParquetWasmSync}).
 *
 * @param bytes - the file's bytes
 * @param columns - only these columns, when given
 * @param rows - only these rows, when given: the rows before are skipped while decoding (never
 *   materialized) and decoding stops after the last, so memory grows with `rows.count`
 */
export function decodeParquetSync(bytes: Uint8Array, columns?: readonly string[], rows?: RowRange): Arrow.Table {
  const pw = loadParquetWasmSync();
  const wasmTable = pw.readParquet(bytes, {
    batchSize: 1 << 20,
    ...(columns === undefined ? {} : { columns: [...columns] }),
    ...(rows === undefined ? {} : { offset: rows.start, limit: rows.count }),
  });
  return arrow.tableFromIPC(wasmTable.intoIPCStream());
}
