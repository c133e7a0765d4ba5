/**
 * A crop's files damaged or half gone: a damaged result file is not done (status says why, grow
 * grows it again, reap leaves it out); a crop half deleted by a reaper killed during its removal
 * is recognized and finished; a missing plan and a second reaper get coded errors; an output
 * whose type clashes with the target file is refused once the first batch is grown.
 */
import assert from 'node:assert/strict';
import { existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { Crop, Harvester } from '../../src/index.js';
import { assertHarvestryError, duckdb, tempDir } from '../_support/helpers.js';
import { product } from './fixtures/crop-fns.js';

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
});
