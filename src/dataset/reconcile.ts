/**
 * Reconciling the labels of two datasets about to be merged: the same dims and variables with
 * compatible types, internal coords that agree, and the union of coords. Anything else is a
 * schema change, refused with a message that says what differs and how to proceed.
 */
import { HarvestryError } from '../errors.js';
import { compareScalars, keyOf, sameScalar, showNames, showValue, type Scalar } from '../space/values.js';
import { type DatasetMeta, type DimMeta, type InternalCoords, type VarMeta } from './meta.js';

/** How to reconcile. */
export interface ReconcileOptions {
  /** Where the old labels come from, for messages (the file). */
  readonly where: string;
  /** With `true`, attrs of the new labels win over the old ones; otherwise old ones stay. */
  readonly newAttrsWin: boolean;
}

/**
 * The labels of the merge of a dataset with `old` labels and one with `add` labels: dims in the
 * old order with the union of coords, the variables, attrs, the new fingerprint and provenance,
 * and every extra column either side has.
 *
 * @param old - the labels on disk
 * @param add - the labels of the new rows
 * @param options - where, attrs policy
 * @returns the merged labels
 */
export function reconcileMeta(old: DatasetMeta, add: DatasetMeta, options: ReconcileOptions): DatasetMeta {
  checkSameNames(
    old.dims.map((d) => d.name),
    add.dims.map((d) => d.name),
    'dim',
    options.where,
  );
  checkSameNames(
    old.vars.map((v) => v.name),
    add.vars.map((v) => v.name),
    'variable',
    options.where,
  );
  const dims = old.dims.map((d) => mergeDim(d, add.dims.find((x) => x.name === d.name)!, options.where));
  const vars = old.vars.map((v) => mergeVar(v, add.vars.find((x) => x.name === v.name)!, options.where));
  const varCoords: Record<string, InternalCoords> = { ...old.varCoords };
  for (const [k, c] of Object.entries(add.varCoords)) {
    const had = old.varCoords[k];
    if (had === undefined) varCoords[k] = c;
    else if (!sameCoords(had, c)) {
      throw mismatch(
        `The internal dim \`${k}\` has coords ${showValue(had.coords)} in ${options.where} but ${showValue(c.coords)} in this run, so the variables over it have different shapes; ${options.where} was not changed. Harvest into a new file, or keep \`${k}\` as it was.`,
      );
    }
  }
  return {
    format: 'harvestry',
    version: Math.max(old.version, add.version),
    dims,
    vars,
    varCoords,
    attrs: options.newAttrsWin ? { ...old.attrs, ...add.attrs } : { ...add.attrs, ...old.attrs },
    fingerprint: add.fingerprint ?? old.fingerprint,
    provenance: add.provenance ?? old.provenance,
    errorColumn: old.errorColumn ?? add.errorColumn,
    durationColumn: old.durationColumn ?? add.durationColumn,
    fingerprintColumn: old.fingerprintColumn ?? add.fingerprintColumn ?? null,
  };
}

/**
 * The union of two coord lists: sorted when both are sorted, else the old ones followed by
 * the new values in their order. Returns `a` itself when it already holds every value of `b`.
 *
 * @param a - the old coords
 * @param b - the new coords
 */
export function unionCoords(a: readonly Scalar[], b: readonly Scalar[]): readonly Scalar[] {
  const seen = new Set<unknown>(a.map(keyOf));
  const extra = b.filter((v) => !seen.has(keyOf(v)));
  if (extra.length === 0) return a;
  const all = [...a, ...extra];
  return isSorted(a) && isSorted(b) ? all.sort(compareScalars) : all;
}

function isSorted(xs: readonly Scalar[]): boolean {
  for (let i = 1; i < xs.length; i++) if (compareScalars(xs[i - 1]!, xs[i]!) > 0) return false;
  return true;
}

function mergeDim(a: DimMeta, b: DimMeta, where: string): DimMeta {
  if (a.type !== b.type && a.type !== 'null' && b.type !== 'null') {
    throw mismatch(`The dim \`${a.name}\` holds ${a.type} values in ${where} but ${b.type} values in this run; ${where} was not changed. Give it values of the kind already on disk (for example numbers, not strings), or harvest into a new file.`);
  }
  const type = a.type === 'null' ? b.type : a.type;
  const coords = unionCoords(a.coords, b.coords);
  return type === a.type && coords === a.coords ? a : { name: a.name, type, coords };
}

function mergeVar(a: VarMeta, b: VarMeta, where: string): VarMeta {
  if (a.dims.join('\u0000') !== b.dims.join('\u0000')) {
    throw mismatch(
      `The variable \`${a.name}\` has internal dims ${a.dims.length === 0 ? '(none)' : showNames(a.dims)} in ${where} but ${b.dims.length === 0 ? '(none)' : showNames(b.dims)} in this run; ${where} was not changed. Harvest into a new file, or label the function as before.`,
    );
  }
  if (a.type === 'null') return b;
  if (b.type === 'null' || a.type === b.type) return a;
  throw mismatch(
    `The variable \`${a.name}\` holds ${a.type} values in ${where} but ${b.type} values in this run; ${where} was not changed. A variable keeps one type: return the same type as before (for example a Float64Array, not an Int32Array), or harvest into a new file.`,
  );
}

function sameCoords(a: InternalCoords, b: InternalCoords): boolean {
  if (a.coords.length !== b.coords.length) return false;
  // as keys compare: 0 and -0 are one coord, NaN equals NaN, Dates by time
  return a.coords.every((v, i) => sameScalar(v, b.coords[i]!));
}

function checkSameNames(old: readonly string[], add: readonly string[], what: 'dim' | 'variable', where: string): void {
  const missing = old.filter((n) => !add.includes(n));
  const extra = add.filter((n) => !old.includes(n));
  if (missing.length === 0 && extra.length === 0) return;
  const parts: string[] = [];
  if (extra.length > 0) parts.push(`this run has the ${what}${extra.length === 1 ? '' : 's'} ${showNames(extra)}, which ${where} does not`);
  if (missing.length > 0) parts.push(`${where} has the ${what}${missing.length === 1 ? '' : 's'} ${showNames(missing)}, which this run does not`);
  const fix =
    what === 'dim'
      ? extra.length > 0
        ? `To add a dim to the dataset, first give its existing rows a value with \`harvester.expandDims('${extra[0]!}', value)\`; or harvest into a new file.`
        : `Sweep ${showNames(missing)} too (a single value such as { ${missing[0]!}: [value] } is enough), or harvest into a new file.`
      : 'The variables of a dataset are fixed: label the function with the same `varNames`, or harvest into a new file.';
  throw mismatch(`The ${what}s differ: ${parts.join('; ')}. ${where} was not changed. ${fix}`, { [`${what}s`]: { file: old, run: add } });
}

function mismatch(message: string, details: Record<string, unknown> = {}): HarvestryError {
  return new HarvestryError('E_SCHEMA_MISMATCH', message, { details });
}
