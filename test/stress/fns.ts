/**
 * Labelled functions of the stress campaign, exported so pool threads, child processes and crop
 * growers import them. Each checks its arguments, so a mis-mapped value fails loudly.
 */
import { label } from '../../src/index.js';

/** Busy time per case of `slow`, in ms (read once per process). */
const WORK_MS = Number(process.env.HARVESTRY_STRESS_WORK_MS ?? 1);

/** `a * 1000 + b`, taking about 1 ms; a and b in [0, 1000). */
export const slow = label({ varNames: 'p' }, ({ a, b }: { a: number; b: number }) => {
  if (!(a >= 0 && a < 1000 && b >= 0 && b < 1000)) throw new RangeError(`stress fixture: a, b must be in [0, 1000), got ${a}, ${b}`);
  const until = performance.now() + WORK_MS;
  while (performance.now() < until) {
    // busy: a case that takes time
  }
  return a * 1000 + b;
});

/** `x * 2`, taking about 1 ms; x in [0, 1). */
export const double = label({ varNames: 'p' }, ({ x }: { x: number }) => {
  if (!(x >= 0 && x < 1)) throw new RangeError(`stress fixture: x must be in [0, 1), got ${x}`);
  const until = performance.now() + WORK_MS;
  while (performance.now() < until) {
    // busy
  }
  return x * 2;
});

/** A string output, for a sow into a file whose `p` is numeric. */
export const text = label({ varNames: 'p' }, ({ a, b }: { a: number; b: number }) => `${a}:${b}`);

/** The value `slow` gives. */
export const expected = (a: number, b: number): number => a * 1000 + b;
