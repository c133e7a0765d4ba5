/**
 * `zip()`: paired values, point `i` taking the `i`-th value of every list and space.
 */
import { HarvestryError } from '../errors.js';
import { parseCombos, rowKey } from './combos.js';
import { checkDistinctDims, derive } from './derive.js';
import type { ColumnsSpec, GridSpec } from './space-spec.js';
import { Space, pointOf, type CombosInput, type SpaceInput } from './space.js';
import { showCase, showValue, type Scalar } from './values.js';
import type { ProductPoint } from './product.js';

/**
 * Pairs values by position: point `i` takes the `i`-th value of every list of a combos object
 * and the `i`-th point of every space. Every list and space must have the same length (an
 * error says which differ). Values in a list may repeat, but the points must be distinct.
 * Its dims keep their order; their coords are their distinct values, sorted.
 *
 * @param factors - combos objects (whose lists are paired) and spaces
 * @returns the zipped space; its size is the common length
 * @example
 * ```ts
 * const s = zip({ lr: [0.1, 0.01, 0.001], epochs: [10, 100, 1000] });
 * s.size; // 3
 * s.at(2); // { lr: 0.001, epochs: 1000 }
 * ```
 */
export function zip<F extends readonly SpaceInput[]>(...factors: F): Space<ProductPoint<F>> {
  if (factors.length === 0) throw new HarvestryError('E_BAD_OPTION', 'zip() needs at least one combos object or space to pair.');
  const spaces = factors.map((f, i) => (f instanceof Space ? f : columnsSpace(f, i + 1)));
  checkDistinctDims(spaces, 'zip()');
  const dims = spaces.flatMap((s) => s.dims);
  const allColumns = factors.every((f) => !(f instanceof Space));
  return derive(spaces, dims, Math.min(...spaces.map((s) => s.maxSize)), (specs) => {
    checkLengths(spaces, specs);
    if (!allColumns) return specs.length === 1 ? specs[0]! : { kind: 'zip', factors: specs };
    const merged: ColumnsSpec = { kind: 'columns', names: dims, columns: specs.flatMap((s) => (s as ColumnsSpec).columns) };
    checkDistinctRows(merged);
    return merged;
  });
}

/** A combos object's lists as columns to pair (values checked, repeats allowed). */
function columnsSpace(input: CombosInput, position: number): Space<object> {
  if (typeof input !== 'object' || Array.isArray(input)) {
    throw new HarvestryError('E_BAD_OPTION', `Expected argument ${position} of zip() to be a combos object (names mapped to arrays of values) or a space, got ${showValue(input)}.`);
  }
  const combos = parseCombos(input, 'zip()', false);
  const spec: ColumnsSpec = { kind: 'columns', names: combos.names, columns: combos.values };
  return new Space(combos.names, combos.values[0]?.length ?? 0, spec);
}

function checkLengths(spaces: readonly Space<object>[], specs: readonly GridSpec[]): void {
  const lengths: { what: string; n: number }[] = [];
  spaces.forEach((s, i) => {
    const spec = specs[i]!;
    if (spec.kind === 'columns') spec.names.forEach((name, k) => lengths.push({ what: `\`${name}\``, n: spec.columns[k]!.length }));
    else lengths.push({ what: `argument ${i + 1} (a space of ${s.dims.join(', ') || 'no dims'})`, n: s.size });
  });
  if (lengths.every((l) => l.n === lengths[0]!.n)) return;
  throw new HarvestryError(
    'E_ZIP_LENGTHS',
    `zip() pairs values by position, so every list and space must have the same length; got ${lengths.map((l) => `${l.what}: ${l.n}`).join(', ')}. Give them one length, or use product() to combine every value with every other.`,
    { details: { lengths: Object.fromEntries(lengths.map((l) => [l.what, l.n])) } },
  );
}

function checkDistinctRows(spec: ColumnsSpec): void {
  const seen = new Set<string>();
  const n = spec.columns[0]?.length ?? 0;
  const row = new Array<Scalar>(spec.names.length);
  for (let i = 0; i < n; i++) {
    for (let k = 0; k < row.length; k++) row[k] = spec.columns[k]![i]!;
    const key = rowKey(row);
    if (seen.has(key)) {
      throw new HarvestryError(
        'E_DUPLICATE_VALUE',
        `zip() makes the point ${showCase(spec.names, row)} twice (at position ${i} and before); each point must be distinct, or two rows would share one key. Remove the repeated pair${spec.names.length > 1 ? '' : ' (or use a list of distinct values)'}, or add a dim that tells them apart (repeat() adds one).`,
        { details: { point: pointOf(spec.names, row), index: i } },
      );
    }
    seen.add(key);
  }
}
