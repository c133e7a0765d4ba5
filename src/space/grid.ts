/**
 * The space a run covers: every case combined with every combo point, case-major, with the
 * first combo varying slowest and the last fastest. Its size is known up front and any case
 * can be decoded from its index, so a space can be cut into chunks without listing it.
 */
import { HarvestryError } from '../errors.js';
import { checkOneKind, type CasesSpec, type CombosSpec } from './combos.js';
import { compareScalars, keyOf, showNames, type Scalar, type ScalarKind } from './values.js';

/** A grid in plain data: it can be sent to a worker thread or written to disk as it is. */
export interface GridSpec {
  /** The argument names of the cases (first), in the first case's order. */
  readonly caseNames: readonly string[];
  /** One row per case, aligned with `caseNames`; `null` when there are no cases. */
  readonly cases: readonly (readonly Scalar[])[] | null;
  /** The combo names in the order given. */
  readonly comboNames: readonly string[];
  /** The values of each combo, in the order given. */
  readonly comboValues: readonly (readonly Scalar[])[];
}

/** A dim of a space: its name, the kind of its values and its coordinate values. */
export interface DimInfo {
  readonly name: string;
  readonly kind: ScalarKind | 'null';
  readonly coords: readonly Scalar[];
}

/**
 * Builds a grid spec from checked combos and cases. Names may not appear in both.
 *
 * @param combos - checked combos
 * @param cases - checked cases, or null
 */
export function makeGridSpec(combos: CombosSpec, cases: CasesSpec | null): GridSpec {
  const both = combos.names.filter((n) => cases?.names.includes(n) === true);
  if (both.length > 0) {
    throw new HarvestryError(
      'E_CONSTANT_CLASH',
      `${showNames(both)} ${both.length === 1 ? 'is' : 'are'} given both in \`combos\` and in \`cases\`. Give each argument in one place only.`,
    );
  }
  return {
    caseNames: cases?.names ?? [],
    cases: cases === null ? null : cases.rows,
    comboNames: combos.names,
    comboValues: combos.values,
  };
}

/**
 * A grid of cases with random access: `size`, `dims`, and `valuesAt(i)` for the i-th case in
 * canonical order.
 */
export class Grid {
  /** The plain-data form. */
  readonly spec: GridSpec;
  /** Every dim: case names then combo names. */
  readonly dims: readonly string[];
  /** The number of cases. */
  readonly size: number;
  private readonly comboSize: number;
  private readonly radix: readonly number[];
  private info: DimInfo[] | null = null;

  /** @param spec - the grid in plain data */
  constructor(spec: GridSpec) {
    this.spec = spec;
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
  }

  /**
   * Writes the values of case `i` (aligned with `dims`) into `out` and returns it.
   *
   * @param i - the case index, from 0 to `size - 1`
   * @param out - an array to fill (one is made when not given)
   */
  valuesAt(i: number, out: Scalar[] = new Array<Scalar>(this.dims.length)): Scalar[] {
    const { spec } = this;
    let rem = i;
    let k = 0;
    if (spec.cases !== null) {
      const row = spec.cases[Math.floor(i / this.comboSize)]!;
      rem = i % this.comboSize;
      for (; k < row.length; k++) out[k] = row[k]!;
    }
    for (let j = 0; j < spec.comboValues.length; j++) {
      const r = this.radix[j]!;
      const idx = Math.floor(rem / r);
      rem -= idx * r;
      out[k++] = spec.comboValues[j]![idx]!;
    }
    return out;
  }

  /**
   * A cursor over consecutive cases from `from`: `values` holds the current case's values
   * (aligned with `dims`) and `next()` steps to the following case, updating only the values
   * that change (an odometer, last dim fastest).
   *
   * @param from - the first case index
   */
  cursor(from: number): { readonly values: Scalar[]; next(): void } {
    const { spec } = this;
    const values = this.valuesAt(Math.min(from, Math.max(0, this.size - 1)));
    const nc = spec.caseNames.length;
    const lens = spec.comboValues.map((v) => v.length);
    const digits = this.radix.map((r, j) => Math.floor((from % this.comboSize) / r) % lens[j]!);
    let caseRow = Math.floor(from / this.comboSize);
    const next = (): void => {
      for (let j = digits.length - 1; j >= 0; j--) {
        const d = digits[j]! + 1;
        if (d < lens[j]!) {
          digits[j] = d;
          values[nc + j] = spec.comboValues[j]![d]!;
          return;
        }
        digits[j] = 0;
        values[nc + j] = spec.comboValues[j]![0]!;
      }
      caseRow++;
      const row = spec.cases?.[caseRow];
      if (row !== undefined) for (let k = 0; k < nc; k++) values[k] = row[k]!;
    };
    return { values, next };
  }

  /**
   * The dims with their kinds and coords: combo values in the order given; case values
   * distinct and sorted ascending.
   */
  dimInfo(): DimInfo[] {
    this.info ??= this.computeDimInfo();
    return this.info;
  }

  /**
   * For each dim, the index into its coords (as in {@link Grid.dimInfo}) of each given case:
   * the key columns of those cases without building a value per case.
   *
   * @param cases - case indices
   * @returns one array per dim, aligned with `cases`
   */
  coordIndices(cases: Int32Array): Int32Array[] {
    const { spec } = this;
    const info = this.dimInfo();
    const n = cases.length;
    const out = this.dims.map(() => new Int32Array(n));
    const nc = spec.caseNames.length;
    const caseCoord = spec.caseNames.map((_, j) => {
      const index = new Map<unknown, number>();
      info[j]!.coords.forEach((c, i) => index.set(keyOf(c), i));
      return Int32Array.from(spec.cases ?? [], (row) => index.get(keyOf(row[j]!))!);
    });
    for (let r = 0; r < n; r++) {
      const i = cases[r]!;
      let rem = i;
      if (spec.cases !== null) {
        const c = Math.floor(i / this.comboSize);
        rem = i - c * this.comboSize;
        for (let j = 0; j < nc; j++) out[j]![r] = caseCoord[j]![c]!;
      }
      for (let j = 0; j < this.radix.length; j++) {
        const radix = this.radix[j]!;
        const idx = Math.floor(rem / radix);
        rem -= idx * radix;
        out[nc + j]![r] = idx;
      }
    }
    return out;
  }

  private computeDimInfo(): DimInfo[] {
    const { spec } = this;
    const out: DimInfo[] = [];
    spec.caseNames.forEach((name, j) => {
      const seen = new Map<unknown, Scalar>();
      for (const row of spec.cases ?? []) {
        const v = row[j]!;
        const key = keyOf(v);
        if (!seen.has(key)) seen.set(key, v);
      }
      const coords = [...seen.values()].sort(compareScalars);
      out.push({ name, kind: checkOneKind(coords, `\`cases[*].${name}\``), coords });
    });
    spec.comboNames.forEach((name, j) => {
      const coords = spec.comboValues[j]!;
      out.push({ name, kind: checkOneKind(coords, `\`combos.${name}\``), coords });
    });
    return out;
  }
}
