import assert from 'node:assert/strict';
import { readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { Harvester, HarvestryError, label, type Dataset } from '../../src/index.js';
import { mergeDatasets } from '../../src/dataset/merge.js';
import { tempDir } from '../_support/helpers.js';

type Rows = ReadonlyMap<string, number>;

/** Rows on a small grid: a key "a,b" → a value (a in 0..4, b in 0..3). */
const rowsArb: fc.Arbitrary<Rows> = fc
  .uniqueArray(fc.tuple(fc.integer({ min: 0, max: 4 }), fc.integer({ min: 0, max: 3 }), fc.integer({ min: 0, max: 3 })), { minLength: 1, maxLength: 12, selector: ([a, b]) => `${a},${b}` })
  .map((xs) => new Map(xs.map(([a, b, v]) => [`${a},${b}`, v])));

/** The dataset of those rows, made by running a function that looks the values up. */
async function datasetOf(rows: Rows): Promise<Dataset> {
  const r = label({ varNames: 'p' }, ({ a, b }: { a: number; b: number }) => rows.get(`${a},${b}`)!);
  return r.runCases([...rows.keys()].map((k) => ({ a: Number(k.split(',')[0]), b: Number(k.split(',')[1]) })));
}

function rowsOf(ds: Dataset): Map<string, number> {
  return new Map(ds.toRecords().map((r) => [`${String(r.a)},${String(r.b)}`, r.p as number]));
}

const agree = (x: Rows, y: Rows): boolean => [...y].every(([k, v]) => !x.has(k) || x.get(k) === v);

describe('merge laws (property tests)', () => {
  it('merging is idempotent, false never changes an old row, true always takes the new value, null merges exactly when the overlap agrees', async () => {
    await fc.assert(
      fc.asyncProperty(rowsArb, rowsArb, async (oldRows, newRows) => {
        const old = await datasetOf(oldRows);
        const add = await datasetOf(newRows);
        for (const overwrite of [true, false]) {
          const once = mergeDatasets(old, add, { overwrite, where: 'test' }).ds;
          const twice = mergeDatasets(once, add, { overwrite, where: 'test' }).ds;
          assert.deepEqual(rowsOf(twice), rowsOf(once));
          const merged = rowsOf(once);
          assert.equal(merged.size, new Set([...oldRows.keys(), ...newRows.keys()]).size);
          for (const [k, v] of overwrite ? newRows : oldRows) assert.equal(merged.get(k), v);
        }
        let conflict: unknown = null;
        try {
          const m = mergeDatasets(old, add, { overwrite: null, where: 'test' });
          assert.deepEqual(rowsOf(m.ds), new Map([...oldRows, ...newRows]));
        } catch (err) {
          conflict = err;
        }
        assert.equal(conflict !== null, !agree(oldRows, newRows));
        if (conflict !== null) {
          assert.ok(conflict instanceof HarvestryError && conflict.code === 'E_MERGE_CONFLICT');
          const differing = [...newRows].filter(([k, v]) => oldRows.has(k) && oldRows.get(k) !== v).length;
          assert.equal(conflict.details.count, differing);
        }
      }),
      { numRuns: 150 },
    );
  });
});

describe('harvest laws on real files (property tests)', () => {
  const dir = tempDir();
  let n = 0;

  it('harvesting the same cases twice changes nothing the second time, and missingOnly then runs nothing', async () => {
    await fc.assert(
      fc.asyncProperty(rowsArb, async (rows) => {
        const path = join(dir, `same-${n++}.parquet`);
        let calls = 0;
        const r = label({ varNames: 'p' }, ({ a, b }: { a: number; b: number }) => {
          calls++;
          return rows.get(`${a},${b}`) ?? -1;
        });
        const cases = [...rows.keys()].map((k) => ({ a: Number(k.split(',')[0]), b: Number(k.split(',')[1]) }));
        const h = new Harvester(r, path);
        await h.harvestCases(cases);
        const bytes = readFileSync(path);
        await h.harvestCases(cases);
        assert.deepEqual(readFileSync(path), bytes);
        calls = 0;
        await h.harvestCases(cases, { missingOnly: true });
        assert.equal(calls, 0);
        assert.deepEqual(readFileSync(path), bytes);
        assert.deepEqual(rowsOf(h.fullDs!), new Map(rows));
        rmSync(path);
        rmSync(`${path}.bak`, { force: true });
      }),
      { numRuns: 12 },
    );
  });

  it('overwrite: false never changes a row on disk; overwrite: true always leaves the new value', async () => {
    await fc.assert(
      fc.asyncProperty(rowsArb, rowsArb, fc.boolean(), async (oldRows, newRows, overwrite) => {
        const path = join(dir, `policy-${n++}.parquet`);
        const make = (rows: Rows) => label({ varNames: 'p' }, ({ a, b }: { a: number; b: number }) => rows.get(`${a},${b}`)!);
        const keys = (rows: Rows) => [...rows.keys()].map((k) => ({ a: Number(k.split(',')[0]), b: Number(k.split(',')[1]) }));
        await new Harvester(make(oldRows), path).harvestCases(keys(oldRows));
        const h = new Harvester(make(newRows), path);
        await h.harvestCases(keys(newRows), { overwrite });
        const disk = rowsOf(h.fullDs!);
        for (const [k, v] of overwrite ? newRows : oldRows) assert.equal(disk.get(k), v);
        assert.equal(disk.size, new Set([...oldRows.keys(), ...newRows.keys()]).size);
        rmSync(path);
        rmSync(`${path}.bak`, { force: true });
      }),
      { numRuns: 12 },
    );
  });
});
