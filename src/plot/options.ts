/**
 * The options of `plot()` and their checks: encodings, kind, selection, reduction, scales and
 * size, normalized once into a {@link PlotSpec}.
 */
import { HarvestryError } from '../errors.js';
import type { SelOptions, Selection } from '../dataset/select.js';
import { showValue } from '../space/values.js';

/** What a chart draws: lines over x, points, a grid of colours, or a histogram. */
export type PlotKind = 'line' | 'scatter' | 'heatmap' | 'hist';

/** The spread drawn around a mean: ± one standard deviation, a 95% confidence interval, or min to max. */
export type BandKind = 'sd' | 'ci95' | 'minmax';

/** A dim averaged over: its mean drawn as a line, its spread as a band. */
export interface ReduceOptions {
  /** The dim to reduce over (repeats, seeds). */
  readonly dim: string;
  /**
   * The band around the mean.
   * @defaultValue `'sd'`
   */
  readonly band?: BandKind;
}

/** Log scales, per axis. */
export interface LogOptions {
  readonly x?: boolean;
  readonly y?: boolean;
}

/**
 * The options of {@link plot}. Encodings name dims, internal dims and variables (columns of a
 * sample table) as Vega-Lite names its channels.
 */
export interface PlotOptions {
  /** The horizontal axis (default: the y variable's first internal dim, else its first free dim). */
  readonly x?: string;
  /** The vertical axis: a variable (default: the only variable, or the first). For `heatmap`, a dim. */
  readonly y?: string;
  /** Colour: a dim (one line or point colour per value), or for `heatmap` the variable. */
  readonly color?: string;
  /** One panel per value, side by side. */
  readonly column?: string;
  /** One panel per value, one above another. */
  readonly row?: string;
  /**
   * The kind of chart.
   * @defaultValue `'line'` when x is a dim, `'scatter'` when x is a variable or the source a sample table
   */
  readonly kind?: PlotKind;
  /** Dims fixed to one value (dropped) or a few values, before plotting; as `ds.sel()`. */
  readonly sel?: Selection;
  /** How `sel` matches values (`{ method: 'nearest' }` for floats). */
  readonly selOptions?: SelOptions;
  /** A dim averaged over, with a band for its spread. */
  readonly reduce?: ReduceOptions;
  /** Log scales. */
  readonly log?: LogOptions;
  /** The chart's title (default: the variable and the fixed dims). */
  readonly title?: string;
  /**
   * The width of the plot area (of each panel), in pixels.
   * @defaultValue 420, or 220 per panel
   */
  readonly width?: number;
  /**
   * The height of the plot area (of each panel), in pixels.
   * @defaultValue 280, or 180 per panel
   */
  readonly height?: number;
}

/** The checked options. */
export interface PlotSpec {
  readonly x: string | undefined;
  readonly y: string | undefined;
  readonly color: string | undefined;
  readonly column: string | undefined;
  readonly row: string | undefined;
  readonly kind: PlotKind | undefined;
  readonly sel: Selection | undefined;
  readonly selOptions: SelOptions;
  readonly reduce: { readonly dim: string; readonly band: BandKind } | undefined;
  readonly logX: boolean;
  readonly logY: boolean;
  readonly title: string | undefined;
  readonly width: number | undefined;
  readonly height: number | undefined;
}

const KNOWN = ['x', 'y', 'color', 'column', 'row', 'kind', 'sel', 'selOptions', 'reduce', 'log', 'title', 'width', 'height'];
const KINDS: readonly PlotKind[] = ['line', 'scatter', 'heatmap', 'hist'];
const BANDS: readonly BandKind[] = ['sd', 'ci95', 'minmax'];

/**
 * Checks the options of `plot()`.
 *
 * @param options - the options as given
 */
export function checkPlotOptions(options: PlotOptions): PlotSpec {
  if (typeof (options as unknown) !== 'object' || (options as unknown) === null) throw bad('the options', 'an object', options);
  for (const key of Object.keys(options)) {
    if (!KNOWN.includes(key)) throw new HarvestryError('E_BAD_OPTION', `plot() has no option \`${key}\`; its options are ${KNOWN.map((k) => `\`${k}\``).join(', ')}.`);
  }
  const name = (key: 'x' | 'y' | 'color' | 'column' | 'row'): string | undefined => {
    const v = options[key];
    if (v !== undefined && (typeof v !== 'string' || v === '')) throw bad(key, 'a dim or variable name', v);
    return v;
  };
  if (options.kind !== undefined && !KINDS.includes(options.kind)) throw bad('kind', KINDS.map((k) => `'${k}'`).join(', '), options.kind);
  let reduce: PlotSpec['reduce'];
  if (options.reduce !== undefined) {
    const r = options.reduce;
    if (typeof (r as unknown) !== 'object' || (r as unknown) === null || typeof (r.dim as unknown) !== 'string') throw bad('reduce', "{ dim: 'seed', band: 'sd' | 'ci95' | 'minmax' }", r);
    if (r.band !== undefined && !BANDS.includes(r.band)) throw bad('reduce.band', BANDS.map((k) => `'${k}'`).join(', '), r.band);
    reduce = { dim: r.dim, band: r.band ?? 'sd' };
  }
  for (const key of ['width', 'height'] as const) {
    const v = options[key];
    if (v !== undefined && !(typeof v === 'number' && Number.isFinite(v) && v >= 20)) throw bad(key, 'a number of pixels from 20 up', v);
  }
  if (options.title !== undefined && typeof options.title !== 'string') throw bad('title', 'a string', options.title);
  return {
    x: name('x'),
    y: name('y'),
    color: name('color'),
    column: name('column'),
    row: name('row'),
    kind: options.kind,
    sel: options.sel,
    selOptions: options.selOptions ?? {},
    reduce,
    logX: options.log?.x === true,
    logY: options.log?.y === true,
    title: options.title,
    width: options.width,
    height: options.height,
  };
}

function bad(what: string, expected: string, got: unknown): HarvestryError {
  return new HarvestryError('E_BAD_OPTION', `Expected \`${what}\` of plot() to be ${expected}, got ${showValue(got)}.`);
}
