import assert from 'node:assert/strict';
import { copyFileSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { Harvester, label } from '../../src/index.js';
import { assertHarvestryError, duckdb, tempDir } from '../_support/helpers.js';

const product = label({ varNames: 'p' }, ({ a, b }: { a: number; b: number }) => a * b);

describe('Harvester: damaged and foreign files are never written over', () => {
  const dir = tempDir();

  it('refuses a Parquet file harvestry did not write, naming it, and leaves it as it was', async () => {
    const path = join(dir, 'foreign.parquet');
    await duckdb(`COPY (SELECT 1.0::DOUBLE AS a, 10.0::DOUBLE AS b, 10.0::DOUBLE AS p) TO '${path}' (FORMAT parquet)`);
    const bytes = readFileSync(path);
    const h = new Harvester(product, path);
    await assertHarvestryError(
      () => h.harvestCombos({ a: [1, 2], b: [10] }),
      'E_FOREIGN_FILE',
      /^.*foreign\.parquet is a Parquet file that harvestry did not write .* harvestry will not add rows to it or write over it\. Harvest into a new file\. There is no backup \(.*foreign\.parquet\.bak does not exist\)\.$/,
    );
    assert.throws(() => h.fullDs, /foreign\.parquet is a valid file, but harvestry did not write it/);
    await assertHarvestryError(() => h.dropSel({ a: 1 }), 'E_FOREIGN_FILE', /foreign\.parquet/);
    assert.deepEqual(readFileSync(path), bytes);
  });

  it('refuses a file that is not Parquet at all', async () => {
    const path = join(dir, 'notes.parquet');
    writeFileSync(path, 'these are my notes, not a dataset\n');
    await assertHarvestryError(() => new Harvester(product, path).harvestCombos({ a: [1], b: [10] }), 'E_FOREIGN_FILE', /notes\.parquet is not a Parquet file/);
    assert.equal(readFileSync(path, 'utf8'), 'these are my notes, not a dataset\n');
  });

  it('refuses a damaged file, naming it and the backup of the previous version, and writes nothing', async () => {
    const path = join(dir, 'damaged.parquet');
    const h = new Harvester(product, path);
    await h.harvestCombos({ a: [1], b: [10] });
    await h.harvestCombos({ a: [2], b: [10] });
    const good = readFileSync(path);
    const cut = good.subarray(0, good.length - 100);
    writeFileSync(path, cut);
    const err = await assertHarvestryError(
      () => h.harvestCombos({ a: [3], b: [10] }),
      'E_CORRUPT_FILE',
      /^.*damaged\.parquet cannot be read as a dataset: it does not end with the Parquet magic bytes \(it was cut short\)\. harvestry will not write over it\. The previous version harvestry wrote is kept at .*damaged\.parquet\.bak, and it is good \(its checksums match\): to restore it, move it over .*damaged\.parquet\.$/,
    );
    assert.equal(err.details.path, path);
    assert.deepEqual(readFileSync(path), cut);
    copyFileSync(`${path}.bak`, path);
    await h.harvestCombos({ a: [3], b: [10] });
    assert.deepEqual(h.fullDs!.coords.a, [1, 3]);
  });

  it('refuses a file whose data is garbled even when its footer reads', async () => {
    const path = join(dir, 'garbled.parquet');
    await new Harvester(product, path).harvestCombos({ a: [1, 2, 3], b: [10, 20] });
    const bytes = readFileSync(path);
    for (let i = 8; i < 60; i++) bytes[i] = 0xff - bytes[i]!;
    writeFileSync(path, bytes);
    await assertHarvestryError(() => new Harvester(product, path).harvestCombos({ a: [4], b: [10] }, { missingOnly: true }), 'E_CORRUPT_FILE', /garbled\.parquet is damaged: its bytes 0 to \d+ do not match the checksum written with them \(CRC-32 [0-9a-f]{8}, written [0-9a-f]{8}\): some of its rows would read wrong or not at all\. harvestry will not write over it\. There is no backup/);
    assert.deepEqual(readFileSync(path), bytes);
  });
});
