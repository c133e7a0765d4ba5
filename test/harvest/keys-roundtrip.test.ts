/**
 * Keys that must round-trip: every string UTF-8 can hold reads back identical (a leading U+FEFF
 * included), so `missingOnly` after a harvest runs nothing; strings UTF-8 cannot hold (lone
 * surrogates) are refused before anything runs or is written; a -0 coord is labelled -0.
 */
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { Harvester, label, points, readDataset, Sampler, zip } from '../../src/index.js';
import { assertHarvestryError, duckdb, tempDir } from '../_support/helpers.js';

const echo = label({ varNames: 'out' }, ({ s, n }: { s: string; n: number }) => `${s}/${n}`);
const number = label({ varNames: 'y' }, ({ x }: { x: number }) => (Object.is(x, -0) ? 'minus zero' : String(x)));
const text = label({ varNames: 'y' }, ({ s }: { s: string }) => s);

/** Any UTF-16 code unit, lone surrogate halves included. */
const codeUnit = fc.integer({ min: 0, max: 0xffff }).map((c) => String.fromCharCode(c));
/** Strings of any code points (well-formed), some starting with a byte order mark. */
const wellFormed = fc.oneof(fc.string({ unit: 'binary', maxLength: 6 }), fc.string({ unit: 'binary', maxLength: 4 }).map((s) => `\uFEFF${s}`));

function isWellFormed(s: string): boolean {
  return (s as unknown as { isWellFormed(): boolean }).isWellFormed();
}

describe('string keys round-trip', () => {
  const dir = tempDir();
  let runs = 0;

  it('reads back a key with a leading U+FEFF as it was given (DuckDB sees the same bytes)', async () => {
    const path = join(dir, 'bom.parquet');
    const h = new Harvester(echo, path);
    await h.harvestCombos({ s: ['\uFEFFa', 'a', '\uFEFF'], n: [1] });
    const ds = await readDataset(path);
    assert.deepEqual(ds.column('s').values, ['\uFEFFa', 'a', '\uFEFF']);
    assert.deepEqual(ds.column('out').values, ['\uFEFFa/1', 'a/1', '\uFEFF/1']);
    assert.deepEqual(ds.coords.s, ['\uFEFFa', 'a', '\uFEFF']);
    const again = await h.harvestCombos({ s: ['\uFEFFa', 'a', '\uFEFF'], n: [1] }, { missingOnly: true });
    assert.equal(again.numRows, 0);
    assert.equal(h.lastReport?.cases, 0);
    const fromDuck = await duckdb(`SELECT hex(encode(s)) AS h FROM '${path}' ORDER BY h`);
    assert.deepEqual(
      fromDuck.map((r) => r.h),
      ['61', 'EFBBBF', 'EFBBBF61'],
    );
  });

  it('missingOnly after a harvest runs nothing, for any unicode keys (fast-check), and no key is stored twice', async () => {
    await fc.assert(
      fc.asyncProperty(fc.uniqueArray(wellFormed, { minLength: 1, maxLength: 5 }), async (keys) => {
        const path = join(dir, `prop-${runs++}.parquet`);
        const h = new Harvester(echo, path);
        await h.harvestCombos({ s: keys, n: [1, 2] });
        const again = await h.harvestCombos({ s: keys, n: [1, 2] }, { missingOnly: true });
        assert.equal(again.numRows, 0);
        assert.equal(h.lastReport?.cases, 0);
        const ds = await readDataset(path);
        assert.equal(ds.numRows, keys.length * 2);
        assert.deepEqual([...new Set(ds.column('s').values as string[])].sort(), [...keys].sort());
        assert.deepEqual(ds.coords.s, keys);
        for (let r = 0; r < ds.numRows; r++) assert.equal(ds.column('out').values[r], `${ds.column('s').values[r] as string}/${ds.column('n').values[r] as number}`);
      }),
      { numRuns: 40 },
    );
  });

  it('refuses any string with a lone surrogate before running, and keeps every other string exactly (fast-check over UTF-16 code units)', async () => {
    const path = join(dir, 'units.parquet');
    const h = new Harvester(text, path);
    await h.harvestCombos({ s: ['seed'] });
    await fc.assert(
      fc.asyncProperty(fc.string({ unit: codeUnit, minLength: 1, maxLength: 4 }), async (s) => {
        const before = readFileSync(path);
        if (isWellFormed(s)) {
          await h.harvestCombos({ s: [s] }, { missingOnly: true });
          const again = await h.harvestCombos({ s: [s] }, { missingOnly: true });
          assert.equal(again.numRows, 0);
          assert.ok((h.fullDs!.column('s').values as string[]).includes(s));
          return;
        }
        await assertHarvestryError(() => h.harvestCombos({ s: [s] }), 'E_UNSUPPORTED_VALUE', /a string with a lone surrogate \(U\+D[89A-F][0-9A-F]{2} without its other half\), which UTF-8 cannot hold/);
        assert.deepEqual(readFileSync(path), before);
      }),
      { numRuns: 60 },
    );
    const ds = await readDataset(path);
    assert.equal(new Set(ds.column('s').values as string[]).size, ds.numRows);
  });

  it('refuses a lone surrogate in combos, cases, spaces and Sampler draws, naming where, and writes nothing', async () => {
    const path = join(dir, 'lone.parquet');
    const h = new Harvester(echo, path);
    await h.harvestCombos({ s: ['ok'], n: [1] });
    const before = readFileSync(path);
    await assertHarvestryError(
      () => h.harvestCombos({ s: ['ok', 'a\uDC00'], n: [1] }),
      'E_UNSUPPORTED_VALUE',
      /^`combos\.s` has "a\\udc00", a string with a lone surrogate \(U\+DC00 without its other half\), which UTF-8 cannot hold: it would be stored as U\+FFFD and read back as another string\. Give well-formed text \(str\.toWellFormed\(\) replaces lone surrogates\)\.$/,
    );
    await assertHarvestryError(() => h.harvestCases([{ s: '\uD83D', n: 1 }]), 'E_UNSUPPORTED_VALUE', /^`cases\[0\]\.s` has "\\ud83d", a string with a lone surrogate \(U\+D83D/);
    await assertHarvestryError(() => h.harvestCombos(zip({ s: ['x', '\uD83Dy'], n: [1, 2] })), 'E_UNSUPPORTED_VALUE', /U\+D83D without its other half/);
    await assertHarvestryError(() => h.harvestCases(points([{ s: '\uDFFF', n: 3 }])), 'E_UNSUPPORTED_VALUE', /U\+DFFF without its other half/);
    assert.deepEqual(readFileSync(path), before);
    assert.equal(existsSync(`${path}.bak`), false);
    const sampler = new Sampler(text, join(dir, 'samples.parquet'));
    await assertHarvestryError(
      () => sampler.sampleCombos(3, { combos: { s: (rng) => (rng() < 2 ? '\uD800' : 'x') } }),
      'E_UNSUPPORTED_VALUE',
      /gave "\\ud800" for `s` \(sample 0\), a string with a lone surrogate \(U\+D800/,
    );
    assert.equal(existsSync(join(dir, 'samples.parquet')), false);
  });

  it('refuses a result with a lone surrogate in a harvest, leaving the file as it was', async () => {
    const path = join(dir, 'result.parquet');
    const h = new Harvester(text, path);
    await h.harvestCombos({ s: ['a'] });
    const before = readFileSync(path);
    const brokenEcho = label({ varNames: 'y' }, ({ s }: { s: string }) => (s === 'b' ? `${s}\uDBFF` : s));
    await assertHarvestryError(() => new Harvester(brokenEcho, path).harvestCombos({ s: ['b'] }), 'E_UNSUPPORTED_VALUE', /^The case \{s: "b"\} returned "b\\udbff" for `y`, a string with a lone surrogate/);
    assert.deepEqual(readFileSync(path), before);
  });
});

describe('-0 as a coord', () => {
  const dir = tempDir();

  it('labels a -0 coord -0, as its rows hold it, and treats it as the key 0', async () => {
    const path = join(dir, 'zero.parquet');
    const h = new Harvester(number, path);
    await h.harvestCombos({ x: [-0, 1] });
    const ds = await readDataset(path);
    assert.ok(Object.is(ds.coords.x![0], -0), `coord is ${String(ds.coords.x![0])}`);
    assert.ok(Object.is(ds.column('x').values[0], -0));
    assert.deepEqual(ds.column('y').values, ['minus zero', '1']);
    const labels = await duckdb(`SELECT decode(value) AS v FROM parquet_kv_metadata('${path}') WHERE decode(key) = 'harvestry'`);
    assert.deepEqual((JSON.parse(labels[0]!.v as string) as { dims: { coords: unknown[] }[] }).dims[0]!.coords, ['-0', 1]);
    assert.deepEqual(ds.sel({ x: -0 }).column('y').values, ['minus zero']);
    await assertHarvestryError(() => h.harvestCombos({ x: [0, -0] }), 'E_DUPLICATE_VALUE', /`combos\.x` has the value 0 twice/);
    assert.equal((await h.harvestCombos({ x: [0, 1] }, { missingOnly: true })).numRows, 0);
    assert.equal(h.lastReport?.cases, 0);
    assert.equal((await readDataset(path)).numRows, 2);
  });
});
