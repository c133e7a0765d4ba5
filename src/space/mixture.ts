/**
 * `mixture()`: weighted mixtures of spaces, for random sampling (the Sampler's draws). A
 * mixture is not enumerated: it draws points.
 */
import { HarvestryError } from '../errors.js';
import type { Rng } from './rng.js';
import { Space, toSpace, type PointOf, type SpaceInput } from './space.js';
import { showNames, showValue } from './values.js';

/** Anything that draws random points naming `dims`: a space (uniformly), a mixture, a sampler's distribution. */
export interface Drawable<Q extends object = object> {
  readonly dims: readonly string[];
  /** One point, drawn with `rng` (the same stream gives the same point). */
  draw(rng: Rng): Q;
}

/** A weighted part of a mixture: `[weight, space]`. */
export type MixtureComponent = readonly [weight: number, part: SpaceInput | Drawable];

/** The point type of a mixture of components. */
export type MixturePoint<C> = C extends readonly [number, infer S] ? (S extends SpaceInput ? PointOf<S> : S extends Drawable<infer Q> ? Q : never) : never;

/**
 * Draws points from weighted parts: a part is chosen with probability proportional to its
 * weight, then a point is drawn from it (uniformly from a space). Every part must name the same
 * dims.
 */
export class Mixture<Q extends object = object> implements Drawable<Q> {
  /** The dims every point names (the first part's order). */
  readonly dims: readonly string[];
  /** The weights, normalized to sum to 1. */
  readonly weights: readonly number[];
  /** The parts. */
  readonly parts: readonly Drawable<Q>[];
  private readonly cumulative: readonly number[];

  /**
   * Use {@link mixture} to make one.
   *
   * @param weights - the weights, normalized
   * @param parts - the parts
   */
  constructor(weights: readonly number[], parts: readonly Drawable<Q>[]) {
    this.weights = weights;
    this.parts = parts;
    this.dims = parts[0]?.dims ?? [];
    let sum = 0;
    this.cumulative = weights.map((w) => (sum += w));
  }

  /**
   * One point: a part chosen by weight, then a point drawn from it.
   *
   * @param rng - a seeded generator of floats in [0, 1) (`makeRng(seed)`)
   */
  draw(rng: Rng): Q {
    const u = rng();
    let k = this.cumulative.findIndex((c) => u < c);
    if (k < 0) k = this.parts.length - 1;
    return this.parts[k]!.draw(rng);
  }
}

/**
 * A weighted mixture of spaces for random sampling, as batchflow's `0.3 * d1 + 0.7 * d2`.
 * Weights are positive numbers (normalized to sum to 1); each part is a space, a combos object
 * (the product of its lists) or another mixture, all naming the same dims.
 *
 * @param components - `[weight, part]` pairs
 * @returns the mixture; `draw(rng)` gives one point
 * @example
 * ```ts
 * const m = mixture([0.9, { lr: [0.01, 0.1] }], [0.1, { lr: [1, 10] }]);
 * m.draw(makeRng(42)); // { lr: ... }, from the first part 9 times in 10
 * ```
 */
export function mixture<C extends readonly MixtureComponent[]>(...components: C): Mixture<MixturePoint<C[number]>> {
  if (components.length === 0) throw new HarvestryError('E_BAD_OPTION', 'mixture() needs at least one [weight, space] pair.');
  const weights: number[] = [];
  const parts: Drawable[] = [];
  components.forEach((c: unknown, i) => {
    if (!Array.isArray(c) || c.length !== 2) {
      throw new HarvestryError('E_BAD_OPTION', `Expected argument ${i + 1} of mixture() to be a [weight, space] pair, got ${showValue(c)}.`);
    }
    const [w, part] = c as [unknown, unknown];
    if (typeof w !== 'number' || !Number.isFinite(w) || w <= 0) {
      throw new HarvestryError('E_BAD_OPTION', `Expected the weight of argument ${i + 1} of mixture() to be a positive number, got ${showValue(w)}.`);
    }
    weights.push(w);
    parts.push(isDrawable(part) ? part : toSpace(part, 'mixture()', i + 1));
  });
  checkSameDims(parts);
  const total = weights.reduce((a, b) => a + b, 0);
  return new Mixture(
    weights.map((w) => w / total),
    parts as Drawable<MixturePoint<C[number]>>[],
  );
}

function isDrawable(v: unknown): v is Drawable {
  return v instanceof Space || v instanceof Mixture || (typeof v === 'object' && v !== null && typeof (v as { draw?: unknown }).draw === 'function' && Array.isArray((v as { dims?: unknown }).dims));
}

function checkSameDims(parts: readonly Drawable[]): void {
  const first = parts[0]!.dims;
  parts.forEach((p, i) => {
    const same = p.dims.length === first.length && p.dims.every((d) => first.includes(d));
    if (!same) {
      throw new HarvestryError(
        'E_SPACE_DIMS',
        `mixture(): argument ${i + 1} names ${showNames(p.dims) || 'no dims'} but argument 1 names ${showNames(first) || 'no dims'}. Every part of a mixture must name the same dims, so every draw fills the same columns: add the missing dims to a part (product(part, { dim: [value] })).`,
        { details: { argument: i + 1 } },
      );
    }
  });
}
