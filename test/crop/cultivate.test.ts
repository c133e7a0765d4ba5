/**
 * `cultivate()`: sow, grow and reap in one call; an interrupted run's crop is resumed (what it
 * finished is merged, only the rest runs), deleted, skipped or refused; failures keep the crop.
 */
import assert from 'node:assert/strict';
import { rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { cultivate, Harvester } from '../../src/index.js';
import { assertHarvestryError, duckdb, tempDir } from '../_support/helpers.js';
import { calls, counted, gated } from './fixtures/crop-fns.js';

const combos = { a: [1, 2, 3], b: [10, 20] };

describe('cultivate', () => {
  const dir = tempDir('harvestry-cultivate-');

  it('sows, grows and reaps into the dataset, and then has nothing left to do', async () => {
    const path = join(dir, 'fresh.parquet');
    calls.n = 0;
    const ds = await cultivate(counted, { path, combos, numBatches: 3 });
    assert.equal(ds?.numRows, 6);
    assert.equal(calls.n, 6);
    // (with timeoutMs no case runs in this thread, not even while a cold pool starts: it could not be ended here)
    const again = await cultivate(counted, { path, combos: { a: [1, 2, 3, 4], b: [10, 20] }, numBatches: 3, executor: 'pool', numWorkers: 2, timeoutMs: 120_000 });
    assert.equal(again?.numRows, 8);
    assert.equal(calls.n, 6, 'the two new cases ran on the pool, none in this thread');
    assert.deepEqual(await duckdb(`SELECT count(*)::INT AS n FROM '${path}'`), [{ n: 8 }]);
  });

  it("resumes an interrupted run's crop: merges what it finished and runs only the rest", async () => {
    const h = new Harvester(counted, join(dir, 'resume.parquet'));
    const left = h.crop({ numBatches: 3 });
    await left.sowCombos(combos);
    await left.grow({ batches: [1] }); // then the run was interrupted
    calls.n = 0;
    const ds = await cultivate(h, { combos, numBatches: 3 });
    assert.equal(calls.n, 4, 'batch 1 (2 cases) was reaped, not run again');
    assert.equal(ds?.numRows, 6);
    assert.equal(left.isSown, false);
  });

  it('deletes, skips or refuses a crop left on disk, as onExisting says', async () => {
    const h = new Harvester(counted, join(dir, 'existing.parquet'));
    const left = h.crop();
    await left.sowCombos(combos, { numBatches: 2 });
    await left.grow({ batches: [1] });
    await assertHarvestryError(() => cultivate(h, { combos, onExisting: 'raise' }), 'E_CROP_EXISTS', /cultivate\(\): a crop 'existing' is left at .*existing\.crop \(an interrupted run\?\)\. Pass onExisting: 'reap'/);
    assert.equal(await cultivate(h, { combos, onExisting: 'skip' }), null, 'nothing ran, the dataset is still empty');
    assert.equal(left.isSown, true);
    calls.n = 0;
    await cultivate(h, { combos, onExisting: 'delete' });
    assert.equal(calls.n, 6, 'everything ran again');
    await assertHarvestryError(() => cultivate(h, { combos, onExisting: 'later' as never }), 'E_BAD_OPTION', /Expected `onExisting` in cultivate\(\) to be 'reap', 'delete', 'skip' or 'raise', got "later"\./);
  });

  it('keeps the crop when a batch fails (onError: raise), and resumes once it is fixed', async () => {
    const gate = join(dir, 'gate');
    writeFileSync(`${gate}.throw-2-10`, '');
    const h = new Harvester(gated, join(dir, 'failing.parquet'));
    const err = await assertHarvestryError(() => cultivate(h, { combos, constants: { gate }, numBatches: 3 }), 'E_BATCH_FAILED', /1 batch of crop 'failing' failed \(batch 2: \{a: 2, b: 10\}: the gate refuses a=2, b=10\)\. The crop is kept at .*failing\.crop: fix the cause and cultivate again/);
    assert.deepEqual(err.details.failed, [{ batch: 2, message: '{a: 2, b: 10}: the gate refuses a=2, b=10' }]);
    assert.equal(h.crop().isSown, true);
    rmSync(`${gate}.throw-2-10`);
    const ds = await cultivate(h, { combos, constants: { gate }, numBatches: 3 });
    assert.equal(ds?.numRows, 6);
    assert.equal(h.crop().isSown, false);
  });

  it("merges what finished and removes the crop under onError: 'reap'", async () => {
    const gate = join(dir, 'gate-reap');
    writeFileSync(`${gate}.throw-3-20`, '');
    const h = new Harvester(gated, join(dir, 'reap-on-error.parquet'));
    const warnings: string[] = [];
    const onWarning = (w: Error): void => void warnings.push(w.message);
    process.on('warning', onWarning);
    const ds = await cultivate(h, { combos, constants: { gate }, numBatches: 3, onError: 'reap' });
    await new Promise((r) => setImmediate(r));
    process.off('warning', onWarning);
    assert.equal(ds?.numRows, 4);
    assert.ok(
      warnings.includes("cultivate(): 1 batch of crop 'reap-on-error' failed (batch 3: {a: 3, b: 20}: the gate refuses a=3, b=20); onError: 'reap': the finished batches were merged and the crop removed."),
      warnings.join('\n'),
    );
    assert.equal(h.crop().isSown, false);
    await assertHarvestryError(() => cultivate(gated, { combos }), 'E_BAD_OPTION', /cultivate\(\) of a Runner needs `path`/);
  });
});
