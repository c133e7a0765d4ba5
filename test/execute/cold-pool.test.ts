/**
 * A cold pool is never slower than inline: while its threads start, this thread runs the first
 * cases itself; the threads take over once they are up; a warm pool runs every case on its
 * threads. (A function this thread sees exported is not waited for; one it cannot check yet —
 * its module is still running its top level — waits for a thread's answer, so an import error is
 * never lost: see pool.test.ts.)
 */
import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import { closePools } from '../../src/index.js';
import { forgetThreads, waitForThreads, whereSlowStart } from '../fixtures/slow-start.js';
import { range } from '../_support/helpers.js';

after(() => closePools());

const POOL = { executor: 'pool', numWorkers: 2 } as const;

type Rows = { x: number; y: number; thread: number }[];

describe('a cold pool', () => {
  it('runs cases in this thread while its threads start (their import takes 1.5 s here)', async () => {
    await closePools();
    const rows = (await whereSlowStart.runCombos({ x: range(5) }, POOL)).toRecords() as Rows;
    assert.deepEqual(rows.map((r) => [r.x, r.y]), range(5).map((x) => [x, 2 * x]));
    assert.deepEqual(new Set(rows.map((r) => r.thread)), new Set([0]), 'every case ran here: the threads were not up yet');
  });

  it('hands the cases over to the threads once they are up', async () => {
    await closePools();
    forgetThreads();
    // The first case here waits until a thread is up; then each case takes 5 ms (1.5 s in all),
    // and the threads take over as soon as they answer.
    const rows = (await waitForThreads.runCombos({ x: range(300) }, POOL)).toRecords() as Rows;
    assert.deepEqual(rows.map((r) => [r.x, r.y]), range(300).map((x) => [x, 2 * x]), 'every case once, with its result');
    const here = rows.filter((r) => r.thread === 0).map((r) => r.x);
    const threads = new Set(rows.filter((r) => r.thread !== 0).map((r) => r.thread));
    assert.ok(here.includes(0), 'the first case ran here while the threads started');
    assert.ok(here.length < 300, 'the threads took over');
    assert.ok(threads.size >= 1 && threads.size <= 2, `pool threads used: ${[...threads].join(', ')}`);
  });

  it('runs every case of the next run on its (now warm) threads', async () => {
    const rows = (await whereSlowStart.runCombos({ x: range(40) }, POOL)).toRecords() as Rows;
    assert.deepEqual(rows.map((r) => r.y), range(40).map((x) => 2 * x));
    assert.ok(rows.every((r) => r.thread !== 0), 'no case ran on the main thread');
  });
});
