import assert from 'node:assert/strict';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { Harvester, label, readDataset, type Dataset } from '../../src/index.js';
import { GridLocator, GridStatus, PRESENT, ABSENT, scanRowGroups } from '../../src/harvest/grid-status.js';
import { readDatasetLabels } from '../../src/store/dataset-labels.js';
import { Grid } from '../../src/space/grid.js';
import { assertHarvestryError, checkedProduct, range, tempDir } from '../_support/helpers.js';

describe('Harvester: run options and failures', () => {
  const dir = tempDir();

  it('shuffles only the cases it runs, and still lands each result on its key', async () => {
    const path = join(dir, 'shuffle.parquet');
    const order: string[] = [];
    const r = label({ varNames: 'p' }, ({ a, b }: { a: number; b: number }) => (order.push(`${a},${b}`), checkedProduct({ a, b })));
    const h = new Harvester(r, path);
    await h.harvestCombos({ a: [1, 2], b: range(10, 10) });
    order.length = 0;
    await h.harvestCombos({ a: [1, 2, 3, 4], b: range(10, 10) }, { missingOnly: true, shuffle: 7 });
    const canonical = [3, 4].flatMap((a) => range(10, 10).map((b) => `${a},${b}`));
    assert.deepEqual([...order].sort(), [...canonical].sort());
    assert.notDeepEqual(order, canonical);
    const ds = await readDataset(path);
    assert.ok(ds.toRecords().every((x) => x.p === (x.a as number) * (x.b as number)));
    assert.equal(ds.numRows, 40);
  });

  it("commits the rows finished before a failure under onError: 'raise', then a missing-only re-run does the rest", async () => {
    const path = join(dir, 'raise.parquet');
    let broken = true;
    const calls: number[] = [];
    const r = label({ varNames: 'p' }, ({ a }: { a: number }) => {
      calls.push(a);
      if (broken && a === 3) throw new Error('a = 3 breaks');
      return a * 2;
    });
    const h = new Harvester(r, path);
    const err = await assertHarvestryError(() => h.harvestCombos({ a: range(6) }), 'E_CASE_FAILED', /The function threw for the case \{a: 3\}: a = 3 breaks/);
    assert.deepEqual((err.details.partial as Dataset).toRecords().map((x) => x.a), [0, 1, 2]);
    assert.deepEqual((await readDataset(path)).toRecords().map((x) => x.a), [0, 1, 2]);
    broken = false;
    calls.length = 0;
    await h.harvestCombos({ a: range(6) }, { missingOnly: true });
    assert.deepEqual(calls, [3, 4, 5]);
    assert.equal(h.fullDs!.numRows, 6);
  });

  it('commits the rows finished before an abort', async () => {
    const path = join(dir, 'abort.parquet');
    const stop = new AbortController();
    const r = label({ varNames: 'p' }, ({ a }: { a: number }) => {
      if (a === 4) stop.abort();
      return a;
    });
    await assertHarvestryError(() => new Harvester(r, path).harvestCombos({ a: range(10) }, { signal: stop.signal }), 'E_ABORTED', /aborted after 5 of 10 cases; the finished results were written to .*abort\.parquet/);
    assert.deepEqual((await readDataset(path)).toRecords().map((x) => x.a), [0, 1, 2, 3, 4]);
  });

  it("skips failed cases under onError: 'skip' (they stay missing) and warns", async () => {
    const path = join(dir, 'skip.parquet');
    const r = label({ varNames: 'p' }, ({ a }: { a: number }) => {
      if (a % 3 === 0) throw new Error('no multiples of 3');
      return a;
    });
    const h = new Harvester(r, path);
    const warned: string[] = [];
    const on = (w: Error): void => void warned.push(w.message);
    process.on('warning', on);
    try {
      await h.harvestCombos({ a: range(7) }, { onError: 'skip' });
      await new Promise((res) => setImmediate(res));
    } finally {
      process.off('warning', on);
    }
    assert.match(warned.join('\n'), /3 of 7 cases failed and were skipped/);
    assert.deepEqual(h.fullDs!.toRecords().map((x) => x.a), [1, 2, 4, 5]);
    await h.harvestCombos({ a: range(7) }, { onError: 'skip', missingOnly: true });
    assert.equal(h.lastReport?.cases, 3);
  });

  it('reads the whole file again when it was rewritten by someone else (rows may be gone)', async () => {
    const path = join(dir, 'rewritten.parquet');
    const r = label({ varNames: 'p' }, ({ a }: { a: number }) => a);
    const h = new Harvester(r, path);
    await h.harvestCombos({ a: range(4) });
    const grid = new Grid({ caseNames: [], cases: null, comboNames: ['a'], comboValues: [range(4)] });
    const status = new GridStatus(grid.size);
    const locator = new GridLocator(grid);
    const scan = async (): Promise<void> => {
      const file = (await readDatasetLabels(path))!;
      await scanRowGroups({ path, footer: file.footer, meta: file.meta, fingerprint: r.fingerprint }, locator, status);
    };
    await scan();
    assert.deepEqual([...status.codes], [PRESENT, PRESENT, PRESENT, PRESENT]);
    await h.dropSel({ a: 2 });
    await scan();
    assert.deepEqual([...status.codes], [PRESENT, PRESENT, ABSENT, PRESENT]);
  });
});
