/**
 * A crop from a compiled install: harvestry built with tsc, its `bin/harvestry.js`, a user's
 * plain JavaScript module that sows the crop at its top level, and Node with no TypeScript
 * loader. `harvestry crop grow` (what a cluster task runs) imports the module (its top-level
 * sow is held back there), grows the batches; `crop reap` merges them.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, before, describe, it } from 'node:test';
import { compiledDist } from '../_support/package.js';
import { duckdb } from '../_support/helpers.js';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
let dir = '';

const SWEEP = `import { Harvester, label } from './dist/index.js';
export const product = label({ varNames: 'p' }, ({ a, b }) => {
  if (!(a >= 0 && a < 10 && b >= 10 && b < 100)) throw new RangeError('fixture: a in [0, 10), b in [10, 100), got ' + a + ', ' + b);
  return a * b;
});
const crop = new Harvester(product, 'data/sweep.parquet').crop({ numBatches: 3 });
const sown = await crop.sowCombos({ a: [1, 2, 3], b: [10, 20] });
console.log(JSON.stringify({ dir: crop.dir, batches: sown.batches }));
`;

before(() => {
  mkdirSync(join(ROOT, '.tmp'), { recursive: true });
  // Inside the repository, so the build finds harvestry's dependencies in its node_modules.
  dir = mkdtempSync(join(ROOT, '.tmp', 'compiled-crop-'));
  compiledDist(dir);
  writeFileSync(join(dir, 'package.json'), '{"name": "harvestry", "type": "module"}\n');
  mkdirSync(join(dir, 'bin'));
  copyFileSync(join(ROOT, 'bin/harvestry.js'), join(dir, 'bin/harvestry.js'));
  writeFileSync(join(dir, 'sweep.mjs'), SWEEP);
});

after(() => {
  if (dir !== '') rmSync(dir, { recursive: true, force: true });
});

function run(args: string[]): { status: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, args, { cwd: dir, encoding: 'utf8', timeout: 60_000, env: { ...process.env, NODE_OPTIONS: '', NODE_TEST_CONTEXT: undefined } });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

describe('a crop from compiled harvestry, no TypeScript loader', () => {
  it('is grown and reaped by the bin', async () => {
    const sow = run(['sweep.mjs']);
    assert.equal(sow.status, 0, sow.stderr);
    const { dir: cropDir, batches } = JSON.parse(sow.stdout) as { dir: string; batches: number };
    assert.equal(batches, 3);
    const bin = join(dir, 'bin/harvestry.js');
    const grow = run([bin, 'crop', 'grow', cropDir, '--batch', '2']);
    assert.equal(grow.status, 0, grow.stderr);
    assert.match(grow.stdout, /grew batch 2 /);
    const rest = run([bin, 'crop', 'grow', cropDir, '--executor', 'subprocess', '--workers', '2']);
    assert.equal(rest.status, 0, rest.stderr);
    const reap = run([bin, 'crop', 'reap', cropDir]);
    assert.equal(reap.status, 0, reap.stderr);
    assert.deepEqual(await duckdb(`SELECT a, b, p FROM '${join(dir, 'data/sweep.parquet')}' ORDER BY a, b`), [1, 2, 3].flatMap((a) => [10, 20].map((b) => ({ a, b, p: a * b }))));
  });
});
