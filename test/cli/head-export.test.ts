import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { exportLong, head, label, readDataset, readSamples, Sampler, writeDataset } from '../../src/index.js';
import { runCli } from '../../src/cli/main.js';
import { assertHarvestryError, duckdb, tempDir } from '../_support/helpers.js';

async function cli(args: string[]): Promise<{ code: number; out: string; err: string }> {
  const out: string[] = [];
  const err: string[] = [];
  const code = await runCli(args, { out: (t) => out.push(t), err: (t) => err.push(t) });
  return { code, out: out.join('\n'), err: err.join('\n') };
}

export const traces = label(
  { varNames: ['trace', 'peak', 'tag'], varDims: { trace: ['t'] }, constants: { t: [0, 0.5, 1, 1.5, 2] } },
  ({ omega, gamma, t }: { omega: number; gamma: number; t: number[] }) => {
    assert.ok(omega >= 1 && omega < 10, `omega ${omega}`);
    assert.ok(gamma >= 0 && gamma < 1, `gamma ${gamma}`);
    const trace = t.map((x) => omega * x + gamma);
    return [trace, Math.max(...trace), `w${omega}`] as const;
  },
);

describe('harvestry head', () => {
  const dir = tempDir();

  it('prints the first rows aligned, numbers right, list cells abbreviated with their shape', async () => {
    const ds = await traces.runCombos({ omega: [1, 2, 3], gamma: [0.1, 0.30000000000000004] });
    const path = join(dir, 'traces.parquet');
    await writeDataset(ds, path);
    const { code, out } = await cli(['head', path, '-n', '3']);
    assert.equal(code, 0);
    const lines = out.split('\n');
    assert.equal(lines[0], 'Dataset: first 3 of 6 rows');
    assert.equal(lines[1], 'omega  gamma  trace                 peak  tag');
    assert.equal(lines[2], '─────  ─────  ────────────────────  ────  ───');
    assert.equal(lines[3], '    1    0.1  [0.1, 0.6 … 2.1] (5)   2.1  w1');
    assert.equal(lines[4], '    1    0.3  [0.3, 0.8 … 2.3] (5)   2.3  w1');
    assert.equal(lines[5], '    2    0.1  [0.1, 1.1 … 4.1] (5)   4.1  w2');
    assert.equal(lines.length, 6);
    assert.equal(ds.head(3), out);
    assert.equal(ds.head(100).split('\n')[0], 'Dataset: 6 rows');
  });

  it('shows a sample table, from a file (Parquet and CSV) and from code', async () => {
    const r = label({ varNames: 'y' }, ({ x }: { x: number }) => x * 2);
    for (const name of ['s.parquet', 's.csv']) {
      const path = join(dir, name);
      await new Sampler(r, path).sampleCombos(4, { combos: { x: [1, 2, 3] }, seed: 7 });
      const { code, out } = await cli(['head', path, '-n', '2']);
      assert.equal(code, 0, out);
      const lines = out.split('\n');
      assert.equal(lines[0], 'Sample table: first 2 of 4 rows');
      assert.match(lines[1]!, /^x {2}y {2}_seed {2}_sample$/);
      const table = await readSamples(path);
      const x0 = table.getChild('x')!.get(0) as number;
      assert.equal(lines[3], `${x0}  ${String(x0 * 2).padStart(1)}      7        0`);
      assert.equal(head(table, 2), out);
    }
  });

  it('refuses a bad row count and a missing file', async () => {
    const bad = await cli(['head', join(dir, 'traces.parquet'), '-n', 'ten']);
    assert.equal(bad.code, 2);
    assert.match(bad.err, /expected -n to be a whole number from 0 up, got "ten"/);
    const missing = await cli(['head', join(dir, 'nope.parquet')]);
    assert.equal(missing.code, 1);
    assert.match(missing.err, /There is no dataset at .*nope\.parquet.*\[E_NOT_FOUND\]/);
    const ds = await readDataset(join(dir, 'traces.parquet'));
    await assertHarvestryError(() => ds.head(1.5), 'E_BAD_OPTION', /whole number from 0 up, got 1\.5/);
  });
});

describe('harvestry export --long', () => {
  const dir = tempDir();

  it('writes every dim and internal dim as a column; DuckDB reads it with no metadata step', async () => {
    const src = join(dir, 'traces.parquet');
    await writeDataset(await traces.runCombos({ omega: [1, 2], gamma: [0.1, 0.5] }), src);
    const out = join(dir, 'long.parquet');
    const { code, out: text } = await cli(['export', src, '--long', out]);
    assert.equal(code, 0, text);
    assert.equal(text, `wrote ${out}: 20 rows, columns omega, gamma, t, trace, peak, tag`);
    const types = await duckdb(`DESCRIBE SELECT * FROM '${out}'`);
    assert.deepEqual(types.map((t) => [t.column_name, t.column_type]), [
      ['omega', 'DOUBLE'],
      ['gamma', 'DOUBLE'],
      ['t', 'DOUBLE'],
      ['trace', 'DOUBLE'],
      ['peak', 'DOUBLE'],
      ['tag', 'VARCHAR'],
    ]);
    const rows = await duckdb(`SELECT t, trace, peak, tag FROM '${out}' WHERE omega = 2 AND gamma = 0.5 ORDER BY t`);
    assert.deepEqual(rows, [0, 0.5, 1, 1.5, 2].map((t) => ({ t, trace: 2 * t + 0.5, peak: 4.5, tag: 'w2' })));
    const count = await duckdb(`SELECT count(*)::INTEGER AS n, count(DISTINCT [omega, gamma, t])::INTEGER AS keys FROM '${out}'`);
    assert.deepEqual(count, [{ n: 20, keys: 20 }]);
    // the same file from code, and harvestry reads it back as a dataset with t a dim
    const out2 = join(dir, 'long2.parquet');
    const report = await exportLong(src, out2, { vars: ['trace'] });
    assert.deepEqual(report, { path: out2, rows: 20, columns: ['omega', 'gamma', 't', 'trace'] });
    const back = await readDataset(out2);
    assert.deepEqual(back.dims, ['omega', 'gamma', 't']);
    assert.equal(back.get('trace').at({ omega: 1, gamma: 0.1, t: 1.5 }), 1.6);
  });

  it('the DuckDB recipe in docs/format.md gives the same rows from the original file', async () => {
    const src = join(dir, 'traces.parquet');
    const doc = readFileSync(new URL('../../docs/format.md', import.meta.url), 'utf8');
    const recipe = [...doc.matchAll(/^```sql\n([\s\S]*?)^```$/gm)].map((m) => m[1]!).find((q) => q.includes('varCoords'));
    assert.ok(recipe !== undefined, 'docs/format.md has the recipe');
    const fromOriginal = await duckdb(recipe.replaceAll('harvestry-demo/traces.parquet', src).replace(/;\s*$/, ''));
    const fromExport = await duckdb(`SELECT omega, gamma, t, trace, peak FROM '${join(dir, 'long.parquet')}' ORDER BY omega, gamma, t`);
    assert.equal(fromOriginal.length, 20);
    assert.deepEqual(fromOriginal, fromExport);
  });

  it('refuses to write over the dataset itself, and variables over different internal dims', async () => {
    const src = join(dir, 'traces.parquet');
    const before = readFileSync(src);
    await assertHarvestryError(() => exportLong(src, src), 'E_BAD_OPTION', /writes a new file, but the output .*traces\.parquet is the dataset itself/);
    assert.deepEqual(readFileSync(src), before);
    const two = label({ varNames: ['a', 'b'], varDims: { a: ['i'], b: ['j'] } }, ({ x }: { x: number }) => [[x, x], [x]] as const);
    const src2 = join(dir, 'two.parquet');
    await writeDataset(await two.runCombos({ x: [1, 2] }), src2);
    const r = await cli(['export', src2, '--long', join(dir, 'two-long.parquet')]);
    assert.equal(r.code, 1);
    assert.match(r.err, /must share them: `a` has `i` but `b` has `j`.*\[E_BAD_OPTION\]/);
    assert.equal(existsSync(join(dir, 'two-long.parquet')), false);
    const ok = await cli(['export', src2, '--long', join(dir, 'two-long.parquet'), '--vars', 'b']);
    assert.equal(ok.code, 0, ok.err);
    assert.deepEqual(await duckdb(`SELECT x, j::INTEGER AS j, b FROM '${join(dir, 'two-long.parquet')}' ORDER BY x`), [
      { x: 1, j: 0, b: 1 },
      { x: 2, j: 0, b: 2 },
    ]);
    assert.equal((await cli(['export', src2])).code, 2);
  });
});
