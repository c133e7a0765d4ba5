/**
 * A Sampler's rows in plain data ({@link SampleBatch}: one {@link ColumnData} per column and the
 * labels), and their Arrow form: a flat table whose schema metadata holds the labels.
 */
import type * as Arrow from 'apache-arrow';
import { HarvestryError } from '../errors.js';
import { concatColumns, nullColumn, type ColumnData } from '../execute/columns.js';
import { arrow } from './_arrow-lib.js';
import { fromArrowData, toArrowData, typeText, arrowColumnType } from './arrow.js';
import { columnShape, decodeSampleMeta, encodeSampleMeta, SAMPLES_META_KEY, type SampleMeta } from './sample-meta.js';

/** Rows of a sample table in plain data. */
export interface SampleBatch {
  readonly meta: SampleMeta;
  /** One column per column of `meta`. */
  readonly columns: Readonly<Record<string, ColumnData>>;
  readonly numRows: number;
}

/**
 * The rows as an Arrow table, its labels in the schema metadata under `harvestry.samples`.
 *
 * @param batch - the rows
 */
export function sampleTable(batch: SampleBatch): Arrow.Table {
  const fields: Arrow.Field[] = [];
  const children: Arrow.Data[] = [];
  for (const c of batch.meta.columns) {
    const data = toArrowData(batch.columns[c.name]!);
    fields.push(new arrow.Field(c.name, data.type, true));
    children.push(data);
  }
  const schema = new arrow.Schema(fields, new Map([[SAMPLES_META_KEY, encodeSampleMeta(batch.meta)]]));
  const struct = arrow.makeData({ type: new arrow.Struct(fields), length: batch.numRows, nullCount: 0, children });
  return new arrow.Table(schema, [new arrow.RecordBatch(schema, struct)]);
}

/**
 * The rows of an Arrow table a Sampler wrote (read back from Parquet or Arrow IPC), checked
 * against its labels; strings that came back dictionary-encoded are made plain.
 *
 * @param table - the table
 * @param where - the file, for messages
 * @param meta - the labels, when known already (else read from the schema metadata)
 */
export function batchFromTable(table: Arrow.Table, where: string, meta?: SampleMeta): SampleBatch {
  let labels = meta;
  if (labels === undefined) {
    const text = table.schema.metadata.get(SAMPLES_META_KEY);
    if (text === undefined) throw notSamples(where, table.schema.metadata.has('harvestry'));
    labels = decodeSampleMeta(text, where);
  }
  const columns: Record<string, ColumnData> = {};
  for (const c of labels.columns) {
    const shape = columnShape(labels, c);
    const vec = table.getChild(c.name);
    if (vec === null) {
      throw new HarvestryError('E_CORRUPT_FILE', `${where} has no column \`${c.name}\`, which its sample table labels list. The file was changed by another tool; restore it from its backup.`);
    }
    const type = vec.type as Arrow.DataType;
    const plain = type instanceof arrow.Dictionary ? (type.dictionary as Arrow.DataType) : type;
    if (typeText(plain) !== typeText(arrowColumnType(shape))) {
      throw new HarvestryError(
        'E_CORRUPT_FILE',
        `Column \`${c.name}\` of ${where} is ${typeText(type)}, but its sample table labels say ${typeText(arrowColumnType(shape))}. The file was changed by another tool; restore it from its backup.`,
      );
    }
    const col = fromArrowData(vec.data as Arrow.Data[], shape.type, shape.container, shape.depth);
    columns[c.name] = shape.size !== null && col.size === null ? { ...col, size: shape.size } : col;
  }
  return { meta: labels, columns, numRows: table.numRows };
}

/**
 * The rows under other labels: columns they lack are null, untyped columns take the labels' type.
 *
 * @param batch - the rows
 * @param meta - the labels to conform to (a superset of the batch's columns)
 */
export function conformBatch(batch: SampleBatch, meta: SampleMeta): SampleBatch {
  const columns: Record<string, ColumnData> = {};
  for (const c of meta.columns) {
    const shape = columnShape(meta, c);
    const col = batch.columns[c.name];
    columns[c.name] = col === undefined || (col.type === 'null' && shape.type !== 'null') ? nullColumn(shape, batch.numRows) : col;
  }
  return { meta, columns, numRows: batch.numRows };
}

/**
 * Batches of the same labels, end to end.
 *
 * @param meta - their labels
 * @param batches - the batches, conformed to `meta`
 */
export function concatBatches(meta: SampleMeta, batches: readonly SampleBatch[]): SampleBatch {
  if (batches.length === 1) return batches[0]!;
  const columns: Record<string, ColumnData> = {};
  for (const c of meta.columns) columns[c.name] = concatColumns(c.name, batches.map((b) => b.columns[c.name]!));
  return { meta, columns, numRows: batches.reduce((s, b) => s + b.numRows, 0) };
}

/**
 * The error for a file that holds no sample table.
 *
 * @param where - the file
 * @param isDataset - true when it is a harvestry dataset (a Harvester's file)
 */
export function notSamples(where: string, isDataset: boolean): HarvestryError {
  if (isDataset) {
    return new HarvestryError(
      'E_FILE_KIND',
      `${where} is a harvestry dataset (written by a Harvester or writeDataset), not a Sampler's table, so a Sampler will not add rows to it. Read it with readDataset(), or sample into another file.`,
      { details: { path: where } },
    );
  }
  return new HarvestryError(
    'E_FOREIGN_FILE',
    `${where} is a valid file, but harvestry did not write it as a sample table: it has no \`${SAMPLES_META_KEY}\` labels, so its columns are unknown. harvestry will not guess them or add rows to it. Sample into a new file.`,
    { details: { path: where } },
  );
}
