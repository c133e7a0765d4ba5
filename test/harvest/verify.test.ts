/**
 * A harvest never appends to a damaged file: damage anywhere in it (data pages, the footer) is
 * found before any case runs, with E_CORRUPT_FILE saying whether the backup is good, and the
 * backup is never replaced by a file that was not verified.
 */
import assert from 'node:assert/strict';
import { copyFileSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { Harvester, label, readDataset } from '../../src/index.js';
import { CHECKSUMS_KEY, withoutChecksums } from '../../src/store/integrity.js';
import { parseFooter } from '../../src/store/parquet-footer.js';
import { encodeThrift } from '../../src/store/thrift.js';
import { assertHarvestryError, duckdb, range, tempDir } from '../_support/helpers.js';

let calls = 0;
const counted = label({ varNames: 'p' }, ({ a, b }: { a: number; b: number }) => {
  calls++;
  return a * b;
});

/** Where a Parquet file's footer starts. */
function footerStart(bytes: Buffer): number {
  return bytes.length - 8 - bytes.readUInt32LE(bytes.length - 8);
}

/** The file with one bit flipped at `at`. */
function flipAt(path: string, at: number): Buffer {
  const bytes = readFileSync(path);
  bytes[at] = bytes[at]! ^ 0x04;
  writeFileSync(path, bytes);
  return bytes;
}

/** The file as an earlier harvestry wrote it: the same bytes, without the checksums entry in its footer. */
function stripChecksums(path: string): void {
  const bytes = readFileSync(path);
  const footer = parseFooter(bytes, bytes.length, path);
  const encoded = encodeThrift(withoutChecksums(footer.meta));
  const trailer = Buffer.alloc(8);
  trailer.writeUInt32LE(encoded.length, 0);
  trailer.write('PAR1', 4, 'latin1');
  writeFileSync(path, Buffer.concat([bytes.subarray(0, footer.start), encoded, trailer]));
}

async function kvKeys(path: string): Promise<string[]> {
  return (await duckdb(`SELECT decode(key) AS k FROM parquet_kv_metadata('${path}') ORDER BY k`)).map((r) => r.k as string);
}

/** A file of three commits (so its backup is a good earlier version). */
async function threeCommits(path: string) {
  const h = new Harvester(counted, path);
  for (const a of [0, 1, 2]) await h.harvestCombos({ a: [a], b: range(200) });
  return h;
}

describe('Harvester: damage anywhere is found before anything is appended', () => {
  const dir = tempDir();

  it('refuses a file with a damaged data page before running a case, naming its good backup; file and backup unchanged', async () => {
    const path = join(dir, 'page.parquet');
    await threeCommits(path);
    const bak = readFileSync(`${path}.bak`);
    const bytes = flipAt(path, Math.floor(footerStart(readFileSync(path)) / 3));
    calls = 0;
    const err = await assertHarvestryError(
      () => new Harvester(counted, path).harvestCombos({ a: [3], b: range(200) }, { missingOnly: true }),
      'E_CORRUPT_FILE',
      /^.*page\.parquet is damaged: its bytes \d+ to \d+ do not match the checksum written with them \(CRC-32 [0-9a-f]{8}, written [0-9a-f]{8}\): some of its rows would read wrong or not at all\. harvestry will not write over it\. The previous version harvestry wrote is kept at .*page\.parquet\.bak, and it is good \(its checksums match\): to restore it, move it over .*page\.parquet\.$/,
    );
    assert.equal(err.details.path, path);
    assert.equal(calls, 0);
    assert.deepEqual(readFileSync(path), bytes);
    assert.deepEqual(readFileSync(`${path}.bak`), bak);
    await assertHarvestryError(() => readDataset(path), 'E_CORRUPT_FILE', /page\.parquet is damaged: its bytes/);
    copyFileSync(`${path}.bak`, path);
    await new Harvester(counted, path).harvestCombos({ a: [2, 3], b: range(200) }, { missingOnly: true });
    assert.equal((await readDataset(path)).numRows, 800);
  });

  it('refuses a file whose footer is damaged where it still decodes (a statistic), file and backup unchanged', async () => {
    const path = join(dir, 'footer.parquet');
    await threeCommits(path);
    const bak = readFileSync(`${path}.bak`);
    const bytes = readFileSync(path);
    // the fingerprint summary's row count: a digit changed is still valid JSON and Thrift
    const at = bytes.lastIndexOf(Buffer.from('":600}'));
    assert.ok(at > footerStart(bytes));
    bytes[at + 2] = '7'.charCodeAt(0);
    writeFileSync(path, bytes);
    calls = 0;
    await assertHarvestryError(
      () => new Harvester(counted, path).harvestCombos({ a: [3], b: range(200) }, { missingOnly: true }),
      'E_CORRUPT_FILE',
      /footer\.parquet is damaged: its footer \(bytes \d+ to \d+\) does not match the checksum written with it .* is kept at .*footer\.parquet\.bak, and it is good/,
    );
    assert.equal(calls, 0);
    assert.deepEqual(readFileSync(path), bytes);
    assert.deepEqual(readFileSync(`${path}.bak`), bak);
  });

  it('finds damage made after this process verified the file (a new version is verified again)', async () => {
    const path = join(dir, 'later.parquet');
    const h = await threeCommits(path);
    const bak = readFileSync(`${path}.bak`);
    const bytes = flipAt(path, 40);
    await assertHarvestryError(() => h.harvestCombos({ a: [3], b: range(200) }, { missingOnly: true }), 'E_CORRUPT_FILE', /later\.parquet is damaged: its bytes 0 to \d+ do not match/);
    assert.deepEqual(readFileSync(path), bytes);
    assert.deepEqual(readFileSync(`${path}.bak`), bak);
  });

  it('says so when the backup is damaged too', async () => {
    const path = join(dir, 'both.parquet');
    await threeCommits(path);
    flipAt(`${path}.bak`, 40);
    flipAt(path, 40);
    await assertHarvestryError(
      () => new Harvester(counted, path).harvestCombos({ a: [3], b: range(200) }, { missingOnly: true }),
      'E_CORRUPT_FILE',
      /both\.parquet is damaged: .* Its backup .*both\.parquet\.bak is damaged too \(.*both\.parquet\.bak is damaged: its bytes 0 to \d+ do not match .*\): restore the file from a copy of your own, or harvest into a new file\.$/,
    );
  });

  it('keeps checksums across appends: one run per commit, each verified, and DuckDB reads the file', async () => {
    const path = join(dir, 'runs.parquet');
    await threeCommits(path);
    const bytes = readFileSync(path);
    const footer = parseFooter(bytes, bytes.length, path);
    const sums = JSON.parse(footer.keyValue.get(CHECKSUMS_KEY)!) as { crc32: [number, number][]; footer: number };
    assert.equal(sums.crc32.length, 3);
    assert.equal(sums.crc32[2]![0], footer.start);
    assert.ok((await kvKeys(path)).includes(CHECKSUMS_KEY));
    const rows = await duckdb(`SELECT count(*)::INTEGER AS n, sum(p)::DOUBLE AS s FROM '${path}'`);
    assert.deepEqual(rows, [{ n: 600, s: 3 * range(200).reduce((x, y) => x + y, 0) }]);
    assert.equal((await readDataset(path)).numRows, 600);
  });

  it('reads a file without checksums (an earlier version) whole once, then appends with checksums for all of it', async () => {
    const path = join(dir, 'legacy.parquet');
    await threeCommits(path);
    stripChecksums(path);
    assert.ok(!(await kvKeys(path)).includes(CHECKSUMS_KEY));
    await new Harvester(counted, path).harvestCombos({ a: [3], b: range(200) }, { missingOnly: true });
    const bytes = readFileSync(path);
    const sums = JSON.parse(parseFooter(bytes, bytes.length, path).keyValue.get(CHECKSUMS_KEY)!) as { crc32: [number, number][] };
    assert.equal(sums.crc32.length, 2);
    assert.equal((await readDataset(path)).numRows, 800);
  });

  it('refuses a file without checksums whose data does not decode, before running a case', async () => {
    const path = join(dir, 'legacy-bad.parquet');
    await threeCommits(path);
    stripChecksums(path);
    const bytes = readFileSync(path);
    bytes.fill(0x55, 8, Math.min(400, footerStart(bytes)));
    writeFileSync(path, bytes);
    const bak = readFileSync(`${path}.bak`);
    calls = 0;
    await assertHarvestryError(
      () => new Harvester(counted, path).harvestCombos({ a: [3], b: range(200) }, { missingOnly: true }),
      'E_CORRUPT_FILE',
      /legacy-bad\.parquet cannot be read .* harvestry will not write over it\. The previous version harvestry wrote is kept at .*legacy-bad\.parquet\.bak, and it is good/,
    );
    assert.equal(calls, 0);
    assert.deepEqual(readFileSync(path), bytes);
    assert.deepEqual(readFileSync(`${path}.bak`), bak);
  });
});
