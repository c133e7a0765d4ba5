/**
 * The rows a chart draws, as columns of plain values: from a dataset (selected, then in long
 * form, so internal dims are columns too) or from a sample table (every row a point).
 */
import type * as Arrow from 'apache-arrow';
import { HarvestryError } from '../errors.js';
import { isValid, scalarAt } from '../dataset/cell.js';
import type { Dataset } from '../dataset/dataset.js';
import { decodeSampleMeta, SAMPLES_META_KEY, type SampleMeta } from '../dataset/sample-meta.js';
import type { SelOptions, Selection } from '../dataset/select.js';
import { keyOf, showNames, showValue, type Scalar } from '../space/values.js';

/** What a column's values are, as a chart sees them. */
export type FieldKind = 'number' | 'string' | 'date' | 'bool';

/** A column of the chart's rows. */
export interface FrameField {
  readonly name: string;
  readonly kind: FieldKind;
  /** Dims and internal dims (and a sample table's parameters) are keys; variables are values. */
  readonly isDim: boolean;
  /** Numbers (NaN for none), strings, booleans, Dates or null. */
  readonly values: readonly (number | string | boolean | Date | null)[];
}

/** The rows of a chart and what is known about them. */
export interface Frame {
  readonly length: number;
  readonly fields: ReadonlyMap<string, FrameField>;
  /** Dims with more than one value left after the selection, with their sizes. */
  readonly freeDims: readonly { readonly name: string; readonly size: number }[];
  /** Dims fixed to one value (by the selection, or because they have one), for the title. */
  readonly fixed: readonly (readonly [string, Scalar])[];
  /** Units by name, from the attrs (`attrs.units`). */
  readonly units: Readonly<Record<string, string>>;
  /** True for a sample table. */
  readonly isSamples: boolean;
}

/** The names a source offers, for defaults and messages. */
export interface SourceNames {
  readonly dims: readonly string[];
  readonly vars: readonly string[];
  /** The internal dims of each variable. */
  readonly varDims: Readonly<Record<string, readonly string[]>>;
  /** True for a sample table (every row a point: scatter by default). */
  readonly isSamples: boolean;
}

/**
 * The names of a dataset: dims, variables and their internal dims.
 *
 * @param ds - the dataset
 */
export function datasetNames(ds: Dataset): SourceNames {
  return { dims: ds.dims, vars: ds.varNames, varDims: ds.varDims, isSamples: false };
}

/**
 * A dataset's rows for a chart: `sel` applied, then the long form of the variables used, with
 * the named columns.
 *
 * @param ds - the dataset
 * @param names - the columns needed (dims, internal dims, variables)
 * @param sel - the selection, if any
 * @param selOptions - how it matches
 */
export function datasetFrame(ds: Dataset, names: readonly string[], sel: Selection | undefined, selOptions: SelOptions): Frame {
  const picked = sel === undefined ? ds : ds.sel(sel, selOptions);
  const vars = names.filter((n) => picked.varNames.includes(n));
  const long = picked.toLong(vars);
  const fields = new Map<string, FrameField>();
  const dimNames = new Set(long.dims);
  for (const name of names) {
    const col = long.column(name);
    const values: (number | string | boolean | Date | null)[] = new Array<number | string | boolean | Date | null>(col.length);
    for (let r = 0; r < col.length; r++) {
      if (!isValid(col, r)) {
        values[r] = null;
        continue;
      }
      const v = scalarAt(col.values, col.type, r);
      values[r] = typeof v === 'bigint' ? Number(v) : v;
    }
    fields.set(name, { name, kind: kindOf(col.type), isDim: dimNames.has(name), values });
  }
  const fixed: [string, Scalar][] = [];
  for (const [k, v] of Object.entries(sel ?? {})) if (!Array.isArray(v)) fixed.push([k, picked.attrs[k] as Scalar]);
  for (const d of long.meta.dims) if (d.coords.length === 1 && !names.includes(d.name)) fixed.push([d.name, d.coords[0]!]);
  const freeDims = long.meta.dims.filter((d) => d.coords.length > 1).map((d) => ({ name: d.name, size: d.coords.length }));
  return { length: long.numRows, fields, freeDims, fixed, units: unitsOf(ds.attrs), isSamples: false };
}

/**
 * The names of a sample table: parameters as dims, outputs as variables.
 *
 * @param table - the table
 */
export function sampleNames(table: Arrow.Table): SourceNames {
  const meta = sampleMetaOf(table);
  const dims = meta.columns.filter((c) => c.role === 'param' || c.role === 'seed' || c.role === 'index').map((c) => c.name);
  const vars = meta.columns.filter((c) => c.role === 'var' || c.role === 'duration').map((c) => c.name);
  return { dims, vars, varDims: Object.fromEntries(meta.columns.filter((c) => c.role === 'var').map((c) => [c.name, c.dims])), isSamples: true };
}

/**
 * A sample table's rows for a chart: every row is a point; `sel` keeps the rows whose columns
 * have the selected values.
 *
 * @param table - the table (a Sampler's `fullTable`, or `readSamples()`)
 * @param names - the columns needed
 * @param sel - the selection, if any
 * @param selOptions - how it matches
 */
export function sampleFrame(table: Arrow.Table, names: readonly string[], sel: Selection | undefined, selOptions: SelOptions): Frame {
  const meta = sampleMetaOf(table);
  const all = new Map<string, FrameField>();
  const want = new Set([...names, ...Object.keys(sel ?? {})]);
  for (const name of want) {
    const col = meta.columns.find((c) => c.name === name);
    if (col === undefined) continue;
    if (col.dims.length > 0) {
      throw new HarvestryError('E_PLOT_TYPE', `The sample column \`${name}\` holds a list per row (over ${showNames(col.dims)}), which plot() cannot draw from a sample table. Plot a scalar output, or run the function with a Harvester to sweep the list.`);
    }
    const vec = table.getChild(name)!;
    const values: (number | string | boolean | Date | null)[] = new Array<number | string | boolean | Date | null>(table.numRows);
    for (let r = 0; r < table.numRows; r++) {
      const v: unknown = vec.get(r);
      values[r] = v === null || v === undefined ? null : typeof v === 'bigint' ? Number(v) : typeof v === 'number' && col.type === 'date' ? new Date(v) : (v as number | string | boolean | Date);
    }
    all.set(name, { name, kind: kindOf(col.type), isDim: col.role !== 'var' && col.role !== 'duration', values });
  }
  let keep: number[] | null = null;
  const fixed: [string, Scalar][] = [];
  for (const [name, wanted] of Object.entries(sel ?? {})) {
    const field = all.get(name);
    if (field === undefined) throw new HarvestryError('E_UNKNOWN_DIM', `The sample table has no column \`${name}\` to select on; its columns are ${showNames(meta.columns.map((c) => c.name))}.`);
    const values = Array.isArray(wanted) ? (wanted as readonly Scalar[]) : [wanted as Scalar];
    if (!Array.isArray(wanted)) fixed.push([name, wanted as Scalar]);
    const rows: number[] = keep ?? Array.from({ length: table.numRows }, (_, i) => i);
    keep = rows.filter((r) => values.some((w) => matches(field.values[r] ?? null, w, selOptions)));
  }
  const fields = new Map<string, FrameField>();
  for (const name of names) {
    const f = all.get(name);
    if (f === undefined) continue;
    fields.set(name, keep === null ? f : { ...f, values: keep.map((r) => f.values[r]!) });
  }
  return { length: keep?.length ?? table.numRows, fields, freeDims: [], fixed, units: unitsOf(meta.attrs), isSamples: true };
}

/**
 * True when a value is a sample table (an Arrow table with a Sampler's labels).
 *
 * @param x - anything
 */
export function isSampleTable(x: unknown): x is Arrow.Table {
  const schema = (x as { schema?: { metadata?: Map<string, string> } } | null)?.schema;
  return schema?.metadata instanceof Map && schema.metadata.has(SAMPLES_META_KEY);
}

function sampleMetaOf(table: Arrow.Table): SampleMeta {
  return decodeSampleMeta(table.schema.metadata.get(SAMPLES_META_KEY)!, 'the sample table');
}

function matches(v: number | string | boolean | Date | null, w: Scalar, options: SelOptions): boolean {
  if (keyOf(v) === keyOf(w)) return true;
  if (options.method !== 'nearest' || typeof v !== 'number' || typeof w !== 'number') return false;
  return Math.abs(v - w) <= (options.tolerance ?? 0);
}

function kindOf(type: string): FieldKind {
  if (type === 'utf8' || type === 'null') return 'string';
  if (type === 'bool') return 'bool';
  if (type === 'date') return 'date';
  return 'number';
}

/** Units from `attrs.units` (an object of name → unit). */
function unitsOf(attrs: Readonly<Record<string, unknown>>): Record<string, string> {
  const units = attrs.units;
  if (typeof units !== 'object' || units === null || Array.isArray(units)) return {};
  return Object.fromEntries(Object.entries(units).filter(([, u]) => typeof u === 'string'));
}

/**
 * Shows a value as a chart label (floats without their noise: 0.30000000000000004 as 0.3).
 *
 * @param v - the value
 */
export function showLabel(v: Scalar): string {
  if (typeof v === 'number') return String(Number.isInteger(v) ? v : Number(v.toPrecision(12)));
  return typeof v === 'string' ? v : showValue(v);
}
