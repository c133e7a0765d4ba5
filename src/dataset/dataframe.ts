/**
 * The bridge to danfo DataFrames. danfo is an optional peer dependency, loaded only when a
 * DataFrame is asked for: `danfojs-node` where installed, else `danfojs` (the same API in plain
 * JavaScript).
 */
import { HarvestryError } from '../errors.js';
import type { Scalar } from '../space/values.js';
import { cellValue } from './cell.js';
import { columnNames, type Dataset } from './dataset.js';

/**
 * The part of a danfo `DataFrame` harvestry relies on. The object returned is a real danfo
 * DataFrame: cast it to `DataFrame` from `danfojs` / `danfojs-node` for the rest of the API.
 */
export interface DataFrameLike {
  /** Rows and columns. */
  readonly shape: number[];
  /** The column names. */
  readonly columns: string[];
  /** Prints the frame as a table. */
  print(): void;
}

interface DanfoModule {
  DataFrame: new (data: Record<string, unknown[]>, options?: { columns?: string[] }) => DataFrameLike;
}

let loaded: Promise<DanfoModule> | undefined;

/**
 * Loads danfo: `danfojs-node` where installed, else `danfojs`.
 *
 * @throws HarvestryError E_DANFO_MISSING when neither is installed
 */
export async function loadDanfo(): Promise<DanfoModule> {
  loaded ??= (async () => {
    const errors: unknown[] = [];
    for (const name of ['danfojs-node', 'danfojs']) {
      try {
        const mod = (await import(name)) as Partial<DanfoModule> & { default?: Partial<DanfoModule> };
        const DataFrame = mod.DataFrame ?? mod.default?.DataFrame;
        if (DataFrame !== undefined) return { DataFrame };
      } catch (err) {
        errors.push(err);
      }
    }
    loaded = undefined;
    throw new HarvestryError(
      'E_DANFO_MISSING',
      'DataFrames need danfo, and neither `danfojs-node` nor `danfojs` is installed. Install one: `npm install danfojs@1.1.2` (plain JavaScript, installs anywhere) or `npm install danfojs-node` (needs a TensorFlow download at install time).',
      { cause: errors[errors.length - 1] },
    );
  })();
  return loaded;
}

/**
 * Makes a danfo DataFrame of a dataset: one column per dim and variable (the long form when
 * there are internal dims; `_fingerprint` only when asked for). bigints become numbers when they
 * fit exactly, else strings; null numbers become NaN.
 */
export async function loadDataFrame(ds: Dataset, withFingerprint = false): Promise<DataFrameLike> {
  const danfo = await loadDanfo();
  const flat = ds.meta.vars.some((v) => v.dims.length > 0) || (ds.meta.fingerprintColumn != null && !withFingerprint) ? ds.toLong(undefined, { fingerprint: withFingerprint }) : ds;
  return new danfo.DataFrame(frameColumns(flat), { columns: columnNames(flat.meta) });
}

/** The columns of a dataset as arrays of danfo-friendly values. */
export function frameColumns(ds: Dataset): Record<string, unknown[]> {
  const out: Record<string, unknown[]> = {};
  for (const name of columnNames(ds.meta)) {
    const col = ds.column(name);
    const values = new Array<unknown>(col.length);
    for (let r = 0; r < col.length; r++) values[r] = danfoValue(cellValue(col, r, []) as Scalar, col.type);
    out[name] = values;
  }
  return out;
}

function danfoValue(v: Scalar, type: string): unknown {
  if (typeof v === 'bigint') return Number.isSafeInteger(Number(v)) ? Number(v) : v.toString();
  if (v === null && (type === 'float64' || type === 'float32' || type.startsWith('int') || type.startsWith('uint'))) return NaN;
  return v;
}
