/**
 * The self-contained HTML page of a chart, opened from file:// in a real headless chromium with
 * no network: no console errors, no request leaves the page, and the chart is drawn (the lines
 * and the axis titles are in the page's SVG).
 */
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { describe, it } from 'node:test';
import { label, linspace, plot } from '../../src/index.js';
import { openPage } from '../_support/browser.js';
import { tempDir } from '../_support/helpers.js';

const wave = label({ varNames: 'y', varDims: { y: ['t'] }, constants: { t: linspace(0, 1, 30) }, attrs: { units: { t: 's' } } }, ({ k, t }: { k: number; t: number[] }) =>
  Float64Array.from(t, (x) => Math.sin(k * x)),
);

describe('plot().toHTML() in a browser', () => {
  it('draws the chart offline with no console errors', async () => {
    const ds = await wave.runCombos({ k: [1, 2, 3, 4] });
    const html = (await plot(ds, { x: 't', y: 'y', color: 'k' })).toHTML();
    assert.doesNotMatch(html, /<script[^>]+src=/, 'every script inlined');
    const file = join(tempDir(), 'chart.html');
    writeFileSync(file, html);
    const requests: string[] = [];
    const { page, errors } = await openPage(pathToFileURL(file).href);
    page.on('request', (req) => requests.push(req.url()));
    await page.waitForSelector('#chart svg .mark-line path', { timeout: 20_000 });
    // evaluated in the page (a string: the tests are compiled without the DOM types)
    const drawn = (await page.evaluate(`({
      lines: document.querySelectorAll('#chart svg .mark-line.role-mark path').length,
      titles: [...document.querySelectorAll('#chart svg .role-axis-title text')].map((t) => t.textContent),
      legend: [...document.querySelectorAll('#chart svg .role-legend-label text')].map((t) => t.textContent),
    })`)) as { lines: number; titles: string[]; legend: string[] };
    assert.equal(drawn.lines, 4);
    assert.deepEqual(drawn.titles.sort(), ['t (s)', 'y']);
    assert.deepEqual(drawn.legend, ['1', '2', '3', '4']);
    assert.deepEqual(errors, []);
    assert.deepEqual(requests.filter((u) => !u.startsWith('file:') && !u.startsWith('data:')), []);
    await page.close();
  });
});
