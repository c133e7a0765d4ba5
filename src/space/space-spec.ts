/**
 * A parameter space in plain data: a tagged union of nodes that a worker thread receives in a
 * plan (structured clone) and rebuilds with `new Grid(spec)`. No functions: a filter is sent as
 * the list of positions it kept.
 */
import type { Scalar } from './values.js';

/**
 * Cases × combos: every case combined with every combo point, case-major, the first combo
 * varying slowest. The original grid (its `kind` may be left out); what a combos object, a
 * list of cases, or both, mean.
 */
export interface CombosGridSpec {
  readonly kind?: 'grid';
  /** The argument names of the cases (first), in the first case's order. */
  readonly caseNames: readonly string[];
  /** One row per case, aligned with `caseNames`; `null` when there are no cases. */
  readonly cases: readonly (readonly Scalar[])[] | null;
  /** The combo names in the order given. */
  readonly comboNames: readonly string[];
  /** The values of each combo, in the order given. */
  readonly comboValues: readonly (readonly Scalar[])[];
}

/** Paired values (`zip`): point `i` takes the `i`-th value of every column. */
export interface ColumnsSpec {
  readonly kind: 'columns';
  readonly names: readonly string[];
  /** One list of values per name, all of one length. */
  readonly columns: readonly (readonly Scalar[])[];
}

/** The cartesian product of spaces with distinct dims, the first varying slowest. */
export interface ProductSpec {
  readonly kind: 'product';
  readonly factors: readonly GridSpec[];
}

/** Spaces of one size with distinct dims, paired point by point. */
export interface ZipSpec {
  readonly kind: 'zip';
  readonly factors: readonly GridSpec[];
}

/** Spaces naming the same dims (in any order), one after another; dims in the first part's order. */
export interface ConcatSpec {
  readonly kind: 'concat';
  readonly parts: readonly GridSpec[];
}

/** Every point of a space `times` times, with a dim `name` (0 to times - 1) varying fastest. */
export interface RepeatSpec {
  readonly kind: 'repeat';
  readonly of: GridSpec;
  readonly name: string;
  readonly times: number;
}

/** The points of a space at some positions (a filter, evaluated): ascending and distinct. */
export interface SubsetSpec {
  readonly kind: 'subset';
  readonly of: GridSpec;
  readonly index: Int32Array;
}

/**
 * A space in plain data. Built by `makeGridSpec` and by the space builders (`product`, `zip`,
 * `concat`, `repeat`, `filter`, `points`); read with `new Grid(spec)`.
 */
export type GridSpec = CombosGridSpec | ColumnsSpec | ProductSpec | ZipSpec | ConcatSpec | RepeatSpec | SubsetSpec;

/** True for the cases × combos node (whose `kind` may be absent). */
export function isCombosGrid(spec: GridSpec): spec is CombosGridSpec {
  return spec.kind === undefined || spec.kind === 'grid';
}
