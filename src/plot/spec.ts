/**
 * The Vega-Lite spec of a chart: its rows (reduced when a dim is averaged over, with cell edges
 * for heatmaps), marks, encodings, titles with units, log scales, facets, and a config for
 * print (DejaVu Sans, white background, colour-blind-safe schemes).
 */
import { HarvestryError } from '../errors.js';
import { showNames } from '../space/values.js';
import type { Frame, FrameField } from './frame.js';
import { showLabel } from './frame.js';
import type { BandKind, PlotKind } from './options.js';
import { rasterDataUrl, isEven } from './raster.js';
import { describeBand, groupStats } from './reduce.js';
import { CHART_FONT } from './resvg.js';
import type { VegaLiteSpec } from './vega.js';

/** A chart with every encoding decided. */
export interface ChartPlan {
  readonly kind: PlotKind;
  readonly x: string;
  /** The y column (a dim for heatmaps; unused for histograms). */
  readonly y: string | undefined;
  readonly color: string | undefined;
  readonly column: string | undefined;
  readonly row: string | undefined;
  readonly reduce: { readonly dim: string; readonly band: BandKind } | undefined;
  /** The variable whose values are drawn (y, a heatmap's colour, a histogram's x). */
  readonly value: string;
  readonly logX: boolean;
  readonly logY: boolean;
  readonly title: string | undefined;
  readonly width: number | undefined;
  readonly height: number | undefined;
}

type Row = Record<string, number | string | boolean | Date | null>;

const LO = '_lo';
const HI = '_hi';

/**
 * Builds the Vega-Lite spec of a chart from its rows.
 *
 * @param plan - the encodings
 * @param frame - the rows
 */
export function buildSpec(plan: ChartPlan, frame: Frame, ramp?: Uint8Array): VegaLiteSpec {
  checkTypes(plan, frame);
  const faceted = plan.column !== undefined || plan.row !== undefined;
  // a big heatmap on an even grid is drawn from the columns as one image: no row objects
  const raster = plan.kind === 'heatmap' && !faceted && ramp !== undefined ? rasterLayers(plan, frame, ramp) : null;
  let rows: Row[] = [];
  if (raster === null) {
    rows = toRows(plan, frame);
    if (plan.reduce !== undefined) rows = reduceRows(plan, rows, plan.reduce.band);
    if (rows.length === 0) {
      const fixed = frame.fixed.map(([k, v]) => `${k} = ${showLabel(v)}`).join(', ');
      throw new HarvestryError(
        'E_PLOT_EMPTY',
        `There is nothing to plot: ${fixed === '' ? 'the source has' : `the selection (${fixed}) leaves`} no rows with a value of \`${plan.value}\`${plan.logX || plan.logY ? ' above 0 on the log axes' : ''}. Select values that were run (see \`harvestry info\`), or plot another variable.`,
      );
    }
  }
  const width = plan.width ?? (faceted ? 220 : 420);
  const height = plan.height ?? (faceted ? 180 : 280);
  const inner: VegaLiteSpec = { width, height, ...(raster ?? layerFor(plan, frame, rows)) };
  const spec: VegaLiteSpec = {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    title: titleOf(plan, frame),
    ...(raster === null ? { data: { values: rows } } : {}),
    ...(faceted ? { ...facetOf(plan, frame, rows), spec: inner } : inner),
    config: CONFIG,
  };
  return spec;
}

/** The config: one font (the one PNGs are drawn with), quiet grids, print-friendly sizes. */
const CONFIG = {
  font: CHART_FONT,
  background: 'white',
  padding: 10,
  title: { fontSize: 14, fontWeight: 'bold', anchor: 'start', subtitleFontSize: 11, subtitleColor: '#555' },
  axis: { labelFontSize: 11, titleFontSize: 12, titleFontWeight: 'normal', gridColor: '#e6e6e6', domainColor: '#555', tickColor: '#555', labelColor: '#222', titleColor: '#222' },
  legend: { labelFontSize: 11, titleFontSize: 12, titleFontWeight: 'normal' },
  header: { labelFontSize: 11, titleFontSize: 12, titleFontWeight: 'normal' },
  view: { stroke: '#bbb' },
  // no ARIA description per data point (vega formats one string per item: most of the time of
  // a line plot of thousands of points, and bytes in every SVG); axes, legends and titles keep
  // theirs
  mark: { aria: false },
} as const;

function checkTypes(plan: ChartPlan, frame: Frame): void {
  const value = frame.fields.get(plan.value)!;
  if (value.kind !== 'number') {
    const where = plan.kind === 'heatmap' ? 'the colour of a heatmap' : plan.kind === 'hist' ? 'the x axis of a histogram' : 'the y axis';
    throw new HarvestryError(
      'E_PLOT_TYPE',
      `\`${plan.value}\` holds ${value.kind} values, but ${where} needs numbers. Plot a numeric variable there${value.kind === 'string' ? `, or put \`${plan.value}\` on colour, column or row` : ''}.`,
      { details: { name: plan.value, kind: value.kind } },
    );
  }
  for (const [axis, name, isLog] of [
    ['x', plan.x, plan.logX],
    ['y', plan.y, plan.logY],
  ] as const) {
    if (name === undefined || (axis === 'y' && plan.kind === 'hist')) continue;
    const f = frame.fields.get(name)!;
    if (f.kind === 'string' && (!f.isDim || isLog)) {
      throw new HarvestryError(
        'E_PLOT_TYPE',
        `\`${name}\` holds strings, but the ${axis} axis${isLog ? ' has a log scale and' : ' of this chart'} needs numbers. Put \`${name}\` on colour, column or row, or plot a numeric ${f.isDim ? 'dim' : 'variable'} on ${axis}.`,
        { details: { name, kind: f.kind } },
      );
    }
  }
}

function fieldsOf(plan: ChartPlan): string[] {
  return [...new Set([plan.x, plan.y, plan.color, plan.column, plan.row, plan.value].filter((n): n is string => n !== undefined))];
}

/** True for a row with a value, and coords a log axis can show (above 0) on the log axes. */
function drawn(v: unknown, logX: unknown, logY: unknown): boolean {
  if (v === null || (typeof v === 'number' && !Number.isFinite(v))) return false;
  return (logX === undefined || (logX as number) > 0) && (logY === undefined || (logY as number) > 0);
}

/** The rows as objects, without those with no value (or one a log axis cannot show). */
function toRows(plan: ChartPlan, frame: Frame): Row[] {
  const names = fieldsOf(plan);
  const cols = names.map((n) => frame.fields.get(n)!);
  const value = frame.fields.get(plan.value)!.values;
  const logX = plan.logX ? frame.fields.get(plan.x)!.values : null;
  const logY = plan.logY && plan.y !== undefined ? frame.fields.get(plan.y)!.values : null;
  // colour and panel values as labels: floats without their noise (0.30000000000000004 as 0.3)
  const tidy = names.map((n) => n !== plan.x && n !== plan.y && n !== plan.value && frame.fields.get(n)!.kind === 'number');
  const rows: Row[] = [];
  for (let r = 0; r < frame.length; r++) {
    if (!drawn(value[r], logX?.[r], logY?.[r])) continue;
    const row: Row = {};
    for (let k = 0; k < names.length; k++) {
      const cell = cols[k]!.values[r] ?? null;
      row[names[k]!] = tidy[k] === true && typeof cell === 'number' && !Number.isInteger(cell) ? Number(cell.toPrecision(12)) : cell;
    }
    rows.push(row);
  }
  if (plan.kind === 'heatmap') addEdges(rows, plan, frame);
  return rows;
}

function reduceRows(plan: ChartPlan, rows: readonly Row[], band: BandKind): Row[] {
  const keys = [plan.x, plan.color, plan.column, plan.row].filter((n): n is string => n !== undefined && n !== plan.value);
  const groups = new Map<string, { first: Row; values: number[] }>();
  for (const row of rows) {
    const key = JSON.stringify(keys.map((k) => row[k] instanceof Date ? (row[k]).getTime() : row[k]));
    let g = groups.get(key);
    if (g === undefined) groups.set(key, (g = { first: row, values: [] }));
    g.values.push(row[plan.value] as number);
  }
  return [...groups.values()].map(({ first, values }) => {
    const s = groupStats(values, band);
    const out: Row = {};
    for (const k of keys) out[k] = first[k]!;
    out[plan.value] = s.mean;
    out[LO] = s.lo;
    out[HI] = s.hi;
    out._n = s.n;
    return out;
  });
}

/** Cell edges of a heatmap on numeric axes: halfway between coords (geometric on log axes). */
function addEdges(rows: Row[], plan: ChartPlan, frame: Frame): void {
  for (const [name, log, lo, hi] of [
    [plan.x, plan.logX, '_x0', '_x1'],
    [plan.y!, plan.logY, '_y0', '_y1'],
  ] as const) {
    if (frame.fields.get(name)!.kind !== 'number') continue;
    const coords = [...new Set(rows.map((r) => r[name] as number))].sort((a, b) => a - b);
    const edges = new Map<number, readonly [number, number]>();
    coords.forEach((c, i) => edges.set(c, cellEdges(coords, i, log)));
    for (const r of rows) {
      const e = edges.get(r[name] as number)!;
      r[lo] = e[0];
      r[hi] = e[1];
    }
  }
}

/** The edges of the cell around `coords[i]` (sorted coords): halfway to its neighbours. */
function cellEdges(coords: readonly number[], i: number, log: boolean): readonly [number, number] {
  const mid = (a: number, b: number): number => (log ? Math.sqrt(a * b) : (a + b) / 2);
  const c = coords[i]!;
  const prev = coords[i - 1];
  const next = coords[i + 1];
  const left = prev !== undefined ? mid(prev, c) : next !== undefined ? (log ? (c * c) / mid(c, next) : c - (mid(c, next) - c)) : log ? c / 2 : c - 0.5;
  const right = next !== undefined ? mid(c, next) : prev !== undefined ? (log ? (c * c) / mid(prev, c) : c + (c - mid(prev, c))) : log ? c * 2 : c + 0.5;
  return [left, right];
}

/** A field name as Vega reads it: dots and brackets escaped. */
function ref(name: string): string {
  return name.replace(/[.[\]\\]/g, '\\$&');
}

function titleOfField(name: string, frame: Frame): string {
  const unit = frame.units[name];
  return unit === undefined ? name : `${name} (${unit})`;
}

function typeOf(f: FrameField, discrete: boolean): string {
  if (f.kind === 'date') return discrete ? 'ordinal' : 'temporal';
  if (f.kind === 'number') return discrete ? 'ordinal' : 'quantitative';
  return 'nominal';
}

function axis(plan: ChartPlan, frame: Frame, name: string, log: boolean): Record<string, unknown> {
  const f = frame.fields.get(name)!;
  const type = f.kind === 'string' || f.kind === 'bool' ? 'ordinal' : typeOf(f, false);
  const scale: Record<string, unknown> = log ? { type: 'log' } : { zero: false };
  return { field: ref(name), type, title: titleOfField(name, frame), ...(type === 'ordinal' ? {} : { scale }) };
}

function colorOf(plan: ChartPlan, frame: Frame, rows: readonly Row[]): { color?: Record<string, unknown>; detail?: Record<string, unknown> } {
  if (plan.color === undefined || plan.kind === 'heatmap') return {};
  const f = frame.fields.get(plan.color)!;
  const distinct = new Set(rows.map((r) => r[plan.color!] instanceof Date ? (r[plan.color!] as Date).getTime() : r[plan.color!])).size;
  const title = titleOfField(plan.color, frame);
  if (f.kind === 'string' || f.kind === 'bool') {
    return { color: { field: ref(plan.color), type: 'nominal', title, scale: { scheme: distinct <= 8 ? 'dark2' : 'tableau20' } } };
  }
  if (distinct <= 12 || plan.kind === 'hist') {
    return { color: { field: ref(plan.color), type: 'ordinal', title, scale: { scheme: 'viridis', extent: [0, 0.85] } } };
  }
  const color = { field: ref(plan.color), type: typeOf(f, false), title, scale: { scheme: 'viridis', extent: [0, 0.85] } };
  return plan.kind === 'line' ? { color, detail: { field: ref(plan.color), type: typeOf(f, false) } } : { color };
}

/** The marks and encodings of one panel. */
function layerFor(plan: ChartPlan, frame: Frame, rows: readonly Row[]): VegaLiteSpec {
  const x = axis(plan, frame, plan.x, plan.logX);
  const colour = colorOf(plan, frame, rows);
  switch (plan.kind) {
    case 'hist': {
      const stack = plan.color === undefined ? {} : { stack: null };
      return {
        mark: { type: 'bar', ...(plan.color === undefined ? { color: '#4c78a8' } : { opacity: 0.55 }), binSpacing: 0 },
        encoding: { x: { ...x, bin: { maxbins: 40 } }, y: { aggregate: 'count', type: 'quantitative', title: 'count', ...stack }, ...colour },
      };
    }
    case 'heatmap': {
      const xf = frame.fields.get(plan.x)!;
      const yf = frame.fields.get(plan.y!)!;
      const y = axis(plan, frame, plan.y!, plan.logY);
      const colour = { field: ref(plan.value), type: 'quantitative', title: titleOfField(plan.value, frame), scale: { scheme: 'viridis' } };
      const enc: Record<string, unknown> = { color: colour };
      if (xf.kind === 'number') Object.assign(enc, { x: { ...x, field: '_x0', scale: { ...(x.scale as object), nice: false } }, x2: { field: '_x1' } });
      else enc.x = x;
      if (yf.kind === 'number') Object.assign(enc, { y: { ...y, field: '_y0', scale: { ...(y.scale as object), nice: false } }, y2: { field: '_y1' } });
      else enc.y = y;
      return { mark: { type: 'rect' }, encoding: enc };
    }
    case 'scatter': {
      const n = rows.length;
      const size = n > 5000 ? 3 : n > 500 ? 10 : 30;
      return {
        mark: { type: 'circle', size, opacity: n > 5000 ? 0.4 : 0.8, ...(plan.color === undefined ? { color: '#4c78a8' } : {}) },
        encoding: { x, y: axis(plan, frame, plan.y!, plan.logY), ...colour },
      };
    }
    case 'line': {
      const y = axis(plan, frame, plan.y!, plan.logY);
      const series = new Set(rows.map((r) => JSON.stringify([r[plan.color ?? ''], r[plan.column ?? ''], r[plan.row ?? '']]))).size;
      const points = rows.length / Math.max(1, series) <= 25;
      const line = { mark: { type: 'line', strokeWidth: 1.6, ...(points ? { point: { size: 22, filled: true } } : {}), ...(plan.color === undefined ? { color: '#4c78a8' } : {}) }, encoding: { x, y, ...colour } };
      if (plan.reduce === undefined) return line;
      const band = {
        mark: { type: 'area', opacity: 0.25, ...(plan.color === undefined ? { color: '#4c78a8' } : {}) },
        encoding: { x, y: { field: LO, type: 'quantitative', title: y.title, scale: y.scale }, y2: { field: HI }, ...colour },
      };
      return { layer: [band, line] };
    }
  }
}

/** Heatmaps of at least this many cells on an even grid are drawn as one image. */
const RASTER_CELLS = 2500;

/**
 * A big heatmap on an even numeric grid as one image (its own data: a PNG data URL spanning the
 * grid) and an invisible layer holding the value range, which gives the colour legend; null
 * when the grid is small, uneven or not numeric.
 */
function rasterLayers(plan: ChartPlan, frame: Frame, ramp: Uint8Array): VegaLiteSpec | null {
  const xf = frame.fields.get(plan.x)!;
  const yf = frame.fields.get(plan.y!)!;
  if (xf.kind !== 'number' || yf.kind !== 'number') return null;
  const value = frame.fields.get(plan.value)!.values;
  const xv = xf.values as readonly (number | null)[];
  const yv = yf.values as readonly (number | null)[];
  // the rows drawn, as toRows keeps them
  const kept: number[] = [];
  for (let r = 0; r < frame.length; r++) if (drawn(value[r], plan.logX ? xv[r] : undefined, plan.logY ? yv[r] : undefined)) kept.push(r);
  if (kept.length < RASTER_CELLS) return null;
  const distinct = (col: readonly (number | null)[]): number[] => {
    const set = new Set<number>();
    for (const r of kept) set.add(col[r]!);
    return Array.from(Float64Array.from(set).sort());
  };
  const xs = distinct(xv);
  const ys = distinct(yv);
  if (!isEven(xs, plan.logX) || !isEven(ys, plan.logY) || xs.length * ys.length > 4 * kept.length) return null;
  const xi = new Map(xs.map((v, i) => [v, i]));
  const yi = new Map(ys.map((v, i) => [v, i]));
  const values = new Float64Array(xs.length * ys.length).fill(NaN);
  let min = Infinity;
  let max = -Infinity;
  for (const r of kept) {
    const at = yi.get(yv[r]!)! * xs.length + xi.get(xv[r]!)!;
    if (!Number.isNaN(values[at]!)) return null; // two rows in one cell: not a grid
    const v = value[r] as number;
    values[at] = v;
    if (v < min) min = v;
    if (v > max) max = v;
  }
  const extent = { _x0: cellEdges(xs, 0, plan.logX)[0], _x1: cellEdges(xs, xs.length - 1, plan.logX)[1], _y0: cellEdges(ys, 0, plan.logY)[0], _y1: cellEdges(ys, ys.length - 1, plan.logY)[1] };
  const x = axis(plan, frame, plan.x, plan.logX);
  const y = axis(plan, frame, plan.y!, plan.logY);
  const url = rasterDataUrl({ xs, ys, values }, ramp, min, max);
  return {
    data: { values: [{ [plan.value]: min }, { [plan.value]: max }] },
    layer: [
      {
        data: { values: [{ _url: url, ...extent }] },
        mark: { type: 'image', aspect: false, smooth: false },
        encoding: {
          url: { field: '_url', type: 'nominal' },
          x: { ...x, field: '_x0', scale: { ...(x.scale as object), nice: false } },
          x2: { field: '_x1' },
          y: { ...y, field: '_y0', scale: { ...(y.scale as object), nice: false } },
          y2: { field: '_y1' },
        },
      },
      {
        mark: { type: 'rect', opacity: 0 },
        encoding: { color: { field: ref(plan.value), type: 'quantitative', title: titleOfField(plan.value, frame), scale: { scheme: 'viridis', domain: [min, max] } } },
      },
    ],
  };
}

function facetOf(plan: ChartPlan, frame: Frame, rows: readonly Row[]): VegaLiteSpec {
  const header = (name: string): Record<string, unknown> => {
    const f = frame.fields.get(name)!;
    // each panel says what it holds ("F = 0.9"), so no shared title above them; the parentheses
    // matter: vega-lite pastes a conditional expression in place of datum.label
    const unit = frame.units[name];
    const label = `${JSON.stringify(`${name} = `)} + (datum.label)${unit === undefined ? '' : ` + ${JSON.stringify(` ${unit}`)}`}`;
    return { field: ref(name), type: f.kind === 'number' || f.kind === 'date' ? 'ordinal' : 'nominal', title: null, header: { labelExpr: label } };
  };
  if (plan.row === undefined) {
    const n = new Set(rows.map((r) => r[plan.column!])).size;
    // wrapped: 4 panels as 2 × 2, more in rows of 3, each with its own axes
    if (n > 3) return { facet: header(plan.column!), columns: n === 4 ? 2 : 3, resolve: { axis: { x: 'independent', y: 'independent' } } };
    return { facet: { column: header(plan.column!) } };
  }
  return { facet: { ...(plan.column === undefined ? {} : { column: header(plan.column) }), row: header(plan.row) } };
}

function titleOf(plan: ChartPlan, frame: Frame): Record<string, unknown> {
  const text = plan.title ?? (plan.kind === 'hist' ? `distribution of ${plan.value}` : plan.value);
  const parts = frame.fixed.map(([k, v]) => `${k} = ${showLabel(v)}`);
  if (plan.reduce !== undefined) {
    const size = frame.freeDims.find((d) => d.name === plan.reduce!.dim)?.size;
    parts.push(`${describeBand(plan.reduce.band)} over ${plan.reduce.dim}${size === undefined ? '' : ` (${size})`}`);
  }
  return parts.length === 0 ? { text } : { text, subtitle: parts.join(' · ') };
}

/**
 * The names a message lists: dims then variables.
 *
 * @param names - the names
 */
export function listNames(names: readonly string[]): string {
  return showNames(names);
}
