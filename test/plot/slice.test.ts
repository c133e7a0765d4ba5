/**
 * Reading a slice of a big file: only the columns asked for, only the row groups whose
 * statistics can hold the selection; the rows are those readDataset() + sel() give.
 */
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { Harvester, label, plot, readDataset } from '../../src/index.js';
import { readDatasetSlice } from '../../src/store/dataset-slice.js';
import { svgMarks } from '../_support/svg.js';
import { tempDir } from '../_support/helpers.js';

const f = label({ varNames: ['p', 'q'] }, ({ a, b }: { a: number; b: number }) => {
  if (!(a >= 0 && a < 100 && b >= 10 && b < 100)) throw new Error(`a ${a} or b ${b} out of range`);
  return [a * b, a - b];
});

describe('readDatasetSlice', () => {
  const dir = tempDir();
  const path = join(dir, 'big.parquet');
  const range = (n: number, from: number): number[] => Array.from({ length: n }, (_, i) => from + i);

  it('reads only the row groups that can hold the selected values', async () => {
    const h = new Harvester(f, path);
    for (let a0 = 0; a0 < 40; a0 += 10) await h.harvestCombos({ a: range(10, a0), b: range(20, 10) });
    const whole = await readDataset(path);
    const { ds, report } = await readDatasetSlice(path, { vars: ['p'], sel: { a: 23 } });
    assert.equal(report.rowGroups, 4);
    assert.equal(report.rowGroupsRead, 1);
    assert.deepEqual(ds.varNames, ['p'], 'only the variable asked for');
    assert.deepEqual(ds.sel({ a: 23 }).get('p').data, whole.sel({ a: 23 }).get('p').data);
    const two = await readDatasetSlice(path, { vars: ['q'], sel: { a: [5, 35], b: 12 } });
    assert.equal(two.report.rowGroupsRead, 2);
    assert.deepEqual(two.ds.toRecords(), [
      { a: 5, b: 12, q: -7 },
      { a: 35, b: 12, q: 23 },
    ]);
    const nearest = await readDatasetSlice(path, { vars: ['p'], sel: { a: 22.9999999 }, selOptions: { method: 'nearest', tolerance: 1e-3 } });
    assert.equal(nearest.ds.numRows, 20);
  });

  it('decodes the variables only over the rows from the first match to the last, with the rows readDataset() + sel() give', async () => {
    // row groups of 10 a × 20 b, a varying slowest: a = 23 is 20 contiguous rows of one group
    const one = await readDatasetSlice(path, { vars: ['p', 'q'], sel: { a: 23 } });
    assert.equal(one.report.rowsDecoded, 20);
    // b = 12 is one row in every 20: from the first (row 2) to the last (row 182) of each group
    const spread = await readDatasetSlice(path, { vars: ['q'], sel: { b: 12 } });
    assert.equal(spread.report.rowsDecoded, 4 * 181);
    // a row group whose statistics may hold a value it does not have: nothing decoded from it
    const h = new Harvester(f, path);
    await h.harvestCombos({ a: [50, 60], b: [10] });
    await h.harvestCombos({ a: [55], b: [11] });
    const gap = await readDatasetSlice(path, { vars: ['p'], sel: { a: 55 } });
    assert.deepEqual([gap.report.rowGroupsRead, gap.report.rowsDecoded], [2, 1], 'a in [50, 60] may hold 55 but does not');
    assert.deepEqual(gap.ds.toRecords().filter((r) => r.p !== null), [{ a: 55, b: 11, p: 605 }]);
    const whole = await readDataset(path);
    const sorted = (rows: Record<string, unknown>[]): string[] => rows.map((r) => JSON.stringify(r)).sort();
    for (const sel of [{ a: 23 }, { b: 12 }, { a: [5, 35, 60], b: [10, 29] }, { a: 50 }, { b: [11, 28], a: [1, 2, 3, 39] }] as const) {
      const slice = await readDatasetSlice(path, { vars: ['p', 'q'], sel });
      assert.deepEqual(sorted(slice.ds.sel(sel).toRecords()), sorted(whole.sel(sel).toRecords()), JSON.stringify(sel));
    }
    const all = await readDatasetSlice(path, { vars: ['q'] });
    assert.equal(all.report.rowsDecoded, whole.numRows);
    assert.deepEqual(sorted(all.ds.toRecords()), sorted(whole.toRecords().map((r) => ({ a: r.a, b: r.b, q: r.q }))));
  });

  it('plot() of a file draws the selected slice', async () => {
    const p = await plot(path, { x: 'b', y: 'p', sel: { a: 31 } });
    const line = svgMarks(await p.toSVG()).find((m) => m.type === 'line' && m.role === 'mark')!;
    assert.equal((/d="([^"]*)"/.exec(line.body)![1]!.match(/[ML]/g) ?? []).length, 20);
    const rows = (p.toSpec() as { data: { values: { b: number; p: number }[] } }).data.values;
    assert.deepEqual(rows.slice(0, 2), [
      { b: 10, p: 310 },
      { b: 11, p: 341 },
    ]);
  });
});
