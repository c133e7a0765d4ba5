/**
 * The Sampler: what it draws from (arrays, functions, spaces and mixtures, defaults overridden
 * per key), what its table holds (drawn parameters, constants, outputs, seed and index; rows not
 * keyed; columns in a stable order), its error policy, and its DataFrames.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import type * as Arrow from 'apache-arrow';
import { label, mixture, readSamples, Sampler, zip, type Rng, type SampleCommitInfo } from '../../src/index.js';
import { assertHarvestryError, duckdb, tempDir } from '../_support/helpers.js';
import { failsAt3, mul } from './fixtures/sample-fns.js';

/** Rows of a table as plain objects. */
function rows(table: Arrow.Table | null): Record<string, unknown>[] {
  assert.ok(table !== null);
  return table.toArray().map((r: { toJSON(): Record<string, unknown> }) => r.toJSON());
}

const names = (table: Arrow.Table | null): string[] => table!.schema.fields.map((f) => f.name);

describe('Sampler', () => {
  const dir = tempDir();

  it('draws from arrays (uniformly) and functions, runs the function, and records seed and index', async () => {
    const s = new Sampler(mul, { defaultCombos: { x: (rng) => rng(), y: [1, 2, 3] } });
    const table = await s.sampleCombos(600, { seed: 42 });
    const all = rows(table);
    assert.equal(all.length, 600);
    assert.deepEqual(names(table), ['x', 'y', 'p', '_seed', '_sample']);
    assert.deepEqual(all.map((r) => r._sample), [...all.keys()]);
    assert.ok(all.every((r) => r._seed === 42 && r.p === (r.x as number) * (r.y as number)));
    const counts = [1, 2, 3].map((y) => all.filter((r) => r.y === y).length);
    for (const c of counts) assert.ok(c > 150 && c < 250, `uniform choice: ${counts.join(', ')}`);
    const xs = all.map((r) => r.x as number);
    assert.ok(xs.every((x) => x >= 0 && x < 1));
    assert.ok(Math.abs(xs.reduce((a, b) => a + b, 0) / xs.length - 0.5) < 0.05);
    assert.equal(s.lastReport!.seed, 42);
    assert.equal(s.lastReport!.samples, 600);
  });

  it('chooses a seed when none is given, records it, and the same seed draws the same rows again', async () => {
    const s = new Sampler(mul, { defaultCombos: { x: (rng) => rng(), y: [1, 2, 3] } });
    const first = rows(await s.sampleCombos(20));
    const seed = s.lastReport!.seed;
    assert.ok(Number.isInteger(seed) && seed >= 0 && seed < 2 ** 32);
    assert.ok(first.every((r) => r._seed === seed));
    assert.deepEqual(rows(await s.sampleCombos(20, { seed })), first);
    assert.notDeepEqual(rows(await s.sampleCombos(20, { seed: (seed + 1) % 2 ** 32 })).map((r) => r.x), first.map((r) => r.x));
  });

  it('overrides defaultCombos per key, keeping the defaults first in column order', async () => {
    const s = new Sampler(mul, { defaultCombos: { y: [1], x: [0.5] } });
    const table = await s.sampleCombos(3, { combos: { y: [3], x: [0.25] } });
    assert.deepEqual(rows(table).map((r) => [r.x, r.y, r.p]), [[0.25, 3, 0.75], [0.25, 3, 0.75], [0.25, 3, 0.75]]);
    assert.deepEqual(names(table).slice(0, 2), ['y', 'x']);
  });

  it('keeps every row, also the same parameters twice: rows are not keyed', async () => {
    const s = new Sampler(mul);
    await s.sampleCombos(4, { combos: { x: [0.5], y: [2] }, seed: 1 });
    await s.sampleCombos(4, { combos: { x: [0.5], y: [2] }, seed: 1 });
    assert.equal(s.fullTable!.numRows, 8);
    assert.deepEqual(rows(s.fullTable).map((r) => r._sample), [0, 1, 2, 3, 0, 1, 2, 3]);
  });

  it('draws several parameters at once from a space or a weighted mixture under one key', async () => {
    const pairs = zip({ x: [0.1, 0.2], y: [1, 2] });
    const s = new Sampler(mul);
    const fromSpace = rows(await s.sampleCombos(50, { combos: { x: pairs }, seed: 3 }));
    assert.ok(fromSpace.every((r) => (r.x === 0.1 && r.y === 1) || (r.x === 0.2 && r.y === 2)));
    assert.ok(fromSpace.some((r) => r.x === 0.1) && fromSpace.some((r) => r.x === 0.2));
    const withDefaults = new Sampler(mul, { defaultCombos: { y: [3], x: (rng) => rng() } });
    const replaced = await withDefaults.sampleCombos(20, { combos: { x: pairs }, seed: 3 });
    assert.deepEqual(names(replaced), ['x', 'y', 'p', '_seed', '_sample'], 'the space replaces the default of y too');
    assert.ok(rows(replaced).every((r) => (r.x === 0.1 && r.y === 1) || (r.x === 0.2 && r.y === 2)));
    const m = mixture([0.9, { x: [0.5], y: [1] }], [0.1, { x: [0.75], y: [3] }]);
    const mixed = rows(await s.sampleCombos(400, { combos: { x: m }, seed: 3 }));
    const rare = mixed.filter((r) => r.y === 3).length;
    assert.ok(rare > 15 && rare < 70, `${rare} of 400 from the 0.1 part`);
    assert.ok(mixed.every((r) => (r.x === 0.5 && r.y === 1) || (r.x === 0.75 && r.y === 3)));
  });

  it('saves scalar constants as columns and other constants as attrs, and never resources', async () => {
    const f = label({ varNames: 'y', constants: { scale: 2, unit: 'cm', shape: [3, 4] }, resources: { cache: new Map<string, number>() } }, ({ x, scale, unit, shape, cache }: { x: number; scale: number; unit: string; shape: number[]; cache: Map<string, number> }) => {
      cache.set(unit, x);
      return x * scale * shape.length;
    });
    const s = new Sampler(f, join(dir, 'constants.parquet'));
    const table = await s.sampleCombos(2, { combos: { x: [1] }, constants: { scale: 3 } });
    assert.deepEqual(names(table), ['x', 'scale', 'unit', 'y', '_seed', '_sample']);
    assert.deepEqual(rows(table).map((r) => [r.scale, r.unit, r.y]), [[3, 'cm', 6], [3, 'cm', 6]]);
    const kv = await duckdb(`SELECT decode(value) AS v FROM parquet_kv_metadata('${join(dir, 'constants.parquet')}') WHERE decode(key) = 'harvestry.samples'`);
    const meta = JSON.parse(kv[0]!.v as string) as { attrs: Record<string, unknown> };
    assert.deepEqual(meta.attrs, { shape: [3, 4] });
    assert.ok(!readFileSync(join(dir, 'constants.parquet')).includes('cache'));
  });

  for (const ext of ['parquet', 'arrow', 'csv', 'jsonl']) {
    it(`${ext}: keeps the columns of the file in order across appends; a new column goes last and old rows get null`, async () => {
      const path = join(dir, `order.${ext}`);
      const f = label({ varNames: 'p' }, ({ x, y, z = 0 }: { x: number; y: number; z?: number }) => x * y + z);
      const s = new Sampler(f, path, { defaultCombos: { x: [1, 2], y: [3] } });
      await s.sampleCombos(2, { seed: 1 });
      await s.sampleCombos(2, { seed: 2, combos: { y: [4], x: [5] } });
      assert.deepEqual(names(s.fullTable), ['x', 'y', 'p', '_seed', '_sample']);
      await s.sampleCombos(1, { seed: 3, combos: { z: [10] } });
      assert.deepEqual(names(s.fullTable), ['x', 'y', 'p', '_seed', '_sample', 'z']);
      assert.deepEqual(rows(s.fullTable).map((r) => r.z), [null, null, null, null, 10]);
      assert.deepEqual(names(s.lastTable), ['x', 'y', 'z', 'p', '_seed', '_sample']);
      await s.sampleCombos(1, { seed: 4 });
      const back = rows(await readSamples(path));
      assert.deepEqual(back.map((r) => r.z), [null, null, null, null, 10, null]);
      assert.ok(back.every((r) => r.p === (r.x as number) * (r.y as number) + ((r.z as number | null) ?? 0)));
    });

    it(`${ext}: gives an output that was all null (every sample failed) its type when results come`, async () => {
      const path = join(dir, `typed-later.${ext}`);
      const f = label({ varNames: 'p' }, ({ x }: { x: number }) => {
        if (x < 0) throw new Error('negative');
        return `x=${x}`;
      });
      const s = new Sampler(f, path);
      await s.sampleCombos(2, { combos: { x: [-1] }, onError: 'record' });
      assert.equal(String(s.fullTable!.schema.fields[1]!.type), 'Float64', 'untyped: stored as null doubles');
      await s.sampleCombos(2, { combos: { x: [2] }, onError: 'record' });
      const back = await readSamples(path);
      assert.deepEqual(back.schema.fields.map((c) => `${c.name}: ${String(c.type)}`), ['x: Float64', 'p: Utf8', '_error: Utf8', '_seed: Uint32', '_sample: Int32']);
      assert.deepEqual(rows(back).map((r) => [r.p, r._error]), [[null, 'negative'], [null, 'negative'], ['x=2', null], ['x=2', null]]);
      await assertHarvestryError(() => s.sampleCombos(1, { combos: { x: [-2] } }), 'E_CASE_FAILED');
      const g = label({ varNames: 'p' }, ({ x }: { x: number }) => x);
      await assertHarvestryError(() => new Sampler(g, path).sampleCombos(1, { combos: { x: [1] } }), 'E_SCHEMA_MISMATCH', /^Column `p` of .* is a var of type utf8, but the new rows have it as a var of type float64\. A column keeps one role and type in a table/);
    });
  }

  it('keeps the rows of samples that finished when one fails under onError: raise, naming the sample', async () => {
    const path = join(dir, 'raise.parquet');
    const defaultCombos = { x: (rng: Rng) => rng(), y: [1, 2, 3] };
    // a seed whose first few samples succeed
    let seed = 0;
    const firstFailure = async (k: number): Promise<number> => rows(await new Sampler(failsAt3, { defaultCombos }).sampleCombos(50, { seed: k, onError: 'record' })).findIndex((r) => r._error !== null);
    while ((await firstFailure(seed)) < 3) seed++;
    const s = new Sampler(failsAt3, path, { defaultCombos });
    const err = await assertHarvestryError(() => s.sampleCombos(50, { seed }), 'E_CASE_FAILED', new RegExp(`^The function threw for sample (\\d+) \\{x: [\\d.]+, y: 3\\} \\(seed ${seed}\\): y = 3 is bad \\(x = [\\d.]+\\)\\. The finished samples were kept and written to .*raise\\.parquet\\.`));
    const failed = err.details.sample as number;
    assert.equal(failed, await firstFailure(seed));
    assert.equal((await readSamples(path)).numRows, failed);
    assert.equal(s.lastTable!.numRows, failed);
    assert.ok(rows(s.lastTable).every((r) => r.y !== 3));
  });

  it('commits as it goes (onCommit tells what each wrote), and keeps what finished when aborted', async () => {
    const path = join(dir, 'commits.parquet');
    const commits: SampleCommitInfo[] = [];
    const s = new Sampler(mul, path, { defaultCombos: { x: (rng) => rng(), y: [1, 2, 3] }, commitEvery: { rows: 10 } });
    await s.sampleCombos(35, { seed: 1, onCommit: (c) => commits.push(c) });
    assert.deepEqual(commits.map((c) => c.mode), ['create', 'append', 'append', 'append']);
    assert.deepEqual(commits.map((c) => c.rows), [10, 10, 10, 5]);
    assert.deepEqual(commits.map((c) => c.fileRows), [10, 20, 30, 35]);
    const controller = new AbortController();
    let calls = 0;
    const stops = label({ varNames: 'p' }, ({ x }: { x: number }) => {
      if (++calls === 12) controller.abort();
      return x;
    });
    const aborted = new Sampler(stops, join(dir, 'aborted.csv'), { defaultCombos: { x: [1] }, commitEvery: { rows: 5, ms: 0 } });
    const err = await assertHarvestryError(() => aborted.sampleCombos(40, { signal: controller.signal }), 'E_ABORTED', /^The sampling was aborted after 12 of 40 samples; the finished ones were kept and written to .*aborted\.csv/);
    assert.equal((err.details.partial as Arrow.Table).numRows, 12);
    assert.equal((await readSamples(join(dir, 'aborted.csv'))).numRows, 12);
  });

  it("leaves failed samples out with onError: 'skip' and keeps them with their message with 'record'", async () => {
    const s = new Sampler(failsAt3, { defaultCombos: { x: (rng) => rng(), y: [1, 2, 3] } });
    const skipped = rows(await s.sampleCombos(30, { seed: 4, onError: 'skip' }));
    const recorded = rows(await s.sampleCombos(30, { seed: 4, onError: 'record' }));
    assert.equal(recorded.length, 30);
    const bad = recorded.filter((r) => r._error !== null);
    assert.ok(bad.length > 0 && bad.every((r) => r.y === 3 && r.p === null && String(r._error).startsWith('y = 3 is bad')));
    assert.deepEqual(skipped.map((r) => r._sample), recorded.filter((r) => r._error === null).map((r) => r._sample));
  });

  it('reads the file again when another Sampler added rows to it', async () => {
    const path = join(dir, 'shared.csv');
    const a = new Sampler(mul, path, { defaultCombos: { x: [0.5], y: [1] } });
    const b = new Sampler(mul, path, { defaultCombos: { x: [0.25], y: [2] } });
    await a.sampleCombos(2);
    assert.equal(a.fullTable!.numRows, 2);
    await b.sampleCombos(3);
    assert.equal(a.fullTable!.numRows, 5);
    assert.deepEqual(rows(a.fullTable).map((r) => r.p), [0.5, 0.5, 0.5, 0.5, 0.5]);
  });

  it('gives the tables as danfo DataFrames with the right shape and columns', async () => {
    const s = new Sampler(mul, { defaultCombos: { x: (rng) => rng(), y: [1, 2, 3] } });
    assert.equal(await s.fullDf(), null);
    await s.sampleCombos(7, { seed: 1 });
    await s.sampleCombos(5, { seed: 2 });
    const full = (await s.fullDf())!;
    assert.deepEqual(full.shape, [12, 5]);
    assert.deepEqual(full.columns, ['x', 'y', 'p', '_seed', '_sample']);
    const last = (await s.lastDf())!;
    assert.deepEqual(last.shape, [5, 5]);
    const values = (last as unknown as { values: unknown[][] }).values;
    assert.deepEqual(values.map((r) => [r[3], r[4]]), [[2, 0], [2, 1], [2, 2], [2, 3], [2, 4]]);
  });

  it('gives functions that take rng a generator of their own per sample', async () => {
    const f = label({ varNames: ['a', 'b'] }, ({ x, rng }: { x: number; rng: Rng }) => [rng() + 0 * x, rng()] as const);
    const s = new Sampler(f, { defaultCombos: { x: [1] } });
    const first = rows(await s.sampleCombos(5, { seed: 10 }));
    assert.equal(new Set(first.map((r) => r.a)).size, 5);
    assert.ok(first.every((r) => r.a !== r.b));
    assert.deepEqual(rows(await s.sampleCombos(3, { seed: 10 })), first.slice(0, 3));
    const none = label({ varNames: 'u' }, ({ rng }: { rng: Rng }) => rng());
    assert.equal((await new Sampler(none).sampleCombos(4, { seed: 1 })).numRows, 4);
  });

  it('refuses bad calls with the code and a message naming the fix', async () => {
    const s = new Sampler(mul, { defaultCombos: { x: [0.5], y: [1] } });
    for (const n of [0, -1, 1.5, '3']) {
      await assertHarvestryError(() => s.sampleCombos(n as number), 'E_BAD_OPTION', /^Expected the number of samples given to sampleCombos\(\) to be a whole number from 1 to 2147483647, got /);
    }
    await assertHarvestryError(() => s.sampleCombos(1, { combos: { speed: [1] } as never }), 'E_UNKNOWN_ARG', /^sampleCombos\(\) names `speed`, which the function does not take\. Its arguments are `x` and `y`\./);
    await assertHarvestryError(() => new Sampler(mul).sampleCombos(1, { combos: { x: [0.5] } }), 'E_MISSING_ARG', /^The function needs `y`, but no combo, case, constant or resource gives it\./);
    await assertHarvestryError(() => s.sampleCombos(1, { combos: { y: 'abc' as never } }), 'E_COMBO_NOT_ARRAY', /^Expected `combos\.y` to be an array of values, got the string "abc"/);
    await assertHarvestryError(() => s.sampleCombos(1, { combos: { y: [] } }), 'E_EMPTY_COMBO', /^`combos\.y` is an empty array/);
    await assertHarvestryError(() => s.sampleCombos(1, { combos: { y: 3 as never } }), 'E_COMBO_NOT_ARRAY', /^Expected `combos\.y` in sampleCombos\(\) to be an array of values \(one is chosen uniformly\), a function \(rng\) => value, or a space or mixture\(\) drawing several parameters, got 3\./);
    await assertHarvestryError(() => s.sampleCombos(40, { combos: { y: (rng) => (rng() < 0.5 ? 1 : ('2' as never)) } }), 'E_MIXED_TYPES', /^Column `y` drawn in sampleCombos\(\) mixes (numbers and strings|strings and numbers)/);
    await assertHarvestryError(() => s.sampleCombos(1, { combos: { y: () => ({ v: 1 }) as never } }), 'E_UNSUPPORTED_VALUE', /^`combos\.y` in sampleCombos\(\) gave an object with keys v for `y` \(sample 0\)\. A drawn value is a number, bigint, boolean, string, Date or null/);
    await assertHarvestryError(() => s.sampleCombos(1, { combos: { y: () => Promise.resolve(1) } as never }), 'E_UNSUPPORTED_VALUE', /gave a Promise for `y` \(sample 0\)\. .* returned synchronously: draw without await/);
    await assertHarvestryError(() => s.sampleCombos(1, { combos: { x: [0.5], y: zip({ x: [0.1], y: [1] }) } }), 'E_SPACE_DIMS', /^In sampleCombos\(\), `combos\.x` and `combos\.y` both draw `x`\./);
    await assertHarvestryError(() => s.sampleCombos(1, { seed: -3 }), 'E_BAD_OPTION', /^Expected `seed` in sampleCombos\(\) to be a whole number from 0 to 4294967295, got -3\./);
    await assertHarvestryError(() => s.sampleCombos(1, { cases: [] } as never), 'E_BAD_OPTION', /^sampleCombos\(\) has no option `cases`\./);
    await assertHarvestryError(() => new Sampler(mul, 3 as never), 'E_BAD_OPTION', /^new Sampler\(\) expects the path of the table's file second \(or null to keep it in memory\), got 3\./);
    await assertHarvestryError(() => new Sampler(mul, null, { defaultCombos: { x: 'x' as never } }), 'E_COMBO_NOT_ARRAY', /`combos\.x`/);
  });
});
