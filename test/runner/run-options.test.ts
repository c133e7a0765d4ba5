import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { label, type ProgressInfo } from '../../src/index.js';
import { assertHarvestryError, range } from '../_support/helpers.js';

function flaky(bad: readonly number[]) {
  return label({ varNames: 'y' }, ({ x }: { x: number }) => {
    if (bad.includes(x)) throw new Error(`x = ${x} is bad`);
    return x * 2;
  });
}

describe('run options', () => {
  it("onError 'raise' rejects naming the case, with the original error as cause and finished rows kept", async () => {
    const r = flaky([3]);
    const err = await assertHarvestryError(() => r.runCombos({ x: range(6) }), 'E_CASE_FAILED', /The function threw for the case \{x: 3\}: x = 3 is bad/);
    assert.ok(err.cause instanceof Error);
    assert.equal(err.cause.message, 'x = 3 is bad');
    assert.deepEqual(err.details.case, { x: 3 });
    const partial = err.details.partial as { toRecords(): unknown[] };
    assert.deepEqual(partial.toRecords(), [0, 1, 2].map((x) => ({ x, y: x * 2 })));
  });

  it("onError 'skip' leaves failed cases out and reports them", async () => {
    const r = flaky([1, 4]);
    const warnings: Error[] = [];
    const onWarning = (w: Error): void => void warnings.push(w);
    process.on('warning', onWarning);
    try {
      const ds = await r.runCombos({ x: range(6) }, { onError: 'skip' });
      assert.deepEqual(ds.toRecords().map((x) => x.x), [0, 2, 3, 5]);
      assert.deepEqual(ds.coords.x, range(6));
      assert.deepEqual(r.lastReport?.failures.map((f) => [f.values, f.message]), [
        [[1], 'x = 1 is bad'],
        [[4], 'x = 4 is bad'],
      ]);
      await new Promise((res) => setImmediate(res));
      assert.match(warnings.map((w) => w.message).join('\n'), /2 of 6 cases failed and were skipped.*\n {2}\{x: 1\}: x = 1 is bad/);
    } finally {
      process.off('warning', onWarning);
    }
  });

  it("onError 'record' keeps a row with null outputs and the message in `_error`", async () => {
    const ds = await flaky([2]).runCombos({ x: range(4) }, { onError: 'record' });
    assert.deepEqual(ds.toRecords(), [
      { x: 0, y: 0, _error: null },
      { x: 1, y: 2, _error: null },
      { x: 2, y: null, _error: 'x = 2 is bad' },
      { x: 3, y: 6, _error: null },
    ]);
    assert.equal(ds.meta.errorColumn, '_error');
    assert.ok(Number.isNaN(ds.get('y').data[2]));
  });

  it('retries a failing case before counting it as failed', async () => {
    let calls = 0;
    const r = label({ varNames: 'y' }, ({ x }: { x: number }) => {
      calls++;
      if (calls < 3) throw new Error('transient');
      return x;
    });
    const ds = await r.runCombos({ x: [7] }, { retries: 2 });
    assert.equal(calls, 3);
    assert.equal(ds.toRecords()[0]!.y, 7);
  });

  it('adds a duration column with timings: true', async () => {
    const ds = await flaky([]).runCombos({ x: [1, 2] }, { timings: true });
    const d = ds.column('_duration_ms');
    assert.equal(d.length, 2);
    assert.ok(Array.from(d.values as Float64Array).every((v) => v >= 0 && v < 10_000));
  });

  it('shuffles the call order but keeps results in canonical order, the same for the same seed', async () => {
    const order: number[] = [];
    const r = label({ varNames: 'y' }, ({ x }: { x: number }) => {
      order.push(x);
      return -x;
    });
    const ds = await r.runCombos({ x: range(20) }, { shuffle: 7 });
    assert.notDeepEqual(order, range(20));
    assert.deepEqual([...order].sort((a, b) => a - b), range(20));
    assert.deepEqual(ds.toRecords().map((x) => x.x), range(20));
    assert.deepEqual(ds.toRecords().map((x) => x.y), range(20).map((x) => -x));
    const first = [...order];
    order.length = 0;
    await r.runCombos({ x: range(20) }, { shuffle: 7 });
    assert.deepEqual(order, first);
  });

  it('stops on an AbortSignal: no new case starts, finished results are kept', async () => {
    const ac = new AbortController();
    const r = label({ varNames: 'y' }, ({ x }: { x: number }) => {
      if (x === 4) ac.abort();
      return x;
    });
    const err = await assertHarvestryError(() => r.runCombos({ x: range(10) }, { signal: ac.signal }), 'E_ABORTED', /aborted after 5 of 10 cases/);
    assert.deepEqual((err.details.partial as { toRecords(): { x: number }[] }).toRecords().map((x) => x.x), [0, 1, 2, 3, 4]);
  });

  it('reports progress to a callback', async () => {
    const seen: ProgressInfo[] = [];
    await flaky([]).runCombos({ x: range(5) }, { progress: (p) => seen.push(p) });
    assert.deepEqual(seen.at(-1) && { done: seen.at(-1)!.done, total: seen.at(-1)!.total, failed: seen.at(-1)!.failed }, { done: 5, total: 5, failed: 0 });
  });

  it('applies default run options from label() and lets a call override them', async () => {
    const r = label({ varNames: 'y', onError: 'record' }, ({ x }: { x: number }) => {
      if (x === 1) throw new Error('no');
      return x;
    });
    assert.equal((await r.runCombos({ x: [0, 1] })).numRows, 2);
    assert.equal((await r.runCombos({ x: [0, 1] }, { onError: 'skip' })).numRows, 1);
  });

  it('checks option values and names', async () => {
    const r = flaky([]);
    await assertHarvestryError(() => r.runCombos({ x: [1] }, { retries: -1 }), 'E_BAD_OPTION', /Expected `retries` in runCombos\(\) to be a whole number from 0 up, got -1/);
    await assertHarvestryError(() => r.runCombos({ x: [1] }, { onError: 'ignore' as never }), 'E_BAD_OPTION', /'raise', 'skip' or 'record'/);
    await assertHarvestryError(() => r.runCombos({ x: [1] }, { colour: 'red' } as never), 'E_BAD_OPTION', /runCombos\(\) has no option `colour`/);
  });
});
