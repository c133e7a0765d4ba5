/**
 * The same crop grown on every executor (in-process, worker threads, child processes) gives the
 * same batches done, the same failed batch and the same dataset.
 */
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { Harvester } from '../../src/index.js';
import { duckdb, tempDir } from '../_support/helpers.js';
import { gated } from './fixtures/crop-fns.js';

describe('a crop grown on each executor', () => {
  const dir = tempDir('harvestry-crop-exec-');
  const gate = join(dir, 'gate');
  writeFileSync(`${gate}.throw-3-20`, '');

  for (const executor of ['inline', 'pool', 'subprocess'] as const) {
    it(`grows on the ${executor} executor`, async () => {
      const h = new Harvester(gated, join(dir, `${executor}.parquet`));
      const crop = h.crop({ numBatches: 3, shuffle: 3 });
      await crop.sowCombos({ a: [1, 2, 3, 4], b: [10, 20, 30] }, { constants: { gate } });
      const report = await crop.grow(executor === 'inline' ? {} : { executor, numWorkers: 2 });
      assert.equal(report.failed.length, 1);
      assert.match(report.failed[0]!.message, /^\{a: 3, b: 20\}: the gate refuses a=3, b=20$/);
      const failed = report.failed[0]!.batch;
      assert.deepEqual([...report.grown].sort(), [1, 2, 3].filter((k) => k !== failed));
      const status = await crop.status();
      assert.deepEqual(status.failed, [failed]);
      const reaped = await crop.reap({ allowIncomplete: true });
      assert.equal(reaped.rows, 8);
      const got = await duckdb(`SELECT a, b, p FROM '${h.path}' ORDER BY a, b`);
      for (const r of got) assert.equal(r.p, (r.a as number) * (r.b as number));
      assert.equal(got.length, 8);
      assert.ok(!got.some((r) => r.a === 3 && r.b === 20));
    });
  }
});
