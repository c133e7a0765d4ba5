/**
 * `renderViewPage`: the explorer's one HTML page, with vega, vega-lite and vega-embed inlined
 * (it works offline). Served live, it asks the server for state and charts and listens for
 * changes; written as a static report, it carries the state and the charts it can show.
 */
import { browserBundle } from '../plot/vega.js';
import type { VegaLiteSpec } from '../plot/vega.js';
import { VIEW_CLIENT_SCRIPT } from './client.js';
import type { ViewState } from './source.js';

/** What the page starts from. */
export interface ViewPageOptions {
  /** `live`: talks to the server; `static`: self-contained, with the charts precomputed. */
  readonly mode: 'live' | 'static';
  /** The page's title (the file). */
  readonly title: string;
  /** The file's state (static pages). */
  readonly state?: ViewState;
  /** The charts a static page can show, by {@link chartKey}. */
  readonly specs?: Readonly<Record<string, VegaLiteSpec>>;
  /** Why a chart of a static page could not be drawn (an empty slice), by {@link chartKey}. */
  readonly errors?: Readonly<Record<string, string>>;
}

/**
 * The page.
 *
 * @param options - live or static, and what a static page holds
 */
export function renderViewPage(options: ViewPageOptions): string {
  const boot = { mode: options.mode, state: options.state ?? null, specs: options.specs ?? null, errors: options.errors ?? null };
  return [
    '<!doctype html>',
    '<html lang="en">',
    '<head>',
    '<meta charset="utf-8">',
    `<title>${escapeHtml(options.title)} · harvestry view</title>`,
    `<style>${STYLE}</style>`,
    ...(['vega', 'vega-lite', 'vega-embed'] as const).map((name) => `<script>${inlineScript(browserBundle(name))}</script>`),
    '</head>',
    '<body>',
    '<header><h1 id="file"></h1><span id="summary"></span><span id="live"></span></header>',
    '<main>',
    '<section id="controls">',
    '<fieldset id="encodings"><legend>Chart</legend>',
    ...(['y', 'x', 'color', 'column', 'row'] as const).map((k) => `<label>${LABELS[k]} <select id="enc-${k}" data-encoding="${k}"></select></label>`),
    '</fieldset>',
    '<fieldset id="fixed"><legend>Other dims</legend><div id="sliders"></div></fieldset>',
    '<fieldset id="coverage-box"><legend>Coverage</legend><div id="coverage-counts"></div><div id="coverage"></div></fieldset>',
    '</section>',
    '<section id="view"><div id="message" role="status"></div><div id="chart"></div></section>',
    '</main>',
    `<script type="application/json" id="boot">${JSON.stringify(boot).replace(/</g, '\\u003c')}</script>`,
    `<script>${inlineScript(VIEW_CLIENT_SCRIPT)}</script>`,
    '</body>',
    '</html>',
  ].join('\n');
}

/**
 * The key of a chart in a static page: its encodings and fixed positions, in a fixed order
 * (the page's script computes the same).
 *
 * @param request - encodings and the positions of fixed dims
 */
export function chartKey(request: {
  readonly y: string;
  readonly x?: string | null;
  readonly color?: string | null;
  readonly column?: string | null;
  readonly row?: string | null;
  readonly sel?: Readonly<Record<string, number>>;
}): string {
  const sel = Object.keys(request.sel ?? {})
    .sort()
    .map((k) => [k, request.sel![k]]);
  return JSON.stringify([request.y, request.x ?? '', request.color ?? '', request.column ?? '', request.row ?? '', sel]);
}

const LABELS = { y: 'variable', x: 'x', color: 'colour', column: 'panels across', row: 'panels down' } as const;

const STYLE = [
  'body{margin:0;font-family:"DejaVu Sans",Verdana,sans-serif;font-size:14px;color:#222;background:#fff}',
  'header{padding:8px 16px;border-bottom:1px solid #ddd;display:flex;gap:16px;align-items:baseline}',
  'h1{font-size:16px;margin:0}#summary,#live{color:#555}',
  'main{display:flex;gap:16px;padding:12px 16px;align-items:flex-start}',
  '#controls{width:300px;flex:none}fieldset{border:1px solid #ddd;margin:0 0 12px;padding:8px}',
  'label{display:block;margin:4px 0}select{max-width:170px}.slider{margin:6px 0}.slider input{width:100%}',
  '.slider .value{font-weight:bold}#message{color:#a33;min-height:1.2em;white-space:pre-wrap}',
  '#coverage table{border-collapse:collapse;font-size:11px}#coverage td{min-width:14px;height:14px;padding:0;border:1px solid #fff}#coverage .axes{color:#555;font-size:12px;margin:6px 0 2px}.key .item{white-space:nowrap;display:inline-block}',
  '#coverage th{font-weight:normal;color:#555;padding:0 3px;text-align:right}#coverage th.col{text-align:center;font-size:10px;padding:0 1px}',
  'td.present{background:#2b8a3e}td.missing{background:#e9ecef}td.failed{background:#c92a2a}td.stale{background:#e8a317}',
  '.key .item span{display:inline-block;width:10px;height:10px;margin:0 3px 0 8px}.key .present{background:#2b8a3e}.key .missing{background:#e9ecef;border:1px solid #ccc}',
  '.key .failed{background:#c92a2a}.key .stale{background:#e8a317}',
].join('');

/** JavaScript safe inside a `<script>` element (no `</script` in it). */
function inlineScript(text: string): string {
  return text.replace(/<\/(script)/gi, '<\\/$1');
}

function escapeHtml(text: string): string {
  return text.replace(/[&<>"]/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;' })[c]!);
}
