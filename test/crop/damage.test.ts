/**
 * A crop's files damaged or half gone: a damaged result file is not done (status says why, grow
 * grows it again, reap leaves it out); a crop half deleted by a reaper killed during its removal
 * is recognized and finished; a missing plan and a second reaper get coded errors; an output
 * whose type clashes with the target file is refused once the first batch is grown.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { cultivate, Harvester } from '../../src/index.js';
import { readSownPlan } from '../../src/crop/files.js';
import { cropPaths, readManifest } from '../../src/crop/manifest.js';
import { reapCrop } from '../../src/crop/reap.js';
import { API_HINTS } from '../../src/crop/hints.js';
import { assertHarvestryError, duckdb, tempDir } from '../_support/helpers.js';
import { asText, product } from './fixtures/crop-fns.js';

const rows = (path: string): Promise<Record<string, unknown>[]> => duckdb(`SELECT a, b, p FROM '${path}' ORDER BY a, b`);
const all = (as: number[], bs: number[]): { a: number; b: number; p: number }[] => as.flatMap((a) => bs.map((b) => ({ a, b, p: a * b })));

describe('a crop with damaged or missing files', () => {
  const dir = tempDir('harvestry-crop-damage-');

  it('does not count a damaged result file as done: status says why, grow grows it again', async () => {
    const h = new Harvester(product, join(dir, 'damaged.parquet'));
    const crop = h.crop({ numBatches: 3 });
    await crop.sowCombos({ a: [1, 2, 3], b: [10, 20] });
    await crop.grow();
    const two = join(crop.dir, 'results', '2.bin');
    const three = join(crop.dir, 'results', '3.bin');
    const bytes = readFileSync(two);
    const flipped = Buffer.from(bytes);
    flipped[flipped.length - 3]! ^= 0xff; // one byte of its results
    writeFileSync(two, flipped);
    writeFileSync(three, readFileSync(three).subarray(0, -5)); // cut short
    const status = await crop.status();
    assert.deepEqual({ done: status.done, failed: status.failed }, { done: [1], failed: [2, 3] });
    assert.match(status.batches[1]!.error!, /^its result file .*results\/2\.bin is damaged \(its results do not match the checksum written with them\); grow the batch again$/);
    assert.match(status.batches[2]!.error!, /is damaged \(it holds \d+ bytes of results where \d+ were written\)/);
    // reaping leaves them out, saying why
    await assertHarvestryError(() => crop.reap(), 'E_CROP_INCOMPLETE', /2 of 3 batches \(2,3\) have no results yet \(2 of them have damaged result files; the first, batch 2's result file .*2\.bin is damaged: its results do not match/);
    const again = await crop.grow();
    assert.deepEqual([...again.grown].sort(), [2, 3]);
    assert.deepEqual((await crop.status()).done, [1, 2, 3]);
    assert.equal((await crop.reap()).rows, 6);
    assert.deepEqual(await rows(h.path), all([1, 2, 3], [10, 20]));
  });

  it('removes a crop by renaming it away first; leftovers of a dead remover are cleared by the next sow', async () => {
    const h = new Harvester(product, join(dir, 'removed.parquet'));
    const crop = h.crop({ numBatches: 2 });
    await crop.sowCombos({ a: [1, 2], b: [10] });
    // what a remover killed after its rename leaves: a hidden folder naming a dead process
    const dead = spawnSync(process.execPath, ['-e', '0']).pid;
    const left = join(dir, `.removed.crop.deleting-${hostname()}-${dead}-0badf00d`);
    mkdirSync(join(left, 'results'), { recursive: true });
    crop.delete();
    assert.equal(existsSync(crop.dir), false);
    assert.deepEqual(readdirSync(dir).filter((n) => n.startsWith('.removed.crop')), [], 'no hidden folder left');
    await crop.sowCombos({ a: [1, 2], b: [10] });
    await crop.grow();
    assert.equal((await crop.reap()).cleaned, true);
    assert.deepEqual(readdirSync(dir).filter((n) => n.includes('removed.crop')), []);
  });

  it('finishes removing a crop half deleted by an older version (no crop.json, or no plan.bin)', async () => {
    const h = new Harvester(product, join(dir, 'half.parquet'));
    const crop = h.crop({ numBatches: 2 });
    await crop.sowCombos({ a: [1, 2], b: [10] });
    await crop.grow();
    rmSync(join(crop.dir, 'crop.json')); // results, plan.bin, ... left
    const warnings: string[] = [];
    const onWarning = (w: Error & { code?: string }): void => void warnings.push(`${w.code}: ${w.message}`);
    process.on('warning', onWarning);
    try {
      const again = await crop.sowCombos({ a: [1, 2, 3], b: [10] });
      assert.equal(again.batches, 2);
      await new Promise((r) => setImmediate(r));
      assert.match(warnings.join('\n'), /HARVESTRY_CROP_REMNANT: The crop folder .*half\.crop was half deleted .*its removal was finished/);
      assert.deepEqual((await crop.status()).sown, [1, 2], 'a new crop, nothing of the old one');

      // crop.json kept, plan.bin gone: a coded error naming the path and the fix, then cultivate finishes it
      rmSync(join(crop.dir, 'plan.bin'));
      await assertHarvestryError(() => crop.grow(), 'E_CORRUPT_FILE', /The crop at .*half\.crop has its crop\.json but no plan\.bin: it was half deleted .* Delete it \(crop\.delete\(\), or remove the folder\) and sow again/);
      await assertHarvestryError(() => crop.reap(), 'E_CORRUPT_FILE', /no plan\.bin/);
      const ds = await cultivate(h, { combos: { a: [1, 2], b: [10] }, numBatches: 2 });
      assert.equal(ds?.numRows, 2);
      assert.equal(existsSync(crop.dir), false);
    } finally {
      process.off('warning', onWarning);
    }
    assert.deepEqual(await rows(h.path), all([1, 2], [10]));
  });

  it('tells a reaper whose crop another reaper removed meanwhile, with a code', async () => {
    const h = new Harvester(product, join(dir, 'raced.parquet'));
    const crop = h.crop({ numBatches: 2 });
    await crop.sowCombos({ a: [1, 2], b: [10] });
    await crop.grow();
    // this reaper has read the crop's manifest and plan; another reaper then merges and removes it
    const paths = cropPaths(crop.dir);
    const manifest = readManifest(paths)!;
    const sown = readSownPlan(paths);
    await crop.reap();
    await assertHarvestryError(
      () => reapCrop({ paths, manifest, sown, dataset: { path: h.path, lock: {} }, overwrite: null, allowIncomplete: false, clean: true, where: 'crop.reap()', hints: API_HINTS }),
      'E_CROP_NOT_SOWN',
      /The crop at .*raced\.crop was removed while this process read it .*another reaper or crop\.delete\(\) removed it\. A reap removes a crop only after merging its results, so look in the dataset/,
    );
    assert.deepEqual(await rows(h.path), all([1, 2], [10]));
  });

  it('refuses an output that clashes with the target file once the first batch is grown, not at the reap', async () => {
    const path = join(dir, 'typed.parquet');
    await new Harvester(product, path).harvestCombos({ a: [1], b: [10] });
    const before = readFileSync(path);
    const crop = new Harvester(asText, path).crop({ name: 'typed', numBatches: 4 });
    await crop.sowCombos({ a: [2, 3, 4, 5], b: [10] });
    await assertHarvestryError(() => crop.grow(), 'E_SCHEMA_MISMATCH', /^Batch 1 of the crop 'typed' was grown, but its results cannot be reaped into .*typed\.parquet: The variable `p` holds float64 values in .* but utf8 values in this run; .* Its results were not kept and no further batch was grown: fix the function/);
    const status = await crop.status();
    assert.deepEqual({ failed: status.failed, sown: status.sown, done: status.done }, { failed: [1], sown: [2, 3, 4], done: [] });
    assert.match(status.batches[0]!.error!, /cannot be reaped into/);
    assert.deepEqual(readdirSync(join(crop.dir, 'results')), []);
    assert.deepEqual(readFileSync(path), before, 'the file is unchanged');

    // on worker threads too: the grow stops at the first batch completed
    const pooled = new Harvester(asText, path).crop({ name: 'pooled', numBatches: 6 });
    await pooled.sowCombos({ a: [2, 3, 4, 5, 6, 7], b: [10] });
    await assertHarvestryError(() => pooled.grow({ executor: 'pool', numWorkers: 2 }), 'E_SCHEMA_MISMATCH', /of the crop 'pooled' was grown, but its results cannot be reaped/);
    const after = await pooled.status();
    assert.equal(after.failed.length, 1);
    assert.deepEqual(after.done, []);
    assert.ok(after.sown.length >= 3, `later batches were not grown: ${JSON.stringify(after.sown)}`);
    assert.deepEqual(readFileSync(path), before);
  });
});
