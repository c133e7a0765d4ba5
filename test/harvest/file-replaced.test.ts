/**
 * A dataset file deleted or replaced by someone else during a harvest (a script's top-level code
 * clearing its output folder again in a worker): the harvest stops with E_FILE_REPLACED, never
 * starts a new file holding only the newest rows, and hands over every row it finished.
 */
import assert from 'node:assert/strict';
import { copyFileSync, existsSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { Harvester, label, type Dataset } from '../../src/index.js';
import { assertHarvestryError, duckdb, range, tempDir } from '../_support/helpers.js';

/** `10x`, x in [0, 100); at x = `at` it does `act` to the file (once). */
function meddler(act: (path: string) => void, path: string, at: number) {
  let done = false;
  return label({ varNames: 'y' }, ({ x }: { x: number }) => {
    if (!(Number.isInteger(x) && x >= 0 && x < 100)) throw new RangeError(`fixture: x must be in [0, 100), got ${x}`);
    if (x === at && !done) {
      done = true;
      act(path);
    }
    return 10 * x;
  });
}

describe('harvest: the file deleted or replaced during the run', () => {
  const dir = tempDir('harvestry-replaced-');
  const ONE_ROW_PER_COMMIT = { commitEvery: { rows: 2 } } as const;

  it('stops with E_FILE_REPLACED when the file is deleted, and does not create a new one', async () => {
    const path = join(dir, 'deleted.parquet');
    const h = new Harvester(meddler((p) => { rmSync(p); }, path, 5), path);
    const err = await assertHarvestryError(
      () => h.harvestCombos({ x: range(10) }, ONE_ROW_PER_COMMIT),
      'E_FILE_REPLACED',
      /deleted\.parquet was deleted during this harvest, which last saw it holding 4 rows: something other than this Harvester removed or replaced it.*The harvest stopped instead of starting a new file.*`if \(isMain\(\)\)`.*missingOnly: true.*`err\.details\.partial`/s,
    );
    assert.equal(existsSync(path), false, 'no new file with only the newest rows');
    const partial = err.details.partial as Dataset;
    // Committed before the deletion (x 0-3) and finished since (x 4, 5): all handed over.
    assert.deepEqual(partial.toRecords(), range(6).map((x) => ({ x, y: 10 * x })));
    assert.deepEqual(h.lastDs?.toRecords(), partial.toRecords());
    assert.equal(err.details.path, path);
  });

  it('stops when the file is replaced by a smaller one it did not write, leaving that file as it is', async () => {
    const path = join(dir, 'replaced.parquet');
    const other = join(dir, 'other.parquet');
    await new Harvester(meddler(() => undefined, other, -1), other).harvestCombos({ x: [42] });
    const h = new Harvester(meddler((p) => { copyFileSync(other, p); }, path, 5), path);
    await assertHarvestryError(() => h.harvestCombos({ x: range(10) }, ONE_ROW_PER_COMMIT), 'E_FILE_REPLACED', /replaced\.parquet was replaced by a file of 1 rows during this harvest, which last saw it holding 4 rows/);
    assert.deepEqual(readFileSync(path), readFileSync(other), 'nothing written over the replacement');
  });

  it('stops when the file is replaced by a bigger one without rows it held', async () => {
    const path = join(dir, 'swapped.parquet');
    const other = join(dir, 'bigger.parquet');
    await new Harvester(meddler(() => undefined, other, -1), other).harvestCombos({ x: range(10, 50) });
    const h = new Harvester(meddler((p) => { copyFileSync(other, p); }, path, 5), path);
    await assertHarvestryError(() => h.harvestCombos({ x: range(10) }, ONE_ROW_PER_COMMIT), 'E_FILE_REPLACED', /swapped\.parquet was replaced by a file without rows it held during this harvest/);
    assert.deepEqual(readFileSync(path), readFileSync(other));
  });

  it('goes on when the file was there before the run and another harvest adds rows to it meanwhile', async () => {
    const path = join(dir, 'shared.parquet');
    const plain = meddler(() => undefined, path, -1);
    await new Harvester(plain, path).harvestCombos({ x: [0, 1] });
    const second = new Harvester(plain, path);
    const h = new Harvester(meddler(() => void second.harvestCombos({ x: range(10, 60) }), path, 5), path);
    await h.harvestCombos({ x: range(20) }, ONE_ROW_PER_COMMIT);
    // The other harvest finishes on its own; wait for the file to hold its rows too.
    for (let i = 0; i < 200 && (await duckdb(`SELECT count(*)::INT AS n FROM '${path}'`))[0]!.n !== 30; i++) await new Promise((r) => setTimeout(r, 20));
    assert.deepEqual(await duckdb(`SELECT x, y FROM '${path}' ORDER BY x`), [...range(20), ...range(10, 60)].map((x) => ({ x, y: 10 * x })));
  });

  it('after a harvest stopped so, a new harvest with missingOnly starts a new file', async () => {
    const path = join(dir, 'again.parquet');
    const h = new Harvester(meddler((p) => { rmSync(p); }, path, 5), path);
    await assertHarvestryError(() => h.harvestCombos({ x: range(10) }, ONE_ROW_PER_COMMIT), 'E_FILE_REPLACED');
    await h.harvestCombos({ x: range(10) }, { missingOnly: true });
    assert.deepEqual(await duckdb(`SELECT x, y FROM '${path}' ORDER BY x`), range(10).map((x) => ({ x, y: 10 * x })));
  });
});
