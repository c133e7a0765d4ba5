/**
 * `harvestry plot`: a file to SVG, PNG, HTML or the Vega-Lite spec, from the extension; usage
 * and coded errors.
 */
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { arange, label, writeDataset } from '../../src/index.js';
import { runCli } from '../../src/cli/main.js';
import { renderCommandHelp } from '../../src/cli/help.js';
import { assertSnapshot } from '../_support/snapshot.js';
import { tempDir } from '../_support/helpers.js';
import { decodePng, inkShare } from '../_support/png.js';
import { svgTexts } from '../_support/svg.js';

async function cli(args: string[]): Promise<{ code: number; out: string; err: string }> {
  const out: string[] = [];
  const err: string[] = [];
  const code = await runCli(args, { out: (t) => out.push(t), err: (t) => err.push(t) });
  return { code, out: out.join('\n'), err: err.join('\n') };
}

const r = label({ varNames: 'energy', attrs: { units: { energy: 'J' } } }, ({ omega, gamma, seed }: { omega: number; gamma: number; seed: number }) => omega * (1 - gamma) + seed / 100);

describe('harvestry plot', () => {
  const dir = tempDir();
  const file = join(dir, 'sweep.parquet');

  it('renders its help text', () => {
    assertSnapshot('cli-help-plot', renderCommandHelp('plot'));
  });

  it('writes SVG, PNG, HTML and JSON from the extension', async () => {
    // gamma holds 0.1 + 0.2, which --sel gamma=0.3 finds
    await writeDataset(await r.runCombos({ omega: [1, 2, 3], gamma: [0, 0.1 + 0.2], seed: arange(0, 4) }), file);
    const svg = join(dir, 'e.svg');
    const res = await cli(['plot', file, '--x', 'omega', '--y', 'energy', '--sel', 'gamma=0.3', '--reduce', 'seed:minmax', '--log-y', '-o', svg]);
    assert.equal(res.code, 0, res.err);
    assert.equal(res.out, `wrote ${svg}`);
    const text = readFileSync(svg, 'utf8');
    assert.ok(svgTexts(text, 'axis-title').includes('energy (J)'));
    assert.match(text, /gamma = 0\.3 · mean, min to max over seed \(4\)/);
    for (const ext of ['png', 'html', 'json']) {
      const out = join(dir, `e.${ext}`);
      assert.equal((await cli(['plot', file, '--x', 'omega', '--y', 'energy', '--color', 'gamma', '--column', 'seed', '-o', out])).code, 0);
      assert.ok(existsSync(out));
    }
    assert.ok(inkShare(decodePng(readFileSync(join(dir, 'e.png')))) > 0.01);
    assert.match(readFileSync(join(dir, 'e.html'), 'utf8'), /^<!doctype html>/);
    const spec = JSON.parse(readFileSync(join(dir, 'e.json'), 'utf8')) as { $schema: string; facet: unknown };
    assert.match(spec.$schema, /vega-lite/);
    assert.ok(spec.facet !== undefined);
  });

  it('exits 1 with the coded message on errors, 2 on bad usage', async () => {
    const unmapped = await cli(['plot', file, '--x', 'omega', '--y', 'energy', '-o', join(dir, 'x.svg')]);
    assert.equal(unmapped.code, 1);
    assert.match(unmapped.err, /^harvestry plot: .*the dims `gamma` \(2 values\), `seed` \(4 values\) are on no encoding.*\[E_PLOT_UNMAPPED\]$/s);
    const format = await cli(['plot', file, '--x', 'omega', '--y', 'energy', '-o', join(dir, 'x.pdf')]);
    assert.match(format.err, /\[E_UNSUPPORTED_FORMAT\]/);
    assert.ok(!existsSync(join(dir, 'x.pdf')));
    assert.equal((await cli(['plot', file, '--x', 'omega'])).code, 2);
    assert.match((await cli(['plot', file, '--x', 'omega', '--sel', 'gamma', '-o', join(dir, 'y.svg')])).err, /--sel as <dim>=<value>.*\[E_BAD_OPTION\]/);
  });
});
