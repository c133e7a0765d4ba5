/**
 * `CoverageScan`: what a dataset file holds for every cell of its grid (the product of its dims'
 * coords): present, missing, failed (a recorded failure) or stale (made by another version of
 * the function than the file's labels name). It is the Harvester's scan (`scanRowGroups`, as
 * `plan()` runs it), kept between calls so a file that only grew is read in its new row groups.
 */
import { GridLocator, GridStatus, scanRowGroups } from '../harvest/grid-status.js';
import { Grid } from '../space/grid.js';
import { keyOf } from '../space/values.js';
import { readDatasetLabels } from '../store/dataset-labels.js';

/** The coverage of a grid, row-major over `dims` (the last dim varies fastest). */
export interface Coverage {
  /** The file's dims, in order. */
  readonly dims: readonly string[];
  /** The number of coords of each dim. */
  readonly sizes: readonly number[];
  /** One digit per cell: 0 missing, 1 present, 2 failed, 3 stale. */
  readonly cells: string;
  /** How many cells have each state. */
  readonly counts: Readonly<Record<'present' | 'missing' | 'failed' | 'stale', number>>;
}

/** The scan of one file, updated in place as the file changes. */
export class CoverageScan {
  #key = '';
  #grid: Grid | null = null;
  #locator: GridLocator | null = null;
  #status: GridStatus | null = null;

  /** @param path - a Parquet dataset file */
  constructor(readonly path: string) {}

  /**
   * Reads what changed in the file and returns its coverage, or null when the file is gone or
   * is not a Parquet dataset (an Arrow IPC file, a sample table: they have no grid to scan).
   */
  async update(): Promise<Coverage | null> {
    let labels: Awaited<ReturnType<typeof readDatasetLabels>>;
    try {
      labels = await readDatasetLabels(this.path);
    } catch {
      return null;
    }
    if (labels === null) return null;
    const { meta, footer } = labels;
    const key = JSON.stringify(meta.dims.map((d) => [d.name, d.coords.map((c) => String(keyOf(c)))]));
    if (key !== this.#key || this.#grid === null) {
      this.#key = key;
      this.#grid = new Grid({ caseNames: [], cases: null, comboNames: meta.dims.map((d) => d.name), comboValues: meta.dims.map((d) => d.coords) });
      this.#locator = new GridLocator(this.#grid);
      this.#status = new GridStatus(this.#grid.size);
    }
    const status = this.#status!;
    await scanRowGroups({ path: this.path, footer, meta, fingerprint: meta.fingerprint ?? '' }, this.#locator!, status);
    const c = status.counts();
    return {
      dims: meta.dims.map((d) => d.name),
      sizes: meta.dims.map((d) => d.coords.length),
      cells: status.codes.join(''),
      counts: { present: c.present, missing: c.absent, failed: c.failed, stale: c.stale },
    };
  }
}
