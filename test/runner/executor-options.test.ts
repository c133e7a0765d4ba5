import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { label } from '../../src/index.js';
import { wantsProgressBar } from '../../src/execute/progress-bar.js';
import { resolveRunSpec } from '../../src/runner/options.js';
import { assertHarvestryError } from '../_support/helpers.js';

const r = label({ varNames: 'y' }, ({ x }: { x: number }) => x);
const spec = (o: Parameters<typeof resolveRunSpec>[1]) => resolveRunSpec({}, o, 'runCombos()').executor;

describe('executor options', () => {
  it('chooses the executor: inline by default, the pool for parallel or numWorkers, subprocesses for their options', () => {
    assert.equal(spec({}).kind, 'inline');
    assert.deepEqual([spec({ parallel: true }).kind, spec({ parallel: true }).numWorkers], ['pool', null]);
    assert.deepEqual([spec({ parallel: 3 }).kind, spec({ parallel: 3 }).numWorkers], ['pool', 3]);
    assert.equal(spec({ numWorkers: 2 }).kind, 'pool');
    assert.equal(spec({ parallel: false }).kind, 'inline');
    assert.deepEqual(spec({ gpus: '0,0,1' }), { kind: 'subprocess', numWorkers: null, numThreads: null, affinities: null, gpus: ['0', '0', '1'], batchSize: null });
    assert.deepEqual(spec({ affinities: [2, 3], numThreads: 4 }).affinities, [2, 3]);
    assert.equal(spec({ executor: 'subprocess', numWorkers: 2 }).numWorkers, 2);
  });

  it('checks values, naming the option, the rule and the value', async () => {
    await assertHarvestryError(() => r.runCombos({ x: [1] }, { numWorkers: 0 }), 'E_BAD_OPTION', /^Expected `numWorkers` in runCombos\(\) to be a whole number from 1 up, got 0\.$/);
    await assertHarvestryError(() => r.runCombos({ x: [1] }, { numThreads: 1.5 }), 'E_BAD_OPTION', /^Expected `numThreads` in runCombos\(\) to be a whole number from 1 up, got 1\.5\.$/);
    await assertHarvestryError(() => r.runCombos({ x: [1] }, { executor: 'gpu' as never }), 'E_BAD_OPTION', /^Expected `executor` in runCombos\(\) to be 'inline', 'pool' or 'subprocess', got "gpu"\.$/);
    await assertHarvestryError(() => r.runCombos({ x: [1] }, { parallel: 0 }), 'E_BAD_OPTION', /Expected `parallel` in runCombos\(\) to be true, false or a whole number of threads from 1 up, got 0\./);
    await assertHarvestryError(() => r.runCombos({ x: [1] }, { affinities: 'a,b' }), 'E_BAD_OPTION', /Expected `affinities` in runCombos\(\) to be a non-empty array of CPU ids \(whole numbers from 0 up\) or a string like "0,1", got "a,b"\./);
    await assertHarvestryError(() => r.runCombos({ x: [1] }, { gpus: [] }), 'E_BAD_OPTION', /Expected `gpus` in runCombos\(\) to be a non-empty array of GPU ids/);
    await assertHarvestryError(() => r.runCombos({ x: [1] }, { progress: 'yes' as never }), 'E_BAD_OPTION', /Expected `progress` in runCombos\(\) to be true, false or a callback, got "yes"\./);
    assert.throws(() => label({ varNames: 'y', numWorkers: -1 }, ({ x }: { x: number }) => x), /Expected `numWorkers` in label\(\) to be a whole number from 1 up, got -1\./);
  });

  it('refuses options that do not apply to the executor rather than ignoring them', async () => {
    await assertHarvestryError(
      () => r.runCombos({ x: [1] }, { executor: 'pool', numThreads: 2 }),
      'E_BAD_OPTION',
      /^`numThreads` in runCombos\(\) does not apply to executor 'pool': `numThreads`, `affinities`, `gpus` and `batchSize` are for executor 'subprocess'\. Drop it or choose that executor\.$/,
    );
    await assertHarvestryError(() => r.runCombos({ x: [1] }, { executor: 'inline', numWorkers: 2 }), 'E_BAD_OPTION', /^`numWorkers` in runCombos\(\) does not apply to executor 'inline'/);
    await assertHarvestryError(() => r.runCombos({ x: [1] }, { parallel: 2, numWorkers: 3 }), 'E_BAD_OPTION', /^`parallel: 2` and `numWorkers: 3` in runCombos\(\) ask for different numbers of threads\. Give one of them\.$/);
  });

  it('draws a progress bar only on a terminal, outside CI, unless HARVESTRY_PROGRESS=off', async () => {
    assert.equal(wantsProgressBar({}, true), true);
    assert.equal(wantsProgressBar({}, false), false);
    assert.equal(wantsProgressBar({ CI: 'true' }, true), false);
    assert.equal(wantsProgressBar({ CI: 'false' }, true), true);
    assert.equal(wantsProgressBar({ HARVESTRY_PROGRESS: 'off' }, true), false);
    assert.equal(wantsProgressBar({ HARVESTRY_PROGRESS: 'on', CI: '1' }, false), true);
    // progress: true where stderr is not a terminal (as here) runs without a bar.
    assert.equal((await r.runCombos({ x: [1, 2] }, { progress: true })).numRows, 2);
    assert.equal(resolveRunSpec({}, { progress: true }, 'x').progress, process.stderr.isTTY ? 'bar' : null);
  });
});
