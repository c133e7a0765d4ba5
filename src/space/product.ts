/**
 * `product()`: the cartesian product of spaces, what a combos object means.
 */
import { checkDistinctDims, derive } from './derive.js';
import { isCombosGrid, type CombosGridSpec, type GridSpec } from './space-spec.js';
import { toSpace, type PointOf, type Simplify, type Space, type SpaceInput } from './space.js';

/** The point type of a product: the points of its factors, merged. */
export type ProductPoint<F extends readonly unknown[]> = Simplify<Merged<F>>;

type Merged<F extends readonly unknown[]> = F extends readonly [infer H, ...infer R] ? PointOf<H> & Merged<R> : unknown;

/**
 * The cartesian product of spaces: every point of the first combined with every point of the
 * second, and so on, the first varying slowest and the last fastest. A combos object is the
 * product of its lists, so `product({ a, b })` is what `runCombos({ a, b })` runs. Factors must
 * name distinct dims. With no factors: one point naming no dims.
 *
 * @param factors - spaces or combos objects
 * @returns the product; its size is the product of the factors' sizes
 * @example
 * ```ts
 * const s = product({ model: ['a', 'b'] }, zip({ lr: [0.1, 0.01], epochs: [10, 100] }));
 * s.size; // 4: each model with each (lr, epochs) pair
 * ```
 */
export function product<F extends readonly SpaceInput[]>(...factors: F): Space<ProductPoint<F>> {
  const spaces = factors.map((f, i) => toSpace(f, 'product()', i + 1));
  checkDistinctDims(spaces, 'product()');
  const dims = spaces.flatMap((s) => s.dims);
  return derive(spaces, dims, spaces.reduce((n, s) => n * s.maxSize, 1), productSpec);
}

/**
 * The spec of a product. Products nested in it are flattened, and neighbouring combos merge into
 * one cases × combos grid, so `product({ a }, { b })` has the same spec as `{ a, b }`.
 *
 * @param factors - the factors' specs
 */
export function productSpec(factors: readonly GridSpec[]): GridSpec {
  const out: GridSpec[] = [];
  const push = (f: GridSpec): void => {
    if (f.kind === 'product') {
      f.factors.forEach(push);
      return;
    }
    const last = out[out.length - 1];
    if (last !== undefined && isCombosGrid(last) && isCombosGrid(f) && (f.cases === null || isEmpty(last))) {
      out[out.length - 1] = mergeGrids(last, f);
    } else out.push(f);
  };
  factors.forEach(push);
  if (out.length === 0) return { caseNames: [], cases: null, comboNames: [], comboValues: [] };
  return out.length === 1 ? out[0]! : { kind: 'product', factors: out };
}

function isEmpty(g: CombosGridSpec): boolean {
  return g.cases === null && g.comboNames.length === 0;
}

/** `a` then `b` as one grid, where `b` has no cases (or `a` names nothing). */
function mergeGrids(a: CombosGridSpec, b: CombosGridSpec): CombosGridSpec {
  return {
    caseNames: a.cases === null ? b.caseNames : a.caseNames,
    cases: a.cases ?? b.cases,
    comboNames: [...a.comboNames, ...b.comboNames],
    comboValues: [...a.comboValues, ...b.comboValues],
  };
}
