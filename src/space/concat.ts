/**
 * `concat()`: spaces one after another. Parts must name the same dims and hold no point twice.
 */
import { HarvestryError } from '../errors.js';
import { derive } from './derive.js';
import { Grid } from './grid.js';
import type { GridSpec } from './space-spec.js';
import { pointOf, toSpace, type PointOf, type Space, type SpaceInput } from './space.js';
import { keyOf, showCase, showNames, type Scalar } from './values.js';

/**
 * The points of every part, one part after another. Every part must name the same dims (in any
 * order; the first part's order is kept), and no point may be in two parts (one row per case):
 * both are checked, with errors naming the dims or the point. Coords: a dim that is a combo list
 * in every part keeps the order of first appearance; otherwise its values are sorted.
 *
 * @param parts - spaces or combos objects (each the product of its lists)
 * @returns the concatenation; its size is the sum of the parts' sizes
 * @example
 * ```ts
 * const s = concat({ solver: ['exact'], n: [10, 20] }, { solver: ['approx'], n: [10, 20, 1000] });
 * s.size; // 5
 * ```
 */
export function concat<F extends readonly SpaceInput[]>(...parts: F): Space<PointOf<F[number]>> {
  if (parts.length === 0) throw new HarvestryError('E_BAD_OPTION', 'concat() needs at least one space or combos object.');
  const spaces = parts.map((p, i) => toSpace(p, 'concat()', i + 1));
  checkSameDims(spaces);
  return derive(spaces, spaces[0]!.dims, spaces.reduce((n, s) => n + s.maxSize, 0), (specs) => {
    const flat = specs.flatMap((s) => (s.kind === 'concat' ? s.parts : [s]));
    if (flat.length === 1) return flat[0]!;
    const spec: GridSpec = { kind: 'concat', parts: flat };
    new Grid(spec).dimInfo(); // refuses a dim whose values are of different kinds in different parts
    checkDisjoint(specs.map((s) => new Grid(s)));
    return spec;
  });
}

function checkSameDims(spaces: readonly Space<object>[]): void {
  const first = spaces[0]!.dims;
  spaces.forEach((s, i) => {
    const missing = first.filter((d) => !s.dims.includes(d));
    const extra = s.dims.filter((d) => !first.includes(d));
    if (missing.length === 0 && extra.length === 0) return;
    throw new HarvestryError(
      'E_SPACE_DIMS',
      `concat(): argument ${i + 1} names ${showNames(s.dims) || 'no dims'} but argument 1 names ${showNames(first) || 'no dims'}${extra.length > 0 ? `; ${showNames(extra)} only in argument ${i + 1}` : ''}${missing.length > 0 ? `; ${showNames(missing)} only in argument 1` : ''}. Every part must name the same dims, as each row is keyed by all of them: add the missing dims to a part (product(part, { dim: [value] })), or drop them.`,
      { details: { missing, extra, argument: i + 1 } },
    );
  });
}

/**
 * Refuses a point held by two parts. Two parts whose coords of some dim share no value cannot
 * overlap; otherwise the smaller part's points are looked up in the larger one.
 */
function checkDisjoint(grids: readonly Grid[]): void {
  const keys = grids.map((g) => new Map(g.dimInfo().map((d) => [d.name, new Set(d.coords.map(keyOf))])));
  for (let i = 0; i < grids.length; i++) {
    for (let j = i + 1; j < grids.length; j++) {
      const apart = grids[i]!.dims.some((d) => {
        const b = keys[j]!.get(d)!;
        for (const k of keys[i]!.get(d)!) if (b.has(k)) return false;
        return true;
      });
      if (!apart) checkPair(grids, i, j);
    }
  }
}

function checkPair(grids: readonly Grid[], i: number, j: number): void {
  const [small, large] = grids[i]!.size <= grids[j]!.size ? [i, j] : [j, i];
  const from = grids[small]!;
  const into = grids[large]!;
  const perm = into.dims.map((d) => from.dims.indexOf(d));
  const values = new Array<Scalar>(from.dims.length);
  const mapped = new Array<Scalar>(into.dims.length);
  for (let p = 0; p < from.size; p++) {
    from.valuesAt(p, values);
    for (let k = 0; k < perm.length; k++) mapped[k] = values[perm[k]!]!;
    if (into.indexOf(mapped) >= 0) {
      throw new HarvestryError(
        'E_DUPLICATE_VALUE',
        `concat(): the point ${showCase(into.dims, mapped)} is in argument ${i + 1} and in argument ${j + 1}; each point must be in one part only, or two rows would share one key. Remove it from one part (filter() drops points), or add a dim that tells the parts apart.`,
        { details: { point: pointOf(into.dims, mapped), arguments: [i + 1, j + 1] } },
      );
    }
  }
}
