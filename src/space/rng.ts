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
  /**
   * Item `index`'s choice among `n` things (0 to n - 1), uniform: a hash of the family's key and
   * the index, cheaper than a generator (and independent of `rng`'s position).
   */
  pick(index: number, n: number): number;
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
    const cursor = new SfcCursor().keyed(key);
    cursor.seek(index);
    return cursor.rng;
  };
}

/**
 * A cursor over the family named by `parts` (see {@link rngStream}). Give it back with
 * {@link releaseRngCursor} when done: cursors are reused, so hot loops keep calling the same
 * functions (optimized code that inlined them stays valid from one call to the next).
 *
 * @param parts - the parts of the family's key
 */
export function rngCursor(...parts: readonly (string | number | bigint)[]): RngCursor {
  return (spare.pop() ?? new SfcCursor()).keyed(familyKey(parts));
}

/**
 * Gives a cursor back for reuse; its `rng` must not be used after this.
 *
 * @param cursor - a cursor from {@link rngCursor}
 */
export function releaseRngCursor(cursor: RngCursor): void {
  if (cursor instanceof SfcCursor && spare.length < 16 && !spare.includes(cursor)) spare.push(cursor);
}

const spare: SfcCursor[] = [];

function familyKey(parts: readonly (string | number | bigint)[]): Uint32Array {
  const base = load().alea(parts.map(String).join('\u0000'));
  return Uint32Array.from({ length: 4 }, () => Math.floor(base() * 4294967296) >>> 0);
}

/**
 * sfc32 (Chris Doty-Humphrey's, PractRand-tested), seeded per index from the family's key by
 * MurmurHash3's finalizer, two outputs per 53-bit float. Written out without helper calls: a
 * Sampler seeks once per sample, often in code that has not been optimized yet.
 */
class SfcCursor implements RngCursor {
  readonly rng: Rng;
  private k0 = 0;
  private k1 = 0;
  private k2 = 0;
  private k3 = 0;
  private a = 0;
  private b = 0;
  private c = 0;
  private d = 0;

  constructor() {
    this.rng = () => this.next();
  }

  keyed(key: Uint32Array): this {
    this.k0 = key[0]!;
    this.k1 = key[1]!;
    this.k2 = key[2]!;
    this.k3 = key[3]!;
    return this;
  }

  next(): number {
    let { a, b, c, d } = this;
    let t = (((a + b) | 0) + d) | 0;
    d = (d + 1) | 0;
    a = b ^ (b >>> 9);
    b = (c + (c << 3)) | 0;
    c = (((c << 21) | (c >>> 11)) + t) | 0;
    const high = t >>> 5;
    t = (((a + b) | 0) + d) | 0;
    this.d = (d + 1) | 0;
    this.a = b ^ (b >>> 9);
    this.b = (c + (c << 3)) | 0;
    this.c = (((c << 21) | (c >>> 11)) + t) | 0;
    return (high * 67108864 + (t >>> 6)) / 9007199254740992;
  }

  seek(index: number): void {
    // each word a full-avalanche hash of the key, the index and the word before
    let h = (index >>> 0) ^ this.k0;
    h = Math.imul(h ^ (h >>> 16), 0x85ebca6b);
    h = Math.imul(h ^ (h >>> 13), 0xc2b2ae35);
    let a = h ^ (h >>> 16);
    h = a ^ (Math.floor(index / 4294967296) >>> 0) ^ this.k1;
    h = Math.imul(h ^ (h >>> 16), 0x85ebca6b);
    h = Math.imul(h ^ (h >>> 13), 0xc2b2ae35);
    let b = h ^ (h >>> 16);
    h = b ^ this.k2;
    h = Math.imul(h ^ (h >>> 16), 0x85ebca6b);
    h = Math.imul(h ^ (h >>> 13), 0xc2b2ae35);
    let c = h ^ (h >>> 16);
    h = c ^ this.k3;
    h = Math.imul(h ^ (h >>> 16), 0x85ebca6b);
    h = Math.imul(h ^ (h >>> 13), 0xc2b2ae35);
    let d = h ^ (h >>> 16);
    // the state is already well mixed: a short warm-up suffices
    for (let i = 0; i < 4; i++) {
      const t = (((a + b) | 0) + d) | 0;
      d = (d + 1) | 0;
      a = b ^ (b >>> 9);
      b = (c + (c << 3)) | 0;
      c = (((c << 21) | (c >>> 11)) + t) | 0;
    }
    this.a = a;
    this.b = b;
    this.c = c;
    this.d = d;
  }

  pick(index: number, n: number): number {
    let h = (index >>> 0) ^ this.k0;
    h = Math.imul(h ^ (h >>> 16), 0x85ebca6b);
    h = Math.imul(h ^ (h >>> 13), 0xc2b2ae35);
    h ^= (h >>> 16) ^ (Math.floor(index / 4294967296) >>> 0) ^ this.k1;
    h = Math.imul(h ^ (h >>> 16), 0x85ebca6b);
    h = Math.imul(h ^ (h >>> 13), 0xc2b2ae35);
    return Math.floor((((h ^ (h >>> 16)) >>> 0) / 4294967296) * n);
  }
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
