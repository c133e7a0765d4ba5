/**
 * The same behaviours on every executor: inline, the worker pool and subprocesses give the
 * same datasets, the same errors and the same reports.
 */
import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import { closePools, type Dataset, type ProgressInfo, type RunOptions } from '../../src/index.js';
import { asyncMixed, brokenText, flaky, flakyOnce, missingReturn, product, slow, traces } from '../fixtures/labelled.js';
import { assertHarvestryError, range } from '../_support/helpers.js';

const EXECUTORS: Readonly<Record<string, RunOptions>> = {
  inline: { executor: 'inline' },
  pool: { executor: 'pool', numWorkers: 2 },
  subprocess: { executor: 'subprocess', numWorkers: 2 },
};

after(() => closePools());

/** Rows as plain values (bigints as strings) to compare datasets. */
function rows(ds: Dataset): unknown[] {
  return JSON.parse(JSON.stringify(ds.toRecords(), (_k, v: unknown) => (typeof v === 'bigint' ? `${v}n` : v instanceof Float64Array ? Array.from(v) : v))) as unknown[];
}

interface Behaviour {
  readonly name: string;
  check(options: RunOptions): Promise<void>;
}

const behaviours: Behaviour[] = [
  {
    name: 'runs combos in canonical order',
    async check(o) {
      const ds = await product.runCombos({ a: [1, 2, 3], b: [10, 20] }, o);
      assert.deepEqual(rows(ds), [1, 2, 3].flatMap((a) => [10, 20].map((b) => ({ a, b, p: a * b }))));
    },
  },
  {
    name: 'runs cases combined with combos, shuffled, with the same result',
    async check(o) {
      const ds = await product.runCases([{ a: 9 }, { a: 2 }], { ...o, combos: { b: range(30, 10) }, shuffle: 3 });
      assert.deepEqual(rows(ds), [9, 2].flatMap((a) => range(30, 10).map((b) => ({ a, b, p: a * b }))));
    },
  },
  {
    name: 'runs an async function with several outputs of several types',
    async check(o) {
      const ds = await asyncMixed.runCombos({ a: [0, 5], b: [11, 12] }, o);
      assert.deepEqual(rows(ds), [
        { a: 0, b: 11, sum: 11, label: 'a0b11', even: false, big: '0n' },
        { a: 0, b: 12, sum: 12, label: 'a0b12', even: true, big: '0n' },
        { a: 5, b: 11, sum: 16, label: 'a5b11', even: true, big: '5000000000000n' },
        { a: 5, b: 12, sum: 17, label: 'a5b12', even: false, big: '5000000000000n' },
      ]);
    },
  },
  {
    name: 'keeps list outputs and a record of outputs',
    async check(o) {
      const ds = await traces.runCombos({ x: [2, 0, 7] }, o);
      assert.deepEqual(ds.varNames, ['trace', 'last']);
      assert.deepEqual(rows(ds), [2, 0, 7].map((x) => ({ x, trace: [0, 1, 2, 3].map((t) => x * 10 + t), last: x * 10 + 3 })));
      assert.deepEqual(ds.meta.varCoords.t?.coords, [0, 1, 2, 3]);
    },
  },
  {
    name: 'refuses undefined (a missing return) as a result, whatever onError says; null stays "no value"',
    async check(o) {
      for (const onError of ['raise', 'skip', 'record'] as const) {
        await assertHarvestryError(
          () => missingReturn.runCombos({ x: [0, 2, 4, 3] }, { ...o, onError }),
          'E_RESULT_SHAPE',
          /^The case \{x: 3\} returned undefined for `y`: undefined is not a value \(most often the function, or one of its branches, ends without `return`\)\. Return the result, or null to say "no value"\.$/,
        );
      }
      const ds = await missingReturn.runCombos({ x: [0, 2, 4] }, o);
      assert.deepEqual(rows(ds), [
        { x: 0, y: null },
        { x: 2, y: 2 },
        { x: 4, y: 4 },
      ]);
    },
  },
  {
    name: 'refuses a result string with a lone surrogate, keeps a leading U+FEFF',
    async check(o) {
      await assertHarvestryError(
        () => brokenText.runCombos({ x: [1, 2, 3] }, { ...o, onError: 'skip' }),
        'E_UNSUPPORTED_VALUE',
        /^The case \{x: 2\} returned "x\\ud8002" for `y`, a string with a lone surrogate \(U\+D800 without its other half\), which UTF-8 cannot hold: .* Give well-formed text/,
      );
      const ds = await brokenText.runCombos({ x: [1, 3] }, o);
      assert.deepEqual(ds.column('y').values, ['\uFEFFx1', '\uFEFFx3']);
    },
  },
  {
    name: "onError 'raise' rejects naming the case, with its error as cause, keeping finished rows",
    async check(o) {
      const err = await assertHarvestryError(() => flaky.runCombos({ x: range(8) }, { ...o, constants: { bad: [3] } }), 'E_CASE_FAILED', /The function threw for the case \{x: 3\}: x = 3 is bad\. Finished results were kept/);
      assert.ok(err.cause instanceof Error);
      assert.equal(err.cause.message, 'x = 3 is bad');
      assert.deepEqual(err.details.case, { x: 3 });
      const partial = rows(err.details.partial as Dataset) as { x: number; y: number }[];
      assert.ok(partial.every((r) => r.x !== 3 && r.y === r.x * 2 && (r as { bad?: unknown }).bad === undefined));
      assert.deepEqual(partial.filter((r) => r.x < 3).map((r) => r.x), [0, 1, 2]);
    },
  },
  {
    name: "onError 'skip' leaves failed cases out and reports them",
    async check(o) {
      const ds = await flaky.runCombos({ x: range(8) }, { ...o, onError: 'skip', constants: { bad: [1, 6] } });
      assert.deepEqual(rows(ds).map((r) => (r as { x: number }).x), [0, 2, 3, 4, 5, 7]);
      assert.deepEqual(ds.coords.x, range(8));
      assert.deepEqual(
        flaky.lastReport?.failures.map((f) => [f.index, f.values, f.message]).sort(),
        [
          [1, [1], 'x = 1 is bad'],
          [6, [6], 'x = 6 is bad'],
        ],
      );
    },
  },
  {
    name: "onError 'record' keeps failed cases as rows with their message",
    async check(o) {
      const ds = await flaky.runCombos({ x: range(5) }, { ...o, onError: 'record', constants: { bad: [2] } });
      assert.deepEqual(rows(ds), [
        { x: 0, y: 0, _error: null },
        { x: 1, y: 2, _error: null },
        { x: 2, y: null, _error: 'x = 2 is bad' },
        { x: 3, y: 6, _error: null },
        { x: 4, y: 8, _error: null },
      ]);
    },
  },
  {
    name: 'retries a case that throws, in the same worker',
    async check(o) {
      const ds = await flakyOnce.runCombos({ x: range(6, 100 + Math.floor(Math.random() * 800)) }, { ...o, retries: 1 });
      assert.equal(ds.numRows, 6);
      assert.ok(rows(ds).every((r) => (r as { x: number; y: number }).x === (r as { y: number }).y));
    },
  },
  {
    name: 'adds a duration per case with timings',
    async check(o) {
      const ds = await slow.runCombos({ x: range(4) }, { ...o, timings: true, constants: { ms: 5 } });
      const d = Array.from(ds.column('_duration_ms').values as Float64Array);
      assert.equal(d.length, 4);
      assert.ok(d.every((v) => v >= 4 && v < 60_000), `durations ${d.join(', ')}`);
    },
  },
  {
    name: 'reports progress to a callback, ending with every case done',
    async check(o) {
      const seen: ProgressInfo[] = [];
      await flaky.runCombos({ x: range(20) }, { ...o, onError: 'record', constants: { bad: [5] }, progress: (p) => seen.push(p) });
      const last = seen.at(-1)!;
      assert.deepEqual({ done: last.done, total: last.total, failed: last.failed }, { done: 20, total: 20, failed: 1 });
      assert.ok(seen.every((p, i) => i === 0 || p.done >= seen[i - 1]!.done));
    },
  },
  {
    name: 'stops on an AbortSignal: no new case starts, finished results are kept',
    async check(o) {
      const ac = new AbortController();
      // Inline reports progress per chunk (every 2 s): abort it from a timer between cases instead.
      if (o.executor === 'inline') {
        setTimeout(() => {
          ac.abort();
        }, 50);
      }
      const stopWhenStarted = (p: ProgressInfo): void => {
        if (p.done > 0) ac.abort();
      };
      const err = await assertHarvestryError(
        () => slow.runCombos({ x: range(400) }, { ...o, constants: { ms: 4 }, signal: ac.signal, progress: stopWhenStarted }),
        'E_ABORTED',
        /The run was aborted after \d+ of 400 cases/,
      );
      const partial = rows(err.details.partial as Dataset) as { x: number; y: number }[];
      assert.ok(partial.length > 0 && partial.length < 400, `${partial.length} rows`);
      assert.ok(partial.every((r) => r.y === r.x));
    },
  },
];

for (const [name, options] of Object.entries(EXECUTORS)) {
  describe(`executor ${name}`, () => {
    for (const b of behaviours) it(b.name, () => b.check(options));
  });
}
