import assert from 'node:assert/strict';
import { readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { concat, Harvester, label, points, readDataset, zip, type CommitInfo } from '../../src/index.js';
import { assertHarvestryError, checkedProduct, duckdb, tempDir } from '../_support/helpers.js';

/** A labelled checkedProduct that counts its calls per case. */
function counted(extra = 0) {
  const calls = new Map<string, number>();
  const r = label({ varNames: 'p' }, ({ a, b }: { a: number; b: number }) => {
    calls.set(`${a},${b}`, (calls.get(`${a},${b}`) ?? 0) + 1);
    return checkedProduct({ a, b }) + extra;
  });
  return { r, calls, total: () => [...calls.values()].reduce((s, n) => s + n, 0) };
}

const keysOf = (rows: Record<string, unknown>[]): string[] => rows.map((r) => `${String(r.a)},${String(r.b)}`).sort();

describe('Harvester: harvesting into one file', () => {
  const dir = tempDir();

  it('creates the file on the first harvest, merges later ones, and returns each run', async () => {
    const path = join(dir, 'basic.parquet');
    const { r } = counted();
    const h = new Harvester(r, path);
    assert.equal(h.fullDs, null);
    const first = await h.harvestCombos({ a: [1, 2], b: [10, 20, 30] });
    assert.equal(first.numRows, 6);
    assert.equal(h.lastDs, first);
    const second = await h.harvestCombos({ a: [3], b: [10, 20, 30] });
    assert.deepEqual(second.toRecords(), [10, 20, 30].map((b) => ({ a: 3, b, p: 3 * b })));
    const full = h.fullDs!;
    assert.equal(full.numRows, 9);
    assert.deepEqual(full.coords.a, [1, 2, 3]);
    assert.deepEqual(full.coords.b, [10, 20, 30]);
    assert.deepEqual(full.get('p').data, Float64Array.from([1, 2, 3].flatMap((a) => [10, 20, 30].map((b) => a * b))));
    const rows = await duckdb(`SELECT a, b, p FROM '${path}' ORDER BY a, b`);
    assert.deepEqual(rows, [1, 2, 3].flatMap((a) => [10, 20, 30].map((b) => ({ a, b, p: a * b }))));
    const types = await duckdb(`SELECT column_name AS c, column_type AS t FROM (DESCRIBE SELECT * FROM '${path}')`);
    assert.deepEqual(types, [
      { c: 'a', t: 'DOUBLE' },
      { c: 'b', t: 'DOUBLE' },
      { c: 'p', t: 'DOUBLE' },
      { c: '_fingerprint', t: 'VARCHAR' },
    ]);
  });

  it('runs only missing cases with missingOnly, and nothing at all (no write) when none is missing', async () => {
    const path = join(dir, 'missing.parquet');
    const { r, calls, total } = counted();
    const h = new Harvester(r, path);
    await h.harvestCombos({ a: [1, 2], b: [10, 20] });
    const ran = await h.harvestCombos({ a: [1, 2, 3], b: [10, 20, 30] }, { missingOnly: true });
    assert.deepEqual(keysOf(ran.toRecords()), ['1,30', '2,30', '3,10', '3,20', '3,30']);
    assert.equal(h.lastReport?.skipped, 4);
    assert.ok([...calls.values()].every((n) => n === 1));
    const before = statSync(path);
    const bytes = readFileSync(path);
    const commits: CommitInfo[] = [];
    const none = await h.harvestCombos({ a: [3, 1, 2], b: [30, 10, 20] }, { missingOnly: true, onCommit: (c) => commits.push(c) });
    assert.equal(none.numRows, 0);
    assert.equal(total(), 9);
    assert.equal(h.lastReport.cases, 0);
    assert.deepEqual(commits, []);
    assert.deepEqual(readFileSync(path), bytes);
    assert.equal(statSync(path).mtimeMs, before.mtimeMs);
  });

  it('finds present cases by name, whatever order the combos name the dims in', async () => {
    const path = join(dir, 'by-name.parquet');
    const { r, calls } = counted();
    const h = new Harvester(r, path);
    await h.harvestCombos({ a: [1, 2], b: [10] });
    // b first: a positional lookup would read (b, a) as (a, b) and get it wrong
    await h.harvestCombos({ b: [10, 20], a: [2, 1] }, { missingOnly: true });
    assert.deepEqual([...calls.keys()].sort(), ['1,10', '1,20', '2,10', '2,20']);
    assert.ok([...calls.values()].every((n) => n === 1));
    assert.deepEqual(h.fullDs!.dims, ['a', 'b']);
    assert.deepEqual(keysOf(h.fullDs!.toRecords()), ['1,10', '1,20', '2,10', '2,20']);
  });

  it("expands '...' to every value of the dim already in the file", async () => {
    const path = join(dir, 'dots.parquet');
    const { r } = counted();
    const h = new Harvester(r, path);
    await assertHarvestryError(() => h.harvestCombos({ a: [1], b: '...' }), 'E_NOT_FOUND', /`combos\.b` in harvestCombos\(\) is '\.\.\.' .* but there is no dataset at .*dots\.parquet yet/);
    await h.harvestCombos({ a: [1], b: [10, 30, 20] });
    const ran = await h.harvestCombos({ a: [4, 5], b: '...' }, { missingOnly: true });
    assert.deepEqual(ran.coords.b, [10, 30, 20]);
    assert.equal(ran.numRows, 6);
    assert.deepEqual(h.fullDs!.coords.a, [1, 4, 5]);
    await assertHarvestryError(() => h.harvestCombos({ a: [1], c: '...' } as never), 'E_UNKNOWN_DIM', /has no dim `c`; its dims are `a` and `b`/);
  });

  it('counts NaN and null results as present, and recorded failures as missing', async () => {
    const path = join(dir, 'present.parquet');
    let failing = true;
    const calls: string[] = [];
    const r = label({ varNames: ['p', 'q'] }, ({ a, b }: { a: number; b: number }) => {
      calls.push(`${a},${b}`);
      if (a === 3 && failing) throw new Error('a = 3 fails for now');
      return [a === 1 ? NaN : a * b, a === 2 ? null : 'ok'];
    });
    const h = new Harvester(r, path);
    await h.harvestCombos({ a: [1, 2, 3], b: [10] }, { onError: 'record' });
    assert.deepEqual(
      (await duckdb(`SELECT a, isnan(p) AS nan, q, _error FROM '${path}' ORDER BY a`)).map((x) => [x.a, x.nan, x.q, x._error]),
      [
        [1, true, 'ok', null],
        [2, false, null, null],
        [3, null, null, 'a = 3 fails for now'],
      ],
    );
    failing = false;
    calls.length = 0;
    await h.harvestCombos({ a: [1, 2, 3], b: [10] }, { missingOnly: true, onError: 'record' });
    assert.deepEqual(calls, ['3,10']);
    assert.deepEqual(await duckdb(`SELECT a, p, _error FROM '${path}' WHERE a = 3`), [{ a: 3, p: 30, _error: null }]);
    assert.equal(h.fullDs!.numRows, 3);
  });

  it('counts a row of an internal-dim variable as present even when some elements are NaN or null', async () => {
    const path = join(dir, 'internal.parquet');
    const calls: number[] = [];
    const r = label({ varNames: 'trace', varDims: { trace: ['t'] }, constants: { t: [0, 1, 2] } }, ({ x, t }: { x: number; t: number[] }) => {
      calls.push(x);
      return t.map((v) => (v === 1 ? NaN : v === 2 && x === 1 ? null : v * x));
    });
    const h = new Harvester(r, path);
    await h.harvestCombos({ x: [1, 2] });
    await h.harvestCombos({ x: [1, 2, 3] }, { missingOnly: true });
    assert.deepEqual(calls, [1, 2, 3]);
    assert.deepEqual(h.fullDs!.toRecords().map((x) => x.trace), [[0, NaN, null], [0, NaN, 4], [0, NaN, 6]]);
  });

  it('finds present cases for dims of every kind: strings, bigints, booleans, Dates, nulls', async () => {
    const path = join(dir, 'kinds.parquet');
    const calls: string[] = [];
    const r = label({ varNames: 'y' }, ({ s, n, f, d }: { s: string | null; n: bigint; f: boolean; d: Date }) => {
      calls.push(`${String(s)}|${n}|${String(f)}|${d.toISOString().slice(0, 10)}`);
      return `${String(s)}${n}`;
    });
    const h = new Harvester(r, path);
    const day = (k: number): Date => new Date(Date.UTC(2024, 0, k));
    await h.harvestCombos({ s: ['x', null], n: [1n, 2n ** 60n], f: [true], d: [day(1)] });
    assert.equal(calls.length, 4);
    calls.length = 0;
    await h.harvestCombos({ s: [null, 'y', 'x'], n: [2n ** 60n, 1n], f: [false, true], d: [day(2), day(1)] }, { missingOnly: true });
    assert.equal(calls.length, 3 * 2 * 2 * 2 - 4);
    assert.ok(!calls.includes('x|1|true|2024-01-01') && !calls.includes('null|1152921504606846976|true|2024-01-01'));
    assert.equal(new Set(calls).size, calls.length);
    assert.equal(h.fullDs!.numRows, 24);
  });

  it('harvests cases, and cases combined with combos, by name', async () => {
    const path = join(dir, 'cases.parquet');
    const { r, calls } = counted();
    const h = new Harvester(r, path);
    await h.harvestCases([{ a: 1, b: 10 }, { a: 7, b: 70 }]);
    await h.harvestCases([{ b: 70, a: 7 }, { b: 10, a: 2 }], { missingOnly: true });
    assert.deepEqual([...calls.keys()].sort(), ['1,10', '2,10', '7,70']);
    await h.harvestCombos({ b: [10, 70] }, { cases: [{ a: 1 }, { a: 7 }, { a: 9 }], missingOnly: true });
    assert.deepEqual([...calls.keys()].sort(), ['1,10', '1,70', '2,10', '7,10', '7,70', '9,10', '9,70']);
    assert.ok([...calls.values()].every((n) => n === 1));
    assert.equal((await readDataset(path)).numRows, 7);
  });

  it('harvests spaces (zip, concat), finding present points by value', async () => {
    const path = join(dir, 'spaces.parquet');
    const { r, calls } = counted();
    const h = new Harvester(r, path);
    await h.harvestCases(zip({ a: [1, 2, 3], b: [10, 20, 30] }));
    await h.harvestCases(concat(zip({ a: [1, 2, 3], b: [10, 20, 30] }), points([{ a: 9, b: 90 }])), { missingOnly: true });
    assert.deepEqual([...calls.keys()].sort(), ['1,10', '2,20', '3,30', '9,90']);
    assert.ok([...calls.values()].every((n) => n === 1));
    assert.equal(h.fullDs!.numRows, 4);
  });

  it('harvests a positional function (fnArgs) with cases as tuples', async () => {
    const path = join(dir, 'positional.parquet');
    const calls: string[] = [];
    const r = label({ varNames: 'p', fnArgs: ['a', 'b'] }, (a: number, b: number) => (calls.push(`${a},${b}`), checkedProduct({ a, b })));
    const h = new Harvester(r, path);
    await h.harvestCases([
      [1, 10],
      [2, 20],
    ]);
    await h.harvestCases(
      [
        [2, 20],
        [3, 30],
      ],
      { missingOnly: true },
    );
    assert.deepEqual(calls, ['1,10', '2,20', '3,30']);
    assert.deepEqual(h.fullDs!.toRecords().map((x) => x.p), [10, 40, 90]);
  });

  it('keeps fullDs in step with the file when another harvester writes to it', async () => {
    const path = join(dir, 'in-step.parquet');
    const one = new Harvester(counted().r, path);
    const two = new Harvester(counted().r, path);
    await one.harvestCombos({ a: [1], b: [10] });
    assert.equal(two.fullDs!.numRows, 1);
    await one.harvestCombos({ a: [2], b: [10] });
    assert.equal(two.fullDs!.numRows, 2);
    const again = two.fullDs;
    assert.equal(two.fullDs, again, 'an unchanged file is not read again');
    await two.deleteDs();
    assert.equal(one.fullDs, null);
  });

  it('refuses bad options and paths with clear errors', async () => {
    const { r } = counted();
    assert.throws(() => new Harvester(r, join(dir, 'x.arrow')), /A Harvester keeps its dataset as one Parquet file, but .*x\.arrow names an Arrow file/);
    assert.throws(() => new Harvester({} as never, join(dir, 'x.parquet')), /expects a labelled function \(from label\(\)\) first, got an object/);
    const h = new Harvester(r, join(dir, 'opts.parquet'));
    await assertHarvestryError(() => h.harvestCombos({ a: [1], b: [10] }, { missingonly: true } as never), 'E_BAD_OPTION', /harvestCombos\(\) has no option `missingonly`/);
    await assertHarvestryError(() => h.harvestCombos({ a: [1], b: [10] }, { overwrite: 'yes' } as never), 'E_BAD_OPTION', /Expected `overwrite` in harvestCombos\(\) to be null, true or false, got "yes"/);
    await assertHarvestryError(() => h.harvestCombos({ a: [1], b: [10] }, { commitEvery: { rows: 0 } }), 'E_BAD_OPTION', /Expected `commitEvery\.rows` in harvestCombos\(\) to be a whole number from 1 up, got 0/);
    await assertHarvestryError(() => h.harvestCombos({ a: [1], b: [10] }, { rerun: 'all' } as never), 'E_BAD_OPTION', /Expected `rerun` .* to be 'stale' or 'none', got "all"/);
  });
});
