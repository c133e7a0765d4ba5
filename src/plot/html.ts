/**
 * `renderPlotHtml`: one self-contained HTML page showing a chart, with vega, vega-lite and
 * vega-embed inlined, so it opens offline (from `file://`, in a mail, on a cluster).
 */
import { browserBundle, type VegaLiteSpec } from './vega.js';

/**
 * The page of a chart.
 *
 * @param spec - the Vega-Lite spec
 * @param title - the page's title
 */
export function renderPlotHtml(spec: VegaLiteSpec, title = pageTitle(spec)): string {
  return [
    '<!doctype html>',
    '<html lang="en">',
    '<head>',
    '<meta charset="utf-8">',
    `<title>${escapeHtml(title)}</title>`,
    '<style>body{margin:16px;font-family:"DejaVu Sans",Verdana,sans-serif;background:#fff}#chart{display:inline-block}</style>',
    ...(['vega', 'vega-lite', 'vega-embed'] as const).map((name) => `<script>${inlineScript(browserBundle(name))}</script>`),
    '</head>',
    '<body>',
    '<div id="chart"></div>',
    `<script type="application/json" id="spec">${inlineScript(JSON.stringify(spec))}</script>`,
    '<script>',
    'vegaEmbed("#chart", JSON.parse(document.getElementById("spec").textContent), { renderer: "svg", actions: { export: true, source: false, compiled: false, editor: false } })',
    '  .catch(function (err) { console.error(err); document.getElementById("chart").textContent = String(err); });',
    '</script>',
    '</body>',
    '</html>',
    '',
  ].join('\n');
}

/** Text safe inside a script element: no `</script` or `<!--` can close or confuse it. */
function inlineScript(text: string): string {
  return text.replace(/<\/(script)/gi, '<\\/$1').replace(/<!--/g, '<\\!--');
}

function escapeHtml(text: string): string {
  return text.replace(/[&<>"]/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;' })[c]!);
}

function pageTitle(spec: VegaLiteSpec): string {
  const t = spec.title;
  if (typeof t === 'string') return t;
  if (typeof t === 'object' && t !== null && typeof (t as { text?: unknown }).text === 'string') return (t as { text: string }).text;
  return 'harvestry plot';
}
