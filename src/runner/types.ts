/**
 * The types that tie combos and cases to the labelled function's parameters, so a misspelled
 * argument is a compile error as well as a runtime one.
 */
import type { RunOptions } from './options.js';

/** Typed arrays accepted wherever an array of numbers is. */
export type NumericArray = Float64Array | Float32Array | Int32Array | Int16Array | Int8Array | Uint32Array | Uint16Array | Uint8Array;

/**
 * Combos: for each swept argument, the values to run (the cartesian product of all is run, the
 * first argument varying slowest).
 *
 * @typeParam P - the function's parameter object
 */
export type Combos<P> = {
  readonly [K in keyof P]?: readonly P[K][] | (P[K] extends number ? NumericArray : never);
};

/**
 * Cases: explicit settings, each an object of argument values (or, for a function labelled with
 * `fnArgs`, a tuple in that order).
 *
 * @typeParam P - the function's parameter object
 * @typeParam T - the positional argument tuple, for functions labelled with `fnArgs`
 */
export type Cases<P, T extends readonly unknown[] = never> = readonly (Partial<P> | Readonly<T>)[];

/** Options of `runCombos`. */
export interface RunCombosOptions<P, T extends readonly unknown[] = never> extends RunOptions {
  /** Cases to combine with every combo point (case-major). */
  readonly cases?: Cases<P, T>;
  /** Extra constants for this run only (a name may not also be swept). */
  readonly constants?: Partial<P>;
}

/** Options of `runCases`. */
export interface RunCasesOptions<P> extends RunOptions {
  /** Combos to combine with every case (case-major). */
  readonly combos?: Combos<P>;
  /** Extra constants for this run only (a name may not also be swept). */
  readonly constants?: Partial<P>;
}

/** The parameter object of a positional function: its argument names zipped with its parameter types. */
export type PositionalParams<N extends readonly string[], A extends readonly unknown[]> = Simplify<Zip<N, A>>;

type Zip<N extends readonly string[], A extends readonly unknown[]> = N extends readonly [infer N0 extends string, ...infer NR extends readonly string[]]
  ? A extends readonly [infer A0, ...infer AR]
    ? Record<N0, A0> & Zip<NR, AR>
    : Record<N0, unknown> & Zip<NR, []>
  : unknown;

type Simplify<T> = { [K in keyof T]: T[K] } & {};
