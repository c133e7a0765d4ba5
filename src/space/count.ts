/**
 * `countCases()`: how many cases a space, combos object or list of cases holds, without running
 * anything (for dry runs and progress).
 */
import { points } from './points.js';
import { toSpace, type SpaceInput } from './space.js';

/**
 * The number of cases in a space, a combos object (the product of its lists) or a list of
 * cases. Nothing is listed; a filter is evaluated (see `filter()`).
 *
 * @param input - a space, a combos object, or an array of cases (objects)
 * @returns the number of cases
 * @example
 * ```ts
 * countCases({ a: [1, 2, 3], b: ['x', 'y'] }); // 6
 * ```
 */
export function countCases(input: SpaceInput | readonly object[]): number {
  if (Array.isArray(input)) return input.length === 0 ? 0 : points(input as readonly object[]).size;
  return toSpace(input, 'countCases()').size;
}
