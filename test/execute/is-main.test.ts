/**
 * isMain(): true only in the process and thread the user started; false in pool threads,
 * subprocess children and crop growers, both where a case runs and at the top level of the
 * module they import.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, describe, it } from 'node:test';
import { closePools, Harvester, isMain } from '../../src/index.js';
import { whereMain } from '../fixtures/where-main.js';
import { REPO_NODE_ARGS, duckdb, tempDir } from '../_support/helpers.js';

after(() => closePools());

const BIN = fileURLToPath(new URL('../../bin/harvestry.js', import.meta.url));
const XS = [1, 2, 3, 4];
const rows = (inFn: boolean, atTop: boolean): Record<string, unknown>[] => XS.map((x) => ({ x, inFn, atTop, y: x }));

describe('isMain()', () => {
  const dir = tempDir('harvestry-is-main-');

  it('is true in the process and thread the user started (here, and for cases run inline)', async () => {
    assert.equal(isMain(), true);
    assert.deepEqual((await whereMain.runCombos({ x: XS })).toRecords(), rows(true, true));
  });

  it('is false in pool threads, in the function and at the top level of its module', async () => {
    // (with timeoutMs no case runs in the main thread, not even while a cold pool starts)
    assert.deepEqual((await whereMain.runCombos({ x: XS }, { executor: 'pool', numWorkers: 2, timeoutMs: 120_000 })).toRecords(), rows(false, false));
  });

  it('is false in subprocess children', async () => {
    assert.deepEqual((await whereMain.runCombos({ x: XS }, { executor: 'subprocess', numWorkers: 2 })).toRecords(), rows(false, false));
  });

  it('is false in growers started by crop.grow() (child processes)', async () => {
    const h = new Harvester(whereMain, join(dir, 'grow.parquet'));
    const crop = h.crop({ numBatches: 2 });
    await crop.sowCombos({ x: XS });
    await crop.grow({ executor: 'subprocess', numWorkers: 2 });
    await crop.reap();
    assert.deepEqual(await duckdb(`SELECT x, inFn, atTop, y FROM '${h.path}' ORDER BY x`), rows(false, false));
  });

  it('is false in a `harvestry crop grow` process', async () => {
    const h = new Harvester(whereMain, join(dir, 'cli.parquet'));
    const crop = h.crop({ numBatches: 2 });
    await crop.sowCombos({ x: XS });
    const r = spawnSync(process.execPath, [...REPO_NODE_ARGS, BIN, 'crop', 'grow', crop.dir], { encoding: 'utf8', timeout: 240_000, env: { ...process.env, NODE_TEST_CONTEXT: undefined } });
    assert.equal(r.status, 0, r.stderr);
    await crop.reap();
    assert.deepEqual(await duckdb(`SELECT x, inFn, atTop, y FROM '${h.path}' ORDER BY x`), rows(false, false));
  });
});
