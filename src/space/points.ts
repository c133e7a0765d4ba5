/**
 * `points()`: a space from a list of points, as `runCases` takes them.
 */
import { HarvestryError } from '../errors.js';
import { parseCases } from './combos.js';
import { Space } from './space.js';

/**
 * A space from explicit points (cases): objects naming the same dims, all distinct. Their
 * coords are their distinct values, sorted. `points(list)` is what `runCases(list)` runs.
 *
 * @param list - the points, in order
 * @returns the space of those points
 * @example
 * ```ts
 * const s = concat(points([{ a: 0, b: 'x' }]), product({ a: [1, 2], b: ['y'] }));
 * s.size; // 3
 * ```
 */
export function points<Q extends object>(list: readonly Q[]): Space<Q> {
  const cases = parseCases(list);
  if (cases.rows.length === 0) throw new HarvestryError('E_BAD_OPTION', 'points() needs at least one point: an empty list names no dims.');
  return new Space<Q>(cases.names, cases.rows.length, { caseNames: cases.names, cases: cases.rows, comboNames: [], comboValues: [] });
}
