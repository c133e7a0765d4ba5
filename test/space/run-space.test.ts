/**
 * Spaces where combos and cases go: `runCombos(space)` and `runCases(space)` run every point,
 * one row per point, keyed and labelled as the space says; names are checked at compile time and
 * at run time; the Parquet file reads back in DuckDB.
 */
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { concat, filter, label, points, product, repeat, writeDataset, zip } from '../../src/index.js';
import { assertHarvestryError, checkedProduct, duckdb, range, tempDir } from '../_support/helpers.js';

const r = label({ varNames: 'p' }, checkedProduct);

describe('running a space', () => {
  it('runs a zip: one row per pair, in order, with sorted coords', async () => {
    const ds = await r.runCombos(zip({ b: [30, 10, 20], a: [3, 1, 2] }));
    assert.deepEqual(ds.dims, ['b', 'a']);
    assert.deepEqual(
      ds.toRecords().map((row) => [row.b, row.a, row.p]),
      [
        [30, 3, 90],
        [10, 1, 10],
        [20, 2, 40],
      ],
    );
    assert.deepEqual(ds.coords, { b: [10, 20, 30], a: [1, 2, 3] });
  });

  it('runs a concatenation given to runCases, keeping each part where it is', async () => {
    const space = concat(points([{ a: 9, b: 99 }]), product({ a: [1, 2] }, { b: [10] }));
    const ds = await r.runCases(space);
    assert.deepEqual(
      ds.toRecords().map((row) => [row.a, row.b, row.p]),
      [
        [9, 99, 891],
        [1, 10, 10],
        [2, 10, 20],
      ],
    );
    assert.deepEqual(ds.coords, { a: [1, 2, 9], b: [10, 99] });
  });

  it('combines cases given in options with every point of the space, case-major', async () => {
    const ds = await r.runCombos(zip({ b: [10, 20] }), { cases: [{ a: 2 }, { a: 1 }] });
    assert.deepEqual(ds.dims, ['a', 'b']);
    assert.deepEqual(
      ds.toRecords().map((row) => [row.a, row.b]),
      [
        [2, 10],
        [2, 20],
        [1, 10],
        [1, 20],
      ],
    );
    const again = await r.runCases(points([{ a: 3 }]), { combos: { b: [50, 60] } });
    assert.deepEqual(again.toRecords().map((row) => row.p), [150, 180]);
    await assertHarvestryError(() => r.runCombos(zip({ a: [1], b: [10] }), { cases: [{ a: 2 }] }), 'E_CONSTANT_CLASH', /`a` is given both in `combos` and in `cases`/);
  });

  it('runs only the points a filter keeps, calling the function once per kept point', async () => {
    const seen: string[] = [];
    const counted = label({ varNames: 'p' }, ({ a, b }: { a: number; b: number }) => {
      seen.push(`${a},${b}`);
      return checkedProduct({ a, b });
    });
    const ds = await counted.runCombos(filter({ a: range(10), b: [10, 20, 30] }, (pt) => pt.a * 10 === pt.b));
    assert.deepEqual(seen, ['1,10', '2,20', '3,30']);
    assert.deepEqual(ds.toRecords().map((row) => row.p), [10, 40, 90]);
    assert.deepEqual(ds.coords.a, range(10));
  });

  it('keeps repetitions apart by their dim, which the function receives', async () => {
    const noisy = label({ varNames: 'y' }, ({ x, rep }: { x: number; rep: number }) => x * 100 + rep);
    const ds = await noisy.runCombos(repeat({ x: [1, 2] }, 3));
    assert.deepEqual(ds.dims, ['x', 'rep']);
    assert.deepEqual(ds.get('y').data, Float64Array.from([100, 101, 102, 200, 201, 202]));
  });

  it('gives the same dataset shuffled, and names a failed point by its dims', async () => {
    const space = concat({ a: [1, 2], b: [10] }, zip({ a: [3, 4], b: [20, 30] }));
    const plain = await r.runCombos(space);
    const shuffled = await r.runCombos(space, { shuffle: 7 });
    assert.deepEqual(shuffled.toRecords(), plain.toRecords());
    const failing = label({ varNames: 'p' }, ({ a, b }: { a: number; b: number }) => checkedProduct({ a: a === 4 ? -1 : a, b }));
    await assertHarvestryError(() => failing.runCombos(space), 'E_CASE_FAILED', /for the case \{a: 4, b: 30\}: fixture: a must be in \[0, 10\), got -1/);
  });

  it('checks names and types at compile time and names at run time', async () => {
    // @ts-expect-error: `bee` is not a parameter of the function
    await assertHarvestryError(() => r.runCombos(zip({ a: [1], bee: [10] })), 'E_UNKNOWN_ARG', /`bee` \(did you mean `b`\?\)/);
    // @ts-expect-error: `b` takes numbers
    await assertHarvestryError(() => r.runCases(points([{ a: 1, b: 'ten' }])), 'E_CASE_FAILED', /b must be in \[10, 100\)/);
    const positional = label({ varNames: 'p', fnArgs: ['x', 'y'] }, (x: number, y: boolean) => (y ? x : -x));
    assert.deepEqual((await positional.runCombos(zip({ x: [1, 2], y: [true, false] }))).toRecords().map((row) => row.p), [1, -2]);
    // @ts-expect-error: `y` takes booleans
    await positional.runCombos(zip({ x: [1], y: ['no'] })).catch(() => undefined);
  });

  it('refuses a space too big to index in one run', async () => {
    const big = range(2000);
    const r3 = label({ varNames: 'p' }, ({ a, b, c }: { a: number; b: number; c: number }) => a + b + c);
    await assertHarvestryError(() => r3.runCombos(product({ a: big }, { b: big }, { c: big })), 'E_SPACE_TOO_BIG', /The space of runCombos\(\) has 8\.000e\+9 points, more than the 2147483647/);
  });

  it('writes a Parquet file DuckDB reads as one row per point', async () => {
    const dir = tempDir();
    const path = join(dir, 'space.parquet');
    await writeDataset(await r.runCombos(concat(zip({ a: [1, 2], b: [10, 20] }), { a: [3], b: [30, 40] })), path);
    const rows = await duckdb(`SELECT a, b, p FROM '${path}' ORDER BY a, b`);
    assert.deepEqual(rows, [
      { a: 1, b: 10, p: 10 },
      { a: 2, b: 20, p: 40 },
      { a: 3, b: 30, p: 90 },
      { a: 3, b: 40, p: 120 },
    ]);
  });
});
