/**
 * writeDataset() never writes over a file unless asked, and even then only over a harvestry
 * dataset that reads whole; the previous version is kept as `<file>.bak`.
 */
import assert from 'node:assert/strict';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { Harvester, label, readDataset, Sampler, writeDataset } from '../../src/index.js';
import { assertHarvestryError, duckdb, range, tempDir } from '../_support/helpers.js';

const square = label({ varNames: 'y' }, ({ x }: { x: number }) => x * x);

/** Where a Parquet file's footer starts. */
function footerStart(bytes: Buffer): number {
  return bytes.length - 8 - bytes.readUInt32LE(bytes.length - 8);
}

describe('writeDataset: files it must not touch', () => {
  const dir = tempDir();

  it('refuses an existing file without overwrite: true, leaving it and its backup as they were', async () => {
    const path = join(dir, 'kept.parquet');
    await writeDataset(await square.runCombos({ x: [1, 2] }), path);
    const before = readFileSync(path);
    await assertHarvestryError(
      async () => writeDataset(await square.runCombos({ x: [3] }), path),
      'E_FILE_EXISTS',
      /^.*kept\.parquet already exists, and writeDataset\(\) replaces a file only when asked: pass \{ overwrite: true \} to replace it \(its previous version is kept as .*kept\.parquet\.bak\), write to a new path, or add rows to it with a Harvester\.$/,
    );
    assert.deepEqual(readFileSync(path), before);
    assert.equal(existsSync(`${path}.bak`), false);
    await assertHarvestryError(async () => writeDataset(await square.runCombos({ x: [3] }), path, { overwrite: 'yes' as never }), 'E_BAD_OPTION', /`overwrite` of writeDataset\(\) to be true or false, got "yes"/);
    assert.deepEqual(readFileSync(path), before);
  });

  it("replaces a Harvester's dataset with overwrite: true, keeping every row of it in the .bak", async () => {
    const path = join(dir, 'harvested.parquet');
    const h = new Harvester(square, path);
    await h.harvestCombos({ x: range(25) });
    await h.harvestCombos({ x: [25] });
    const before = readFileSync(path);
    await writeDataset(await square.runCombos({ x: [100] }), path, { overwrite: true });
    assert.deepEqual(readFileSync(`${path}.bak`), before);
    assert.equal((await readDataset(`${path}.bak`)).numRows, 26);
    assert.deepEqual((await readDataset(path)).column('x').values, Float64Array.from([100]));
  });

  it('replaces an Arrow IPC dataset with overwrite: true, keeping the previous one', async () => {
    const path = join(dir, 'table.arrow');
    await writeDataset(await square.runCombos({ x: [1] }), path);
    const before = readFileSync(path);
    await writeDataset(await square.runCombos({ x: [2, 3] }), path, { overwrite: true });
    assert.deepEqual(readFileSync(`${path}.bak`), before);
    assert.equal((await readDataset(path)).numRows, 2);
  });

  it('refuses, even with overwrite: true, a DuckDB Parquet file, a damaged dataset and a Sampler table (bytes unchanged, no backup made)', async () => {
    const ds = await square.runCombos({ x: [7] });
    const foreign = join(dir, 'duck.parquet');
    await duckdb(`COPY (SELECT 1.0::DOUBLE AS x, 1.0::DOUBLE AS y) TO '${foreign}' (FORMAT parquet)`);
    const foreignBytes = readFileSync(foreign);
    await assertHarvestryError(
      () => writeDataset(ds, foreign, { overwrite: true }),
      'E_FOREIGN_FILE',
      /duck\.parquet is a valid file, but harvestry did not write it.* writeDataset\(\) does not replace such a file, even with `overwrite: true`: move or delete it yourself if you mean to\.$/,
    );
    assert.deepEqual(readFileSync(foreign), foreignBytes);
    assert.equal(existsSync(`${foreign}.bak`), false);

    const damaged = join(dir, 'damaged.parquet');
    await writeDataset(await square.runCombos({ x: range(50) }), damaged);
    const bytes = readFileSync(damaged);
    const at = Math.floor(footerStart(bytes) / 2);
    bytes[at] = bytes[at]! ^ 0x10;
    writeFileSync(damaged, bytes);
    await assertHarvestryError(
      () => writeDataset(ds, damaged, { overwrite: true }),
      'E_CORRUPT_FILE',
      /damaged\.parquet is damaged: its bytes 0 to \d+ do not match the checksum written with them .* writeDataset\(\) does not replace such a file, even with `overwrite: true`.* There is no backup/,
    );
    assert.deepEqual(readFileSync(damaged), bytes);
    assert.equal(existsSync(`${damaged}.bak`), false);

    const samples = join(dir, 'samples.parquet');
    await new Sampler(square, samples).sampleCombos(3, { combos: { x: (rng) => rng() }, seed: 1 });
    const sampleBytes = readFileSync(samples);
    await assertHarvestryError(() => writeDataset(ds, samples, { overwrite: true }), 'E_FILE_KIND', /samples\.parquet is a Sampler's table .* even with `overwrite: true`/);
    assert.deepEqual(readFileSync(samples), sampleBytes);
    assert.equal(existsSync(`${samples}.bak`), false);
  });
});
