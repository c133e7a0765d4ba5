/**
 * Adding a column that holds one text value in every row (the `_fingerprint` of new rows) as a
 * dictionary: one string and a vector of zeros, not one string per row.
 */
import type * as Arrow from 'apache-arrow';
import { arrow } from './_arrow-lib.js';
import { Dataset } from './dataset.js';
import { encodeMeta, type DatasetMeta } from './meta.js';

/**
 * The dataset with one more column, last, holding `value` (or null) in every row.
 *
 * @param ds - the dataset, whose table has every column of `meta` but `name`, in order
 * @param meta - the labels of the result (naming the new column)
 * @param name - the new column
 * @param value - its value in every row
 */
export function withConstantText(ds: Dataset, meta: DatasetMeta, name: string, value: string | null): Dataset {
  const type = new arrow.Dictionary(new arrow.Utf8(), new arrow.Int32());
  const dictionary = arrow.vectorFromArray(value === null ? [] : [value], new arrow.Utf8());
  const indices = new Int32Array(ds.numRows);
  const fields = [...ds.table.schema.fields, new arrow.Field(name, type, true)];
  const schema = new arrow.Schema(fields, new Map([...ds.table.schema.metadata, ['harvestry', encodeMeta(meta)]]));
  let offset = 0;
  const batches = ds.table.batches.map((b) => {
    const n = b.numRows;
    const data = arrow.makeData({
      type,
      length: n,
      nullCount: value === null ? n : 0,
      nullBitmap: value === null ? new Uint8Array(Math.ceil(n / 8)) : null,
      data: indices.subarray(offset, offset + n),
      dictionary,
    });
    offset += n;
    const children = [...(b.data.children), data as Arrow.Data];
    return new arrow.RecordBatch(schema, arrow.makeData({ type: new arrow.Struct(fields), length: n, nullCount: 0, children }));
  });
  return new Dataset(new arrow.Table(schema, batches), meta);
}
