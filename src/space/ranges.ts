/**
 * Value helpers for sweeps over floats: `linspace`, `logspace` and `arange`, whose values are
 * clean decimals (0.1 steps give 0.3, not 0.30000000000000004), so they print as written and
 * `sel({ gamma: 0.3 })` finds them.
 */
import { HarvestryError } from '../errors.js';

/**
 * `n` evenly spaced numbers from `start` to `stop` (both included), as numpy's `linspace`.
 *
 * @param start - the first value
 * @param stop - the last value
 * @param n - how many values (at least 1; with 1, only `start`)
 * @returns the values, each rounded to 15 significant digits
 * @example
 * ```ts
 * linspace(0, 1, 11); // [0, 0.1, 0.2, 0.3, ..., 1]
 * ```
 */
export function linspace(start: number, stop: number, n: number): number[] {
  checkFinite('linspace', { start, stop });
  checkCount('linspace', n);
  if (n === 1) return [start];
  const step = (stop - start) / (n - 1);
  return Array.from({ length: n }, (_, i) => (i === n - 1 ? stop : clean(start + i * step)));
}

/**
 * `n` numbers evenly spaced on a log scale, from `base ** start` to `base ** stop`, as numpy's
 * `logspace`.
 *
 * @param start - the first exponent
 * @param stop - the last exponent
 * @param n - how many values (at least 1)
 * @param base - the base
 * @defaultValue base 10
 * @returns the values, each rounded to 15 significant digits
 * @example
 * ```ts
 * logspace(-2, 1, 4); // [0.01, 0.1, 1, 10]
 * ```
 */
export function logspace(start: number, stop: number, n: number, base = 10): number[] {
  checkFinite('logspace', { start, stop, base });
  if (!(base > 0) || base === 1) throw new HarvestryError('E_BAD_OPTION', `Expected the \`base\` of logspace() to be a positive number other than 1, got ${base}.`);
  return linspace(start, stop, n).map((e) => clean(base ** e));
}

/**
 * Numbers from `start` up to (not including) `stop` in steps of `step`, as numpy's `arange`.
 *
 * @param start - the first value
 * @param stop - the end (excluded)
 * @param step - the step (negative to count down)
 * @defaultValue step 1
 * @returns the values, each rounded to 15 significant digits
 * @example
 * ```ts
 * arange(0, 0.5, 0.1); // [0, 0.1, 0.2, 0.3, 0.4]
 * ```
 */
export function arange(start: number, stop: number, step = 1): number[] {
  checkFinite('arange', { start, stop, step });
  if (step === 0) throw new HarvestryError('E_BAD_OPTION', 'Expected the `step` of arange() to be a non-zero number, got 0.');
  const n = Math.max(0, Math.ceil(clean((stop - start) / step)));
  if (n > 2 ** 31 - 1) throw new HarvestryError('E_BAD_OPTION', `arange(${start}, ${stop}, ${step}) would have ${n} values, more than a list can hold. Use a larger step.`);
  return Array.from({ length: n }, (_, i) => clean(start + i * step));
}

/** A number rounded to 15 significant digits: float noise in the last bits goes away. */
function clean(x: number): number {
  return x === 0 || !Number.isFinite(x) ? x : Number(x.toPrecision(15));
}

function checkFinite(fn: string, args: Record<string, number>): void {
  for (const [name, v] of Object.entries(args)) {
    if (typeof v !== 'number' || !Number.isFinite(v)) throw new HarvestryError('E_BAD_OPTION', `Expected \`${name}\` of ${fn}() to be a finite number, got ${String(v)}.`);
  }
}

function checkCount(fn: string, n: number): void {
  if (!Number.isInteger(n) || n < 1) throw new HarvestryError('E_BAD_OPTION', `Expected the count \`n\` of ${fn}() to be a whole number from 1 up, got ${String(n)}.`);
}
