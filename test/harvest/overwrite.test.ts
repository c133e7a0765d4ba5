import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { Harvester, HarvestryError, label, type CommitInfo } from '../../src/index.js';
import { assertHarvestryError, checkedProduct, duckdb, range, tempDir } from '../_support/helpers.js';

/** checkedProduct plus `version`, so two versions of the "same" function disagree. */
function versioned(version: number, fail: readonly string[] = []) {
  return label({ varNames: 'p', attrs: { version } }, ({ a, b }: { a: number; b: number }) => {
    if (fail.includes(`${a},${b}`)) throw new Error(`case ${a},${b} fails`);
    return checkedProduct({ a, b }) + version;
  });
}

async function table(path: string): Promise<[number, number, number][]> {
  return (await duckdb(`SELECT a, b, p FROM '${path}' ORDER BY a, b`)).map((r) => [r.a as number, r.b as number, r.p as number]);
}

describe('Harvester: overwrite policy', () => {
  const dir = tempDir();

  it('null (the default) refuses different results, naming the keys, and writes nothing', async () => {
    const path = join(dir, 'null.parquet');
    await new Harvester(versioned(0), path).harvestCombos({ a: range(4), b: [10, 20] });
    const bytes = readFileSync(path);
    const h = new Harvester(versioned(1), path);
    const err = await assertHarvestryError(
      () => h.harvestCombos({ a: [2, 3, 4], b: [10, 20] }),
      'E_MERGE_CONFLICT',
      /^4 cases already in .*null\.parquet got different results in this run: \{a: 2, b: 10\}, \{a: 2, b: 20\}, \{a: 3, b: 10\}, \{a: 3, b: 20\} \(the first differs in `p`\)\. Nothing was written\. Pass overwrite: true/,
    );
    assert.equal(err.details.count, 4);
    assert.deepEqual(err.details.keys, [
      { a: 2, b: 10 },
      { a: 2, b: 20 },
      { a: 3, b: 10 },
      { a: 3, b: 20 },
    ]);
    assert.deepEqual(readFileSync(path), bytes, 'the file is unchanged, new keys (a = 4) included');
  });

  it('null names a few keys and how many more', async () => {
    const path = join(dir, 'many.parquet');
    await new Harvester(versioned(0), path).harvestCombos({ a: range(10), b: [10, 20] });
    await assertHarvestryError(() => new Harvester(versioned(1), path).harvestCombos({ a: range(10), b: [10, 20] }), 'E_MERGE_CONFLICT', /^20 cases .*\{a: 2, b: 10\} … and 15 more/);
  });

  it('null checks every case already in the file before committing anything, even with frequent commits', async () => {
    const path = join(dir, 'held.parquet');
    await new Harvester(versioned(0), path).harvestCombos({ a: [5], b: range(5, 10) });
    const bytes = readFileSync(path);
    const commits: CommitInfo[] = [];
    // new keys (a = 0..4) would be committed every row, but the conflicting a = 5 runs first
    await assertHarvestryError(
      () => new Harvester(versioned(1), path).harvestCombos({ a: range(6), b: range(5, 10) }, { commitEvery: { ms: 0, rows: 1 }, onCommit: (c) => commits.push(c) }),
      'E_MERGE_CONFLICT',
      /^5 cases already in/,
    );
    assert.deepEqual(commits, []);
    assert.deepEqual(readFileSync(path), bytes);
  });

  it('null merges equal results silently and writes nothing for them', async () => {
    const path = join(dir, 'equal.parquet');
    const h = new Harvester(versioned(0), path);
    await h.harvestCombos({ a: range(3), b: [10] });
    const bytes = readFileSync(path);
    const commits: CommitInfo[] = [];
    await h.harvestCombos({ a: range(3), b: [10] }, { onCommit: (c) => commits.push(c) });
    assert.deepEqual(commits.map((c) => c.mode), ['none']);
    assert.deepEqual(readFileSync(path), bytes);
    await h.harvestCombos({ a: range(4), b: [10] }, { onCommit: (c) => commits.push(c) });
    assert.deepEqual(commits.map((c) => [c.mode, c.rows]), [['none', 0], ['append', 1]]);
    assert.deepEqual(await table(path), range(4).map((a) => [a, 10, a * 10]));
  });

  it('true replaces the old rows with the new ones and keeps the rest', async () => {
    const path = join(dir, 'true.parquet');
    await new Harvester(versioned(0), path).harvestCombos({ a: range(3), b: [10, 20] });
    const h = new Harvester(versioned(1), path);
    await h.harvestCombos({ a: [1, 2, 3], b: [20] }, { overwrite: true });
    assert.deepEqual(await table(path), [
      [0, 10, 0],
      [0, 20, 0],
      [1, 10, 10],
      [1, 20, 21],
      [2, 10, 20],
      [2, 20, 41],
      [3, 20, 61],
    ]);
    assert.deepEqual(h.fullDs!.attrs, { version: 1 }, 'the new attrs win');
  });

  it('false keeps the old rows, drops the new ones for those keys, and adds new keys', async () => {
    const path = join(dir, 'false.parquet');
    await new Harvester(versioned(0), path).harvestCombos({ a: range(3), b: [10, 20] });
    const h = new Harvester(versioned(1), path);
    const commits: CommitInfo[] = [];
    await h.harvestCombos({ a: [1, 2, 3], b: [20] }, { overwrite: false, onCommit: (c) => commits.push(c) });
    assert.deepEqual(commits.map((c) => [c.mode, c.rows]), [['append', 1]]);
    assert.deepEqual(await table(path), [
      [0, 10, 0],
      [0, 20, 0],
      [1, 10, 10],
      [1, 20, 20],
      [2, 10, 20],
      [2, 20, 40],
      [3, 20, 61],
    ]);
    assert.deepEqual(h.fullDs!.attrs, { version: 0 }, 'the old attrs stay');
  });

  it('a recorded failure never replaces a result, and any result replaces a failure, in every mode', async () => {
    for (const overwrite of [null, true, false]) {
      const path = join(dir, `failures-${String(overwrite)}.parquet`);
      await new Harvester(versioned(0, ['1,10']), path).harvestCombos({ a: [1, 2], b: [10] }, { onError: 'record' });
      await new Harvester(versioned(0, ['2,10']), path).harvestCombos({ a: [1, 2], b: [10] }, { onError: 'record', overwrite });
      const rows = await duckdb(`SELECT a, p, _error FROM '${path}' ORDER BY a`);
      assert.deepEqual(rows, [
        { a: 1, p: 10, _error: null },
        { a: 2, p: 20, _error: null },
      ], `overwrite: ${String(overwrite)}`);
    }
  });

  it('stops the harvest at the conflicting commit; the error is a HarvestryError with the keys in details', async () => {
    const path = join(dir, 'details.parquet');
    await new Harvester(versioned(0), path).harvestCombos({ a: [1], b: [10] });
    try {
      await new Harvester(versioned(2), path).harvestCombos({ a: [1], b: [10] });
      assert.fail('expected a conflict');
    } catch (err) {
      assert.ok(err instanceof HarvestryError);
      assert.deepEqual(err.details.keys, [{ a: 1, b: 10 }]);
      assert.equal(err.details.variable, 'p');
    }
  });
});
