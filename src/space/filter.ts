/**
 * `filter()`: the points of a space a predicate keeps. Predicates are functions, which cannot
 * cross to a worker thread, so a filter is evaluated here, once, into the list of positions it
 * keeps (4 bytes a point kept); that list is what a plan carries.
 */
import { HarvestryError } from '../errors.js';
import { checkIndexable } from './derive.js';
import { Grid } from './grid.js';
import type { GridSpec } from './space-spec.js';
import { Space, pointOf, toSpace, type PointOf, type SpaceInput } from './space.js';
import { showCase, showValue, type Scalar } from './values.js';

/**
 * The points of a space for which `keep` returns true, in the space's order. The predicate runs
 * on first use of the filtered space (its `size`, a point, its iteration, or a run), once per
 * point of the space it filters, one point at a time: nothing is listed. Until then `maxSize`
 * (the size of the space filtered) bounds its size. A filter never adds points and keeps the
 * coords of the space it filters (a value it drops has no rows).
 *
 * @param space - a space or a combos object
 * @param keep - called with each point and its position in `space`; true keeps it
 * @returns the filtered space
 * @example
 * ```ts
 * const s = filter({ a: [1, 2, 3], b: [1, 2, 3] }, (p) => p.a < p.b);
 * s.size; // 3: {a: 1, b: 2}, {a: 1, b: 3}, {a: 2, b: 3}
 * ```
 */
export function filter<F extends SpaceInput>(space: F, keep: (point: PointOf<F>, index: number) => boolean): Space<PointOf<F>> {
  const of = toSpace(space, 'filter()');
  if (typeof keep !== 'function') {
    throw new HarvestryError('E_BAD_OPTION', `Expected the second argument of filter() to be a function (point, index) => boolean, got ${showValue(keep)}.`);
  }
  return new Space<PointOf<F>>(of.dims, of.maxSize, () => evaluate(of.spec, keep as (point: object, index: number) => boolean));
}

function evaluate(spec: GridSpec, keep: (point: object, index: number) => boolean): GridSpec {
  const grid = new Grid(spec);
  checkIndexable(grid.size, 'The space given to filter()');
  let kept: Int32Array = new Int32Array(Math.min(grid.size, 1024));
  let n = 0;
  const values = new Array<Scalar>(grid.dims.length);
  for (let i = 0; i < grid.size; i++) {
    grid.valuesAt(i, values);
    let ok: unknown;
    try {
      ok = keep(pointOf(grid.dims, values), i);
    } catch (err) {
      throw new HarvestryError('E_FILTER_FAILED', `The predicate given to filter() threw for the point ${showCase(grid.dims, values)} (position ${i}): ${err instanceof Error ? err.message : String(err)}. Fix the predicate; it runs once per point before anything is run.`, {
        cause: err,
        details: { point: pointOf(grid.dims, values), index: i },
      });
    }
    if (ok) {
      if (n === kept.length) kept = grow(kept, grid.size);
      kept[n++] = i;
    }
  }
  if (n === grid.size) return spec;
  const index = kept.slice(0, n);
  // A filter of a filter keeps positions in the first filter's space.
  if (spec.kind === 'subset') return { kind: 'subset', of: spec.of, index: index.map((j) => spec.index[j]!) };
  return { kind: 'subset', of: spec, index };
}

function grow(a: Int32Array, limit: number): Int32Array {
  const b = new Int32Array(Math.min(limit, a.length * 2));
  b.set(a);
  return b;
}
