/**
 * The space a run covers, from its plain-data spec: by default every case combined with every
 * combo point, case-major, with the first combo varying slowest and the last fastest; or any
 * space the builders in this folder make (zip, concat, repeat, filter...). Its size is known up
 * front and any case can be decoded from its index, so a space can be cut into chunks without
 * listing it.
 */
import { HarvestryError } from '../errors.js';
import type { CasesSpec, CombosSpec } from './combos.js';
import type { CombosGridSpec, GridSpec } from './space-spec.js';
import { showNames, type Scalar, type ScalarKind } from './values.js';
import { compileSpace, type DimCoords, type SpaceView } from './view.js';

export type { GridSpec } from './space-spec.js';

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

  /** @param spec - the grid in plain data */
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
    return this.view.coords();
  }
}
