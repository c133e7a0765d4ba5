import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { Harvester, label } from '../../src/index.js';
import { assertHarvestryError, checkedProduct, duckdb, tempDir } from '../_support/helpers.js';

const product = label({ varNames: 'p' }, ({ a, b }: { a: number; b: number }) => checkedProduct({ a, b }));

describe('Harvester: dims and variables', () => {
  const dir = tempDir();

  it('refuses, before running anything, a harvest whose dims differ, and says how to proceed', async () => {
    const path = join(dir, 'dims.parquet');
    await new Harvester(product, path).harvestCombos({ a: [1], b: [10] });
    const bytes = readFileSync(path);
    let calls = 0;
    const withC = label({ varNames: 'p' }, ({ a, b, c }: { a: number; b: number; c: number }) => (calls++, a * b * c));
    await assertHarvestryError(
      () => new Harvester(withC, path).harvestCombos({ a: [1], b: [10], c: [1, 2] }),
      'E_SCHEMA_MISMATCH',
      /^The dims differ: this run has the dim `c`, which .*dims\.parquet does not\. .*dims\.parquet was not changed\. To add a dim to the dataset, first give its existing rows a value with `harvester\.expandDims\('c', value\)`; or harvest into a new file\.$/,
    );
    await assertHarvestryError(
      () => new Harvester(withC, path).harvestCombos({ a: [1], c: [2] }, { constants: { b: 10 } }),
      'E_SCHEMA_MISMATCH',
      /this run has the dim `c`, which .* does not; .*dims\.parquet has the dim `b`, which this run does not/,
    );
    assert.equal(calls, 0);
    assert.deepEqual(readFileSync(path), bytes);
  });

  it('refuses a harvest whose variables differ, or whose variable changed type, and leaves the file as it was', async () => {
    const path = join(dir, 'vars.parquet');
    await new Harvester(product, path).harvestCombos({ a: [1], b: [10] });
    const bytes = readFileSync(path);
    const two = label({ varNames: ['p', 'q'] }, ({ a, b }: { a: number; b: number }) => [a * b, a]);
    await assertHarvestryError(() => new Harvester(two, path).harvestCombos({ a: [2], b: [10] }), 'E_SCHEMA_MISMATCH', /^The variables differ: this run has the variable `q`, which .* does not\./);
    const text = label({ varNames: 'p' }, ({ a, b }: { a: number; b: number }) => `${a * b}`);
    await assertHarvestryError(
      () => new Harvester(text, path).harvestCombos({ a: [2], b: [10] }),
      'E_SCHEMA_MISMATCH',
      /^The variable `p` holds float64 values in .*vars\.parquet but utf8 values in this run; .*vars\.parquet was not changed\./,
    );
    const strDim = label({ varNames: 'p' }, ({ a, b }: { a: string; b: number }) => a.length * b);
    await assertHarvestryError(() => new Harvester(strDim, path).harvestCombos({ a: ['x'], b: [10] }), 'E_SCHEMA_MISMATCH', /^The dim `a` holds float64 values in .* but utf8 values in this run; .* was not changed\./);
    assert.deepEqual(readFileSync(path), bytes);
  });

  it('merges record outputs (varNames: null) and refuses a run whose record has other names', async () => {
    const path = join(dir, 'records.parquet');
    const rec = label({ varNames: null }, ({ a }: { a: number }) => ({ sq: a * a, half: a / 2 }));
    const h = new Harvester(rec, path);
    await h.harvestCombos({ a: [1, 2] });
    await h.harvestCombos({ a: [2, 3] });
    assert.deepEqual(await duckdb(`SELECT a, sq, half FROM '${path}' ORDER BY a`), [
      { a: 1, sq: 1, half: 0.5 },
      { a: 2, sq: 4, half: 1 },
      { a: 3, sq: 9, half: 1.5 },
    ]);
    const bytes = readFileSync(path);
    const other = label({ varNames: null }, ({ a }: { a: number }) => ({ sq: a * a, third: a / 3 }));
    await assertHarvestryError(() => new Harvester(other, path).harvestCombos({ a: [4] }), 'E_SCHEMA_MISMATCH', /^The variables differ: this run has the variable `third`, which .* does not; .* has the variable `half`, which this run does not\./);
    assert.deepEqual(readFileSync(path), bytes);
  });

  it('expandDims gives existing rows a value of a new dim, after which harvests sweep it', async () => {
    const path = join(dir, 'expand.parquet');
    const old = label({ varNames: 'p', constants: { c: 1 } }, ({ a, b, c }: { a: number; b: number; c: number }) => a * b * c);
    const h0 = new Harvester(old, path);
    await h0.harvestCombos({ a: [1, 2], b: [10] });
    assert.deepEqual(h0.fullDs!.attrs, { c: 1 });
    const swept = label({ varNames: 'p' }, ({ a, b, c }: { a: number; b: number; c: number }) => a * b * c);
    const h = new Harvester(swept, path);
    await h.expandDims('c', 1);
    assert.deepEqual(h.fullDs!.dims, ['c', 'a', 'b']);
    assert.deepEqual(h.fullDs!.attrs, {});
    await h.harvestCombos({ a: [1, 2], b: [10], c: [1, 2] }, { missingOnly: true });
    assert.equal(h.lastDs!.numRows, 2);
    assert.deepEqual(await duckdb(`SELECT c, a, b, p FROM '${path}' ORDER BY c, a`), [
      { c: 1, a: 1, b: 10, p: 10 },
      { c: 1, a: 2, b: 10, p: 20 },
      { c: 2, a: 1, b: 10, p: 20 },
      { c: 2, a: 2, b: 10, p: 40 },
    ]);
    await assertHarvestryError(() => h.expandDims('a', 3), 'E_BAD_OPTION', /already has a column `a`/);
    await assertHarvestryError(() => new Harvester(swept, join(dir, 'nothing.parquet')).expandDims('c', 1), 'E_NOT_FOUND', /there is no file there yet/);
  });

  it('dropSel removes rows with the given values of each dim, and those values from the coords', async () => {
    const path = join(dir, 'drop.parquet');
    const h = new Harvester(product, path);
    await h.harvestCombos({ a: [1, 2, 3], b: [10, 20, 30] });
    assert.equal(await h.dropSel({ a: 2, b: [10, 30] }), 7);
    assert.deepEqual(h.fullDs!.toRecords({ fingerprint: true }), [
      { a: 1, b: 20, p: 20, _fingerprint: product.fingerprint },
      { a: 3, b: 20, p: 60, _fingerprint: product.fingerprint },
    ]);
    assert.deepEqual(h.fullDs!.coords.a, [1, 3]);
    assert.deepEqual(h.fullDs!.coords.b, [20]);
    await assertHarvestryError(() => h.dropSel({ a: 7 }), 'E_NOT_FOUND', /dropSel\(\) got 7 for `a`, but .* has no such value; its values are \[1, 3\]/);
    await assertHarvestryError(() => h.dropSel({ z: 1 }), 'E_UNKNOWN_DIM', /`z`, which is not a dim/);
    assert.equal(h.fullDs!.numRows, 2);
  });

  it('deleteDs removes the file and its backup, or moves it aside with backup', async () => {
    const path = join(dir, 'delete.parquet');
    const h = new Harvester(product, path);
    await h.harvestCombos({ a: [1], b: [10] });
    await h.harvestCombos({ a: [2], b: [10] });
    assert.ok(existsSync(`${path}.bak`));
    const kept = await h.deleteDs({ backup: true });
    assert.match(kept!, /delete\.parquet\.BAK-\d{8}-\d{6}$/);
    assert.equal(existsSync(path), false);
    assert.equal(existsSync(`${path}.bak`), false);
    assert.equal(h.fullDs, null);
    assert.deepEqual((await duckdb(`SELECT count(*)::INTEGER AS n FROM read_parquet('${kept!}')`))[0], { n: 2 });
    await h.harvestCombos({ a: [3], b: [10] });
    assert.equal(await h.deleteDs(), null);
    assert.deepEqual(readdirSync(dir).filter((f) => f.startsWith('delete.parquet') && !f.includes('BAK')), []);
  });
});
