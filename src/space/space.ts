/**
 * `Space`: a typed parameter space that runners accept where combos or cases go. It knows its
 * dims and size up front, gives any point by position, iterates lazily, and turns into plain
 * data (`spec`) that a worker thread rebuilds with `new Grid(spec)`.
 */
import { HarvestryError } from '../errors.js';
import { parseCombos } from './combos.js';
import { Grid } from './grid.js';
import type { Rng } from './rng.js';
import type { GridSpec } from './space-spec.js';
import { showValue, type Scalar } from './values.js';

declare const pointType: unique symbol;

/** Typed arrays accepted wherever a list of numbers is. */
export type NumberList = Float64Array | Float32Array | Int32Array | Int16Array | Int8Array | Uint32Array | Uint16Array | Uint8Array;

/** The values of one dim in a combos object: an array (or a typed array of numbers). */
export type ComboList = readonly Scalar[] | NumberList;

/** A combos object: for each dim, its values. Wherever a space goes, it stands for the product of its lists. */
export type CombosInput = Readonly<Record<string, ComboList>>;

/** What the space builders take: a space, or a combos object (the product of its lists). */
export type SpaceInput = Space<object> | CombosInput;

/** The point type of a space input: a space's own, or one value from each list of a combos object. */
export type PointOf<F> = F extends Space<infer Q> ? Q : { -readonly [K in keyof F]: ListValue<F[K]> };

type ListValue<L> = L extends readonly (infer V)[] ? V : L extends NumberList ? number : never;

/**
 * The point type of a space checked against a function's parameters `P`: every dim must be a
 * parameter, with values the parameter accepts (a misspelled dim becomes `never`, a compile error).
 */
export type CheckedPoint<P, Q> = { [K in keyof Q]: K extends keyof P ? P[K] : never };

/** Flattens an intersection of object types into one object type. */
export type Simplify<T> = { [K in keyof T]: T[K] } & {};

/**
 * A parameter space: a finite list of distinct points, each naming the same dims. Build one
 * with {@link product}, {@link zip}, {@link concat}, {@link repeat}, {@link filter} or
 * {@link points}, and pass it to `runCombos` or `runCases`.
 *
 * @typeParam Q - the type of a point: one value per dim
 * @example
 * ```ts
 * const s = product({ a: [1, 2] }, zip({ b: ['x', 'y'], c: [10, 20] }));
 * s.size; // 4
 * s.at(1); // { a: 1, b: 'y', c: 20 }
 * for (const p of s) console.log(p.a, p.b, p.c); // lazily, one point at a time
 * ```
 */
export class Space<Q extends object = Record<string, Scalar>> {
  /** The type of a point (types only; never set). */
  declare readonly [pointType]?: Q;
  /** The dims every point names, in order (the key columns of a run's dataset). */
  readonly dims: readonly string[];
  /** An upper bound of `size` known without evaluating filters; equal to it when there is no filter. */
  readonly maxSize: number;
  #resolve: (() => GridSpec) | null;
  #spec: GridSpec | null;
  #grid: Grid | null = null;

  /**
   * Use the builders ({@link product}, {@link zip}...) to make a space.
   *
   * @param dims - the dims of every point
   * @param maxSize - an upper bound of the size
   * @param spec - the plain-data form, or a function computing it on first use (filters)
   */
  constructor(dims: readonly string[], maxSize: number, spec: GridSpec | (() => GridSpec)) {
    this.dims = dims;
    this.maxSize = maxSize;
    this.#resolve = typeof spec === 'function' ? spec : null;
    this.#spec = typeof spec === 'function' ? null : spec;
  }

  /** True while a filter in this space has not been evaluated yet (its size is not counted). */
  get pending(): boolean {
    return this.#spec === null;
  }

  /** The space in plain data (evaluating filters first): what a plan carries to workers. */
  get spec(): GridSpec {
    if (this.#spec === null) {
      this.#spec = this.#resolve!();
      this.#resolve = null;
    }
    return this.#spec;
  }

  /** The random-access form, as workers rebuild it. */
  get grid(): Grid {
    return (this.#grid ??= new Grid(this.spec));
  }

  /** The number of points. A filter's is counted on first use (its predicate runs once per point of the space it filters). */
  get size(): number {
    return this.grid.size;
  }

  /**
   * The point at a position.
   *
   * @param index - from 0 to `size - 1`
   * @returns the point, one value per dim
   */
  at(index: number): Q {
    const grid = this.grid;
    if (!Number.isInteger(index) || index < 0 || index >= grid.size) {
      throw new HarvestryError('E_BAD_OPTION', `Expected the position given to at() to be a whole number from 0 to ${grid.size - 1}, got ${showValue(index)}.`);
    }
    return pointOf(this.dims, grid.valuesAt(index)) as Q;
  }

  /**
   * The position of a point, or -1 when the space does not hold it.
   *
   * @param point - one value per dim
   */
  indexOf(point: Q): number {
    const values = this.dims.map((d) => (point as Record<string, Scalar>)[d] ?? null);
    return this.grid.indexOf(values);
  }

  /** The coords of each dim, as a run's dataset labels them (see `docs/guide/space.md`). */
  coords(): Record<string, readonly Scalar[]> {
    return Object.fromEntries(this.grid.dimInfo().map((d) => [d.name, d.coords]));
  }

  /**
   * A point drawn uniformly at random.
   *
   * @param rng - a seeded generator of floats in [0, 1) (`makeRng(seed)`)
   */
  draw(rng: Rng): Q {
    if (this.size === 0) throw new HarvestryError('E_BAD_OPTION', `Cannot draw a point from an empty space (of ${this.dims.join(', ') || 'no dims'}): its filter kept no point.`);
    return this.at(Math.min(this.size - 1, Math.floor(rng() * this.size)));
  }

  /** The points, one at a time, in order; nothing is listed up front. */
  *[Symbol.iterator](): IterableIterator<Q> {
    const grid = this.grid;
    const values = new Array<Scalar>(this.dims.length);
    for (let i = 0; i < grid.size; i++) yield pointOf(this.dims, grid.valuesAt(i, values)) as Q;
  }
}

/**
 * A space input as a space: a space as it is, a combos object as the product of its lists.
 *
 * @param input - a space or a combos object
 * @param fn - the builder it was given to, for messages (`concat()`)
 * @param position - its position among the builder's arguments (from 1), for messages
 */
export function toSpace(input: unknown, fn: string, position = 1): Space<object> {
  if (input instanceof Space) return input as Space<object>;
  if (typeof input !== 'object' || input === null || Array.isArray(input)) {
    throw new HarvestryError(
      'E_BAD_OPTION',
      `Expected argument ${position} of ${fn} to be a space or a combos object (argument names mapped to arrays of values), got ${showValue(input)}.${Array.isArray(input) ? ' For a list of cases, wrap it in points([...]).' : ''}`,
    );
  }
  const combos = parseCombos(input, fn);
  const spec: GridSpec = { caseNames: [], cases: null, comboNames: combos.names, comboValues: combos.values };
  return new Space(combos.names, combos.values.reduce((n, v) => n * v.length, 1), spec);
}

/** A point object from dims and values. */
export function pointOf(dims: readonly string[], values: readonly Scalar[]): Record<string, Scalar> {
  const p: Record<string, Scalar> = {};
  for (let k = 0; k < dims.length; k++) p[dims[k]!] = values[k]!;
  return p;
}
