import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { promisify } from 'node:util';
import { label, readDataset, Sampler, writeDataset } from '../../src/index.js';
import { renderCommandHelp, renderHelp } from '../../src/cli/help.js';
import { runCli } from '../../src/cli/main.js';
import { assertSnapshot } from '../_support/snapshot.js';
import { tempDir } from '../_support/helpers.js';

const root = new URL('../../', import.meta.url).pathname;
const run = promisify(execFile);

async function cli(args: string[]): Promise<{ code: number; out: string; err: string }> {
  const out: string[] = [];
  const err: string[] = [];
  const code = await runCli(args, { out: (t) => out.push(t), err: (t) => err.push(t) });
  return { code, out: out.join('\n'), err: err.join('\n') };
}

describe('harvestry CLI', () => {
  const dir = tempDir();

  it('renders its help text', () => {
    assertSnapshot('cli-help', renderHelp());
    assertSnapshot('cli-help-info', renderCommandHelp('info'));
    assertSnapshot('cli-help-demo', renderCommandHelp('demo'));
  });

  it('info shows a dataset', async () => {
    const r = label({ varNames: 'p', attrs: { run: 7 } }, ({ a, b }: { a: number; b: string }) => a * b.length);
    const path = join(dir, 'x.parquet');
    await writeDataset(await r.runCombos({ a: [1, 2], b: ['x', 'yy'] }), path);
    const { code, out } = await cli(['info', path]);
    assert.equal(code, 0);
    assert.match(out, /Dataset: 4 rows/);
    assert.match(out, /^ {4}a {5}float64 {2}2: 1, 2$/m);
    assert.match(out, /^ {4}b {5}utf8 {5}2: "x", "yy"$/m);
    assert.match(out, /attrs: run=7/);
  });

  it('info describes a sample table (Parquet and CSV) instead of refusing it', async () => {
    const r = label({ varNames: 'p', attrs: { run: 7 } }, ({ x, k }: { x: number; k: string }) => x * k.length);
    for (const name of ['s.parquet', 's.csv']) {
      const path = join(dir, name);
      const s = new Sampler(r, path, { defaultCombos: { x: (rng: () => number) => 2 + rng(), k: ['a', 'bb'] } });
      await s.sampleCombos(20, { seed: 3 });
      const { code, out, err } = await cli(['info', path]);
      assert.equal(code, 0, err);
      assert.match(out, /^Sample table: 20 rows \(random samples, one per row, not keyed by case\)$/m);
      assert.match(out, /^ {2}params:\n {4}x +float64 +from 2\.\d+ to 2\.\d+\n {4}k +utf8 +values: "(a|bb)", "(a|bb)"$/m);
      assert.match(out, /^ {2}vars:\n {4}p +float64$/m);
      assert.match(out, /^ {4}_seed /m);
      assert.match(out, /attrs: run=7/);
      assert.match(out, /function version \(last rows\): [0-9a-f]{12}$/m);
    }
  });

  it('exits 1 with the message and code on an error, 2 on bad usage', async () => {
    const missing = await cli(['info', join(dir, 'nope.parquet')]);
    assert.equal(missing.code, 1);
    assert.match(missing.err, /There is no dataset at .*nope\.parquet.*\[E_NOT_FOUND\]/);
    assert.equal((await cli(['info'])).code, 2);
    const unknown = await cli(['bogus']);
    assert.equal(unknown.code, 2);
    assert.match(unknown.err, /unknown command "bogus"/);
    assert.equal((await cli([])).code, 2);
    assert.equal((await cli(['--version'])).out, '0.2.0');
  });

  it('runs as the `harvestry` bin: demo writes and shows a dataset', async () => {
    const cwd = tempDir();
    const { stdout } = await run(process.execPath, [join(root, 'bin/harvestry.js'), 'demo', '--dir', 'out'], { cwd });
    assert.match(stdout, /Dataset: 12 rows/);
    assert.match(stdout, /wrote out\/demo\.parquet/);
    const ds = await readDataset(join(cwd, 'out/demo.parquet'));
    assert.ok(Math.abs((ds.get('range').at({ speed: 20, angle: 45 }) as number) - 400 / 9.81) < 1e-9);
  });
});
