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
   * The dims with their kinds and coords: combo values in the order given; case values
   * distinct and sorted ascending.
   */
  dimInfo(): DimInfo[] {
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
