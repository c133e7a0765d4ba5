/**
 * Crops grown in this process: sow, grow, status, reap into the Harvester's file; the dataset
 * is the one a harvest of the same space writes; dims keep their order; shuffling never moves
 * a result; missing-only sowing; failures, partial reaps, conflicts, and the errors.
 */
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { Crop, Harvester } from '../../src/index.js';
import { readSownPlan } from '../../src/crop/files.js';
import { cropPaths } from '../../src/crop/manifest.js';
import { assertHarvestryError, duckdb, tempDir } from '../_support/helpers.js';
import { calls, counted, gated, mixed, pause, paused, product, productV2, scaled } from './fixtures/crop-fns.js';

const rows = (path: string, cols = 'b, a, p'): Promise<Record<string, unknown>[]> => duckdb(`SELECT ${cols} FROM '${path}' ORDER BY ALL`);

describe('a crop grown in this process', () => {
  const dir = tempDir('harvestry-crop-');

  it('reaps into the dataset a harvest of the same space writes, dims in the order given', async () => {
    const combos = { b: [10, 20, 30, 40], a: [1, 2, 3] };
    const h = new Harvester(product, join(dir, 'sweep.parquet'));
    const crop = h.crop({ numBatches: 5 });
    assert.equal(crop.dir, join(dir, 'sweep.crop'));
    const sown = await crop.sowCombos(combos);
    assert.deepEqual({ cases: sown.cases, skipped: sown.skipped, batches: sown.batches }, { cases: 12, skipped: 0, batches: 5 });
    let status = await crop.status();
    assert.deepEqual(status.sown, [1, 2, 3, 4, 5]);
    assert.deepEqual(status.batches.map((b) => b.cases), [3, 3, 2, 2, 2]);
    const grown = await crop.grow();
    assert.deepEqual([...grown.grown], [1, 2, 3, 4, 5]);
    status = await crop.status();
    assert.equal(status.complete, true);
    assert.deepEqual(status.done, [1, 2, 3, 4, 5]);
    const reaped = await crop.reap();
    assert.equal(reaped.rows, 12);
    assert.equal(reaped.cleaned, true);
    assert.equal(existsSync(crop.dir), false);
    assert.deepEqual(reaped.ds.dims, ['b', 'a']);

    const ref = new Harvester(product, join(dir, 'ref.parquet'));
    await ref.harvestCombos(combos);
    assert.deepEqual(await rows(h.path), await rows(ref.path));
    const described = await duckdb(`DESCRIBE SELECT * FROM '${h.path}'`);
    assert.deepEqual(described.map((r) => r.column_name), ['b', 'a', 'p', '_fingerprint']);
    assert.deepEqual(h.fullDs?.dims, ['b', 'a']);
  });

  it('keeps every kind of output: several variables, strings, arrays over an internal dim', async () => {
    const h = new Harvester(mixed, join(dir, 'mixed.parquet'));
    const crop = h.crop({ batchSize: 2 });
    await crop.sowCombos({ a: [1, 2, 3], b: [10, 20] }, { shuffle: 7 });
    await crop.grow();
    const { ds } = await crop.reap();
    const ref = await mixed.runCombos({ a: [1, 2, 3], b: [10, 20] });
    assert.deepEqual(ds.toRecords(), ref.toRecords());
    assert.deepEqual(h.fullDs?.meta.varCoords, ref.meta.varCoords);
  });

  it('never moves a result by shuffling, explicit cases included (xyzpy put them at the wrong coordinates)', async () => {
    const h = new Harvester(product, join(dir, 'cases.parquet'));
    const crop = h.crop({ numBatches: 2, shuffle: true });
    const cases = [1, 2, 3, 4, 5].map((a) => ({ a, b: 10 * (a + 1) }));
    await crop.sowCases(cases);
    const order = readSownPlan(cropPaths(crop.dir)).order;
    assert.notDeepEqual([...order], [0, 1, 2, 3, 4], 'the cases were sown shuffled');
    await crop.grow();
    const { ds } = await crop.reap();
    assert.deepEqual(ds.toRecords(), cases.map((c) => ({ ...c, p: c.a * c.b })));
  });

  it('sows only what the dataset lacks with missingOnly, and nothing (no folder) when nothing is missing', async () => {
    const h = new Harvester(counted, join(dir, 'missing.parquet'));
    await h.harvestCombos({ a: [1, 2], b: [10, 20, 30] });
    calls.n = 0;
    const crop = h.crop({ numBatches: 2 });
    const plan = await crop.plan({ a: [1, 2, 3, 4], b: [10, 20, 30] }, { missingOnly: true });
    assert.deepEqual({ cases: plan.cases, skipped: plan.skipped, batches: plan.batches }, { cases: 6, skipped: 6, batches: 2 });
    assert.equal(existsSync(crop.dir), false, 'plan() writes nothing');
    const sown = await crop.sowCombos({ a: [1, 2, 3, 4], b: [10, 20, 30] }, { missingOnly: true });
    assert.deepEqual({ cases: sown.cases, skipped: sown.skipped }, { cases: 6, skipped: 6 });
    await crop.grow();
    assert.equal(calls.n, 6);
    await crop.reap();
    assert.equal(h.fullDs?.numRows, 12);
    const again = await crop.sowCombos({ a: [1, 2, 3, 4], b: '...' }, { missingOnly: true });
    assert.deepEqual({ cases: again.cases, batches: again.batches, skipped: again.skipped }, { cases: 0, batches: 0, skipped: 12 });
    assert.equal(crop.isSown, false);
  });

  it('fails only the batch of a failing case, says why, and grows it again once fixed', async (t) => {
    const gate = join(dir, 'gate1');
    writeFileSync(`${gate}.throw-2-20`, '');
    const h = new Harvester(gated, join(dir, 'failing.parquet'));
    const crop = h.crop({ numBatches: 3 });
    await crop.sowCombos({ a: [1, 2, 3], b: [10, 20] }, { constants: { gate } });
    const warnings: string[] = [];
    const onWarning = (w: Error): void => void warnings.push(w.message);
    process.on('warning', onWarning);
    t.after(() => process.off('warning', onWarning));
    const grown = await crop.grow();
    await new Promise((r) => setImmediate(r));
    assert.deepEqual([...grown.grown], [1, 3]);
    assert.deepEqual(grown.failed, [{ batch: 2, message: '{a: 2, b: 20}: the gate refuses a=2, b=20' }]);
    assert.match(warnings.join('\n'), /1 of 3 batches of crop 'failing' failed .*\n {2}batch 2: \{a: 2, b: 20\}: the gate refuses a=2, b=20/);
    const status = await crop.status();
    assert.deepEqual(status.failed, [2]);
    assert.equal(status.batches[1]!.error, '{a: 2, b: 20}: the gate refuses a=2, b=20');
    assert.deepEqual(status.missing, [2]);
    await assertHarvestryError(() => crop.reap(), 'E_CROP_INCOMPLETE', /crop\.reap\(\): the crop 'failing' is not complete: 1 of 3 batches \(2\) have no results yet .* or reap what is done with allowIncomplete: true\./);
    const partial = await crop.reap({ allowIncomplete: true });
    assert.deepEqual({ rows: partial.rows, missing: partial.missing, cleaned: partial.cleaned }, { rows: 4, missing: [2], cleaned: false });
    assert.equal(h.fullDs?.numRows, 4);
    await import('node:fs/promises').then((fs) => fs.rm(`${gate}.throw-2-20`));
    const regrown = await crop.grow({ batches: 'failed' });
    assert.deepEqual([...regrown.grown], [2]);
    assert.equal((await crop.status()).failed.length, 0);
    const full = await crop.reap();
    assert.equal(full.rows, 2, 'the batches reaped before merge again without conflict, adding nothing');
    assert.deepEqual(await rows(h.path), (await gated.runCombos({ a: [1, 2, 3], b: [10, 20] }, { constants: { gate } })).toRecords().map((r) => ({ b: r.b, a: r.a, p: r.p })).sort((x, y) => (x.b as number) - (y.b as number) || (x.a as number) - (y.a as number)));
  });

  it('keeps a failed case as data under onError: record, and leaves it out under skip', async () => {
    const gate = join(dir, 'gate2');
    writeFileSync(`${gate}.throw-1-10`, '');
    for (const onError of ['record', 'skip'] as const) {
      const h = new Harvester(gated, join(dir, `policy-${onError}.parquet`));
      const crop = h.crop({ numBatches: 2 });
      await crop.sowCombos({ a: [1, 2], b: [10] }, { constants: { gate }, onError });
      const grown = await crop.grow();
      assert.deepEqual(grown.failed, []);
      await crop.reap();
      const got = await duckdb(`SELECT a, p${onError === 'record' ? ', _error' : ''} FROM '${h.path}' ORDER BY a`);
      assert.deepEqual(got, onError === 'record' ? [{ a: 1, p: null, _error: 'the gate refuses a=1, b=10' }, { a: 2, p: 20, _error: null }] : [{ a: 2, p: 20 }]);
    }
  });

  it('shows a batch being grown as running', async () => {
    const h = new Harvester(paused, join(dir, 'paused.parquet'));
    const crop = h.crop({ numBatches: 2 });
    await crop.sowCombos({ a: [1, 2], b: [10] });
    let release!: () => void;
    pause.until = new Promise<void>((r) => (release = r));
    const growing = crop.grow({ batches: [2] });
    const status = await crop.status();
    assert.deepEqual({ running: status.running, sown: status.sown }, { running: [2], sown: [1] });
    release();
    await growing;
    assert.deepEqual((await crop.status()).done, [2]);
  });

  it('leaves the crop on disk when the merge conflicts, and merges with overwrite: true', async () => {
    const h = new Harvester(scaled, join(dir, 'conflict.parquet'));
    await h.harvestCombos({ a: [1, 2], b: [10] }, { constants: { k: 1 } });
    const crop = h.crop({ numBatches: 1 });
    await crop.sowCombos({ a: [1, 2, 3], b: [10] }, { constants: { k: 2 } });
    await crop.grow();
    await assertHarvestryError(() => crop.reap(), 'E_MERGE_CONFLICT', /different result/);
    assert.equal(crop.isSown, true, 'the crop is kept');
    assert.deepEqual(await rows(h.path, 'a, p'), [{ a: 1, p: 10 }, { a: 2, p: 20 }], 'nothing written');
    await crop.reap({ overwrite: true });
    assert.deepEqual(await rows(h.path, 'a, p'), [{ a: 1, p: 20 }, { a: 2, p: 40 }, { a: 3, p: 60 }]);
  });

  it('records which version of the function grew each batch', async () => {
    const path = join(dir, 'versions.parquet');
    const crop = new Harvester(product, path).crop({ numBatches: 2 });
    await crop.sowCombos({ a: [1, 2], b: [10] });
    await crop.grow({ batches: [1] });
    await new Harvester(productV2, path).crop().grow({ batches: [2] });
    await crop.reap();
    const got = await duckdb(`SELECT a, _fingerprint AS f FROM '${path}' ORDER BY a`);
    assert.deepEqual(got.map((r) => r.f), [product.fingerprint, productV2.fingerprint]);
  });

  it('reaps a crop of a Runner alone into a dataset returned, not saved', async () => {
    const crop = new Crop(product, { name: 'alone', parentDir: dir, batchSize: 4 });
    await crop.sowCombos({ a: [1, 2, 3], b: [10, 20, 30] });
    assert.equal(crop.manifest?.dataset, null);
    await crop.grow();
    const r = await crop.reap();
    assert.equal(r.rows, 0);
    assert.deepEqual(r.ds.toRecords(), (await product.runCombos({ a: [1, 2, 3], b: [10, 20, 30] })).toRecords());
    await assertHarvestryError(() => new Crop(product, { name: 'alone2', parentDir: dir }).sowCombos({ a: [1], b: [10] }, { missingOnly: true }), 'E_BAD_OPTION', /`missingOnly` in crop\.sowCombos\(\) needs a dataset to compare with/);
  });

  it('writes a versioned manifest, refuses a newer one, and lists what the folder holds', async () => {
    const h = new Harvester(product, join(dir, 'manifest.parquet'));
    const crop = h.crop({ name: 'm', numBatches: 2 });
    await crop.sowCombos({ a: [1, 2, 3], b: [10] });
    const manifest = JSON.parse(readFileSync(join(crop.dir, 'crop.json'), 'utf8')) as Record<string, unknown>;
    assert.equal(manifest.format, 'harvestry-crop');
    assert.equal(manifest.version, 1);
    assert.deepEqual(manifest.dims, ['a', 'b']);
    assert.equal((manifest.function as { fingerprint: string }).fingerprint, product.fingerprint);
    assert.match((manifest.function as { module: string }).module, /fixtures\/crop-fns\.[jt]s$/);
    assert.deepEqual(readdirSync(crop.dir).sort(), ['crop.json', 'failed', 'jobs', 'logs', 'plan.bin', 'results', 'running']);
    writeFileSync(join(crop.dir, 'crop.json'), JSON.stringify({ ...manifest, version: 99, harvestry: '9.0.0' }));
    await assertHarvestryError(() => crop.status(), 'E_FORMAT_VERSION', /The crop .*m\.crop was sown by harvestry 9\.0\.0 in crop format version 99; this harvestry reads versions up to 1\. Upgrade harvestry/);
    crop.delete();
    assert.equal(existsSync(crop.dir), false);
  });

  it('says what is wrong: sown twice, not sown, another dataset, bad options', async () => {
    const h = new Harvester(product, join(dir, 'errors.parquet'));
    const crop = h.crop({ numBatches: 2 });
    await assertHarvestryError(() => crop.grow(), 'E_CROP_NOT_SOWN', /crop\.grow\(\): there is no crop at .*errors\.crop \(no crop\.json\)\. Sow it first/);
    await assertHarvestryError(() => crop.reap(), 'E_CROP_NOT_SOWN', /crop\.reap\(\)/);
    await assertHarvestryError(() => Crop.open(join(dir, 'nowhere.crop')), 'E_CROP_NOT_SOWN', /Crop\.open\(\): there is no crop at .*nowhere\.crop/);
    await assertHarvestryError(() => crop.sowCombos({ a: [1], b: [10] }, { executor: 'pool' } as never), 'E_BAD_OPTION', /crop\.sowCombos\(\) has no option `executor`/);
    await crop.sowCombos({ a: [1, 2], b: [10] });
    await assertHarvestryError(() => crop.sowCombos({ a: [1, 2], b: [10] }), 'E_CROP_EXISTS', /crop\.sowCombos\(\): the crop 'errors' is already sown at .*errors\.crop\. Grow and reap it/);
    await assertHarvestryError(() => new Harvester(product, join(dir, 'other.parquet')).crop({ name: 'errors' }), 'E_CROP_MISMATCH', /The crop at .*errors\.crop was sown for the dataset .*errors\.parquet, not for .*other\.parquet/);
    await assertHarvestryError(() => crop.grow({ batches: [3] }), 'E_BAD_OPTION', /Expected `batches` in crop\.grow\(\) to be batch numbers from 1 to 2, got 3\./);
    await assertHarvestryError(() => crop.grow({ executor: 'inline', numThreads: 2 }), 'E_BAD_OPTION', /`numThreads` in crop\.grow\(\) does not apply to executor 'inline'/);
    await assertHarvestryError(() => h.crop({ name: '../up' }), 'E_BAD_OPTION', /Expected `name` in new Crop\(\) to be a crop name of letters, digits/);
    await assertHarvestryError(() => new Crop(counted, { parentDir: dir }), 'E_BAD_OPTION', /A crop of a Runner needs a `name`/);
    await assertHarvestryError(() => crop.reap({ allowIncomplete: 'yes' } as never), 'E_BAD_OPTION', /Expected `allowIncomplete` in crop\.reap\(\) to be true or false, got "yes"\./);
  });
});
