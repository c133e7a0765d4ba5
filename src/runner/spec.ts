/**
 * The options of `label()`, checked and normalized once into a {@link RunnerSpec} that the rest
 * of the code trusts.
 */
import { HarvestryError } from '../errors.js';
import { encodeAttrs, dimType, type InternalCoords } from '../dataset/meta.js';
import { checkOneKind, checkScalar, isPlainObject } from '../space/combos.js';
import { keyOf, showNames, showValue, type Scalar } from '../space/values.js';
import { normalizeRunOptions, RUN_OPTION_NAMES, type RunOptions } from './options.js';
import { fingerprintOf } from './fingerprint.js';
import { readParams, type ParamInfo } from './params.js';

/** Values accepted as coordinates of an internal dim: an array of scalars or a typed array. */
export type CoordValues = readonly Scalar[] | Float64Array | Float32Array | Int32Array | Int16Array | Int8Array | Uint32Array | Uint16Array | Uint8Array;

/**
 * The options of {@link label}: how to name and shape the function's outputs, what to pass it
 * besides the swept arguments, and default run options.
 *
 * @typeParam P - the function's parameter object
 */
export interface LabelSpec<P = Record<string, unknown>> extends RunOptions {
  /**
   * The output names: one name (the function returns one value), an array (it returns a tuple
   * in that order), or `null` (it returns a record of named outputs).
   */
  readonly varNames: string | readonly string[] | null;
  /** The argument names in order, for a function that takes positional arguments. */
  readonly fnArgs?: readonly string[];
  /** The internal dims of each output that is an array (nested for several dims), e.g. `{ pop: ['t'] }`. */
  readonly varDims?: Readonly<Record<string, string | readonly string[]>>;
  /** The coordinate values of internal dims, e.g. `{ t: [0, 0.1, 0.2] }`. */
  readonly varCoords?: Readonly<Record<string, CoordValues>>;
  /**
   * Arguments passed to every call and saved with the dataset: as the coords of an internal dim
   * of the same name, otherwise as attrs.
   */
  readonly constants?: Partial<P>;
  /** Arguments passed to every call and never saved (big objects, handles, functions). */
  readonly resources?: Partial<P>;
  /** Anything else to save with the dataset. */
  readonly attrs?: Readonly<Record<string, unknown>>;
}

/** A labelled function's spec after checking. */
export interface RunnerSpec {
  readonly varNames: readonly string[] | null;
  readonly fnArgs: readonly string[] | null;
  readonly params: ParamInfo;
  readonly varDims: Readonly<Record<string, readonly string[]>>;
  /** Coords of internal dims, from `varCoords` and from constants named as internal dims. */
  readonly varCoords: Readonly<Record<string, InternalCoords>>;
  readonly constants: Readonly<Record<string, unknown>>;
  readonly resources: Readonly<Record<string, unknown>>;
  readonly attrs: Readonly<Record<string, unknown>>;
  /** The function's fingerprint (see `fingerprint.ts`), computed when first read. */
  readonly fingerprint: string;
  readonly defaults: RunOptions;
}

const SPEC_NAMES = new Set(['varNames', 'fnArgs', 'varDims', 'varCoords', 'constants', 'resources', 'attrs', ...RUN_OPTION_NAMES]);

/**
 * Checks and normalizes the options of `label()`.
 *
 * @param spec - the options
 * @param fn - the labelled function
 */
export function normalizeSpec(spec: LabelSpec<unknown>, fn: (...args: never[]) => unknown): RunnerSpec {
  if (!isPlainObject(spec)) throw new HarvestryError('E_BAD_SPEC', `label() expects an options object first, like { varNames: 'y' }, got ${showValue(spec)}.`);
  if (typeof fn !== 'function') throw new HarvestryError('E_BAD_SPEC', `label() expects the function to label second, got ${showValue(fn)}.`);
  const unknown = Object.keys(spec).filter((k) => !SPEC_NAMES.has(k));
  if (unknown.length > 0) {
    throw new HarvestryError('E_BAD_OPTION', `label() has no option ${showNames(unknown)}. Its options are ${showNames([...SPEC_NAMES])}.`);
  }
  if (!('varNames' in spec)) {
    throw new HarvestryError('E_BAD_SPEC', "label() needs `varNames`: the output name ('y'), names (['y', 'z']) for a tuple, or null for a record of named outputs.");
  }
  const varNames = normalizeVarNames(spec.varNames);
  const fnArgs = spec.fnArgs === undefined ? null : normalizeNameList(spec.fnArgs, 'fnArgs');
  const params = readParams(fn, fnArgs);
  const varDims = normalizeVarDims(spec.varDims, varNames);
  const constants = normalizeRecord(spec.constants, 'constants');
  const resources = normalizeRecord(spec.resources, 'resources');
  const clash = Object.keys(constants).filter((k) => k in resources);
  if (clash.length > 0) {
    throw new HarvestryError('E_CONSTANT_CLASH', `${showNames(clash)} ${clash.length === 1 ? 'is' : 'are'} given both as a constant and as a resource. Give each in one place: constants are saved, resources never are.`);
  }
  checkKnownArgs(params, [...Object.keys(constants), ...Object.keys(resources)], 'label()');
  const varCoords = collectVarCoords(spec.varCoords, constants, varDims);
  const attrs = normalizeRecord(spec.attrs, 'attrs');
  encodeAttrs(attrs);
  encodeAttrs(Object.fromEntries(Object.entries(constants).filter(([k]) => !(k in varCoords))));
  const defaults = normalizeRunOptions(pickRunOptions(spec), 'label()');
  return {
    varNames,
    fnArgs,
    params,
    varDims,
    varCoords,
    constants,
    resources,
    attrs,
    // Parsing costs: only where it is read (not in a worker that finds the function by its source hash).
    get fingerprint(): string {
      const value = fingerprintOf(fn);
      Object.defineProperty(this, 'fingerprint', { value, enumerable: true });
      return value;
    },
    defaults,
  };
}

/**
 * Throws E_UNKNOWN_ARG when a name is not an argument of the function (when its names are known).
 *
 * @param params - what the source says about the arguments
 * @param names - the names to check
 * @param where - where the names were given, for messages
 */
export function checkKnownArgs(params: ParamInfo, names: readonly string[], where: string): void {
  if (params.names === null) return;
  const known = params.names;
  const bad = names.filter((n) => !known.includes(n));
  if (bad.length === 0) return;
  const hints = bad.map((b) => {
    const near = known
      .map((k) => ({ k, d: k.toLowerCase() === b.toLowerCase() ? 0 : editDistance(k, b) }))
      .filter((x) => x.d <= 2)
      .sort((x, y) => x.d - y.d)[0]?.k;
    return near === undefined ? `\`${b}\`` : `\`${b}\` (did you mean \`${near}\`?)`;
  });
  throw new HarvestryError(
    'E_UNKNOWN_ARG',
    `${where} names ${hints.join(', ')}, which the function does not take. Its arguments are ${showNames(known)}.`,
    { details: { unknown: bad, known } },
  );
}

function normalizeVarNames(raw: unknown): readonly string[] | null {
  if (raw === null) return null;
  if (typeof raw === 'string') return normalizeNameList([raw], 'varNames');
  if (Array.isArray(raw)) {
    if (raw.length === 0) throw new HarvestryError('E_BAD_SPEC', '`varNames` is an empty array. Name at least one output, or use null for a record of named outputs.');
    return normalizeNameList(raw, 'varNames');
  }
  throw new HarvestryError('E_BAD_SPEC', `Expected \`varNames\` to be a string, an array of strings, or null, got ${showValue(raw)}.`);
}

function normalizeNameList(raw: unknown, what: string): readonly string[] {
  if (!Array.isArray(raw)) throw new HarvestryError('E_BAD_SPEC', `Expected \`${what}\` to be an array of names, got ${showValue(raw)}.`);
  const out: string[] = [];
  for (const n of raw) {
    if (typeof n !== 'string' || n === '') throw new HarvestryError('E_BAD_SPEC', `Expected every name in \`${what}\` to be a non-empty string, got ${showValue(n)}.`);
    if (out.includes(n)) throw new HarvestryError('E_BAD_SPEC', `\`${what}\` names \`${n}\` twice. Each name must be distinct.`);
    out.push(n);
  }
  return out;
}

function normalizeVarDims(raw: unknown, varNames: readonly string[] | null): Record<string, readonly string[]> {
  if (raw === undefined || raw === null) return {};
  if (!isPlainObject(raw)) throw new HarvestryError('E_BAD_SPEC', `Expected \`varDims\` to be an object like { out: ['t'] }, got ${showValue(raw)}.`);
  const out: Record<string, readonly string[]> = {};
  for (const [name, dims] of Object.entries(raw)) {
    if (varNames !== null && !varNames.includes(name)) {
      throw new HarvestryError('E_BAD_SPEC', `\`varDims\` names \`${name}\`, which is not an output: \`varNames\` is ${showNames(varNames)}.`);
    }
    out[name] = normalizeNameList(typeof dims === 'string' ? [dims] : dims, `varDims.${name}`);
  }
  return out;
}

function normalizeRecord(raw: unknown, what: string): Record<string, unknown> {
  if (raw === undefined || raw === null) return {};
  if (!isPlainObject(raw)) throw new HarvestryError('E_BAD_OPTION', `Expected \`${what}\` to be an object of named values, got ${showValue(raw)}.`);
  return { ...raw };
}

/**
 * Collects the coords of internal dims from `varCoords` and from constants named as internal dims.
 *
 * @param raw - `varCoords`
 * @param constants - the constants
 * @param varDims - the internal dims of each variable
 */
export function collectVarCoords(
  raw: unknown,
  constants: Readonly<Record<string, unknown>>,
  varDims: Readonly<Record<string, readonly string[]>>,
): Record<string, InternalCoords> {
  const internal = new Set(Object.values(varDims).flat());
  const given = raw ?? {};
  if (!isPlainObject(given)) throw new HarvestryError('E_BAD_SPEC', `Expected \`varCoords\` to be an object like { t: [0, 1, 2] }, got ${showValue(raw)}.`);
  const out: Record<string, InternalCoords> = {};
  for (const [dim, values] of Object.entries(given)) {
    if (!internal.has(dim)) {
      throw new HarvestryError(
        'E_BAD_SPEC',
        `\`varCoords\` gives coords for \`${dim}\`, which no variable has as an internal dim. Add it to \`varDims\` (for example varDims: { out: ['${dim}'] }) or remove it.`,
      );
    }
    if (dim in constants) throw new HarvestryError('E_BAD_SPEC', `The coords of \`${dim}\` are given twice, in \`varCoords\` and as a constant. Give them once.`);
    out[dim] = coordsOf(values, `varCoords.${dim}`);
  }
  for (const [name, value] of Object.entries(constants)) {
    if (internal.has(name)) out[name] = coordsOf(value, `constants.${name}`);
  }
  return out;
}

function coordsOf(raw: unknown, what: string): InternalCoords {
  let list: unknown[];
  if (Array.isArray(raw)) list = raw;
  else if (ArrayBuffer.isView(raw) && !(raw instanceof DataView)) list = Array.from(raw as unknown as ArrayLike<unknown>);
  else throw new HarvestryError('E_BAD_SPEC', `Expected \`${what}\` to be an array of coordinate values, got ${showValue(raw)}.`);
  const coords = list.map((v) => checkScalar(v, `\`${what}\``));
  const kind = checkOneKind(coords, `\`${what}\``);
  const seen = new Set<unknown>();
  for (const c of coords) {
    if (seen.has(keyOf(c))) throw new HarvestryError('E_DUPLICATE_VALUE', `\`${what}\` has the coordinate ${showValue(c)} twice; coords must be distinct.`);
    seen.add(keyOf(c));
  }
  return { type: dimType(kind), coords };
}

function pickRunOptions(spec: LabelSpec<unknown>): RunOptions {
  const out: Record<string, unknown> = {};
  for (const k of RUN_OPTION_NAMES) if (k in spec) out[k] = (spec as unknown as Record<string, unknown>)[k];
  return out;
}

function editDistance(a: string, b: string): number {
  const d = Array.from({ length: a.length + 1 }, (_, i) => [i, ...new Array<number>(b.length).fill(0)]);
  for (let j = 1; j <= b.length; j++) d[0]![j] = j;
  for (let i = 1; i <= a.length; i++) {
    for (let j = 1; j <= b.length; j++) {
      d[i]![j] = Math.min(d[i - 1]![j]! + 1, d[i]![j - 1]! + 1, d[i - 1]![j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1));
    }
  }
  return d[a.length]![b.length]!;
}
