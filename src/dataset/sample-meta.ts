/**
 * The labels of a Sampler's table (its columns, their roles and types, internal dims, attrs,
 * fingerprint, provenance) and their JSON form, stored under the `harvestry.samples` key of a
 * file's metadata (or beside a CSV / JSON-lines file). Part of the on-disk contract: see
 * docs/format.md.
 */
import { HarvestryError } from '../errors.js';
import type { ColumnData, Container, ElemType } from '../execute/columns.js';
import { isPlainObject } from '../space/combos.js';
import { showNames } from '../space/values.js';
import { decodeAttrs, decodeScalar, encodeAttrs, encodeScalar, type InternalCoords, type Provenance } from './meta.js';

/** The `format` of a sample table's labels. */
export const SAMPLES_FORMAT = 'harvestry-samples';
/** The metadata key (Arrow schema and Parquet footer) holding a sample table's labels. */
export const SAMPLES_META_KEY = 'harvestry.samples';
/** The version of the sample table format this library writes. */
export const SAMPLES_VERSION = 1;
/** The column holding each sample's seed. */
export const SEED_COLUMN = '_seed';
/** The column holding each sample's index (0, 1, 2... within the call that drew it). */
export const SAMPLE_COLUMN = '_sample';

/**
 * What a column of a sample table holds: a drawn parameter, a constant (a scalar given to
 * every call), an output variable, the failure message, the duration, the seed or the index.
 */
export type SampleRole = 'param' | 'constant' | 'var' | 'error' | 'duration' | 'seed' | 'index';

/** A column of a sample table. */
export interface SampleColumnMeta {
  readonly name: string;
  readonly role: SampleRole;
  /** The storage type of its values (or of the elements of a list column). */
  readonly type: ElemType;
  /** How values come back to JavaScript. */
  readonly container: Container;
  /** The internal dims of an output variable (a list column); empty otherwise. */
  readonly dims: readonly string[];
}

/** Everything a sample table knows about itself besides its rows. */
export interface SampleMeta {
  readonly format: typeof SAMPLES_FORMAT;
  readonly version: number;
  /** The columns, in table order (stable across appends: new columns go last). */
  readonly columns: readonly SampleColumnMeta[];
  readonly varCoords: Readonly<Record<string, InternalCoords>>;
  /** The runner's attrs and the constants that are not scalars. */
  readonly attrs: Readonly<Record<string, unknown>>;
  /** The fingerprint of the function that wrote the last rows. */
  readonly fingerprint: string | null;
  readonly provenance: Provenance | null;
}

/**
 * The labels as the JSON text stored in files.
 *
 * @param meta - the labels
 */
export function encodeSampleMeta(meta: SampleMeta): string {
  return JSON.stringify({
    format: meta.format,
    version: meta.version,
    columns: meta.columns,
    varCoords: Object.fromEntries(Object.entries(meta.varCoords).map(([k, c]) => [k, { type: c.type, coords: c.coords.map((v) => encodeScalar(v, c.type)) }])),
    attrs: encodeAttrs(meta.attrs),
    fingerprint: meta.fingerprint,
    provenance: meta.provenance,
  });
}

/**
 * Decodes the JSON text of a sample table's labels.
 *
 * @param text - the JSON text
 * @param where - the file, for messages
 */
export function decodeSampleMeta(text: string, where: string): SampleMeta {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (err) {
    throw new HarvestryError('E_CORRUPT_FILE', `The sample table labels of ${where} are not valid JSON, so its columns cannot be read. Restore the file from its backup.`, { cause: err });
  }
  if (!isPlainObject(raw) || raw.format !== SAMPLES_FORMAT || typeof raw.version !== 'number' || !Array.isArray(raw.columns)) {
    throw new HarvestryError('E_CORRUPT_FILE', `The sample table labels of ${where} do not have the expected form (format, version, columns). Restore the file from its backup.`);
  }
  if (raw.version > SAMPLES_VERSION) {
    throw new HarvestryError('E_FORMAT_VERSION', `${where} was written in sample table format version ${raw.version}, but this harvestry reads versions up to ${SAMPLES_VERSION}. Upgrade harvestry to read it.`);
  }
  const columns = (raw.columns as Record<string, unknown>[]).map((c) => ({
    name: String(c.name),
    role: c.role as SampleRole,
    type: c.type as ElemType,
    container: c.container as Container,
    dims: Array.isArray(c.dims) ? c.dims.map(String) : [],
  }));
  const varCoords = Object.fromEntries(
    Object.entries((raw.varCoords ?? {}) as Record<string, { type: ElemType; coords: unknown[] }>).map(([k, c]) => [k, { type: c.type, coords: c.coords.map((v) => decodeScalar(v, c.type)) }]),
  );
  return {
    format: SAMPLES_FORMAT,
    version: raw.version,
    columns,
    varCoords,
    attrs: decodeAttrs(raw.attrs),
    fingerprint: typeof raw.fingerprint === 'string' ? raw.fingerprint : null,
    provenance: (raw.provenance as Provenance | null | undefined) ?? null,
  };
}

/**
 * The storage shape of a column: type, container, list depth, and the fixed size of a list
 * whose internal dims all have coords.
 *
 * @param meta - the labels
 * @param col - the column
 */
export function columnShape(meta: SampleMeta, col: SampleColumnMeta): Pick<ColumnData, 'type' | 'container' | 'size' | 'depth'> {
  const sizes = col.dims.map((d) => meta.varCoords[d]?.coords.length ?? null);
  const fixed = col.dims.length > 0 && sizes.every((s) => s !== null);
  return { type: col.type, container: col.container, depth: col.dims.length, size: fixed ? sizes.reduce((a, b) => a * b, 1) : null };
}

/** The labels of a table holding the rows of two, and what the older rows need. */
export interface ReconciledSampleMeta {
  readonly meta: SampleMeta;
  /** Columns the older table lacks (its rows are null there); they come last. */
  readonly added: readonly string[];
  /** Columns whose older rows were all null without a type and now have one. */
  readonly retyped: readonly string[];
}

/**
 * The labels of a table holding the rows of `old` and then those of `next`: `old`'s columns in
 * their order, then the new ones; an untyped (all-null) column takes the other side's type;
 * attrs, fingerprint and provenance of `next` win.
 *
 * @param old - the labels of the rows already there
 * @param next - the labels of the rows added
 * @param where - the file, for messages
 * @throws HarvestryError E_SCHEMA_MISMATCH when a column changes its role, type or internal dims
 */
export function reconcileSampleMeta(old: SampleMeta, next: SampleMeta, where: string): ReconciledSampleMeta {
  const byName = new Map(next.columns.map((c) => [c.name, c]));
  const retyped: string[] = [];
  const columns = old.columns.map((o) => {
    const n = byName.get(o.name);
    if (n === undefined) return o;
    const sameShape = o.type === n.type && o.container === n.container;
    if (o.role !== n.role || o.dims.join('\u0000') !== n.dims.join('\u0000') || (!sameShape && o.type !== 'null' && n.type !== 'null')) {
      throw mismatch(where, o, n);
    }
    if (o.type === 'null' && n.type !== 'null') {
      retyped.push(o.name);
      return n;
    }
    return o;
  });
  const known = new Set(old.columns.map((c) => c.name));
  const added = next.columns.filter((c) => !known.has(c.name));
  const varCoords = { ...old.varCoords };
  for (const [k, c] of Object.entries(next.varCoords)) {
    const before = old.varCoords[k];
    if (before !== undefined && JSON.stringify(before.coords.map((v) => encodeScalar(v, before.type))) !== JSON.stringify(c.coords.map((v) => encodeScalar(v, c.type)))) {
      throw new HarvestryError(
        'E_SCHEMA_MISMATCH',
        `The coords of the internal dim \`${k}\` differ from those of the rows already in ${where}, so the list columns along it would not line up. Keep the coords, or sample into a new file.`,
        { details: { path: where, dim: k } },
      );
    }
    varCoords[k] = c;
  }
  const meta: SampleMeta = { ...next, columns: [...columns, ...added], varCoords, attrs: { ...old.attrs, ...next.attrs } };
  return { meta, added: added.map((c) => c.name), retyped };
}

function mismatch(where: string, o: SampleColumnMeta, n: SampleColumnMeta): HarvestryError {
  const show = (c: SampleColumnMeta): string => `a ${c.role} of type ${c.type}${c.dims.length > 0 ? ` along ${showNames(c.dims)}` : ''}${c.container === 'scalar' ? '' : ` (${c.container})`}`;
  return new HarvestryError(
    'E_SCHEMA_MISMATCH',
    `Column \`${o.name}\` of ${where} is ${show(o)}, but the new rows have it as ${show(n)}. A column keeps one role and type in a table: rename the parameter or output, or sample into a new file.`,
    { details: { path: where, column: o.name } },
  );
}
