/**
 * The explorer in a real headless browser: the served page and the static report draw the
 * chart of the chosen slice with no console errors, a control redraws the other slice, and a
 * harvest into the file shows up in the open page without a reload.
 */
import assert from 'node:assert/strict';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { pathToFileURL } from 'node:url';
import type { Page } from 'puppeteer-core';
import { Harvester, label } from '../../src/index.js';
import { renderViewReport } from '../../src/view/report.js';
import { serveView, type ViewServer } from '../../src/view/server.js';
import { browser, openPage } from '../_support/browser.js';
import { tempDir } from '../_support/helpers.js';

/** omega = 3 throws, so a harvest with onError: 'record' leaves failed cells. */
export const traces = label(
  { varNames: ['trace', 'peak'], varDims: { trace: ['t'] }, constants: { t: [0, 0.5, 1, 1.5, 2] } },
  ({ omega, gamma, t }: { omega: number; gamma: number; t: number[] }) => {
    assert.ok(omega >= 1 && omega < 10, `omega ${omega}`);
    assert.ok(gamma >= 0 && gamma < 1, `gamma ${gamma}`);
    if (omega === 3) throw new Error('omega 3 diverges');
    const trace = t.map((x) => omega * x + gamma);
    return [trace, Math.max(...trace)] as const;
  },
);

interface Point {
  t: number;
  trace: number | null;
  omega: number;
}

/** The data of the drawn line and point marks that carry `trace` values, from vega's scenegraph. */
async function drawnPoints(page: Page): Promise<Point[]> {
  const points = await js<Point[]>(page, `(() => {
    const out = [];
    const walk = (mark) => {
      for (const item of mark.items || []) {
        if ((mark.marktype === 'line' || mark.marktype === 'symbol') && item.datum && 'trace' in item.datum) out.push(item.datum);
        for (const child of item.items || []) walk(child);
      }
    };
    walk(window.__harvestryView.scenegraph().root);
    return out.map((d) => ({ t: d.t, trace: d.trace, omega: d.omega }));
  })()`);
  const seen = new Set<string>();
  return points
    .filter((p) => {
      // a line and its points carry the same rows: keep each once
      const key = `${p.omega}:${p.t}`;
      if (p.trace === null || seen.has(key)) return false;
      seen.add(key);
      return true;
    })
    .sort((a, b) => a.omega - b.omega || a.t - b.t);
}

function expected(omegas: readonly number[], gamma: number): Point[] {
  return omegas.flatMap((omega) => [0, 0.5, 1, 1.5, 2].map((t) => ({ t, trace: omega * t + gamma, omega })));
}

/** Evaluates an expression in the page (a string: tsx would add helpers to a function that the page does not have, and tests have no DOM types). */
async function js<T>(page: Page, expression: string): Promise<T> {
  return (await page.evaluate(expression)) as T;
}

async function draws(page: Page): Promise<number> {
  return js<number>(page, "Number(document.body.dataset.draws || '0')");
}

async function waitForDraw(page: Page, after: number): Promise<void> {
  await page.waitForFunction(`Number(document.body.dataset.draws || '0') > ${after}`, { timeout: 30_000 });
}

async function waitFor(page: Page, expression: string): Promise<void> {
  await page.waitForFunction(expression, { timeout: 30_000 });
}

async function coverage(page: Page): Promise<Record<string, number>> {
  const out: Record<string, number> = {};
  for (const s of ['present', 'missing', 'failed', 'stale']) out[s] = (await page.$$(`#coverage td.${s}`)).length;
  return out;
}

async function setSlider(page: Page, dim: string, position: number): Promise<void> {
  await js(page, `(() => { const el = document.getElementById('dim-${dim}'); el.value = '${position}'; el.dispatchEvent(new Event('input')); })()`);
}

describe('harvestry view in a browser', () => {
  const dir = tempDir();
  const shots = process.env.HARVESTRY_SCREENSHOTS;
  // started here, so the browser is closed after the suite, not after its first test
  void browser();
  let server: ViewServer | undefined;
  after(async () => {
    await server?.close();
  });

  it('serves the explorer: a slider redraws the other slice, a harvest shows up live', async () => {
    const path = join(dir, 'traces.parquet');
    const h = new Harvester(traces, path);
    await h.harvestCombos({ omega: [1, 3], gamma: [0.1, 0.5] }, { onError: 'record' });
    server = await serveView(path, { pollMs: 50 });
    assert.match(server.url, /^http:\/\/127\.0\.0\.1:\d+\/$/);
    const { page, errors } = await openPage(server.url);
    await waitForDraw(page, 0);
    // the defaults: trace over t, a line per omega, gamma on a slider at its first value
    assert.equal(await js(page, "document.getElementById('enc-y').value"), 'trace');
    assert.equal(await js(page, "document.getElementById('enc-x').value"), 't');
    assert.equal(await js(page, "document.getElementById('enc-color').value"), 'omega');
    assert.deepEqual(await drawnPoints(page), expected([1], 0.1));
    assert.deepEqual(await coverage(page), { present: 2, missing: 0, failed: 2, stale: 0 });

    // the slider: gamma = 0.5
    let n = await draws(page);
    await setSlider(page, 'gamma', 1);
    await waitForDraw(page, n);
    assert.equal(await js(page, "document.querySelector('.value[data-dim=gamma]').textContent"), '0.5');
    assert.deepEqual(await drawnPoints(page), expected([1], 0.5));

    // a harvest into the file: omega = 2 appears in the chart and the coverage map, no reload
    const version = await js<string>(page, 'document.body.dataset.version');
    n = await draws(page);
    await h.harvestCombos({ omega: [2], gamma: [0.5] });
    await waitFor(page, `document.body.dataset.version !== '${version}'`);
    await waitForDraw(page, n);
    assert.deepEqual(await drawnPoints(page), expected([1, 2], 0.5));
    assert.deepEqual(await coverage(page), { present: 3, missing: 1, failed: 2, stale: 0 });
    assert.equal(await js(page, "document.querySelector('#coverage td.missing').title"), 'omega = 2, gamma = 0.1: missing');

    // another variable with its own axes: peak over omega, colour gamma
    n = await draws(page);
    await page.select('#enc-y', 'peak');
    await waitForDraw(page, n);
    assert.equal(await js(page, "document.getElementById('enc-x').value"), 'omega');
    if (shots !== undefined) await page.screenshot({ path: join(shots, 'view-live.png'), fullPage: true });
    assert.deepEqual(errors, []);
    await page.close();
  });

  it('shows an error from plot() in the page, not in the console', async () => {
    const { page, errors } = await openPage(server!.url);
    await waitForDraw(page, 0);
    // colour off: omega gets a slider; omega = 3 failed everywhere, so its slice has no trace
    let n = await draws(page);
    await page.select('#enc-color', '');
    await waitForDraw(page, n);
    assert.deepEqual(await js(page, "[...document.querySelectorAll('#sliders input, #sliders select')].map((el) => el.dataset.dim)"), ['omega', 'gamma']);
    assert.equal(await js(page, "document.getElementById('dim-omega').max"), '2');
    n = await draws(page);
    await setSlider(page, 'omega', 2);
    await waitFor(page, "document.getElementById('message').textContent !== ''");
    assert.match(await js<string>(page, "document.getElementById('message').textContent"), /\[E_PLOT_EMPTY\]$/);
    assert.equal(await draws(page), n);
    // back to a slice with values: the message goes, the chart is redrawn
    await setSlider(page, 'omega', 0);
    await waitForDraw(page, n);
    assert.equal(await js(page, "document.getElementById('message').textContent"), '');
    assert.deepEqual(errors, []);
    await page.close();
  });

  it('draws the coverage of a big grid on a canvas', async () => {
    const big = label({ varNames: 'p' }, ({ a, b }: { a: number; b: number }) => a * 100 + b);
    const path = join(dir, 'big.parquet');
    const h = new Harvester(big, path);
    const range = (from: number, to: number): number[] => Array.from({ length: to - from }, (_, i) => from + i);
    await h.harvestCombos({ a: range(0, 60), b: range(0, 30) });
    await h.harvestCombos({ a: [0], b: range(30, 60) });
    const local = await serveView(path);
    try {
      const { page, errors } = await openPage(local.url);
      await waitForDraw(page, 0);
      assert.equal(await js(page, "document.getElementById('coverage-counts').dataset.present"), '1830');
      assert.equal(await js(page, "document.querySelectorAll('#coverage td').length"), 0);
      // the colour of the cell at row a, column b
      const colour = (a: number, b: number): Promise<number[]> =>
        js(page, `(() => { const c = document.getElementById('coverage-canvas'); const px = c.width / 60; return [...c.getContext('2d').getImageData(${b} * px, ${a} * px, 1, 1).data].slice(0, 3); })()`);
      assert.deepEqual(await colour(0, 45), [0x2b, 0x8a, 0x3e]); // present
      assert.deepEqual(await colour(1, 45), [0xe9, 0xec, 0xef]); // missing
      assert.deepEqual(await colour(59, 29), [0x2b, 0x8a, 0x3e]);
      assert.deepEqual(errors, []);
      await page.close();
    } finally {
      await local.close();
    }
  });

  it('writes a static report that works from file://, offline', async () => {
    const path = join(dir, 'traces.parquet');
    const out = join(dir, 'report.html');
    await writeFile(out, await renderViewReport(path));
    const { page, errors } = await openPage(pathToFileURL(out).href);
    await waitForDraw(page, 0);
    assert.deepEqual(await drawnPoints(page), expected([1], 0.1));
    const n = await draws(page);
    await setSlider(page, 'gamma', 1);
    await waitForDraw(page, n);
    assert.deepEqual(await drawnPoints(page), expected([1, 2], 0.5));
    assert.equal(await js(page, "document.getElementById('enc-x').disabled"), true);
    assert.deepEqual(await coverage(page), { present: 3, missing: 1, failed: 2, stale: 0 });
    if (shots !== undefined) await page.screenshot({ path: join(shots, 'view-static.png'), fullPage: true });
    assert.deepEqual(errors, []);
    await page.close();
  });
});
