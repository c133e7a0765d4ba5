/**
 * `renderViewReport`: the explorer as one static, self-contained HTML file: the page, the
 * file's state, and for each variable (with its default axes) the chart of every position of
 * the other dims, drawn now by `plot()`. It opens offline; it does not follow the file.
 */
import { HarvestryError } from '../errors.js';
import type { VegaLiteSpec } from '../plot/vega.js';
import { chartKey, renderViewPage } from './page.js';
import { ViewSource, type ChartRequest, type ViewDim, type ViewState } from './source.js';

/** Options of {@link renderViewReport}. */
export interface ViewReportOptions {
  /**
   * The most charts the report holds (one per variable and position of the other dims).
   * @defaultValue 1000
   */
  readonly maxCharts?: number;
}

/**
 * The static explorer page of a file.
 *
 * @param path - a dataset or sample table file
 * @param options - how many charts at most
 * @returns the HTML
 * @example
 * ```ts
 * await writeFile('report.html', await renderViewReport('data/sweep.parquet'));
 * ```
 */
export async function renderViewReport(path: string, options: ViewReportOptions = {}): Promise<string> {
  const maxCharts = options.maxCharts ?? 1000;
  const source = new ViewSource(path);
  await source.refresh();
  const state = source.state();
  const requests = reportRequests(state);
  if (requests.length > maxCharts) {
    throw new HarvestryError(
      'E_BAD_OPTION',
      `A static report of ${path} would hold ${requests.length} charts (every variable at every position of the dims not on its axes), more than ${maxCharts}. Serve it live instead (harvestry view ${path}), or select a part of the dataset into a smaller file first.`,
    );
  }
  const specs: Record<string, VegaLiteSpec> = {};
  const errors: Record<string, string> = {};
  for (const request of requests) {
    try {
      specs[chartKey(request)] = await source.chart(request);
    } catch (err) {
      if (!(err instanceof HarvestryError)) throw err;
      errors[chartKey(request)] = `${err.message} [${err.code}]`;
    }
  }
  return renderViewPage({ mode: 'static', title: path, state, specs, errors });
}

/** Every chart the static page can show: each numeric variable with its default axes, at every position of the other dims. */
function reportRequests(state: ViewState): ChartRequest[] {
  const out: ChartRequest[] = [];
  const dimsParams = new Set(state.dims.map((d) => d.name));
  for (const v of state.vars) {
    if (!v.numeric || (state.kind === 'samples' && dimsParams.has(v.name))) continue;
    const d = state.defaults[v.name] ?? { x: null, color: null };
    const used = new Set([d.x, d.color]);
    const fixed: ViewDim[] =
      state.kind === 'dataset'
        ? [...v.dims.flatMap((n) => state.dims.filter((x) => x.name === n)), ...state.dims.filter((x) => !x.internal)].filter((x) => !used.has(x.name) && x.labels.length > 0)
        : [];
    for (const sel of positions(fixed)) out.push({ y: v.name, x: d.x, color: d.color, column: null, row: null, sel });
  }
  return out;
}

function positions(dims: readonly ViewDim[]): Record<string, number>[] {
  let all: Record<string, number>[] = [{}];
  for (const d of dims) all = all.flatMap((p) => d.labels.map((_, i) => ({ ...p, [d.name]: i })));
  return all;
}
