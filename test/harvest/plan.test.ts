/**
 * `plan()` on a Harvester: a dry run that counts the cases a harvest would run and those the
 * file already holds (present, stale, recorded failures, missing), and writes nothing.
 */
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { Harvester, label, zip } from '../../src/index.js';
import { flaky, product } from '../fixtures/labelled.js';
import { assertHarvestryError, range, tempDir } from '../_support/helpers.js';

describe('Harvester.plan', () => {
  const dir = tempDir();

  it('counts every case as missing before the file exists, and creates nothing', async () => {
    const path = join(dir, 'none.parquet');
    const plan = await new Harvester(product, path).plan({ a: [1, 2, 3], b: [10, 20] }, { missingOnly: true });
    assert.deepEqual(plan, { path, exists: false, fileRows: 0, cases: 6, run: 6, skipped: 0, present: 0, stale: 0, failed: 0, missing: 6 });
    assert.ok(!existsSync(path));
    assert.ok(!existsSync(`${path}.lock`));
  });

  it('says what a missing-only harvest would run, and the harvest runs exactly that', async () => {
    const path = join(dir, 'some.parquet');
    const h = new Harvester(product, path);
    await h.harvestCombos({ a: [1, 2], b: [10, 20] });
    const before = readFileSync(path);
    const plan = await h.plan({ a: [1, 2, 3], b: [10, 20, 30] }, { missingOnly: true });
    assert.deepEqual(plan, { path, exists: true, fileRows: 4, cases: 9, run: 5, skipped: 4, present: 4, stale: 0, failed: 0, missing: 5 });
    assert.deepEqual(readFileSync(path), before);
    const all = await h.plan({ a: [1, 2, 3], b: [10, 20, 30] });
    assert.equal(all.run, 9, 'without missingOnly every case runs');
    await h.harvestCombos({ a: [1, 2, 3], b: [10, 20, 30] }, { missingOnly: true });
    assert.equal(h.lastReport?.cases, plan.run);
    assert.deepEqual(await h.plan({ a: [1, 2, 3], b: [10, 20, 30] }, { missingOnly: true }), { ...plan, fileRows: 9, run: 0, skipped: 9, present: 9, missing: 0 });
  });

  it("counts recorded failures as failed (a missing-only harvest retries them) and takes '...' and spaces", async () => {
    const path = join(dir, 'flaky.parquet');
    const h = new Harvester(flaky, path);
    await h.harvestCombos({ x: range(6) }, { onError: 'record', constants: { bad: [1, 4] } });
    const plan = await h.plan({ x: '...' }, { missingOnly: true, constants: { bad: [] } });
    assert.deepEqual([plan.cases, plan.run, plan.present, plan.failed, plan.missing], [6, 2, 4, 2, 0]);
    const zipped = await h.planCases(zip({ x: [4, 5, 6, 7] }), { missingOnly: true, constants: { bad: [] } });
    assert.deepEqual([zipped.cases, zipped.run, zipped.present, zipped.failed, zipped.missing], [4, 3, 1, 1, 2]);
  });

  it("counts results of another version of the function as stale; rerun: 'stale' would run them", async () => {
    const path = join(dir, 'stale.parquet');
    const v1 = label({ varNames: 'y' }, ({ x }: { x: number }) => x + 1);
    const v2 = label({ varNames: 'y' }, ({ x }: { x: number }) => x + 2);
    await new Harvester(v1, path).harvestCombos({ x: range(5) });
    const warnings: string[] = [];
    const onWarning = (w: Error): void => {
      warnings.push(w.message);
    };
    process.on('warning', onWarning);
    try {
      const h = new Harvester(v2, path);
      const keep = await h.plan({ x: range(8) }, { missingOnly: true });
      assert.deepEqual([keep.run, keep.present, keep.stale, keep.missing], [3, 0, 5, 3]);
      const rerun = await h.plan({ x: range(8) }, { missingOnly: true, rerun: 'stale' });
      assert.deepEqual([rerun.run, rerun.stale], [8, 5]);
      await new Promise((r) => setImmediate(r));
    } finally {
      process.off('warning', onWarning);
    }
    assert.deepEqual(warnings, [], 'a plan does not warn');
  });

  it('refuses a harvest that does not fit the file, as the harvest would, and leaves the folder as it was', async () => {
    const path = join(dir, 'schema.parquet');
    await new Harvester(product, path).harvestCombos({ a: [1], b: [10] });
    const files = readdirSync(dir).sort();
    const other = label({ varNames: 'q' }, ({ a, b }: { a: number; b: number }) => a - b);
    await assertHarvestryError(() => new Harvester(other, path).plan({ a: [1], b: [10] }), 'E_SCHEMA_MISMATCH');
    await assertHarvestryError(() => new Harvester(product, path).plan({ a: [1], b: [10] }, { missingOnly: 'yes' as never }), 'E_BAD_OPTION', /^Expected `missingOnly` in plan\(\) to be true or false/);
    assert.deepEqual(readdirSync(dir).sort(), files);
  });
});
