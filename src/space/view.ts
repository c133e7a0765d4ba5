/**
 * The random-access form of a space spec: what `Grid` delegates to. Compiling a spec is cheap
 * (nothing is listed or checked: specs are trusted), so a worker can do it per chunk.
 */
import type { DimInfo } from './grid.js';
import type { Scalar } from './values.js';
import type { GridSpec } from './space-spec.js';
import { isCombosGrid } from './space-spec.js';
import { ColumnsView, CombosGridView } from './views-leaf.js';
import { ConcatView, ProductView, RepeatView, SubsetView, ZipView } from './views-compose.js';

/** A dim's coordinate values, and whether they keep a given order (combo lists) or are sorted. */
export interface DimCoords extends DimInfo {
  /** True when the coords are a combo list in the order given; false when sorted ascending. */
  readonly ordered: boolean;
}

/** A space with random access by position. */
export interface SpaceView {
  readonly dims: readonly string[];
  readonly size: number;
  /** Writes the values of point `i` (aligned with `dims`) into `out` from position `at`. */
  write(i: number, out: Scalar[], at: number): void;
  /** The position of the point whose values are `values[at ..]` (aligned with `dims`), or -1. */
  find(values: readonly Scalar[], at: number): number;
  /** The coords of every dim, in `dims` order. */
  coords(): DimCoords[];
}

/**
 * Compiles a spec into its random-access view.
 *
 * @param spec - the space in plain data
 */
export function compileSpace(spec: GridSpec): SpaceView {
  if (isCombosGrid(spec)) return new CombosGridView(spec);
  switch (spec.kind) {
    case 'columns':
      return new ColumnsView(spec);
    case 'product':
      return new ProductView(spec.factors.map(compileSpace));
    case 'zip':
      return new ZipView(spec.factors.map(compileSpace));
    case 'concat':
      return new ConcatView(spec.parts.map(compileSpace));
    case 'repeat':
      return new RepeatView(compileSpace(spec.of), spec.name, spec.times);
    case 'subset':
      return new SubsetView(compileSpace(spec.of), spec.index);
  }
}
