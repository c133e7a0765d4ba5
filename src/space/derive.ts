/**
 * Shared steps of the space builders: building a space from others (now, or on first use when
 * one of them holds a filter not evaluated yet) and checking that dims do not clash.
 */
import { HarvestryError } from '../errors.js';
import type { GridSpec } from './space-spec.js';
import { Space } from './space.js';
import { showNames } from './values.js';

/**
 * A space built from others. The spec is built now, so mistakes are reported where the space is
 * made; when an input holds a filter not evaluated yet, it is built on first use instead.
 *
 * @param inputs - the spaces it is built from
 * @param dims - its dims
 * @param maxSize - an upper bound of its size
 * @param build - its spec from the inputs' specs (checks what needs their points)
 */
export function derive<Q extends object>(inputs: readonly Space<object>[], dims: readonly string[], maxSize: number, build: (specs: readonly GridSpec[]) => GridSpec): Space<Q> {
  if (inputs.some((s) => s.pending)) return new Space<Q>(dims, maxSize, () => build(inputs.map((s) => s.spec)));
  return new Space<Q>(dims, maxSize, build(inputs.map((s) => s.spec)));
}

/**
 * Refuses a dim named by two inputs of a product or zip (each point would have two values for it).
 *
 * @param spaces - the inputs
 * @param fn - the builder, for messages
 */
export function checkDistinctDims(spaces: readonly Space<object>[], fn: string): void {
  const owner = new Map<string, number>();
  spaces.forEach((s, i) => {
    for (const d of s.dims) {
      const first = owner.get(d);
      if (first !== undefined) {
        throw new HarvestryError(
          'E_SPACE_DIMS',
          `${fn}: ${showNames([d])} is named by argument ${first + 1} and argument ${i + 1}; each dim must come from one argument, or a point would have two values for it. Rename one, ${fn === 'zip()' ? 'or put both values in one list' : 'or pair them with zip() if they vary together'}.`,
          { details: { dim: d } },
        );
      }
      owner.set(d, i);
    }
  });
}

/**
 * The largest space a run can index (case positions are 32-bit integers).
 */
export const MAX_CASES = 2 ** 31 - 1;

/**
 * Refuses a space too big to run or filter.
 *
 * @param size - its size
 * @param what - what needs it, for messages
 */
export function checkIndexable(size: number, what: string): void {
  if (size > MAX_CASES) {
    throw new HarvestryError(
      'E_SPACE_TOO_BIG',
      `${what} has ${size.toExponential(3)} points, more than the ${MAX_CASES} harvestry can index in one run. Split it into several runs (one per value of its first dim, for example), or give fewer values.`,
      { details: { size } },
    );
  }
}
