/**
 * `repeat()`: every point of a space several times, told apart by a repetition dim.
 */
import { HarvestryError } from '../errors.js';
import { derive } from './derive.js';
import { toSpace, type PointOf, type Simplify, type Space, type SpaceInput } from './space.js';
import { showNames, showValue } from './values.js';

/** Options of {@link repeat}. */
export interface RepeatOptions<N extends string = 'rep'> {
  /**
   * The name of the repetition dim: its values are 0 to `times - 1`.
   * @default 'rep'
   */
  readonly name?: N;
}

/**
 * Every point of a space `times` times, with a new dim (default `rep`, values 0 to `times - 1`)
 * varying fastest, so each point's repetitions run one after another and every row keeps a
 * distinct key. The same as `product(space, { rep: [0, 1, ..., times - 1] })`; for all of the
 * first repetition before the second, write `product({ rep: [...] }, space)`.
 *
 * @param space - a space or a combos object
 * @param times - how many times (a whole number from 1 up)
 * @param options - `name`: the repetition dim's name
 * @returns the repeated space; its size is `times` × the space's
 * @example
 * ```ts
 * const s = repeat({ noise: [0.1, 0.2] }, 3, { name: 'seed' });
 * s.size; // 6
 * s.at(4); // { noise: 0.2, seed: 1 }
 * ```
 */
export function repeat<F extends SpaceInput, N extends string = 'rep'>(space: F, times: number, options: RepeatOptions<N> = {}): Space<Simplify<PointOf<F> & Record<N, number>>> {
  const of = toSpace(space, 'repeat()');
  if (!Number.isInteger(times) || times < 1) {
    throw new HarvestryError('E_BAD_OPTION', `Expected \`times\` of repeat() to be a whole number from 1 up, got ${showValue(times)}.`);
  }
  const name: unknown = options.name ?? 'rep';
  if (typeof name !== 'string' || name === '') {
    throw new HarvestryError('E_BAD_OPTION', `Expected \`name\` of repeat() to be a non-empty string (the repetition dim's name), got ${showValue(name)}.`);
  }
  if (of.dims.includes(name)) {
    throw new HarvestryError(
      'E_SPACE_DIMS',
      `repeat(): the space already has a dim ${showNames([name])}, so it cannot also be the repetition dim. Give another name: repeat(space, ${times}, { name: '${name}_rep' }).`,
      { details: { dim: name } },
    );
  }
  return derive([of], [...of.dims, name], of.maxSize * times, ([spec]) => ({ kind: 'repeat', of: spec!, name, times }));
}
