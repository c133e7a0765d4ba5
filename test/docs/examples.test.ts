/**
 * Every example in examples/ runs, as `npm run demo` runs the quick start.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { promisify } from 'node:util';
import { readDataset } from '../../src/index.js';
import { TS_NODE_ARGS, tempDir } from '../_support/helpers.js';

const run = promisify(execFile);
const root = new URL('../../', import.meta.url).pathname;

describe('examples', () => {
  it('the quick start writes its dataset to ./harvestry-demo/ and prints a summary and the path', async () => {
    const cwd = tempDir('harvestry-example-');
    const { stdout } = await run(process.execPath, [...TS_NODE_ARGS, join(root, 'examples/quickstart.ts')], { cwd });
    assert.match(stdout, /^Dataset: 12 rows \(one per case\)$/m);
    assert.match(stdout, /^ {4}omega {3}float64 {2}4: 0\.5, 1, 2, 4$/m);
    assert.match(stdout, /^wrote harvestry-demo\/quickstart\.parquet$/m);
    const ds = await readDataset(join(cwd, 'harvestry-demo/quickstart.parquet'));
    assert.deepEqual(ds.dims, ['omega', 'gamma']);
    assert.equal(ds.get('energy').at({ omega: 2, gamma: 0 }), 2);
    const again = await run(process.execPath, [...TS_NODE_ARGS, join(root, 'examples/quickstart.ts')], { cwd });
    assert.match(again.stdout, /^Dataset: 12 rows/m);
    assert.equal((await readDataset(join(cwd, 'harvestry-demo/quickstart.parquet'))).provenance?.time, ds.provenance?.time, 'a second run found everything present and wrote nothing');
  });

  it('every file in examples/ runs', async () => {
    // The quick start runs above, and the examples that draw run in test/docs/figures.test.ts
    // through `npm run docs:figures` (scripts/docs-figures.mjs), which checks what they draw.
    // Every other example runs here.
    const drawing = [...readFileSync(join(root, 'scripts/docs-figures.mjs'), 'utf8').matchAll(/example: '([^']+)'/g)].map((m) => m[1]!);
    assert.deepEqual(drawing.sort(), ['bifurcation.ts', 'monte-carlo.ts', 'pendulum.ts']);
    for (const file of readdirSync(join(root, 'examples')).filter((f) => f.endsWith('.ts') && f !== 'quickstart.ts' && !drawing.includes(f))) {
      const cwd = tempDir('harvestry-example-');
      await run(process.execPath, [...TS_NODE_ARGS, join(root, 'examples', file)], { cwd, timeout: 120_000 });
      assert.ok(existsSync(join(cwd, 'harvestry-demo')), `${file} wrote nothing under harvestry-demo/`);
    }
  });
});
