/**
 * The types that tie combos and cases to the labelled function's parameters, so a misspelled
 * argument is a compile error as well as a runtime one.
 */
import type { CheckedPoint, Space } from '../space/space.js';
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

/** The parameters a call must give values for: not optional, not `rng` (harvestry makes it). */
export type RequiredParams<P> = Exclude<{ [K in keyof P]-?: undefined extends P[K] ? never : K }[keyof P], 'rng'>;

/**
 * The parameters that `cases` give: those every case gives (all of them for positional tuples).
 *
 * @typeParam P - the function's parameter object
 * @typeParam Cs - the cases as written
 */
export type GivenByCases<P, Cs> = Cs extends readonly [] ? never : Cs extends readonly (infer E)[] ? (E extends readonly unknown[] ? keyof P : keyof E) : never;

/**
 * The parameters that per-run `constants` give (none when there are none).
 *
 * @typeParam K - the constants as written
 */
export type GivenByConstants<K> = [K] extends [never] ? never : keyof K;

/** The type a compiler shows for a combos key that is not a parameter. */
export type NotAParameter<K> = `'${K & string}' is not a parameter of the labelled function`;

/** The type a compiler shows for `'...'` widened to `string` in a variable. */
export type WriteAsConst = "'...' in a combos object held in a variable is widened to string: write the object `as const`";

/** The type a compiler shows for a required parameter nothing gives. */
export type MissingParam<K> = `'${K & string}' is missing: give its values in the combos, or give it in \`constants\` or \`cases\``;

/**
 * A combos argument checked against the function's parameters `P`, for a compiler message that
 * names the key at fault under every TypeScript version: a key that is not a parameter, a value
 * of the wrong type, `'...'` widened to `string` in a variable (write it `as const`), a required
 * parameter that neither the combos nor `given` (label constants and resources, run options)
 * give. A space is checked by its point type.
 *
 * @typeParam P - the function's parameter object
 * @typeParam C - the combos as written
 * @typeParam E - extra values allowed per key (`'...'` in a Harvester)
 * @typeParam G - the parameters given elsewhere
 */
export type CheckedCombos<P, C, E, G> = C extends Space<infer Q> ? Space<CheckedPoint<P, Q>> : [C] extends [CombosRules<P, C, E, G>] ? C : CombosRules<P, C, E, G>;

/**
 * What each key of a combos object must be, and the required parameters it must have; its
 * property types are the messages a compiler shows.
 *
 * @typeParam P - the function's parameter object
 * @typeParam C - the combos as written
 * @typeParam E - extra values allowed per key (`'...'` in a Harvester)
 * @typeParam G - the parameters given elsewhere
 */
export type CombosRules<P, C, E, G> = {
  readonly [K in keyof C]: K extends keyof P
    ? [C[K]] extends [string]
      ? string extends C[K]
        ? [E] extends [never]
          ? Combos<P>[K]
          : WriteAsConst
        : Combos<P>[K] | E
      : Combos<P>[K] | E
    : NotAParameter<K>;
} & { readonly [K in Exclude<RequiredParams<P>, keyof C | G>]: MissingParam<K> };
