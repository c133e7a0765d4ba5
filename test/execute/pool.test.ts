/**
 * What only the worker pool does: threads reused across runs, a thread that dies replaced with
 * only its case failed, and the function found (or not) by importing its module.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { after, describe, it } from 'node:test';
import { closePools } from '../../src/index.js';
import { exitsAt3, makeClosure, runHidden, whereAmI } from '../fixtures/labelled.js';
import { assertHarvestryError, range, runnable } from '../_support/helpers.js';

after(() => closePools());

const POOL = { executor: 'pool', numWorkers: 2 } as const;

describe('the worker pool', () => {
  it('runs cases on at most numWorkers threads and reuses them in the next run', async () => {
    // While a cold pool starts, this thread runs the first cases (thread 0; see cold-pool.test.ts),
    // and a thread that came up late may get none: run until both threads have taken cases, then
    // check that the next run uses only those threads.
    const threads = (ds: Awaited<ReturnType<typeof whereAmI.runCombos>>): number[] => ds.toRecords().map((r) => r.thread as number).filter((t) => t !== 0);
    const seen = new Set<number>();
    // (the first runs may all end on this thread before the threads are up: try for up to a minute)
    for (const until = Date.now() + 60_000; Date.now() < until && seen.size < 2; ) {
      const ds = await whereAmI.runCombos({ x: range(50) }, POOL);
      assert.ok(ds.toRecords().every((r) => r.pid === process.pid));
      for (const t of threads(ds)) seen.add(t);
    }
    assert.equal(seen.size, 2, `the runs used threads ${[...seen].join(', ')}, not two`);
    const next = await whereAmI.runCombos({ x: range(50) }, POOL);
    assert.ok(next.toRecords().every((r) => r.thread !== 0), 'no case of a warm pool ran on the main thread');
    for (const t of threads(next)) assert.ok(seen.has(t), `thread ${t} was not one of the pool's two`);
  });

  it("replaces a thread that exits; only the case that killed it fails (onError: 'record')", async () => {
    const ds = await exitsAt3.runCombos({ x: range(10) }, { ...POOL, onError: 'record' });
    const recs = ds.toRecords();
    assert.equal(recs.length, 10);
    for (const r of recs) {
      if (r.x === 3) {
        assert.equal(r.y, null);
        assert.match(r._error as string, /the worker thread running this case died \(worker exited with code: 7\); it was replaced/);
      } else assert.deepEqual([r.y, r._error], [(r.x as number) * 2, null]);
    }
    // The pool still works after losing a thread.
    const again = await exitsAt3.runCombos({ x: [4, 5] }, POOL);
    assert.deepEqual(again.toRecords(), [{ x: 4, y: 8 }, { x: 5, y: 10 }]);
  });

  it("rejects naming the case whose thread died, under onError: 'raise'", async () => {
    const err = await assertHarvestryError(() => exitsAt3.runCombos({ x: range(6) }, POOL), 'E_CASE_FAILED', /^The case \{x: 3\} failed: the worker thread running this case died/);
    assert.equal((err.cause as { code?: string }).code, 'E_WORKER_DIED');
  });

  it('refuses a function labelled inside a function, saying to export it', async () => {
    const closure = makeClosure(3);
    assert.deepEqual((await closure.runCombos({ x: [1, 2] })).toRecords(), [{ x: 1, y: 3 }, { x: 2, y: 6 }]);
    await assertHarvestryError(
      () => closure.runCombos({ x: [1, 2] }, POOL),
      'E_NOT_EXPORTED',
      /The pool executor runs the function in other threads or processes, which import it from file:.*labelled\.[jt]s, but it was labelled inside the function `makeClosure`.*export const sweep = label\(\.\.\.\)/,
    );
  });

  it('refuses a function that is not exported, saying to export it', async () => {
    await assertHarvestryError(() => runHidden('pool'), 'E_NOT_EXPORTED', /A worker imported file:.*labelled\.[jt]s but found no export that is this labelled function \(label\(\) call number \d+ in that module\)\..*export const sweep = label/);
  });

  it("runs a user's module that sweeps at its top level (workers import it without running the sweep again)", () => {
    const script = runnable(new URL('../fixtures/sweep-main.ts', import.meta.url));
    const r = spawnSync(process.execPath, [...process.execArgv, script, 'pool'], { encoding: 'utf8', timeout: 120_000 });
    assert.equal(r.status, 0, r.stderr);
    const out = JSON.parse(r.stdout.trim().split('\n').at(-1)!) as { rows: unknown[]; hiddenError: string };
    assert.deepEqual(out.rows, [1, 2, 3, 4, 5].map((x) => ({ x, y: x * 10 })));
    assert.match(out.hiddenError, /^E_NOT_EXPORTED: A worker imported file:.*sweep-main\.[jt]s but found no export/);
  });
});
