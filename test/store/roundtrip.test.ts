import assert from 'node:assert/strict';
import { readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { label, readDataset, writeDataset, type Dataset } from '../../src/index.js';
import { assertHarvestryError, duckdb, tempDir } from '../_support/helpers.js';

/** A run that returns every supported kind of output, with nulls, NaN and extremes. */
async function everything(): Promise<Dataset> {
  const r = label(
    {
      varNames: ['num', 'big', 'flag', 'text', 'when', 'nothing', 'vec', 'f32', 'i32', 'u8', 'b64', 'ragged', 'grid', 'strs', 'dates', 'maybe'],
      varDims: { vec: ['t'], f32: ['t'], i32: ['t'], u8: ['t'], b64: ['t'], ragged: ['k'], grid: ['i', 'j'], strs: ['t'], dates: ['t'], maybe: ['t'] },
      constants: { t: [0, 0.5, 1] },
      varCoords: { i: ['r0', 'r1'], j: [new Date(0), new Date(86_400_000)] },
      attrs: { note: 'all kinds', big: 2n ** 60n, when: new Date(1234), inf: -Infinity, nan: NaN, typed: new Float32Array([1.5, 2]), nested: { a: [1, null, 'x'] } },
    },
    ({ x, tag, t }: { x: number; tag: string | null; t: number[] }) => {
      const odd = x % 2 === 1;
      return [
        x === 2 ? NaN : x === 3 ? null : x / 3,
        odd ? null : 2n ** 62n - BigInt(x) * -1n,
        x === 0,
        odd ? `é${x}` : x === 2 ? '' : null,
        x === 1 ? null : new Date(Date.UTC(2020, x, 1, 12, 30, 5, 123)),
        null,
        x === 3 ? null : t.map((v) => (v === 0.5 && x === 1 ? NaN : v * x)),
        Float32Array.from(t, (v) => v + x),
        Int32Array.from(t, (v) => -v * 2 - x),
        Uint8Array.from(t, (v) => 255 - x - v * 2),
        BigInt64Array.from(t, (v) => BigInt(Math.round(v * 10)) * (2n ** 40n) + BigInt(x)),
        Array.from({ length: x }, (_, k) => (k === 1 ? null : k * 1.25)),
        [[x, x + 1], [x + 2, x + 3]],
        t.map((v) => (v === 1 ? null : `${tag ?? 'none'}:${v}`)),
        t.map((v) => new Date(v * 1000 + x)),
        t.map((v) => (v === 0 ? null : v > x)),
      ];
    },
  );
  return r.runCombos({ x: [0, 1, 2, 3], tag: ['a', null] });
}

function assertSameDataset(back: Dataset, ds: Dataset): void {
  assert.deepEqual(back.meta.dims, ds.meta.dims);
  assert.deepEqual(back.meta.vars, ds.meta.vars);
  assert.deepEqual(back.meta.varCoords, ds.meta.varCoords);
  assert.deepEqual(back.attrs, ds.attrs);
  assert.equal(back.fingerprint, ds.fingerprint);
  assert.deepEqual(back.provenance, ds.provenance);
  assert.deepEqual(back.toRecords(), ds.toRecords());
  for (const v of ds.varNames) assert.deepEqual(back.get(v), ds.get(v));
  assert.deepEqual(
    back.table.schema.fields.map((f) => String(f.type)),
    ds.table.schema.fields.map((f) => String(f.type)),
  );
}

describe('store: round trip', () => {
  const dir = tempDir();

  for (const ext of ['parquet', 'arrow']) {
    it(`is exact for every supported type through ${ext}`, async () => {
      const ds = await everything();
      const path = join(dir, `all.${ext}`);
      await writeDataset(ds, path);
      const back = await readDataset(path);
      assertSameDataset(back, ds);
      const rec = back.toRecords();
      assert.ok(Number.isNaN(rec[4]!.num));
      assert.equal(rec[6]!.num, null);
      assert.equal(rec[0]!.big, 2n ** 62n);
      assert.ok(rec[0]!.when instanceof Date);
      assert.ok(rec[0]!.f32 instanceof Float32Array);
      assert.ok(rec[0]!.b64 instanceof BigInt64Array);
      assert.deepEqual(rec[4]!.ragged, [0, null]);
      assert.equal(back.attrs.big, 2n ** 60n);
      assert.ok(Number.isNaN(back.attrs.nan));
      assert.deepEqual(back.coords.j, [new Date(0), new Date(86_400_000)]);
    });
  }

  it('writes Parquet with zstd and the labels in the footer', async () => {
    const ds = await everything();
    const path = join(dir, 'meta.parquet');
    await writeDataset(ds, path);
    const rows = await duckdb(`SELECT DISTINCT compression FROM parquet_metadata('${path}')`);
    assert.deepEqual(rows, [{ compression: 'ZSTD' }]);
    const kv = await duckdb(`SELECT decode(value) AS v FROM parquet_kv_metadata('${path}') WHERE decode(key) = 'harvestry'`);
    const meta = JSON.parse(String(kv[0]!.v)) as { format: string; version: number; dims: { name: string }[]; provenance: { library: string } };
    assert.equal(meta.format, 'harvestry');
    assert.equal(meta.version, 1);
    assert.deepEqual(meta.dims.map((d) => d.name), ['x', 'tag']);
    assert.equal(meta.provenance.library, 'harvestry');
  });

  it('replaces a file atomically and leaves no temporary file behind', async () => {
    const r = label({ varNames: 'y' }, ({ x }: { x: number }) => x);
    const path = join(dir, 'atomic.parquet');
    await writeDataset(await r.runCombos({ x: [1] }), path);
    const first = readFileSync(path);
    await writeDataset(await r.runCombos({ x: [1, 2, 3] }), path, { overwrite: true });
    assert.notDeepEqual(readFileSync(path), first);
    assert.equal((await readDataset(path)).numRows, 3);
    assert.deepEqual(readFileSync(`${path}.bak`), first);
    assert.deepEqual(readdirSync(dir).filter((f) => f.includes('atomic')).sort(), ['atomic.parquet', 'atomic.parquet.bak']);
  });

  it('keeps the old file whole when the new one cannot be written', async () => {
    const r = label({ varNames: 'y' }, ({ x }: { x: number }) => x);
    const path = join(dir, 'keep.parquet');
    await writeDataset(await r.runCombos({ x: [1] }), path);
    const before = readFileSync(path);
    const bad = await r.runCombos({ x: [2] });
    Object.defineProperty(bad, 'meta', { value: { ...bad.meta, attrs: { oops: () => 1 } } });
    await assertHarvestryError(() => writeDataset(bad, path, { overwrite: true }), 'E_UNSUPPORTED_VALUE');
    assert.deepEqual(readFileSync(path), before);
    assert.deepEqual(readdirSync(dir).filter((f) => f.includes('keep')), ['keep.parquet']);
  });

  it('refuses a Parquet file harvestry did not write, and leaves it alone', async () => {
    const path = join(dir, 'foreign.parquet');
    await duckdb(`COPY (SELECT 1 AS x, 'a' AS y) TO '${path}' (FORMAT parquet)`);
    const size = statSync(path).size;
    await assertHarvestryError(() => readDataset(path), 'E_FOREIGN_FILE', /foreign\.parquet is a valid file, but harvestry did not write it: it has no `harvestry` metadata/);
    assert.equal(statSync(path).size, size);
  });

  it('refuses a file that is not Parquet or Arrow, a truncated one, and a missing one', async () => {
    const text = join(dir, 'notes.parquet');
    writeFileSync(text, 'a,b\n1,2\n');
    await assertHarvestryError(() => readDataset(text), 'E_FOREIGN_FILE', /neither a Parquet nor an Arrow IPC file/);
    const r = label({ varNames: 'y' }, ({ x }: { x: number }) => x);
    const whole = join(dir, 'whole.parquet');
    await writeDataset(await r.runCombos({ x: [1, 2] }), whole);
    const cut = join(dir, 'cut.parquet');
    const bytes = readFileSync(whole);
    writeFileSync(cut, bytes.subarray(0, bytes.length - 10));
    await assertHarvestryError(() => readDataset(cut), 'E_CORRUPT_FILE', /cut short/);
    const garbled = join(dir, 'garbled.parquet');
    const copy = Buffer.from(bytes);
    copy.fill(7, 8, bytes.length - 8);
    writeFileSync(garbled, copy);
    await assertHarvestryError(() => readDataset(garbled), 'E_CORRUPT_FILE', /cannot be read.*damaged/);
    await assertHarvestryError(() => readDataset(join(dir, 'absent.parquet')), 'E_NOT_FOUND', /There is no dataset at .*absent\.parquet/);
  });

  it('refuses an extension it cannot tell the format of', async () => {
    const r = label({ varNames: 'y' }, ({ x }: { x: number }) => x);
    await assertHarvestryError(async () => writeDataset(await r.runCombos({ x: [1] }), join(dir, 'x.csv')), 'E_UNSUPPORTED_FORMAT', /Name it \.parquet/);
  });

  it('reads only some columns when asked, keeping the dims', async () => {
    const ds = await everything();
    const path = join(dir, 'cols.parquet');
    await writeDataset(ds, path);
    const some = await readDataset(path, { columns: ['x', 'tag', 'num'] });
    assert.deepEqual(some.varNames, ['num']);
    assert.deepEqual(some.toRecords(), ds.toRecords().map((r) => ({ x: r.x, tag: r.tag, num: r.num })));
  });
});
