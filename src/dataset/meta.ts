/**
 * The labels of a dataset (dims and coords, variables, internal dims, attrs, fingerprint,
 * provenance) and their JSON form, stored under the `harvestry` key of a file's metadata.
 * This JSON is part of the on-disk contract: see docs/format.md.
 */
import { HarvestryError } from '../errors.js';
import { TYPED_ARRAY_CTORS, type Container, type ElemType } from '../execute/columns.js';
import { isPlainObject } from '../space/combos.js';
import { showValue, type Scalar } from '../space/values.js';

/** The version of the on-disk format this library writes. */
export const FORMAT_VERSION = 1;

/** A dim (a key column): its name, storage type and coordinate values. */
export interface DimMeta {
  readonly name: string;
  readonly type: ElemType;
  readonly coords: readonly Scalar[];
}

/** A variable: its name, storage type, how values come back, and its internal dims. */
export interface VarMeta {
  readonly name: string;
  readonly type: ElemType;
  readonly container: Container;
  readonly dims: readonly string[];
}

/** The coords of an internal dim (known only when given by `varCoords` or a constant). */
export interface InternalCoords {
  readonly type: ElemType;
  readonly coords: readonly Scalar[];
}

/** Where a dataset came from. */
export interface Provenance {
  readonly library: string;
  readonly version: string;
  readonly node: string;
  readonly host: string;
  readonly time: string;
  readonly gitCommit: string | null;
  readonly cwd: string;
}

/** Everything a dataset knows about itself besides its rows. */
export interface DatasetMeta {
  readonly format: 'harvestry';
  readonly version: number;
  readonly dims: readonly DimMeta[];
  readonly vars: readonly VarMeta[];
  readonly varCoords: Readonly<Record<string, InternalCoords>>;
  readonly attrs: Readonly<Record<string, unknown>>;
  readonly fingerprint: string | null;
  readonly provenance: Provenance | null;
  /** The column holding failure messages (`onError: 'record'`), when there is one. */
  readonly errorColumn: string | null;
  /** The column holding per-case durations in ms (`timings: true`), when there is one. */
  readonly durationColumn: string | null;
  /**
   * The column holding, per row, the fingerprint of the function that made it (files a
   * Harvester writes), when there is one. Absent means null.
   */
  readonly fingerprintColumn?: string | null;
}

/** The name of the column of failure messages. */
export const ERROR_COLUMN = '_error';
/** The name of the column of per-case durations, in milliseconds. */
export const DURATION_COLUMN = '_duration_ms';
/** The name of the column of per-row function fingerprints (written by a Harvester). */
export const FINGERPRINT_COLUMN = '_fingerprint';

/** Encodes metadata as the JSON text stored in files. */
export function encodeMeta(meta: DatasetMeta): string {
  return JSON.stringify({
    format: meta.format,
    version: meta.version,
    dims: meta.dims.map((d) => ({ name: d.name, type: d.type, coords: d.coords.map((v) => encodeScalar(v, d.type)) })),
    vars: meta.vars,
    varCoords: Object.fromEntries(
      Object.entries(meta.varCoords).map(([k, c]) => [k, { type: c.type, coords: c.coords.map((v) => encodeScalar(v, c.type)) }]),
    ),
    attrs: encodeAttrs(meta.attrs),
    fingerprint: meta.fingerprint,
    provenance: meta.provenance,
    errorColumn: meta.errorColumn,
    durationColumn: meta.durationColumn,
    ...(meta.fingerprintColumn === undefined || meta.fingerprintColumn === null ? {} : { fingerprintColumn: meta.fingerprintColumn }),
  });
}

/**
 * Decodes the JSON text of a file's `harvestry` metadata.
 *
 * @param text - the JSON text
 * @param where - the file, for messages
 */
export function decodeMeta(text: string, where: string): DatasetMeta {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (err) {
    throw new HarvestryError('E_CORRUPT_FILE', `The harvestry metadata of ${where} is not valid JSON, so the file cannot be read as a dataset. Restore it from its backup.`, { cause: err });
  }
  if (!isPlainObject(raw) || raw.format !== 'harvestry' || typeof raw.version !== 'number') {
    throw new HarvestryError('E_CORRUPT_FILE', `The harvestry metadata of ${where} does not have the expected form (format, version, dims, vars). Restore the file from its backup.`);
  }
  if (raw.version > FORMAT_VERSION) {
    throw new HarvestryError(
      'E_FORMAT_VERSION',
      `${where} was written in harvestry format version ${raw.version}, but this harvestry reads versions up to ${FORMAT_VERSION}. Upgrade harvestry to read it.`,
    );
  }
  try {
    const dims = (raw.dims as { name: unknown; type: ElemType; coords: unknown[] }[]).map((d) => ({
      name: String(d.name),
      type: d.type,
      coords: d.coords.map((v) => decodeScalar(v, d.type)),
    }));
    const vars = (raw.vars as (Omit<VarMeta, 'name'> & { name: unknown })[]).map((v) => ({ name: String(v.name), type: v.type, container: v.container, dims: [...v.dims] }));
    const varCoords = Object.fromEntries(
      Object.entries(raw.varCoords as Record<string, { type: ElemType; coords: unknown[] }>).map(([k, c]) => [
        k,
        { type: c.type, coords: c.coords.map((v) => decodeScalar(v, c.type)) },
      ]),
    );
    return {
      format: 'harvestry',
      version: raw.version,
      dims,
      vars,
      varCoords,
      attrs: decodeAttrs(raw.attrs),
      fingerprint: typeof raw.fingerprint === 'string' ? raw.fingerprint : null,
      provenance: (raw.provenance as Provenance | null | undefined) ?? null,
      errorColumn: typeof raw.errorColumn === 'string' ? raw.errorColumn : null,
      durationColumn: typeof raw.durationColumn === 'string' ? raw.durationColumn : null,
      ...(typeof raw.fingerprintColumn === 'string' ? { fingerprintColumn: raw.fingerprintColumn } : {}),
    };
  } catch (err) {
    if (err instanceof HarvestryError) throw err;
    throw new HarvestryError('E_CORRUPT_FILE', `The harvestry metadata of ${where} is damaged (${(err as Error).message}). Restore the file from its backup.`, { cause: err });
  }
}

/** Encodes one scalar of a known storage type as JSON. */
export function encodeScalar(v: Scalar, type: ElemType): unknown {
  if (v === null) return null;
  if (type === 'date') return (v as Date).toISOString();
  if (typeof v === 'bigint') return v.toString();
  if (typeof v === 'number' && !Number.isFinite(v)) return String(v);
  if (Object.is(v, -0)) return '-0'; // JSON has no -0: JSON.stringify(-0) is "0"
  return v;
}

/** Decodes one scalar of a known storage type from JSON. */
export function decodeScalar(v: unknown, type: ElemType): Scalar {
  if (v === null) return null;
  switch (type) {
    case 'date':
      return new Date(v as string);
    case 'int64':
    case 'uint64':
      return BigInt(v as string);
    case 'bool':
      return v as boolean;
    case 'utf8':
      return v as string;
    default:
      return typeof v === 'string' ? Number(v) : (v as number);
  }
}

const TAG = '$harvestry';

/**
 * Encodes attrs as JSON-safe values: bigints, Dates, non-finite numbers and typed arrays are
 * tagged so they decode exactly.
 *
 * @param attrs - the attrs
 */
export function encodeAttrs(attrs: Readonly<Record<string, unknown>>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(attrs)) {
    if (v === undefined) continue;
    out[k] = encodeAttr(v, k);
  }
  return out;
}

function encodeAttr(v: unknown, path: string): unknown {
  if (v === null || typeof v === 'string' || typeof v === 'boolean') return v;
  if (typeof v === 'number') return Number.isFinite(v) && !Object.is(v, -0) ? v : { [TAG]: 'number', value: String(Object.is(v, -0) ? '-0' : v) };
  if (typeof v === 'bigint') return { [TAG]: 'bigint', value: v.toString() };
  if (v instanceof Date) return { [TAG]: 'date', value: v.toISOString() };
  if (ArrayBuffer.isView(v) && !(v instanceof DataView)) {
    const items = Array.from(v as unknown as ArrayLike<number | bigint>, (x) => (typeof x === 'bigint' ? x.toString() : encodeAttr(x, path)));
    return { [TAG]: v.constructor.name, value: items };
  }
  if (Array.isArray(v)) return v.map((x, i) => encodeAttr(x, `${path}[${i}]`));
  if (isPlainObject(v)) {
    const out: Record<string, unknown> = {};
    for (const [k, x] of Object.entries(v)) if (x !== undefined) out[k] = encodeAttr(x, `${path}.${k}`);
    return out;
  }
  throw new HarvestryError(
    'E_UNSUPPORTED_VALUE',
    `The attr or constant \`${path}\` is ${showValue(v)}, which cannot be saved with the dataset. Attrs hold numbers, bigints, booleans, strings, Dates, null, and arrays or plain objects of them; pass other things as \`resources\` (never saved).`,
  );
}

/**
 * Decodes attrs written by {@link encodeAttrs}.
 *
 * @param raw - the JSON value
 */
export function decodeAttrs(raw: unknown): Record<string, unknown> {
  if (!isPlainObject(raw)) return {};
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(raw)) out[k] = decodeAttr(v);
  return out;
}

function decodeAttr(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(decodeAttr);
  if (!isPlainObject(v)) return v;
  const tag = v[TAG];
  if (typeof tag === 'string') {
    if (tag === 'number') return Number(v.value);
    if (tag === 'bigint') return BigInt(v.value as string);
    if (tag === 'date') return new Date(v.value as string);
    const Ctor = TYPED_ARRAY_CTORS[tag];
    if (Ctor !== undefined) {
      const items = (v.value as unknown[]).map((x) => (tag.startsWith('Big') ? BigInt(x as string) : decodeAttr(x)));
      return new Ctor(items as never);
    }
  }
  const out: Record<string, unknown> = {};
  for (const [k, x] of Object.entries(v)) out[k] = decodeAttr(x);
  return out;
}

/** The storage type of a dim whose values are of a scalar kind. */
export function dimType(kind: string): ElemType {
  switch (kind) {
    case 'number':
      return 'float64';
    case 'bigint':
      return 'int64';
    case 'boolean':
      return 'bool';
    case 'string':
      return 'utf8';
    case 'date':
      return 'date';
    default:
      return 'null';
  }
}
