/**
 * Seeded random numbers (seedrandom's Alea generator): the same seed gives the same draws on
 * every machine. The only file that imports seedrandom.
 */
import { createRequire } from 'node:module';
import type seedrandomModule from 'seedrandom';
import type { Scalar } from './values.js';

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

/** A family of generators, one per index: `stream(i)` is a new generator of item `i`. */
export type RngStream = (index: number) => Rng;

/**
 * One generator that can be moved to any item of a family: after `seek(i)`, `rng` draws item
 * `i`'s numbers (the same as `rngStream(...)(i)`). For loops over many items, where a new
 * generator per item would cost an allocation.
 */
export interface RngCursor {
  /** The generator; valid until the next `seek`. */
  readonly rng: Rng;
  /** Moves `rng` to the start of item `index`'s numbers. */
  seek(index: number): void;
}

/**
 * Independent generators for items 0, 1, 2... of a family named by `parts` (a seed and a name):
 * item `i`'s generator depends only on the parts and `i`, so item 3 draws the same numbers
 * whether 10 or 10,000 items are drawn. The family's key is hashed once (seedrandom's Alea);
 * each item's generator is sfc32 seeded from that key and the index, giving floats in [0, 1)
 * with 53 random bits. Making one costs a few dozen integer operations (an Alea generator from
 * a string costs about a microsecond).
 *
 * @param parts - the parts of the family's key
 * @returns the generator of each index (a whole number from 0 to 2^53 - 1)
 */
export function rngStream(...parts: readonly (string | number | bigint)[]): RngStream {
  const key = familyKey(parts);
  return (index) => {
    const cursor = cursorOf(key);
    cursor.seek(index);
    return cursor.rng;
  };
}

/**
 * A cursor over the family named by `parts` (see {@link rngStream}).
 *
 * @param parts - the parts of the family's key
 */
export function rngCursor(...parts: readonly (string | number | bigint)[]): RngCursor {
  return cursorOf(familyKey(parts));
}

function familyKey(parts: readonly (string | number | bigint)[]): Uint32Array {
  const base = load().alea(parts.map(String).join('\u0000'));
  return Uint32Array.from({ length: 4 }, () => Math.floor(base() * 4294967296) >>> 0);
}

/** sfc32 (Chris Doty-Humphrey's, PractRand-tested), seeded per index, two outputs per 53-bit float. */
function cursorOf(key: Uint32Array): RngCursor {
  const [k0, k1, k2, k3] = key as unknown as [number, number, number, number];
  let a = 0;
  let b = 0;
  let c = 0;
  let d = 0;
  const next = (): number => {
    const t = (((a + b) | 0) + d) | 0;
    d = (d + 1) | 0;
    a = b ^ (b >>> 9);
    b = (c + (c << 3)) | 0;
    c = (c << 21) | (c >>> 11);
    c = (c + t) | 0;
    return t >>> 0;
  };
  return {
    rng: () => ((next() >>> 5) * 67108864 + (next() >>> 6)) / 9007199254740992,
    seek(index: number): void {
      const lo = index >>> 0;
      const hi = Math.floor(index / 4294967296) >>> 0;
      a = fmix32(lo ^ k0);
      b = fmix32(a ^ hi ^ k1);
      c = fmix32(b ^ k2);
      d = fmix32(c ^ k3);
      // the state is already well mixed (each word a full-avalanche hash): a short warm-up suffices
      for (let i = 0; i < 4; i++) next();
    },
  };
}

/**
 * The generator a function taking `rng` gets for one case of a run: derived from the seed and
 * the case's key (its dim names and values, in name order, so the order of the combos does not
 * matter).
 *
 * @param seed - the run's seed
 * @param dims - the dims of the case
 * @param values - its values, aligned with `dims`
 */
export function caseRng(seed: number, dims: readonly string[], values: readonly Scalar[]): Rng {
  const pairs = dims.map((d, k) => `${d}=${scalarText(values[k]!)}`).sort();
  return makeRng('harvestry-case', seed, ...pairs);
}

/** A scalar as text that tells kinds apart (1, 1n, '1' and true differ). */
function scalarText(v: Scalar): string {
  if (v === null) return 'null';
  if (v instanceof Date) return `d:${v.getTime()}`;
  if (typeof v === 'string') return `s:${v}`;
  if (typeof v === 'bigint') return `i:${v}`;
  if (typeof v === 'boolean') return `b:${v}`;
  return `n:${Object.is(v, -0) ? '-0' : String(v)}`;
}

/** MurmurHash3's finalizer: every input bit affects every output bit. */
function fmix32(h: number): number {
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}
