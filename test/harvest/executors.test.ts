/**
 * A harvest behaves the same on every executor: the pool and subprocesses hand chunks back in
 * any order, and the Harvester commits them as they come.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { closePools, Harvester, type CommitInfo, type RunOptions } from '../../src/index.js';
import { flaky, product } from '../fixtures/labelled.js';
import { assertHarvestryError, duckdb, range, tempDir } from '../_support/helpers.js';
import { scaled } from './fixtures/scaled.js';

const EXECUTORS: Readonly<Record<string, RunOptions>> = {
  inline: { executor: 'inline' },
  pool: { executor: 'pool', numWorkers: 2 },
  subprocess: { executor: 'subprocess', numWorkers: 2 },
};

after(() => closePools());

describe('harvests on every executor', () => {
  const dir = tempDir();

  for (const [name, o] of Object.entries(EXECUTORS)) {
    it(`${name}: commits as it goes, then a missing-only harvest runs exactly the rest`, async () => {
      const path = join(dir, `${name}.parquet`);
      const h = new Harvester(product, path);
      const commits: CommitInfo[] = [];
      await h.harvestCombos({ a: range(6), b: range(10, 10) }, { ...o, shuffle: 5, commitEvery: { rows: 7, ms: 0 }, onCommit: (c) => commits.push(c) });
      assert.ok(commits.length >= 2, `${commits.length} commits`);
      assert.equal(commits.reduce((s, c) => s + c.rows, 0), 60);
      const ran = await h.harvestCombos({ a: range(9), b: range(10, 10) }, { ...o, missingOnly: true });
      assert.equal(ran.numRows, 30);
      assert.deepEqual(new Set(ran.toRecords().map((r) => r.a)), new Set([6, 7, 8]));
      const rows = await duckdb(`SELECT count(*)::INTEGER AS n, count(DISTINCT (a, b))::INTEGER AS keys, sum(CASE WHEN p = a * b THEN 1 ELSE 0 END)::INTEGER AS right FROM '${path}'`);
      assert.deepEqual(rows, [{ n: 90, keys: 90, right: 90 }]);
    });

    it(`${name}: refuses a disagreeing harvest under overwrite: null, naming the keys and writing nothing`, async () => {
      const path = join(dir, `${name}-conflict.parquet`);
      await new Harvester(scaled, path).harvestCombos({ x: range(20) }, { ...o, constants: { k: 1 } });
      const bytes = readFileSync(path);
      const err = await assertHarvestryError(
        () => new Harvester(scaled, path).harvestCombos({ x: range(30) }, { ...o, constants: { k: 2 }, commitEvery: { rows: 3, ms: 0 } }),
        'E_MERGE_CONFLICT',
        /^19 cases already in .* got different results in this run: \{x: 1\}, \{x: 2\}, \{x: 3\}, \{x: 4\}, \{x: 5\} … and 14 more/,
      );
      assert.equal(err.details.count, 19);
      assert.deepEqual(readFileSync(path), bytes);
    });

    it(`${name}: records failures as rows that a missing-only re-run retries`, async () => {
      const path = join(dir, `${name}-flaky.parquet`);
      const h = new Harvester(flaky, path);
      await h.harvestCombos({ x: range(8) }, { ...o, onError: 'record', constants: { bad: [2, 5] } });
      assert.deepEqual(await duckdb(`SELECT x FROM '${path}' WHERE _error IS NOT NULL ORDER BY x`), [{ x: 2 }, { x: 5 }]);
      await h.harvestCombos({ x: range(8) }, { ...o, onError: 'record', missingOnly: true, constants: { bad: [] } });
      assert.equal(h.lastReport?.cases, 2);
      assert.deepEqual(await duckdb(`SELECT count(*)::INTEGER AS n, count(_error)::INTEGER AS failed FROM '${path}'`), [{ n: 8, failed: 0 }]);
    });
  }
});
