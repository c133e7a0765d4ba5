/**
 * The space a run covers, from its plain-data spec: by default every case combined with every
 * combo point, case-major, with the first combo varying slowest and the last fastest; or any
 * space the builders in this folder make (zip, concat, repeat, filter...). Its size is known up
 * front and any case can be decoded from its index, so a space can be cut into chunks without
 * listing it.
 */
import { HarvestryError } from '../errors.js';
import type { CasesSpec, CombosSpec } from './combos.js';
import { isCombosGrid, type CombosGridSpec, type GridSpec } from './space-spec.js';
import { keyOf, showNames, type Scalar, type ScalarKind } from './values.js';
import { compileSpace, type DimCoords, type SpaceView } from './view.js';

export type { GridSpec } from './space-spec.js';

/** Steps through consecutive cases of a grid (see {@link Grid.cursor}). */
export interface GridCursor {
  /** The current case's values, aligned with the grid's dims (updated in place). */
  readonly values: Scalar[];
  /** Steps to the next case. */
  next(): void;
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
export function makeGridSpec(combos: CombosSpec, cases: CasesSpec | null): CombosGridSpec {
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
 * canonical order. Built from plain data, so a worker thread can rebuild it from a plan.
 */
export class Grid {
  /** The plain-data form. */
  readonly spec: GridSpec;
  /** Every dim (for cases × combos: case names then combo names). */
  readonly dims: readonly string[];
  /** The number of cases. */
  readonly size: number;
  private readonly view: SpaceView;
  private info: DimCoords[] | null = null;

  /**
   * Rebuilds a grid from its plain data (cheap: nothing is listed).
   *
   * @param spec - the grid in plain data
   */
  constructor(spec: GridSpec) {
    this.spec = spec;
    this.view = compileSpace(spec);
    this.dims = this.view.dims;
    this.size = this.view.size;
  }

  /**
   * Writes the values of case `i` (aligned with `dims`) into `out` and returns it.
   *
   * @param i - the case index, from 0 to `size - 1`
   * @param out - an array to fill (one is made when not given)
   */
  valuesAt(i: number, out: Scalar[] = new Array<Scalar>(this.dims.length)): Scalar[] {
    this.view.write(i, out, 0);
    return out;
  }

  /**
   * The index of the case with these values (aligned with `dims`), or -1 when the grid does not
   * hold it. The first call may build an index of the values.
   *
   * @param values - one value per dim
   */
  indexOf(values: readonly Scalar[]): number {
    return this.view.find(values, 0);
  }

  /**
   * The dims with their kinds and coords: combo values in the order given; case (and zipped)
   * values distinct and sorted ascending; see `docs/guide/space.md` for derived spaces.
   */
  dimInfo(): DimCoords[] {
    this.info ??= this.view.coords();
    return this.info;
  }

  /**
   * A cursor over consecutive cases from `from`: `values` holds the current case's values
   * (aligned with `dims`) and `next()` steps to the following case. For cases × combos it
   * updates only the values that change (an odometer, last dim fastest).
   *
   * @param from - the first case index
   */
  cursor(from: number): GridCursor {
    const values = this.valuesAt(Math.min(from, Math.max(0, this.size - 1)));
    const spec = this.spec;
    if (!isCombosGrid(spec)) {
      let i = from;
      return { values, next: () => { this.view.write(++i, values, 0); } };
    }
    const { radix, comboSize } = combosRadix(spec);
    const nc = spec.caseNames.length;
    const lens = spec.comboValues.map((v) => v.length);
    const digits = radix.map((r, j) => Math.floor((from % comboSize) / r) % lens[j]!);
    let caseRow = Math.floor(from / comboSize);
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
   * For each dim, the index into its coords (as in {@link Grid.dimInfo}) of each given case:
   * the key columns of those cases without building a value per case.
   *
   * @param cases - case indices
   * @returns one array per dim, aligned with `cases`
   */
  coordIndices(cases: Int32Array): Int32Array[] {
    const info = this.dimInfo();
    const spec = this.spec;
    const n = cases.length;
    const out = this.dims.map(() => new Int32Array(n));
    const lookups = info.map((d) => {
      const index = new Map<unknown, number>();
      d.coords.forEach((c, i) => index.set(keyOf(c), i));
      return index;
    });
    if (!isCombosGrid(spec)) {
      const buf = new Array<Scalar>(this.dims.length);
      for (let r = 0; r < n; r++) {
        this.view.write(cases[r]!, buf, 0);
        for (let j = 0; j < buf.length; j++) out[j]![r] = lookups[j]!.get(keyOf(buf[j]!))!;
      }
      return out;
    }
    const { radix, comboSize } = combosRadix(spec);
    const nc = spec.caseNames.length;
    const caseCoord = spec.caseNames.map((_, j) => Int32Array.from(spec.cases ?? [], (row) => lookups[j]!.get(keyOf(row[j]!))!));
    for (let r = 0; r < n; r++) {
      const i = cases[r]!;
      let rem = i;
      if (spec.cases !== null) {
        const c = Math.floor(i / comboSize);
        rem = i - c * comboSize;
        for (let j = 0; j < nc; j++) out[j]![r] = caseCoord[j]![c]!;
      }
      for (let j = 0; j < radix.length; j++) {
        const idx = Math.floor(rem / radix[j]!);
        rem -= idx * radix[j]!;
        out[nc + j]![r] = idx;
      }
    }
    return out;
  }
}

/** The place values of each combo in a cases × combos grid (last fastest) and the combo count. */
function combosRadix(spec: CombosGridSpec): { radix: number[]; comboSize: number } {
  const radix: number[] = [];
  let comboSize = 1;
  for (let j = spec.comboValues.length - 1; j >= 0; j--) {
    radix.unshift(comboSize);
    comboSize *= spec.comboValues[j]!.length;
  }
  return { radix, comboSize };
}
