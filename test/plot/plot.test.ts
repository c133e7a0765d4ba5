/**
 * plot(): what the SVG draws (marks per series, titles with units, legends, log scales), the PNG
 * (size, not blank), the spec, and the coded errors.
 */
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { label, linspace, plot, Sampler, writeDataset, type Dataset } from '../../src/index.js';
import { assertHarvestryError, tempDir } from '../_support/helpers.js';
import { decodePng, inkShare } from '../_support/png.js';
import { svgMarks, svgTexts } from '../_support/svg.js';

const osc = label(
  {
    varNames: ['trace', 'energy', 'model'],
    varDims: { trace: ['t'] },
    constants: { t: linspace(0, 5, 21) },
    attrs: { units: { t: 's', omega: 'rad/s', energy: 'J' } },
  },
  ({ omega, gamma, t }: { omega: number; gamma: number; t: number[] }) => {
    if (!(omega > 0 && omega < 10 && gamma >= 0 && gamma < 1)) throw new Error(`omega ${omega} or gamma ${gamma} out of range: a dim was mis-mapped`);
    return [Float64Array.from(t, (x) => Math.exp(-gamma * x) * Math.cos(omega * x)), omega * omega * (1 - gamma), gamma > 0.2 ? 'damped' : 'free'];
  },
);

const noisy = label({ varNames: 'estimate' }, ({ n, seed }: { n: number; seed: number }) => {
  let s = seed * 9301 + n;
  let hits = 0;
  for (let i = 0; i < n; i++) {
    s = (s * 1103515245 + 12345) % 2147483648;
    const x = s / 2147483648;
    s = (s * 1103515245 + 12345) % 2147483648;
    const y = s / 2147483648;
    if (x * x + y * y < 1) hits++;
  }
  return (4 * hits) / n;
});

let dsPromise: Promise<Dataset> | undefined;
function ds(): Promise<Dataset> {
  dsPromise ??= osc.runCombos({ omega: [0.5, 1, 2], gamma: linspace(0, 0.3, 4) });
  return dsPromise;
}

/** The number of points in each drawn line, from its path. */
function linePoints(svg: string): number[] {
  return svgMarks(svg)
    .filter((m) => m.type === 'line' && m.role === 'mark')
    .map((m) => {
      const d = /d="([^"]*)"/.exec(m.body)![1]!;
      return (d.match(/[ML]/g) ?? []).length;
    });
}

describe('plot()', () => {
  it('draws one line per colour and panel, each with every point, and titles axes with units', async () => {
    const p = await plot(await ds(), { x: 't', y: 'trace', color: 'omega', column: 'gamma' });
    const svg = await p.toSVG();
    assert.deepEqual(linePoints(svg), Array(12).fill(21), '3 omegas × 4 gamma panels, 21 times each');
    assert.ok(svgTexts(svg, 'axis-title').includes('t (s)'));
    assert.ok(svgTexts(svg, 'axis-title').includes('trace'));
    assert.deepEqual(svgTexts(svg, 'legend-title'), ['omega (rad/s)']);
    assert.deepEqual(svgTexts(svg, 'legend-label'), ['0.5', '1', '2']);
    assert.deepEqual(svgTexts(svg, 'title-text').filter((t) => t.startsWith('gamma')), ['gamma = 0', 'gamma = 0.1', 'gamma = 0.2', 'gamma = 0.3'], 'panel headers, clean decimals');
  });

  it('fixes a dim with sel (nearest for floats) and shows it in the subtitle', async () => {
    const p = await plot(await ds(), { x: 't', y: 'trace', color: 'omega', sel: { gamma: 0.3 }, selOptions: { method: 'nearest', tolerance: 1e-9 } });
    const svg = await p.toSVG();
    assert.deepEqual(linePoints(svg), [21, 21, 21]);
    assert.match(svg, />gamma = 0\.3</);
    const spec = p.toSpec() as { data: { values: { gamma?: number; trace: number; t: number; omega: number }[] } };
    const last = spec.data.values.find((r) => r.omega === 1 && r.t === 5)!;
    assert.ok(Math.abs(last.trace - Math.exp(-0.3 * 5) * Math.cos(5)) < 1e-12, 'the values of gamma = 0.3 are drawn');
  });

  it('puts a var against a dim with points on short series, and a log y axis on request', async () => {
    const p = await plot(await ds(), { x: 'omega', y: 'energy', color: 'gamma', log: { y: true } });
    const svg = await p.toSVG();
    assert.deepEqual(linePoints(svg), [3, 3, 3, 3]);
    const symbols = svgMarks(svg).filter((m) => m.type === 'symbol' && m.role === 'mark');
    assert.equal(symbols.reduce((a, m) => a + m.items, 0), 12, 'a point per value');
    assert.ok(svgTexts(svg, 'axis-title').includes('energy (J)'));
    const spec = JSON.stringify(p.toSpec());
    assert.match(spec, /"y":\{"field":"energy","type":"quantitative","title":"energy \(J\)","scale":\{"type":"log"\}\}/);
    const labels = svgTexts(svg, 'axis-label');
    assert.ok(labels.includes('0.1') && labels.includes('1') && labels.includes('10'), `log ticks at powers of ten: ${labels.join(' ')}`);
  });

  it('draws a heatmap as one cell per grid point with a colour legend', async () => {
    const p = await plot(await ds(), { kind: 'heatmap', x: 'omega', y: 'gamma', color: 'energy' });
    const svg = await p.toSVG();
    const cells = svgMarks(svg).filter((m) => m.type === 'rect' && m.role === 'mark');
    assert.equal(cells.reduce((a, m) => a + m.items, 0), 12);
    assert.deepEqual(svgTexts(svg, 'legend-title'), ['energy (J)']);
  });

  it('reduces over a dim: the mean as a line, the spread as a band', async () => {
    const mc = await noisy.runCombos({ n: [100, 1000, 10000], seed: [1, 2, 3, 4, 5, 6, 7, 8] });
    const p = await plot(mc, { x: 'n', y: 'estimate', reduce: { dim: 'seed', band: 'ci95' }, log: { x: true } });
    const svg = await p.toSVG();
    assert.equal(svgMarks(svg).filter((m) => m.type === 'area' && m.role === 'mark').length, 1);
    assert.deepEqual(linePoints(svg), [3]);
    assert.match(svg, /mean and 95% CI over seed \(8\)/);
    const rows = (p.toSpec() as { data: { values: { n: number; estimate: number; _lo: number; _hi: number; _n: number }[] } }).data.values;
    const at100 = mc.sel({ n: 100 }).get('estimate').data as Float64Array;
    const mean = at100.reduce((a, b) => a + b, 0) / 8;
    const row = rows.find((r) => r.n === 100)!;
    assert.ok(Math.abs(row.estimate - mean) < 1e-12);
    assert.equal(row._n, 8);
    assert.ok(row._lo < mean && row._hi > mean);
  });

  it('plots a histogram, and a scatter of a sample table', async () => {
    const hist = await plot(await ds(), { kind: 'hist', x: 'energy' });
    assert.ok(svgMarks(await hist.toSVG()).some((m) => m.type === 'rect' && m.items > 1));
    const s = new Sampler(osc, { defaultCombos: { omega: (rng) => 0.5 + 5 * rng(), gamma: [0, 0.1] } });
    await s.sampleCombos(200, { seed: 3 });
    const p = await plot(s.fullTable!, { x: 'omega', y: 'energy', color: 'gamma' });
    const svg = await p.toSVG();
    assert.equal(svgMarks(svg).filter((m) => m.type === 'symbol' && m.role === 'mark').reduce((a, m) => a + m.items, 0), 200);
  });

  it('renders a PNG of the SVG size times the scale, not blank, with text', async () => {
    const p = await plot(await ds(), { x: 't', y: 'trace', color: 'omega', sel: { gamma: 0 } });
    const svg = await p.toSVG();
    const [, w, h] = /width="(\d+)" height="(\d+)"/.exec(svg)!.map(Number);
    const img = decodePng(await p.toPNG({ scale: 2 }));
    assert.equal(img.width, 2 * w!);
    assert.equal(img.height, 2 * h!);
    const ink = inkShare(img);
    assert.ok(ink > 0.01 && ink < 0.5, `some ink, mostly white background: ${ink}`);
  });

  it('reads only what it needs from a file, and writes by extension', async () => {
    const dir = tempDir();
    const path = join(dir, 'osc.parquet');
    await writeDataset(await ds(), path);
    const p = await plot(path, { x: 't', y: 'trace', color: 'omega', sel: { gamma: 0.1 } });
    assert.deepEqual(linePoints(await p.toSVG()), [21, 21, 21]);
    await p.write(join(dir, 'x.json'));
    await assertHarvestryError(() => p.write(join(dir, 'x.pdf')), 'E_UNSUPPORTED_FORMAT', /\.pdf.*\.svg, \.png, \.html, \.json/);
  });

  it('refuses unmapped dims, unknown names, strings on numeric axes and empty selections', async () => {
    const d = await ds();
    await assertHarvestryError(() => plot(d, { x: 't', y: 'trace', color: 'omega' }), 'E_PLOT_UNMAPPED', /the dim `gamma` \(4 values\) is on no encoding.*sel: \{ gamma: … \}.*reduce: \{ dim: 'gamma' \}/);
    await assertHarvestryError(() => plot(d, { x: 't', y: 'trace' }), 'E_PLOT_UNMAPPED', /the dims `omega` \(3 values\), `gamma` \(4 values\) are on no encoding/);
    await assertHarvestryError(() => plot(d, { x: 'omega', y: 'enrgy', color: 'gamma' }), 'E_UNKNOWN_VAR', /`enrgy` for `y`.*variables are `trace`, `energy` and `model`/);
    await assertHarvestryError(() => plot(d, { x: 'omega', y: 'model', color: 'gamma' }), 'E_PLOT_TYPE', /`model` holds string values, but the y axis needs numbers/);
    await assertHarvestryError(() => plot(d, { x: 'model', y: 'energy', kind: 'scatter' }), 'E_PLOT_TYPE', /`model` holds strings, but the x axis/);
    await assertHarvestryError(() => plot(d, { x: 'omega', y: 'energy', color: 'gamma', sel: { gamma: [] } }), 'E_PLOT_EMPTY', /nothing to plot/);
    await assertHarvestryError(() => plot(d, { x: 'omega', y: 'energy', sel: { gamma: 0.25 } }), 'E_NOT_FOUND', /`gamma` has no value 0\.25.*method: 'nearest'/);
    await assertHarvestryError(() => plot(d, { x: 'omega', y: 'energy', color: 'gamma', kind: 'pie' as never }), 'E_BAD_OPTION', /`kind`/);
  });
});

describe('plot() heatmaps of big grids', () => {
  it('draws an even 60 × 50 grid as one image with the colours of its legend', async () => {
    const f = label({ varNames: 'p' }, ({ a, b }: { a: number; b: number }) => a * b);
    const ds = await f.runCombos({ a: Array.from({ length: 60 }, (_, i) => i), b: Array.from({ length: 50 }, (_, i) => i) });
    const p = await plot(ds, { kind: 'heatmap', x: 'a', y: 'b', color: 'p' });
    const svg = await p.toSVG();
    assert.equal(svgMarks(svg).filter((m) => m.type === 'image' && m.role === 'mark').length, 1);
    assert.equal(svgMarks(svg).filter((m) => m.type === 'rect' && m.role === 'mark').reduce((a, m) => a + m.items, 0), 2, 'only the two invisible legend rows');
    const url = /href="data:image\/png;base64,([^"]+)"/.exec(svg)![1]!;
    const img = decodePng(Buffer.from(url, 'base64'));
    assert.deepEqual([img.width, img.height], [60, 50], 'one pixel per cell');
    const px = (i: number, j: number): number[] => Array.from(img.rgba.subarray(((49 - j) * 60 + i) * 4, ((49 - j) * 60 + i) * 4 + 3));
    assert.deepEqual(px(0, 0), [68, 1, 84], 'p = 0 at the bottom left: the first viridis colour');
    assert.deepEqual(px(59, 49), [253, 231, 37], 'p = max at the top right: the last one');
    assert.deepEqual(svgTexts(svg, 'legend-title'), ['p']);
  });

  it('spans the image over the cells (half a step beyond the outer coords) and gives the legend the range of the values', async () => {
    const f = label({ varNames: 'p' }, ({ a, b }: { a: number; b: number }) => a * b);
    const ds = await f.runCombos({ a: linspace(0, 2.95, 60), b: Array.from({ length: 50 }, (_, i) => 10 + 2 * i) });
    const spec = (await plot(ds, { kind: 'heatmap', x: 'a', y: 'b', color: 'p' })).toSpec() as { layer: { data?: { values: Record<string, unknown>[] }; encoding: { color?: { scale: { domain: number[] } } } }[] };
    const image = spec.layer[0]!.data!.values[0]!;
    assert.deepEqual([image._x0, image._x1, image._y0, image._y1].map((v) => Math.round((v as number) * 1e9) / 1e9), [-0.025, 2.975, 9, 109]);
    assert.deepEqual(spec.layer[1]!.encoding.color!.scale.domain.map((v) => Math.round(v * 1e9) / 1e9), [0, 318.6]);
  });

  it('leaves the one cell without a value white', async () => {
    const f = label({ varNames: 'p' }, ({ a, b }: { a: number; b: number }) => (a === 3 && b === 4 ? NaN : a * b));
    const ds = await f.runCombos({ a: Array.from({ length: 60 }, (_, i) => i), b: Array.from({ length: 50 }, (_, i) => i) });
    const svg = await (await plot(ds, { kind: 'heatmap', x: 'a', y: 'b', color: 'p' })).toSVG();
    const img = decodePng(Buffer.from(/href="data:image\/png;base64,([^"]+)"/.exec(svg)![1]!, 'base64'));
    const blank = [];
    for (let i = 0; i < 60; i++) for (let j = 0; j < 50; j++) if (Array.from(img.rgba.subarray(((49 - j) * 60 + i) * 4, ((49 - j) * 60 + i) * 4 + 3)).join() === '255,255,255') blank.push([i, j]);
    assert.deepEqual(blank, [[3, 4]]);
  });
});

describe('plot() SVG size', () => {
  it('describes axes, legends and titles for screen readers, but not each of thousands of points', async () => {
    const f = label({ varNames: 'y', varDims: { y: ['t'] }, varCoords: { t: Array.from({ length: 100 }, (_, i) => i) } }, ({ x }: { x: number }) => Float64Array.from({ length: 100 }, (_, i) => x * i));
    const ds = await f.runCombos({ x: Array.from({ length: 50 }, (_, i) => i) });
    const svg = await (await plot(ds, { x: 't', y: 'y', color: 'x' })).toSVG();
    assert.equal(linePoints(svg).length, 50);
    const labels = [...svg.matchAll(/aria-label="([^"]*)"/g)].map((m) => m[1]!);
    assert.deepEqual(labels.map((l) => l.split(' ')[0]), ['X-axis', 'Y-axis', 'Gradient', 'Title']);
    assert.ok(!svg.includes('aria-label="t: '), 'no per-point description');
  });
});
