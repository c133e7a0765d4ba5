/**
 * Seeded random numbers (seedrandom's Alea generator): the same seed gives the same draws on
 * every machine. The only file that imports seedrandom.
 */
import { createRequire } from 'node:module';
import type seedrandomModule from 'seedrandom';

// Loaded on first use, so threads that never draw (most pool workers) do not pay for it.
let seedrandom: typeof seedrandomModule | undefined;
const load = (): typeof seedrandomModule => (seedrandom ??= createRequire(import.meta.url)('seedrandom') as typeof seedrandomModule);

/** A seeded generator of floats in [0, 1). */
export type Rng = () => number;

/**
 * A generator seeded by any number of parts (a seed, an index, a name...): the same parts always
 * give the same stream.
 *
 * @param parts - the parts of the seed
 */
export function makeRng(...parts: readonly (string | number | bigint)[]): Rng {
  const gen = load().alea(parts.map(String).join('\u0000'));
  return () => gen();
}

/**
 * A seeded random permutation of 0 to n - 1 (Fisher-Yates).
 *
 * @param n - the number of items
 * @param seed - the seed
 */
export function permutation(n: number, seed: number): Int32Array {
  const out = new Int32Array(n);
  for (let i = 0; i < n; i++) out[i] = i;
  const rng = makeRng('harvestry-shuffle', seed);
  for (let i = n - 1; i > 0; i--) {
    const j = Math.floor(rng() * (i + 1));
    const t = out[i]!;
    out[i] = out[j]!;
    out[j] = t;
  }
  return out;
}
