/**
 * `label()`: turn a function into a {@link Runner} by naming and shaping its outputs.
 */
import { captureSite, rememberSite, SITE_KEY } from '../execute/site.js';
import { sourceHashOf } from './fingerprint.js';
import { Runner } from './runner.js';
import { normalizeSpec, type LabelSpec } from './spec.js';
import type { PositionalParams } from './types.js';

/**
 * What {@link label} adds to the Runner's type: `fn` typed as the function given, so a sync
 * function's `runner.fn(...)` returns its value, not maybe a Promise.
 *
 * @typeParam F - the function's own type
 */
export interface OwnFn<F> {
  /** The original function, with its own type. */
  readonly fn: F;
}

/** The parameters a label gives every call: the keys of its `constants` and `resources`. */
export type LabelGiven<S> =
  | (S extends { readonly constants?: infer C } ? keyof NonNullable<C> : never)
  | (S extends { readonly resources?: infer R } ? keyof NonNullable<R> : never);

/**
 * Labels a function that takes positional arguments: `fnArgs` names them in order.
 *
 * @param spec - output names and shapes, `fnArgs`, constants, resources, attrs, default run options
 * @param fn - the function
 * @returns a Runner
 * @example
 * ```ts
 * const r = label({ varNames: 'p', fnArgs: ['a', 'b'] }, (a: number, b: number) => a * b);
 * await r.runCases([[1, 2], [3, 4]]);
 * ```
 */
export function label<const N extends readonly string[], A extends readonly unknown[], R, const S extends LabelSpec<PositionalParams<N, A>> = LabelSpec<PositionalParams<N, A>>>(
  spec: S & { readonly fnArgs: N },
  fn: (...args: A) => R,
): OwnFn<(...args: A) => R> & Runner<PositionalParams<N, A> & object, Awaited<R>, A, LabelGiven<S>>;
/**
 * Labels a function that takes one object of named parameters (harvestry's calling
 * convention). The types of combos and cases follow from that object.
 *
 * @param spec - output names and shapes, constants, resources, attrs, default run options
 * @param fn - the function: sync or async, returning one value, a tuple (one per var name) or a record (`varNames: null`)
 * @returns a Runner
 * @example
 * ```ts
 * export const rabi = label(
 *   { varNames: ['pop', 'phase'], varDims: { pop: ['t'] }, constants: { t: [0, 1, 2] } },
 *   ({ omega, t }: { omega: number; t: number[] }) => [t.map((x) => Math.sin(omega * x) ** 2), omega],
 * );
 * ```
 */
export function label<P extends object, R, const S extends LabelSpec<NoInfer<P>> = LabelSpec<NoInfer<P>>>(spec: S, fn: (params: P) => R): OwnFn<(params: P) => R> & Runner<P, Awaited<R>, never, LabelGiven<S>>;
export function label(spec: LabelSpec<unknown>, fn: (...args: never[]) => unknown): Runner<object> {
  const runner = new Runner(fn as (params: object) => unknown, normalizeSpec(spec, fn));
  // Where it was labelled, so worker threads and child processes can import it again.
  const site = captureSite(label, () => runner.spec.fingerprint, sourceHashOf(fn));
  rememberSite(fn, site);
  Object.defineProperty(runner, SITE_KEY, { value: site });
  return runner;
}
