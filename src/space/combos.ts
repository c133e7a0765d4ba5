/**
 * Normalizing user combos (`{ a: [1, 2], b: ['x'] }`) and cases (`[{ a: 1 }, { a: 2 }]`) into
 * checked names and value lists, once, at the edge.
 */
import { HarvestryError } from '../errors.js';
import { kindOf, keyOf, loneSurrogate, loneSurrogateRule, showCase, showValue, type Scalar, type ScalarKind } from './values.js';

/** Combos after checking: names in the order given, each with its distinct values in order. */
export interface CombosSpec {
  readonly names: readonly string[];
  readonly values: readonly (readonly Scalar[])[];
}

/** Cases after checking: the argument names (of the first case) and one row of values per case. */
export interface CasesSpec {
  readonly names: readonly string[];
  readonly rows: readonly (readonly Scalar[])[];
}

/** The placeholder meaning "every value of this dim already in the dataset" (Harvester only). */
export const ALL_EXISTING = '...';

/**
 * Checks combos and returns their names and values. Values must be arrays (or typed arrays)
 * of scalars of one kind, without duplicates.
 *
 * @param combos - an object mapping argument names to arrays of values
 * @param where - how to name the object in messages (`combos`, `defaultCombos`...)
 * @param distinct - whether each list must hold distinct values (zipped lists need not)
 */
export function parseCombos(combos: unknown, where = 'combos', distinct = true): CombosSpec {
  if (combos === undefined || combos === null) return { names: [], values: [] };
  if (typeof combos !== 'object' || Array.isArray(combos)) {
    throw new HarvestryError(
      'E_BAD_OPTION',
      `Expected \`${where}\` to be an object mapping argument names to arrays of values, got ${showValue(combos)}.`,
    );
  }
  const names: string[] = [];
  const values: Scalar[][] = [];
  for (const [name, raw] of Object.entries(combos)) {
    names.push(name);
    values.push(parseComboValues(name, raw, where, distinct));
  }
  return { names, values };
}

function parseComboValues(name: string, raw: unknown, where: string, distinct: boolean): Scalar[] {
  if (raw === ALL_EXISTING) {
    throw new HarvestryError(
      'E_COMBO_NOT_ARRAY',
      `\`${where}.${name}\` is '...', which means "every value already in the dataset" and only works in a Harvester's harvestCombos(). Give an array of values here.`,
    );
  }
  if (typeof raw === 'string') {
    throw new HarvestryError(
      'E_COMBO_NOT_ARRAY',
      `Expected \`${where}.${name}\` to be an array of values, got the string ${showValue(raw)}. harvestry does not split a string into characters: write [${showValue(raw)}] for one value.`,
    );
  }
  let list: readonly unknown[];
  if (Array.isArray(raw)) list = raw;
  else if (ArrayBuffer.isView(raw) && !(raw instanceof DataView)) list = Array.from(raw as unknown as ArrayLike<unknown>);
  else {
    throw new HarvestryError(
      'E_COMBO_NOT_ARRAY',
      `Expected \`${where}.${name}\` to be an array of values, got ${showValue(raw)}. Wrap a single value in an array: [${showValue(raw)}].`,
    );
  }
  if (list.length === 0) {
    throw new HarvestryError('E_EMPTY_COMBO', `\`${where}.${name}\` is an empty array, so there would be no cases to run. Give it at least one value, or leave it out.`);
  }
  const out = list.map((v) => checkScalar(v, `\`${where}.${name}\``));
  checkOneKind(out, `\`${where}.${name}\``);
  if (distinct) checkNoDuplicates(name, out, where);
  return out;
}

/**
 * Checks that a value may key a case (a dim value) and returns it.
 *
 * @param v - the value
 * @param what - how to name its place in messages
 */
export function checkScalar(v: unknown, what: string): Scalar {
  const kind = kindOf(v);
  if (kind === undefined) {
    throw new HarvestryError(
      'E_UNSUPPORTED_VALUE',
      `${what} has ${showValue(v)}, which cannot key a case. Dim values must be numbers, bigints, booleans, strings, Dates or null; pass other things as \`constants\` or \`resources\`.`,
    );
  }
  if (kind === 'date' && Number.isNaN((v as Date).getTime())) {
    throw new HarvestryError('E_UNSUPPORTED_VALUE', `${what} has an Invalid Date. Give a valid Date.`);
  }
  const unit = kind === 'string' ? loneSurrogate(v as string) : null;
  if (unit !== null) throw new HarvestryError('E_UNSUPPORTED_VALUE', `${what} has ${showValue(v)}, ${loneSurrogateRule(unit)}.`);
  return v as Scalar;
}

/**
 * Returns the one kind of the non-null values, or `'null'` when all are null; throws
 * E_MIXED_TYPES when kinds are mixed.
 */
export function checkOneKind(values: readonly Scalar[], what: string): ScalarKind | 'null' {
  let kind: ScalarKind | 'null' = 'null';
  let first: Scalar = null;
  for (const v of values) {
    const k = kindOf(v)!;
    if (k === 'null') continue;
    if (kind === 'null') {
      kind = k;
      first = v;
    } else if (k !== kind) {
      throw new HarvestryError(
        'E_MIXED_TYPES',
        `${what} mixes ${kind}s and ${k}s (${showValue(first)} and ${showValue(v)}). Each dim holds values of one kind (null is allowed with any): convert them to one kind.`,
      );
    }
  }
  return kind;
}

function checkNoDuplicates(name: string, values: readonly Scalar[], where: string): void {
  const seen = new Set<unknown>();
  for (const v of values) {
    const k = keyOf(v);
    if (seen.has(k)) {
      throw new HarvestryError(
        'E_DUPLICATE_VALUE',
        `\`${where}.${name}\` has the value ${showValue(v)} twice; each value of a dim must be distinct, or two cases would share one key. Remove the duplicate.`,
        { details: { name, value: v } },
      );
    }
    seen.add(k);
  }
}

/**
 * Checks cases and returns their argument names and one row of values per case. A case is
 * an object; with `fnArgs` it may also be a tuple (zipped with those names) or, for one
 * argument, a bare value.
 *
 * @param cases - the cases
 * @param fnArgs - the positional argument names, when the function takes positional arguments
 */
export function parseCases(cases: unknown, fnArgs: readonly string[] | null = null): CasesSpec {
  if (!Array.isArray(cases)) {
    throw new HarvestryError('E_CASE_KEYS', `Expected \`cases\` to be an array of cases (objects of argument values), got ${showValue(cases)}.`);
  }
  if (cases.length === 0) return { names: [], rows: [] };
  const first: unknown = cases[0];
  const names = isPlainObject(first) ? Object.keys(first) : tupleNames(first, fnArgs);
  const rows = cases.map((c: unknown, i) => caseRow(c, i, names, fnArgs));
  names.forEach((n, j) => checkOneKind(rows.map((r) => r[j]!), `\`cases[*].${n}\``));
  checkDistinctCases(names, rows);
  return { names, rows };
}

function tupleNames(first: unknown, fnArgs: readonly string[] | null): readonly string[] {
  if (fnArgs === null) {
    throw new HarvestryError(
      'E_CASE_KEYS',
      `Expected each case to be an object of argument values, got ${showValue(first)}. Cases given as tuples need \`fnArgs\` (the argument names, in order) in label().`,
    );
  }
  return fnArgs;
}

function caseRow(c: unknown, i: number, names: readonly string[], fnArgs: readonly string[] | null): Scalar[] {
  if (isPlainObject(c)) {
    const keys = Object.keys(c);
    if (keys.length !== names.length || keys.some((k) => !names.includes(k))) {
      throw new HarvestryError(
        'E_CASE_KEYS',
        `\`cases[${i}]\` names ${keys.join(', ') || 'nothing'}, but the first case names ${names.join(', ')}. Every case must give the same arguments; put arguments shared by all cases in \`combos\` or \`constants\`.`,
        { details: { index: i } },
      );
    }
    return names.map((n) => checkScalar(c[n], `\`cases[${i}].${n}\``));
  }
  if (fnArgs === null) {
    throw new HarvestryError('E_CASE_KEYS', `\`cases[${i}]\` is ${showValue(c)}, not an object of argument values.`);
  }
  const tuple: readonly unknown[] = Array.isArray(c) ? c : [c];
  if (tuple.length !== names.length) {
    throw new HarvestryError(
      'E_CASE_KEYS',
      `\`cases[${i}]\` has ${tuple.length} value(s) but \`fnArgs\` names ${names.length} (${names.join(', ')}). Give one value per argument.`,
      { details: { index: i } },
    );
  }
  return tuple.map((v, j) => checkScalar(v, `\`cases[${i}]\` (${names[j]!})`));
}

function checkDistinctCases(names: readonly string[], rows: readonly (readonly Scalar[])[]): void {
  const seen = new Set<string>();
  for (const row of rows) {
    const key = rowKey(row);
    if (seen.has(key)) {
      throw new HarvestryError(
        'E_DUPLICATE_VALUE',
        `The case ${showCase(names, row)} is given twice; each case must be distinct, or two rows would share one key. Remove the duplicate.`,
      );
    }
    seen.add(key);
  }
}

/** A string that identifies a row of scalars (kinds included), for de-duplication. */
export function rowKey(row: readonly Scalar[]): string {
  let s = '';
  for (const v of row) {
    const k = keyOf(v);
    s += `${typeof k === 'string' ? 's' : typeof k === 'number' ? (v instanceof Date ? 'd' : 'n') : typeof k === 'bigint' ? 'b' : typeof k === 'boolean' ? 'o' : 'z'}${String(k)}\u0000`;
  }
  return s;
}

/** True for a plain object (not an array, Date, typed array or class instance other than Object). */
export function isPlainObject(v: unknown): v is Record<string, unknown> {
  if (typeof v !== 'object' || v === null) return false;
  const proto: unknown = Object.getPrototypeOf(v);
  return proto === Object.prototype || proto === null;
}
