/**
 * The figures in docs/guide/figures/ are what the examples make now: `npm run docs:figures` is
 * run into a temporary folder, the spec digests must be equal, and the PNGs must have the same
 * size and pixels within a tolerance (fonts and antialiasing may differ a little between
 * machines; a changed chart does not).
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { promisify } from 'node:util';
import { tempDir } from '../_support/helpers.js';
import { decodePng, type DecodedPng } from '../_support/png.js';

const run = promisify(execFile);
const root = new URL('../../', import.meta.url).pathname;
const committed = join(root, 'docs/guide/figures');

/** The share of pixels whose colour differs by more than 48 (of 255) in some channel. */
function differingShare(a: DecodedPng, b: DecodedPng): number {
  let differ = 0;
  for (let i = 0; i < a.width * a.height; i++) {
    for (let c = 0; c < 3; c++) {
      if (Math.abs(a.rgba[i * 4 + c]! - b.rgba[i * 4 + c]!) > 48) {
        differ++;
        break;
      }
    }
  }
  return differ / (a.width * a.height);
}

describe('docs figures', () => {
  it('are current: `npm run docs:figures` makes the same charts', async () => {
    const out = tempDir('harvestry-figures-');
    await run(process.execPath, [join(root, 'scripts/docs-figures.mjs'), out], { timeout: 240_000 });
    const names = readdirSync(committed).filter((f) => f.endsWith('.png'));
    assert.deepEqual(names.sort(), ['bifurcation.png', 'monte-carlo.png', 'pendulum.png']);
    for (const png of names) {
      const digest = png.replace(/\.png$/, '.spec.sha256');
      assert.equal(readFileSync(join(out, digest), 'utf8'), readFileSync(join(committed, digest), 'utf8'), `${digest}: the chart's spec changed; run npm run docs:figures and commit docs/guide/figures/`);
      const now = decodePng(readFileSync(join(out, png)));
      const then = decodePng(readFileSync(join(committed, png)));
      assert.deepEqual([now.width, now.height], [then.width, then.height], `${png}: size`);
      const share = differingShare(now, then);
      assert.ok(share < 0.01, `${png}: ${(share * 100).toFixed(2)}% of the pixels differ; run npm run docs:figures and commit docs/guide/figures/`);
    }
  });
});
