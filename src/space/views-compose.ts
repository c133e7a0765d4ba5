/**
 * The views of spaces made of other spaces: product, zip, concatenation, repetition and
 * subsets (filters). Each decodes a position arithmetically from its parts' sizes.
 */
import { checkOneKind } from './combos.js';
import { distinct, sortedDistinct } from './views-leaf.js';
import { sameScalar, type Scalar } from './values.js';
import type { DimCoords, SpaceView } from './view.js';

/** The cartesian product, the first factor varying slowest. */
export class ProductView implements SpaceView {
  readonly dims: readonly string[];
  readonly size: number;
  private readonly radix: number[] = [];
  private readonly offsets: number[] = [];

  constructor(private readonly factors: readonly SpaceView[]) {
    this.dims = factors.flatMap((f) => f.dims);
    let size = 1;
    for (let j = factors.length - 1; j >= 0; j--) {
      this.radix.unshift(size);
      size *= factors[j]!.size;
    }
    this.size = size;
    let at = 0;
    for (const f of factors) {
      this.offsets.push(at);
      at += f.dims.length;
    }
  }

  write(i: number, out: Scalar[], at: number): void {
    let rem = i;
    for (let j = 0; j < this.factors.length; j++) {
      const r = this.radix[j]!;
      const idx = Math.floor(rem / r);
      rem -= idx * r;
      this.factors[j]!.write(idx, out, at + this.offsets[j]!);
    }
  }

  find(values: readonly Scalar[], at: number): number {
    let pos = 0;
    for (let j = 0; j < this.factors.length; j++) {
      const idx = this.factors[j]!.find(values, at + this.offsets[j]!);
      if (idx < 0) return -1;
      pos += idx * this.radix[j]!;
    }
    return pos;
  }

  coords(): DimCoords[] {
    return this.factors.flatMap((f) => f.coords());
  }
}

/** Spaces of one size, paired point by point. */
export class ZipView implements SpaceView {
  readonly dims: readonly string[];
  readonly size: number;
  private readonly offsets: number[] = [];
  private readonly scratch: Scalar[];

  constructor(private readonly factors: readonly SpaceView[]) {
    this.dims = factors.flatMap((f) => f.dims);
    this.size = factors[0]?.size ?? 0;
    let at = 0;
    for (const f of factors) {
      this.offsets.push(at);
      at += f.dims.length;
    }
    this.scratch = new Array<Scalar>(this.dims.length);
  }

  write(i: number, out: Scalar[], at: number): void {
    for (let j = 0; j < this.factors.length; j++) this.factors[j]!.write(i, out, at + this.offsets[j]!);
  }

  find(values: readonly Scalar[], at: number): number {
    const first = this.factors[0];
    if (first === undefined) return -1;
    const i = first.find(values, at);
    if (i < 0) return -1;
    this.write(i, this.scratch, 0);
    for (let k = 0; k < this.dims.length; k++) if (!sameScalar(this.scratch[k]!, values[at + k]!)) return -1;
    return i;
  }

  coords(): DimCoords[] {
    return this.factors.flatMap((f) => f.coords());
  }
}

/** Spaces naming the same dims, one after another; dims in the first part's order. */
export class ConcatView implements SpaceView {
  readonly dims: readonly string[];
  readonly size: number;
  /** The position where each part starts, and the total at the end. */
  private readonly starts: number[] = [0];
  /** For each part, for each dim (in `dims` order), its position in the part's dims. */
  private readonly perms: (readonly number[])[];
  private readonly scratch: Scalar[];

  constructor(private readonly parts: readonly SpaceView[]) {
    this.dims = parts[0]?.dims ?? [];
    for (const p of parts) this.starts.push(this.starts[this.starts.length - 1]! + p.size);
    this.size = this.starts[this.starts.length - 1]!;
    this.perms = parts.map((p) => this.dims.map((d) => p.dims.indexOf(d)));
    this.scratch = new Array<Scalar>(this.dims.length);
  }

  write(i: number, out: Scalar[], at: number): void {
    const p = this.partOf(i);
    const perm = this.perms[p]!;
    this.parts[p]!.write(i - this.starts[p]!, this.scratch, 0);
    for (let k = 0; k < perm.length; k++) out[at + k] = this.scratch[perm[k]!]!;
  }

  find(values: readonly Scalar[], at: number): number {
    for (let p = 0; p < this.parts.length; p++) {
      const perm = this.perms[p]!;
      for (let k = 0; k < perm.length; k++) this.scratch[perm[k]!] = values[at + k]!;
      const i = this.parts[p]!.find(this.scratch, 0);
      if (i >= 0) return this.starts[p]! + i;
    }
    return -1;
  }

  coords(): DimCoords[] {
    const perParts = this.parts.map((p) => new Map(p.coords().map((c) => [c.name, c])));
    return this.dims.map((name) => mergeCoords(name, perParts.map((m) => m.get(name)!)));
  }

  /** The part holding position `i` (binary search over the starts). */
  private partOf(i: number): number {
    let lo = 0;
    let hi = this.parts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (this.starts[mid]! <= i) lo = mid;
      else hi = mid - 1;
    }
    return lo;
  }
}

/**
 * The coords of one dim across the parts of a concatenation: combo lists stay in order of first
 * appearance when every part keeps its order; otherwise the distinct values, sorted.
 */
function mergeCoords(name: string, parts: readonly DimCoords[]): DimCoords {
  const all = parts.flatMap((p) => p.coords);
  const kind = checkOneKind(all, `\`${name}\` (across the parts of concat())`);
  const ordered = parts.every((p) => p.ordered);
  return { name, kind, coords: ordered ? distinct(all) : sortedDistinct(all), ordered };
}

/** Each point `times` times, the repetition dim (0 to times - 1) varying fastest. */
export class RepeatView implements SpaceView {
  readonly dims: readonly string[];
  readonly size: number;

  constructor(
    private readonly of: SpaceView,
    private readonly name: string,
    private readonly times: number,
  ) {
    this.dims = [...of.dims, name];
    this.size = of.size * times;
  }

  write(i: number, out: Scalar[], at: number): void {
    const rep = i % this.times;
    this.of.write((i - rep) / this.times, out, at);
    out[at + this.of.dims.length] = rep;
  }

  find(values: readonly Scalar[], at: number): number {
    const rep = values[at + this.of.dims.length];
    if (typeof rep !== 'number' || !Number.isInteger(rep) || rep < 0 || rep >= this.times) return -1;
    const i = this.of.find(values, at);
    return i < 0 ? -1 : i * this.times + rep;
  }

  coords(): DimCoords[] {
    return [...this.of.coords(), { name: this.name, kind: 'number', coords: Array.from({ length: this.times }, (_, r) => r), ordered: true }];
  }
}

/** Some points of a space (a filter, evaluated), in the space's order. */
export class SubsetView implements SpaceView {
  readonly dims: readonly string[];
  readonly size: number;

  constructor(
    private readonly of: SpaceView,
    private readonly index: Int32Array,
  ) {
    this.dims = of.dims;
    this.size = index.length;
  }

  write(i: number, out: Scalar[], at: number): void {
    this.of.write(this.index[i]!, out, at);
  }

  find(values: readonly Scalar[], at: number): number {
    const j = this.of.find(values, at);
    if (j < 0) return -1;
    let lo = 0;
    let hi = this.index.length - 1;
    while (lo <= hi) {
      const mid = (lo + hi) >> 1;
      const v = this.index[mid]!;
      if (v === j) return mid;
      if (v < j) lo = mid + 1;
      else hi = mid - 1;
    }
    return -1;
  }

  /** A filter keeps the coords of the space it filters: a value it drops just has no rows. */
  coords(): DimCoords[] {
    return this.of.coords();
  }
}
