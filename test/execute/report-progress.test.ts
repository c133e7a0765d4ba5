/**
 * What a user sees of a run that is going on or that failed: inline progress arrives between
 * commits (a bar redraws on time), and `lastReport` tells what ran and what was committed after
 * E_CASE_FAILED.
 */
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { Harvester } from '../../src/index.js';
import { assertHarvestryError, duckdb, tempDir } from '../_support/helpers.js';
import { busy, flaky } from '../fixtures/labelled.js';

describe('inline progress', () => {
  it('is reported while a chunk runs, not only when results are committed', async () => {
    const path = join(tempDir(), 'sweep.parquet');
    const h = new Harvester(busy, path);
    const seen: number[] = [];
    // one commit at the end: without progress within chunks, only 0 and 400 would be seen
    await h.harvestCombos({ x: Array.from({ length: 400 }, (_, i) => i) }, { constants: { ms: 5 }, commitEvery: { ms: 600_000 }, progress: (p) => seen.push(p.done) });
    assert.equal(h.lastReport?.commits, 1);
    assert.ok(seen.some((d) => d > 0 && d < 400), `progress seen: ${seen.join(', ')}`);
    assert.deepEqual(seen, [...seen].sort((a, b) => a - b));
    assert.equal(seen.at(-1), 400);
  });
});

describe('lastReport after a failed harvest', () => {
  it('tells what ran and what was committed after E_CASE_FAILED', async () => {
    const path = join(tempDir(), 'sweep.parquet');
    const h = new Harvester(flaky, path);
    await assertHarvestryError(() => h.harvestCombos({ x: [0, 1, 2, 3, 4] }, { constants: { bad: [3] } }), 'E_CASE_FAILED', /^The function threw for the case \{x: 3\}: x = 3 is bad\./);
    const report = h.lastReport;
    assert.ok(report !== null);
    assert.equal(report.cases, 4);
    assert.deepEqual(report.failures.map((f) => f.index), [3]);
    assert.equal(report.commits, 1);
    assert.deepEqual(await duckdb(`SELECT x, y FROM '${path}' ORDER BY x`), [0, 1, 2].map((x) => ({ x, y: 2 * x })));
  });
});
