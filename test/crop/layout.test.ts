/**
 * Batch layout (xyzpy's rules, §10.3), batch lists as text, and job arrays cut at the
 * scheduler's largest array: pure functions, so every rule is checked exactly.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { batchBounds, chooseBatches, formatBatchList, parseBatchList } from '../../src/crop/layout.js';
import { planArrays } from '../../src/crop/jobs.js';
import { assertHarvestryError } from '../_support/helpers.js';

const sizes = (cases: number, batchSize?: number, numBatches?: number): number[] => {
  const layout = chooseBatches(cases, batchSize, numBatches, 'test');
  return Array.from({ length: layout.numBatches }, (_, i) => {
    const { start, end } = batchBounds(layout, i + 1);
    return end - start;
  });
};

describe('batch layout', () => {
  it('batchSize gives full batches and a shorter last one', () => {
    assert.deepEqual(sizes(5, 2), [2, 2, 1]);
    assert.deepEqual(sizes(6, 3), [3, 3]);
  });

  it('numBatches gives the first `remainder` batches one case more', () => {
    assert.deepEqual(sizes(10, undefined, 3), [4, 3, 3]);
    assert.deepEqual(sizes(11, undefined, 3), [4, 4, 3]);
    assert.deepEqual(sizes(1000, undefined, 10), Array(10).fill(100));
  });

  it('caps numBatches at the number of cases, and defaults to one case per batch', () => {
    assert.deepEqual(sizes(3, undefined, 100), [1, 1, 1]);
    assert.deepEqual(sizes(4), [1, 1, 1, 1]);
  });

  it('takes both when they fit the cases, and refuses them otherwise', async () => {
    assert.deepEqual(sizes(10, 4, 3), [4, 4, 2]);
    await assertHarvestryError(() => chooseBatches(10, 2, 3, 'crop.sowCombos()'), 'E_BAD_OPTION', /`batchSize: 2` and `numBatches: 3` in crop\.sowCombos\(\) do not fit 10 cases: 3 batches of 2 hold 6, which must be at least 10 and less than 12\. Give only one of them\./);
    await assertHarvestryError(() => chooseBatches(10, 0, undefined, 'x'), 'E_BAD_OPTION', /Expected `batchSize` in x to be a whole number from 1 up, got 0/);
    await assertHarvestryError(() => chooseBatches(10, undefined, 1.5, 'x'), 'E_BAD_OPTION', /`numBatches`.*got 1\.5/);
  });

  it('covers every case once, in order, whatever the sizes (property)', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 500 }), fc.option(fc.integer({ min: 1, max: 60 })), fc.option(fc.integer({ min: 1, max: 60 })), (n, bs, nb) => {
        const layout = chooseBatches(n, bs ?? undefined, bs === null ? (nb ?? undefined) : undefined, 't');
        let at = 0;
        for (let k = 1; k <= layout.numBatches; k++) {
          const { start, end } = batchBounds(layout, k);
          assert.equal(start, at);
          assert.ok(end > start);
          at = end;
        }
        assert.equal(at, n);
      }),
    );
  });
});

describe('batch lists', () => {
  it('formats runs of three or more as ranges', () => {
    assert.equal(formatBatchList([1, 2, 3, 4, 7, 9, 10, 11]), '1-4,7,9-11');
    assert.equal(formatBatchList([1, 2]), '1,2');
    assert.equal(formatBatchList([]), '');
  });

  it('parses what users type, and says what is wrong', async () => {
    assert.deepEqual(parseBatchList('3', 10, '--batch'), [3]);
    assert.deepEqual(parseBatchList(' 9, 2-4 ,2', 10, '--batch'), [2, 3, 4, 9]);
    await assertHarvestryError(() => parseBatchList('0-3', 10, '--batch'), 'E_BAD_OPTION', /Expected --batch to list batches from 1 to 10 like "3", "1,4" or "2-5,9", got "0-3" \("0-3" is not\)\./);
    await assertHarvestryError(() => parseBatchList('11', 10, '--batch'), 'E_BAD_OPTION', /"11" is not/);
    await assertHarvestryError(() => parseBatchList(',', 10, '--batch'), 'E_BAD_OPTION', /at least one batch/);
  });
});

describe('job arrays', () => {
  it('uses batch numbers as array indices while they fit below MaxArraySize', () => {
    assert.deepEqual(planArrays([1, 2, 3], { scheduler: 'slurm', batchesPerTask: 1, maxArraySize: 1001 }), [{ indices: [1, 2, 3], tasks: { kind: 'offset', offset: 0, batches: [1, 2, 3] } }]);
    assert.deepEqual(planArrays([2, 5, 9], { scheduler: 'slurm', batchesPerTask: 1, maxArraySize: 10 }), [{ indices: [2, 5, 9], tasks: { kind: 'offset', offset: 0, batches: [2, 5, 9] } }]);
  });

  it('splits at MaxArraySize with index offsets (indices stay below it)', () => {
    const plans = planArrays([1, 2, 3, 4, 5], { scheduler: 'slurm', batchesPerTask: 1, maxArraySize: 3 });
    assert.deepEqual(plans, [
      { indices: [1, 2], tasks: { kind: 'offset', offset: 0, batches: [1, 2] } },
      { indices: [1, 2], tasks: { kind: 'offset', offset: 2, batches: [3, 4] } },
      { indices: [1], tasks: { kind: 'offset', offset: 4, batches: [5] } },
    ]);
    const big = planArrays(Array.from({ length: 2500 }, (_, i) => i + 1), { scheduler: 'slurm', batchesPerTask: 1, maxArraySize: 1001 });
    assert.deepEqual(big.map((p) => [p.indices[0], p.indices.at(-1), p.tasks.kind === 'offset' ? p.tasks.offset : -1]), [[1, 1000, 0], [1, 1000, 1000], [1, 500, 2000]]);
  });

  it('groups batches per task, and uses a table where a scheduler takes ranges only', () => {
    assert.deepEqual(planArrays([1, 2, 3, 4, 5], { scheduler: 'slurm', batchesPerTask: 2, maxArraySize: 1001 }), [{ indices: [1, 2, 3], tasks: { kind: 'groups', groups: [[1, 2], [3, 4], [5]] } }]);
    assert.deepEqual(planArrays([2, 5, 9], { scheduler: 'sge', batchesPerTask: 1, maxArraySize: 1001 }), [{ indices: [1, 2, 3], tasks: { kind: 'groups', groups: [[2], [5], [9]] } }]);
    assert.deepEqual(planArrays([4, 5, 6], { scheduler: 'pbs', batchesPerTask: 1, maxArraySize: 1001 }), [{ indices: [4, 5, 6], tasks: { kind: 'offset', offset: 0, batches: [4, 5, 6] } }]);
  });
});
