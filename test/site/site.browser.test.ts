/**
 * The documentation site: `npm run docs:site` builds it (typedoc's Markdown API reference, then
 * VitePress over docs/); every internal link and image resolves (linkinator); the front page, a
 * guide and an API page open in headless chromium with no console errors, the sidebar lists the
 * guides, and every image on a page is drawn.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, realpathSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { before, describe, it } from 'node:test';
import { promisify } from 'node:util';
import { LinkChecker, LinkState } from 'linkinator';
import { openPage } from '../_support/browser.js';
import { tempDir } from '../_support/helpers.js';
import { serveStatic } from '../_support/static-server.js';

const run = promisify(execFile);
// The checkout itself (through package.json, which the compiled tree links): VitePress resolves
// the pages' real paths, so a build from the tree's linked docs/ would see every link as dead.
const root = dirname(realpathSync(new URL('../../package.json', import.meta.url)));

describe('the documentation site', () => {
  const out = join(tempDir('harvestry-site-'), 'site');
  let base = '';

  before(async () => {
    // The same two steps as `npm run docs:site`, built into a temporary folder.
    // (typedoc writes the Markdown reference into docs/api/, which VitePress renders.) Under
    // `npm test` the API docs check has written it already: wait for that instead.
    const apiReady = process.env.HARVESTRY_API_READY;
    if (apiReady === undefined) await run('npx', ['typedoc', '--options', 'typedoc.site.json'], { cwd: root, timeout: 300_000 });
    else while (!existsSync(apiReady)) await new Promise((r) => setTimeout(r, 200));
    await run('npx', ['vitepress', 'build', 'docs', '--outDir', out], { cwd: root, timeout: 300_000 });
    base = await serveStatic(out);
  });

  it('has a page for every guide, the format, the errors and the API reference', () => {
    const guides = readdirSync(join(root, 'docs/guide')).filter((f) => f.endsWith('.md'));
    assert.ok(guides.length >= 8);
    for (const g of guides) assert.ok(existsSync(join(out, 'guide', g.replace(/\.md$/, '.html'))), `no page for docs/guide/${g}`);
    for (const p of ['index.html', 'format.html', 'errors.html', 'architecture.html', 'api/index.html']) {
      assert.ok(existsSync(join(out, p)), `no ${p}`);
    }
    // The API reference comes from the TSDoc comments.
    const harvester = readFileSync(join(out, 'api/classes/Harvester.html'), 'utf8');
    assert.match(harvester, /harvestCombos/);
  });

  it('has no broken internal link and no missing image (linkinator)', async () => {
    const checker = new LinkChecker();
    // A few requests at a time, and a request that failed to connect (status 0, seen on a loaded
    // machine with linkinator's default 100 at once) is asked again: a missing file is a 404.
    const result = await checker.check({ path: out, recurse: true, linksToSkip: ['^(?!http://localhost)'], concurrency: 16, retryErrors: true, retryErrorsCount: 3 });
    const broken = result.links.filter((l) => l.state === LinkState.BROKEN).map((l) => `${l.url} (${l.status ?? '?'}) on ${l.parent ?? '?'}`);
    assert.deepEqual(broken, []);
    assert.ok(result.links.length > 100, `linkinator checked only ${result.links.length} links`);
  });

  for (const [name, path, expected] of [
    ['the front page', '/', /harvestry/],
    ['a guide', '/guide/harvest.html', /missingOnly/],
    ['an API page', '/api/classes/Harvester.html', /harvestCombos/],
  ] as const) {
    it(`opens ${name} in a real browser with no console errors`, async () => {
      const { page, errors } = await openPage(`${base}${path}`, { waitUntil: 'networkidle0' });
      try {
        // (Page code as strings: the tests compile without the DOM library.)
        const text = (await page.evaluate("document.querySelector('main')?.textContent ?? ''")) as string;
        assert.match(text, expected);
        // The sidebar lists the guides (their titles come from the files' first headings).
        const sidebar = (await page.evaluate("[...document.querySelectorAll('.VPSidebar a')].map((a) => a.textContent.trim())")) as string[];
        if (!path.startsWith('/api/')) assert.ok(sidebar.some((t) => /harvest/i.test(t)), `sidebar: ${sidebar.join(', ')}`);
        const images = (await page.evaluate(
          "[...document.querySelectorAll('main img')].map((i) => ({ src: i.src, drawn: i.complete && i.naturalWidth > 0 }))",
        )) as { src: string; drawn: boolean }[];
        assert.deepEqual(images.filter((i) => !i.drawn), [], 'every image on the page is drawn');
        assert.deepEqual(errors, []);
      } finally {
        await page.close();
      }
    });
  }

  it('shows the figures of the plot guide when there is one', async (t) => {
    if (!existsSync(join(root, 'docs/guide/plot.md'))) {
      t.skip('no docs/guide/plot.md yet');
      return;
    }
    const md = readFileSync(join(root, 'docs/guide/plot.md'), 'utf8');
    const figures = [...md.matchAll(/!\[[^\]]*\]\(([^)]+\.png)\)/g)].length;
    const { page, errors } = await openPage(`${base}/guide/plot.html`, { waitUntil: 'networkidle0' });
    try {
      const drawn = (await page.evaluate("[...document.querySelectorAll('main img')].filter((i) => i.complete && i.naturalWidth > 0).length")) as number;
      assert.ok(figures > 0, 'the plot guide shows its figures');
      assert.equal(drawn, figures);
      assert.deepEqual(errors, []);
    } finally {
      await page.close();
    }
  });
});
