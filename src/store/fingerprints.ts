/**
 * The per-row fingerprint column (`_fingerprint`) on disk: dictionary-encoded (a few distinct
 * hashes over many rows cost next to nothing, and readers see plain strings), with a summary of
 * how many rows each fingerprint has in the footer, so a reader can tell whether any row is
 * stale without reading the column.
 */
import type * as Arrow from 'apache-arrow';
import { arrow } from '../dataset/_arrow-lib.js';
import type { Dataset } from '../dataset/dataset.js';
import { packBits } from '../dataset/arrow.js';

/** The footer key holding the number of rows per fingerprint, as JSON (`{"sha256:…": 1200}`). */
export const FINGERPRINTS_KEY = 'harvestry.fingerprints';

/**
 * The dataset's table with the fingerprint column (if any) as a dictionary of strings, one
 * dictionary shared by every record batch.
 *
 * @param ds - the dataset
 * @param table - its table (with the schema metadata to write)
 */
export function dictionaryEncodeFingerprints(ds: Dataset, table: Arrow.Table): Arrow.Table {
  const name = ds.meta.fingerprintColumn;
  if (name === undefined || name === null) return table;
  const at = table.schema.fields.findIndex((f) => f.name === name);
  if (at < 0 || table.schema.fields[at]!.type instanceof arrow.Dictionary) return table;
  const values = ds.column(name).values as (string | null)[];
  const n = values.length;
  const indices = new Int32Array(n);
  const valid = new Uint8Array(n);
  const words: string[] = [];
  const index = new Map<string, number>();
  let last = '';
  let lastIdx = -1;
  for (let r = 0; r < n; r++) {
    const v = values[r] ?? null;
    if (v === null) continue;
    valid[r] = 1;
    if (lastIdx < 0 || v !== last) {
      let k = index.get(v);
      if (k === undefined) {
        k = words.length;
        words.push(v);
        index.set(v, k);
      }
      last = v;
      lastIdx = k;
    }
    indices[r] = lastIdx;
  }
  const type = new arrow.Dictionary(new arrow.Utf8(), new arrow.Int32());
  const dictionary = arrow.vectorFromArray(words, new arrow.Utf8());
  const fields = table.schema.fields.map((f, i) => (i === at ? new arrow.Field(name, type, true) : f));
  const schema = new arrow.Schema(fields, table.schema.metadata);
  let offset = 0;
  const batches = table.batches.map((b) => {
    const len = b.numRows;
    const slice = valid.subarray(offset, offset + len);
    const nullCount = len - slice.reduce((s, x) => s + x, 0);
    const data = arrow.makeData({ type, length: len, nullCount, nullBitmap: nullCount === 0 ? null : packBits(slice, len), data: indices.subarray(offset, offset + len), dictionary });
    offset += len;
    const children = b.data.children.map<Arrow.Data>((c, i) => (i === at ? data : c));
    return new arrow.RecordBatch(schema, arrow.makeData({ type: new arrow.Struct(fields), length: len, nullCount: 0, children }));
  });
  return new arrow.Table(schema, batches);
}

/**
 * The footer entry counting rows per fingerprint, or nothing when the dataset has no
 * fingerprint column.
 *
 * @param ds - the dataset
 */
export function fingerprintSummary(ds: Dataset): [string, string][] {
  const name = ds.meta.fingerprintColumn;
  if (name === undefined || name === null) return [];
  const counts: Record<string, number> = {};
  const vec = ds.table.getChild(name);
  if (vec !== null && vec.type instanceof arrow.Dictionary) {
    for (const d of vec.data as Arrow.Data[]) {
      const dict = d.dictionary!;
      const per = new Float64Array(dict.length);
      const idx = d.values as Int32Array;
      for (let r = 0; r < d.length; r++) if (d.nullCount === 0 || d.getValid(r)) per[idx[d.offset + r]!]!++;
      per.forEach((c, k) => {
        const w = dict.get(k) as string | null;
        if (c > 0 && w !== null) counts[w] = (counts[w] ?? 0) + c;
      });
    }
    return [[FINGERPRINTS_KEY, JSON.stringify(counts)]];
  }
  const values = ds.column(name).values as (string | null)[];
  let last: string | null = null;
  let run = 0;
  const flush = (): void => {
    if (last !== null) counts[last] = (counts[last] ?? 0) + run;
  };
  for (const v of values) {
    if (v === last) {
      run++;
      continue;
    }
    flush();
    last = v;
    run = 1;
  }
  flush();
  return [[FINGERPRINTS_KEY, JSON.stringify(counts)]];
}

/**
 * Reads the footer's fingerprint counts, or null when absent or unreadable.
 *
 * @param text - the footer value
 */
export function parseFingerprintSummary(text: string | undefined): Record<string, number> | null {
  if (text === undefined) return null;
  try {
    const raw = JSON.parse(text) as unknown;
    if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) return null;
    const out: Record<string, number> = {};
    for (const [k, v] of Object.entries(raw)) if (typeof v === 'number') out[k] = v;
    return out;
  } catch {
    return null;
  }
}
