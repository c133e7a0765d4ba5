/**
 * `plot()`: a dataset, a sample table or a file to a chart, and {@link Plot}, the chart: its
 * Vega-Lite spec, SVG, PNG and a self-contained HTML page.
 */
import { writeFile } from 'node:fs/promises';
import { extname } from 'node:path';
import type * as Arrow from 'apache-arrow';
import { HarvestryError } from '../errors.js';
import { Dataset } from '../dataset/dataset.js';
import { showNames } from '../space/values.js';
import { datasetFrame, datasetNames, isSampleTable, sampleFrame, sampleNames, type Frame, type SourceNames } from './frame.js';
import { renderPlotHtml } from './html.js';
import { checkPlotOptions, type PlotKind, type PlotOptions, type PlotSpec } from './options.js';
import { renderPng } from './resvg.js';
import { buildSpec, type ChartPlan } from './spec.js';
import { readPlotSource } from './source.js';
import { renderVegaLiteSvg, type VegaLiteSpec } from './vega.js';

/** What `plot()` draws from: a dataset, a sample table (a Sampler's table), or a file of either. */
export type PlotSource = Dataset | Arrow.Table | string;

/** Options of {@link Plot.toPNG}. */
export interface PngOptions {
  /**
   * The zoom: 2 gives twice the pixels of the SVG (sharp in print and on high-density screens).
   * @defaultValue 2
   */
  readonly scale?: number;
}

/** The file formats {@link Plot.write} writes, by extension. */
export type PlotFormat = 'svg' | 'png' | 'html' | 'json';

/**
 * A chart: its Vega-Lite spec, rendered on demand to SVG, PNG or one self-contained HTML page.
 * Made by {@link plot}.
 */
export class Plot {
  readonly #spec: VegaLiteSpec;
  #svg: Promise<string> | undefined;

  /**
   * @param spec - the Vega-Lite spec
   */
  constructor(spec: VegaLiteSpec) {
    this.#spec = spec;
  }

  /**
   * The Vega-Lite spec (JSON, data inline): for Observable, Jupyter, VS Code or vega-embed.
   *
   * @returns a fresh copy
   * @example
   * ```ts
   * JSON.stringify(p.toSpec()); // {"$schema":"https://vega.github.io/schema/vega-lite/v6.json",...}
   * ```
   */
  toSpec(): VegaLiteSpec {
    return structuredClone(this.#spec);
  }

  /**
   * The chart as SVG text, rendered headless by vega.
   *
   * @example
   * ```ts
   * await writeFile('energy.svg', await p.toSVG());
   * ```
   */
  async toSVG(): Promise<string> {
    this.#svg ??= renderVegaLiteSvg(this.#spec);
    return this.#svg;
  }

  /**
   * The chart as PNG bytes, drawn by resvg with the DejaVu Sans font harvestry ships.
   *
   * @param options - the zoom
   * @example
   * ```ts
   * await writeFile('energy.png', await p.toPNG({ scale: 2 }));
   * ```
   */
  async toPNG(options: PngOptions = {}): Promise<Uint8Array> {
    const scale = options.scale ?? 2;
    if (!(typeof scale === 'number' && scale > 0 && scale <= 16)) {
      throw new HarvestryError('E_BAD_OPTION', `Expected \`scale\` of toPNG() to be a number above 0 and at most 16, got ${String(scale)}.`);
    }
    return renderPng(await this.toSVG(), scale);
  }

  /**
   * One self-contained HTML page showing the chart: vega, vega-lite and vega-embed inlined, so
   * it opens offline and can be mailed as one file.
   *
   * @example
   * ```ts
   * await writeFile('energy.html', p.toHTML());
   * ```
   */
  toHTML(): string {
    return renderPlotHtml(this.#spec);
  }

  /**
   * Writes the chart to a file, in the format of its extension: `.svg`, `.png`, `.html` or
   * `.json` (the Vega-Lite spec).
   *
   * @param path - the file
   * @param options - the PNG zoom
   * @example
   * ```ts
   * await p.write('figures/energy.png');
   * ```
   */
  async write(path: string, options: PngOptions = {}): Promise<void> {
    const format = plotFormatOf(path);
    const bytes = format === 'svg' ? await this.toSVG() : format === 'png' ? await this.toPNG(options) : format === 'html' ? this.toHTML() : `${JSON.stringify(this.#spec, null, 2)}\n`;
    await writeFile(path, bytes);
  }
}

/**
 * The format of a chart file from its extension.
 *
 * @param path - the file
 */
export function plotFormatOf(path: string): PlotFormat {
  const ext = extname(path).slice(1).toLowerCase();
  if (ext === 'svg' || ext === 'png' || ext === 'html' || ext === 'json') return ext;
  throw new HarvestryError('E_UNSUPPORTED_FORMAT', `Cannot write a chart to ${path}: the extension \`${extname(path) || '(none)'}\` is not one of .svg, .png, .html, .json. Name the file with one of those.`);
}

/**
 * Plots a dataset, a sample table or a file. Encodings name dims, internal dims and
 * variables; every dim not on an encoding must be fixed with `sel` or averaged with `reduce`.
 * A file is read in part: only the columns used, and (for Parquet datasets) only the row
 * groups that can hold the selection.
 *
 * @param source - a Dataset, a sample table, or the path of a file of either
 * @param options - encodings, kind, selection, reduction, log scales, size
 * @returns the chart
 * @example
 * ```ts
 * const p = await plot(ds, { x: 't', y: 'theta', color: 'drive', sel: { damping: 0.5 } });
 * await p.write('theta.png');
 * ```
 */
export async function plot(source: PlotSource, options: PlotOptions = {}): Promise<Plot> {
  const spec = checkPlotOptions(options);
  if (typeof source === 'string') source = await readPlotSource(source, spec, (names) => resolvePlan(spec, names).fields);
  let names: SourceNames;
  if (source instanceof Dataset) names = datasetNames(source);
  else if (isSampleTable(source)) names = sampleNames(source);
  else throw new HarvestryError('E_BAD_OPTION', 'plot() draws from a Dataset, a sample table (a Sampler\'s table) or a file path; got something else. Pass one of those.');
  const { plan, fields } = resolvePlan(spec, names);
  const frame: Frame = source instanceof Dataset ? datasetFrame(source, fields, spec.sel, spec.selOptions) : sampleFrame(source, fields, spec.sel, spec.selOptions);
  checkMapped(plan, frame);
  return new Plot(buildSpec(plan, frame));
}

/**
 * The chart's encodings with defaults filled in, checked against the source's names, and the
 * columns it reads.
 *
 * @param spec - the checked options
 * @param names - the source's names
 */
export function resolvePlan(spec: PlotSpec, names: SourceNames): { plan: ChartPlan; fields: string[] } {
  const internal = [...new Set(Object.values(names.varDims).flat())];
  const known = [...names.dims, ...internal, ...names.vars];
  for (const [key, name] of [['x', spec.x], ['y', spec.y], ['color', spec.color], ['column', spec.column], ['row', spec.row], ['reduce.dim', spec.reduce?.dim]] as const) {
    if (name !== undefined && !known.includes(name)) {
      throw new HarvestryError('E_UNKNOWN_VAR', `plot() got \`${name}\` for \`${key}\`, which the source does not have; its variables are ${showNames(names.vars)} and its dims ${showNames([...names.dims, ...internal])}.`, {
        details: { name, encoding: key },
      });
    }
  }
  const isVar = (n: string | undefined): boolean => n !== undefined && names.vars.includes(n);
  const kind: PlotKind = spec.kind ?? (names.vars.length > 0 && (isVar(spec.x) || names.isSamples) ? 'scatter' : 'line');
  const firstVar = names.vars[0];
  if (firstVar === undefined) throw new HarvestryError('E_PLOT_EMPTY', 'There is nothing to plot: the source has no variables.');
  const used = new Set([spec.color, spec.column, spec.row, spec.reduce?.dim, ...Object.keys(spec.sel ?? {}).filter((k) => !Array.isArray(spec.sel![k]))]);
  let value: string;
  let x: string | undefined = spec.x;
  let y: string | undefined = spec.y;
  let color = spec.color;
  if (kind === 'heatmap') {
    value = spec.color ?? (isVar(spec.y) ? spec.y! : firstVar);
    if (isVar(y)) y = undefined;
    color = undefined;
    const free = [...(names.varDims[value] ?? []), ...names.dims].filter((d) => !used.has(d) && d !== x && d !== y);
    x ??= free.shift();
    y ??= free.shift();
    if (x === undefined || y === undefined) throw new HarvestryError('E_BAD_OPTION', `A heatmap needs two dims, on x and y; give them with \`x\` and \`y\` (the dims are ${showNames([...names.dims, ...internal])}).`);
    for (const [axis, n] of [['x', x], ['y', y]] as const) {
      if (isVar(n)) throw new HarvestryError('E_PLOT_TYPE', `A heatmap's ${axis} axis takes a dim, but \`${n}\` is a variable. Put the variable on \`color\` and dims on x and y.`);
    }
    if (!isVar(value)) throw new HarvestryError('E_PLOT_TYPE', `A heatmap's colour is a variable, but \`${value}\` is a dim. Name a variable with \`color\`.`);
  } else if (kind === 'hist') {
    value = x ?? firstVar;
    x = value;
    if (!isVar(value)) throw new HarvestryError('E_PLOT_TYPE', `A histogram counts a variable's values on x, but \`${value}\` is a dim. Name a variable with \`x\`.`);
    y = undefined;
  } else {
    y ??= names.vars.find((v) => v !== x) ?? firstVar;
    value = y;
    if (!isVar(y)) throw new HarvestryError('E_PLOT_TYPE', `The y axis of a ${kind} plot takes a variable, but \`${y}\` is a dim. Put a variable on y${kind === 'line' ? ' and the dim on x' : ''}.`);
    x ??= [...(names.varDims[y] ?? []), ...names.dims].find((d) => !used.has(d) && d !== y);
    if (x === undefined) throw new HarvestryError('E_BAD_OPTION', `plot() needs an x: name a dim or variable with \`x\` (the dims are ${showNames([...names.dims, ...internal])}).`);
  }
  if (spec.reduce !== undefined && kind !== 'line') throw new HarvestryError('E_BAD_OPTION', `\`reduce\` draws a mean with a band, which only a line plot shows; this is a ${kind} plot. Use kind 'line', or fix \`${spec.reduce.dim}\` with \`sel\`.`);
  const plan: ChartPlan = { kind, x, y, color, column: spec.column, row: spec.row, reduce: spec.reduce, value, logX: spec.logX, logY: spec.logY, title: spec.title, width: spec.width, height: spec.height };
  const fields = [...new Set([x, y, color, spec.column, spec.row, value, spec.reduce?.dim].filter((n): n is string => n !== undefined))];
  return { plan, fields };
}

/** Every dim left with several values must be on an encoding, or reduced. */
function checkMapped(plan: ChartPlan, frame: Frame): void {
  if (plan.kind === 'scatter' || plan.kind === 'hist') return;
  const mapped = new Set([plan.x, plan.y, plan.color, plan.column, plan.row, plan.reduce?.dim]);
  const loose = frame.freeDims.filter((d) => !mapped.has(d.name));
  if (loose.length === 0) return;
  const list = loose.map((d) => `\`${d.name}\` (${d.size} values)`).join(', ');
  const first = loose[0]!.name;
  throw new HarvestryError(
    'E_PLOT_UNMAPPED',
    `A ${plan.kind} plot draws one value per point, but ${loose.length === 1 ? 'the dim' : 'the dims'} ${list} ${loose.length === 1 ? 'is' : 'are'} on no encoding, so several rows would fall on each point. Map ${loose.length === 1 ? 'it' : 'each'} to color, column or row, fix ${loose.length === 1 ? 'it' : 'each'} with sel (e.g. sel: { ${first}: … }), or average over ${loose.length === 1 ? 'it' : 'one'} with reduce: { dim: '${first}' }.`,
    { details: { dims: loose.map((d) => d.name) } },
  );
}
