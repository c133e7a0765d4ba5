/**
 * `ViewSource`: the file an explorer shows, kept in step with the disk. It knows the file's
 * names and coords (what the page's controls offer), its coverage, and draws a chart for a
 * choice of controls with `plot()`, the one builder of chart specs.
 */
import { stat } from 'node:fs/promises';
import { HarvestryError } from '../errors.js';
import type { DatasetMeta } from '../dataset/meta.js';
import { sampleTable } from '../dataset/sample-table.js';
import type { Dataset } from '../dataset/dataset.js';
import { plot, type PlotSource } from '../plot/plot.js';
import type { PlotKind, PlotOptions } from '../plot/options.js';
import type { VegaLiteSpec } from '../plot/vega.js';
import { showValue, type Scalar } from '../space/values.js';
import { readDatasetLabels } from '../store/dataset-labels.js';
import { readLabelledFile, type LabelledFile } from '../store/labelled-file.js';
import { CoverageScan, type Coverage } from './coverage.js';

/** A dim or internal dim as the page shows it: its coords as text, in order. */
export interface ViewDim {
  readonly name: string;
  /** The coords, as text (the page sends back positions, so any value type round-trips). */
  readonly labels: readonly string[];
  /** True when the coords are numbers (a slider), false for text and the like (a select). */
  readonly numeric: boolean;
  /** True for a variable's internal dim (its coords from the labels), false for a key column. */
  readonly internal: boolean;
}

/** A variable as the page offers it. */
export interface ViewVar {
  readonly name: string;
  /** Its internal dims. */
  readonly dims: readonly string[];
  /** False for variables a chart cannot put on an axis (strings, booleans). */
  readonly numeric: boolean;
}

/** What the page knows about the file. */
export interface ViewState {
  /** The file. */
  readonly path: string;
  /** `dataset` or `samples` (a Sampler's table: no dims, every column on any axis). */
  readonly kind: 'dataset' | 'samples';
  /** Bumped each time the file changes on disk. */
  readonly version: number;
  /** Rows in the file. */
  readonly rows: number;
  /** The dims, then the internal dims. For a sample table: its parameters (no coords). */
  readonly dims: readonly ViewDim[];
  readonly vars: readonly ViewVar[];
  /** For each variable, the encodings the page starts from: x (its first internal dim, else a dim) and colour (another dim, when one has few values). */
  readonly defaults: Readonly<Record<string, { readonly x: string | null; readonly color: string | null }>>;
  /** The coverage of the grid (null for sample tables and Arrow IPC files). */
  readonly coverage: Coverage | null;
  /** When the file could not be read (it is gone, or being replaced): why. */
  readonly error: string | null;
}

/** What the page asks to draw: encodings by name, and a position in the coords of every fixed dim. */
export interface ChartRequest {
  readonly y: string;
  readonly x?: string | null;
  readonly color?: string | null;
  readonly column?: string | null;
  readonly row?: string | null;
  readonly kind?: PlotKind | null;
  /** Dim name to the position of its coord. */
  readonly sel?: Readonly<Record<string, number>>;
}

/**
 * What the explorer keeps of its file: a Parquet dataset's labels alone (its footer: names,
 * coords, row count; each chart then reads only its slice), or another file read whole.
 */
type ViewFile = Exclude<LabelledFile, { kind: 'dataset' }> | { readonly kind: 'dataset'; readonly meta: DatasetMeta; readonly rows: number; readonly ds: Dataset | null };

/** A file on disk and what was last read from it. */
export class ViewSource {
  #file: ViewFile | null = null;
  #stamp = '';
  #version = 0;
  #error: string | null = null;
  #coverage: Coverage | null = null;
  readonly #scan: CoverageScan;

  /** @param path - a dataset or sample table file */
  constructor(readonly path: string) {
    this.#scan = new CoverageScan(path);
  }

  /** The number of times the file was read (changes seen). */
  get version(): number {
    return this.#version;
  }

  /**
   * Reads the file when it changed since the last call (by its inode, size and modification
   * time): a Parquet dataset's footer only (charts read their slices), other files whole.
   * Returns true when it did. The first call throws when the file cannot be read;
   * later calls keep the last good read and note the error.
   */
  async refresh(): Promise<boolean> {
    const stamp = await stampOf(this.path);
    if (stamp === this.#stamp) return false;
    try {
      const file = await readViewFile(this.path);
      this.#coverage = file.kind === 'dataset' ? await this.#scan.update() : null;
      this.#file = file;
      this.#error = null;
    } catch (err) {
      if (this.#file === null) throw err;
      this.#error = err instanceof Error ? err.message : String(err);
    }
    this.#stamp = stamp;
    this.#version++;
    return true;
  }

  /** The state the page shows. */
  state(): ViewState {
    const file = this.#loaded();
    const base = { path: this.path, version: this.#version, coverage: this.#coverage, error: this.#error };
    if (file.kind === 'samples') {
      const cols = file.batch.meta.columns;
      return {
        ...base,
        kind: 'samples',
        rows: file.batch.numRows,
        dims: cols.filter((c) => c.role === 'param').map((c) => ({ name: c.name, labels: [], numeric: isNumericType(c.type), internal: false })),
        vars: cols.filter((c) => c.role === 'var' || c.role === 'param').map((c) => ({ name: c.name, dims: c.dims, numeric: isNumericType(c.type) })),
        defaults: Object.fromEntries(cols.filter((c) => c.role === 'var').map((c) => [c.name, { x: cols.find((p) => p.role === 'param' && isNumericType(p.type))?.name ?? null, color: null }])),
      };
    }
    const meta = file.meta;
    const dim = (name: string, type: string, coords: readonly Scalar[], internal: boolean): ViewDim => ({ name, labels: coords.map(showCoord), numeric: isNumericType(type), internal });
    const dims = [...meta.dims.map((d) => dim(d.name, d.type, d.coords, false)), ...Object.entries(meta.varCoords).map(([k, c]) => dim(k, c.type, c.coords, true))];
    const defaults = Object.fromEntries(
      meta.vars.map((v) => {
        const numericDim = dims.find((d) => !d.internal && d.numeric && d.labels.length > 1) ?? dims.find((d) => !d.internal);
        const x = v.dims[0] ?? numericDim?.name ?? null;
        const color = dims.find((d) => !d.internal && d.name !== x && d.labels.length > 1 && d.labels.length <= 10)?.name ?? null;
        return [v.name, { x, color }];
      }),
    );
    return {
      ...base,
      kind: 'dataset',
      rows: file.rows,
      dims,
      vars: meta.vars.map((v) => ({ name: v.name, dims: v.dims, numeric: isNumericType(v.type) })),
      defaults,
    };
  }

  /**
   * The Vega-Lite spec of a chart, from `plot()`.
   *
   * @param request - encodings and the positions of fixed dims
   */
  async chart(request: ChartRequest): Promise<VegaLiteSpec> {
    const file = this.#loaded();
    // a Parquet dataset: plot() reads the chart's columns and the row groups of its slice
    const source: PlotSource = file.kind === 'dataset' ? (file.ds ?? this.path) : sampleTable(file.batch);
    const sel = file.kind === 'dataset' ? selectionOf(file.meta, request.sel ?? {}) : undefined;
    const options: { -readonly [K in keyof PlotOptions]: PlotOptions[K] } = { y: request.y };
    for (const key of ['x', 'color', 'column', 'row'] as const) {
      const name = request[key];
      if (typeof name === 'string' && name !== '') options[key] = name;
    }
    if (request.kind != null) options.kind = request.kind;
    if (sel !== undefined && Object.keys(sel).length > 0) options.sel = sel;
    const p = await plot(source, options);
    return p.toSpec();
  }

  #loaded(): ViewFile {
    if (this.#file === null) throw new Error('internal: ViewSource used before refresh()');
    return this.#file;
  }
}

/** Positions in the coords of dims and internal dims to their values. */
function selectionOf(meta: DatasetMeta, positions: Readonly<Record<string, number>>): Record<string, Scalar> {
  const all: Record<string, readonly Scalar[]> = {};
  for (const d of meta.dims) all[d.name] = d.coords;
  for (const [k, c] of Object.entries(meta.varCoords)) all[k] = c.coords;
  const out: Record<string, Scalar> = {};
  for (const [name, at] of Object.entries(positions)) {
    const coords = all[name];
    if (coords === undefined) {
      throw new HarvestryError('E_UNKNOWN_DIM', `The explorer asked to fix \`${name}\`, which the file has no more (its dims are ${Object.keys(all).join(', ')}). Reload the page.`);
    }
    if (!Number.isInteger(at) || at < 0 || at >= coords.length) {
      throw new HarvestryError('E_NOT_FOUND', `\`${name}\` has ${coords.length} values; position ${showValue(at)} is not one of them. Reload the page.`);
    }
    out[name] = coords[at]!;
  }
  return out;
}

function showCoord(v: Scalar): string {
  if (typeof v === 'number') return String(v);
  if (typeof v === 'string') return v;
  return showValue(v);
}

function isNumericType(type: string): boolean {
  return type !== 'utf8' && type !== 'bool' && type !== 'null' && type !== 'date';
}

/** A Parquet dataset's labels from its footer, or any other file read whole. */
async function readViewFile(path: string): Promise<ViewFile> {
  if (path.toLowerCase().endsWith('.parquet')) {
    try {
      const labels = await readDatasetLabels(path);
      if (labels !== null) return { kind: 'dataset', meta: labels.meta, rows: labels.footer.rowGroups.reduce((n, g) => n + g.numRows, 0), ds: null };
    } catch (err) {
      if (!(err instanceof HarvestryError && err.code === 'E_FILE_KIND')) throw err;
    }
  }
  const file = await readLabelledFile(path);
  return file.kind === 'dataset' ? { kind: 'dataset', meta: file.ds.meta, rows: file.ds.numRows, ds: file.ds } : file;
}

async function stampOf(path: string): Promise<string> {
  try {
    const s = await stat(path);
    return `${s.dev}:${s.ino}:${s.size}:${s.mtimeMs}`;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return 'missing';
    throw err;
  }
}
