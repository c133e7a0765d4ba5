/**
 * What only the subprocess executor does: a fresh child per batch with its own environment
 * (thread counts, GPU ids, CPU pinning), and a child that crashes failing its batch, not the run.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { killsAt3, exitsAt3, runHidden, whereAmI } from '../fixtures/labelled.js';
import { assertHarvestryError, range } from '../_support/helpers.js';

describe('the subprocess executor', () => {
  it('runs each batch in a fresh child with numThreads and one GPU id of the pool each', async () => {
    const ds = await whereAmI.runCombos({ x: range(4) }, { numThreads: 3, gpus: '0,1', batchSize: 1, numWorkers: 2 });
    const recs = ds.toRecords();
    assert.deepEqual(recs.map((r) => r.x), range(4));
    assert.equal(new Set(recs.map((r) => r.pid)).size, 4, 'one process per batch');
    assert.ok(recs.every((r) => r.pid !== process.pid && r.omp === '3'));
    assert.deepEqual([...new Set(recs.map((r) => r.cuda))].sort(), ['0', '1']);
  });

  it('pins children to the CPU ids of `affinities` with taskset', async () => {
    const ds = await whereAmI.runCombos({ x: range(2) }, { affinities: [1], batchSize: 1 });
    assert.deepEqual(ds.toRecords().map((r) => r.cpus), ['1', '1']);
  });

  it('fails the unreported cases of a child killed by a signal, not the run', async () => {
    const ds = await killsAt3.runCombos({ x: range(6) }, { executor: 'subprocess', batchSize: 2, numWorkers: 2, onError: 'record' });
    const recs = ds.toRecords();
    assert.equal(recs.length, 6);
    for (const r of recs) {
      if (r.x === 2 || r.x === 3) {
        // The batch [2, 3] died before reporting: both count as failed.
        assert.equal(r.y, null);
        assert.match(r._error as string, /^the child process running this batch was killed by SIGKILL before finishing it/);
      } else assert.deepEqual([r.y, r._error], [(r.x as number) * 2, null]);
    }
  });

  it("rejects under onError: 'raise' when a child exits early, naming a case and its exit code", async () => {
    const err = await assertHarvestryError(
      () => exitsAt3.runCombos({ x: range(4) }, { executor: 'subprocess', batchSize: 2, numWorkers: 2 }),
      'E_CASE_FAILED',
      /^The case \{x: [23]\} failed: the child process running this batch exited with code 7 before finishing it/,
    );
    assert.equal((err.cause as { code?: string }).code, 'E_WORKER_DIED');
  });

  it('refuses a function that is not exported, saying to export it', async () => {
    await assertHarvestryError(() => runHidden('subprocess'), 'E_NOT_EXPORTED', /A worker imported file:.*labelled\.[jt]s but found no export that is this labelled function/);
  });
});
