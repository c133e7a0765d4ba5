/**
 * The views of the spaces that hold values: cases × combos (the original grid) and zipped
 * columns. Lookups by value (`find`) build their indexes on first use only.
 */
import { checkOneKind, rowKey } from './combos.js';
import type { ColumnsSpec, CombosGridSpec } from './space-spec.js';
import { compareScalars, keyOf, sameScalar, type Scalar } from './values.js';
import type { DimCoords, SpaceView } from './view.js';

/** Cases × combos, case-major, the first combo slowest and the last fastest. */
export class CombosGridView implements SpaceView {
  readonly dims: readonly string[];
  readonly size: number;
  private readonly comboSize: number;
  private readonly radix: readonly number[];
  private caseIndex: Map<string, number> | null = null;
  private comboIndex: (ValueIndex | null)[];

  constructor(private readonly spec: CombosGridSpec) {
    this.dims = [...spec.caseNames, ...spec.comboNames];
    const radix: number[] = [];
    let comboSize = 1;
    for (let j = spec.comboValues.length - 1; j >= 0; j--) {
      radix.unshift(comboSize);
      comboSize *= spec.comboValues[j]!.length;
    }
    this.radix = radix;
    this.comboSize = comboSize;
    this.size = (spec.cases === null ? 1 : spec.cases.length) * comboSize;
    this.comboIndex = spec.comboValues.map(() => null);
  }

  write(i: number, out: Scalar[], at: number): void {
    const { spec } = this;
    let rem = i;
    let k = at;
    if (spec.cases !== null) {
      const row = spec.cases[Math.floor(i / this.comboSize)]!;
      rem = i % this.comboSize;
      for (let c = 0; c < row.length; c++) out[k++] = row[c]!;
    }
    for (let j = 0; j < spec.comboValues.length; j++) {
      const r = this.radix[j]!;
      const idx = Math.floor(rem / r);
      rem -= idx * r;
      out[k++] = spec.comboValues[j]![idx]!;
    }
  }

  find(values: readonly Scalar[], at: number): number {
    const { spec } = this;
    let caseAt = 0;
    const nCase = spec.caseNames.length;
    if (spec.cases !== null) {
      this.caseIndex ??= new Map(spec.cases.map((row, r) => [rowKey(row), r]));
      const found = this.caseIndex.get(rowKey(values.slice(at, at + nCase)));
      if (found === undefined) return -1;
      caseAt = found;
    }
    let pos = caseAt * this.comboSize;
    for (let j = 0; j < spec.comboValues.length; j++) {
      const index = (this.comboIndex[j] ??= new ValueIndex(spec.comboValues[j]!));
      const idx = index.find(values[at + nCase + j]!);
      if (idx < 0) return -1;
      pos += idx * this.radix[j]!;
    }
    return pos;
  }

  coords(): DimCoords[] {
    const { spec } = this;
    const out: DimCoords[] = [];
    spec.caseNames.forEach((name, j) => {
      const coords = sortedDistinct((spec.cases ?? []).map((row) => row[j]!));
      out.push({ name, kind: checkOneKind(coords, `\`cases[*].${name}\``), coords, ordered: false });
    });
    spec.comboNames.forEach((name, j) => {
      const coords = spec.comboValues[j]!;
      out.push({ name, kind: checkOneKind(coords, `\`combos.${name}\``), coords, ordered: true });
    });
    return out;
  }
}

/** Zipped columns: point `i` takes the `i`-th value of each. */
export class ColumnsView implements SpaceView {
  readonly dims: readonly string[];
  readonly size: number;
  private readonly columns: readonly (readonly Scalar[])[];
  private index: Map<string, number> | null = null;

  constructor(spec: ColumnsSpec) {
    this.dims = spec.names;
    this.columns = spec.columns;
    this.size = spec.columns[0]?.length ?? 0;
  }

  write(i: number, out: Scalar[], at: number): void {
    for (let k = 0; k < this.columns.length; k++) out[at + k] = this.columns[k]![i]!;
  }

  find(values: readonly Scalar[], at: number): number {
    if (this.index === null) {
      this.index = new Map();
      const row = new Array<Scalar>(this.columns.length);
      // The first position wins, as the space's points are distinct when it is built.
      for (let i = this.size - 1; i >= 0; i--) {
        this.write(i, row, 0);
        this.index.set(rowKey(row), i);
      }
    }
    return this.index.get(rowKey(values.slice(at, at + this.columns.length))) ?? -1;
  }

  coords(): DimCoords[] {
    return this.dims.map((name, k) => {
      const coords = sortedDistinct(this.columns[k]!);
      return { name, kind: checkOneKind(coords, `\`zip().${name}\``), coords, ordered: false };
    });
  }
}

/** Positions of the values of a list (one kind, distinct), found by value. */
export class ValueIndex {
  private readonly map = new Map<unknown, number>();

  constructor(private readonly values: readonly Scalar[]) {
    values.forEach((v, i) => {
      const key = keyOf(v);
      if (!this.map.has(key)) this.map.set(key, i);
    });
  }

  /** The position of `v`, or -1 (a value of another kind with the same key is not `v`). */
  find(v: Scalar): number {
    const i = this.map.get(keyOf(v));
    return i !== undefined && sameScalar(this.values[i]!, v) ? i : -1;
  }
}

/** The distinct values of a list of one kind, in order of first appearance. */
export function distinct(values: readonly Scalar[]): Scalar[] {
  const seen = new Map<unknown, Scalar>();
  for (const v of values) {
    const key = keyOf(v);
    if (!seen.has(key)) seen.set(key, v);
  }
  return [...seen.values()];
}

/** The distinct values of a list of one kind, sorted ascending (nulls last). */
export function sortedDistinct(values: readonly Scalar[]): Scalar[] {
  return distinct(values).sort(compareScalars);
}
