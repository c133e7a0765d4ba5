/**
 * Sample tables round-trip through every storage engine (Parquet, Arrow IPC, CSV, JSON lines)
 * with every value type: what a Sampler returned is what it reads back, and what other tools
 * read. Appends from several writers at once lose nothing; a record cut short by a crash is
 * skipped and cut off; files harvestry did not write are refused.
 */
import assert from 'node:assert/strict';
import { appendFileSync, existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import type * as Arrow from 'apache-arrow';
import { Harvester, label, readSamples, Sampler, type SampleFormat } from '../../src/index.js';
import { assertHarvestryError, duckdb, tempDir } from '../_support/helpers.js';

const ENGINES: readonly [SampleFormat, string][] = [
  ['parquet', 'parquet'],
  ['arrow', 'arrow'],
  ['csv', 'csv'],
  ['json', 'jsonl'],
];

interface KindsParams {
  x: number;
  tag: string | null;
  flag: boolean | null;
  when: Date;
  big: bigint;
  t: number[];
  unit: string;
  scale: number;
  meta: { a: number };
}

/** Every value type a table holds, from drawn values: special floats, text that needs quoting, lists. */
const kinds = label(
  { varNames: ['f', 's', 'b', 'i', 'd', 'trace', 'ragged', 'ints', 'bigs'], varDims: { trace: ['t'], ragged: ['k'], ints: ['t'], bigs: ['t'] }, constants: { t: [0, 1, 2], unit: 'm', scale: 2.5, meta: { a: 1 } } },
  ({ x, tag, flag, when, big, t, unit, scale, meta }: KindsParams) => {
    if (unit !== 'm') throw new Error(`unit ${unit}`);
    if (x > 0.9) throw new Error(`too big, "x" = ${x}, line\nbreak`);
    const f = x < 0.1 ? NaN : x < 0.2 ? Infinity : x < 0.25 ? -Infinity : x < 0.3 ? -0 : x * scale * meta.a;
    return [
      f,
      tag,
      flag,
      big - 1n,
      when,
      Float64Array.from(t, (ti) => (ti === 1 && x < 0.5 ? NaN : x + ti)),
      Array.from({ length: Math.floor(x * 4) }, (_, k) => (k === 1 ? null : k * x)),
      Int32Array.from(t, (ti) => ti * 7 - 3),
      BigInt64Array.from(t, (ti) => BigInt(ti) - big),
    ] as const;
  },
);

const defaultCombos = {
  x: (rng: () => number) => rng(),
  tag: ['', 'a,b', 'quote"d', 'line\nbreak', 'ünï ☃', 'NaN', ' padded ', null],
  flag: [true, false, null],
  when: [new Date(0), new Date('2024-02-29T12:34:56.789Z')],
  big: [1n, -(2n ** 62n), 2n ** 62n],
};

/** A table's rows as comparable plain values (NaN, -0, bigints, Dates and lists spelled out). */
function canon(table: Arrow.Table): unknown[] {
  const plain = (v: unknown): unknown => {
    if (typeof v === 'number') return Object.is(v, -0) ? '-0' : Number.isNaN(v) ? 'NaN' : v;
    if (typeof v === 'bigint') return `${v}n`;
    if (v instanceof Date) return v.toISOString();
    if (v !== null && typeof v === 'object' && 'toArray' in v) {
      const vec = v as unknown as { length: number; get(i: number): unknown };
      return Array.from({ length: vec.length }, (_, i) => plain(vec.get(i)));
    }
    if (ArrayBuffer.isView(v)) return Array.from(v as unknown as ArrayLike<unknown>, plain);
    if (Array.isArray(v)) return v.map(plain);
    return v;
  };
  const names = table.schema.fields.map((f) => f.name);
  return Array.from({ length: table.numRows }, (_, r) => Object.fromEntries(names.map((n) => [n, plain(table.getChild(n)!.get(r))])));
}

const schemaOf = (t: Arrow.Table): string[] => t.schema.fields.map((f) => `${f.name}: ${String(f.type)}`);

/** Drawn parameters, scalar constants, outputs, then the columns harvestry adds. */
const SCHEMA = [
  'x: Float64',
  'tag: Utf8',
  'flag: Bool',
  'when: Timestamp<MILLISECOND, UTC>',
  'big: Int64',
  'unit: Utf8',
  'scale: Float64',
  'f: Float64',
  's: Utf8',
  'b: Bool',
  'i: Int64',
  'd: Timestamp<MILLISECOND, UTC>',
  'trace: FixedSizeList[3]<Float64>',
  'ragged: List<Float64>',
  'ints: FixedSizeList[3]<Int32>',
  'bigs: FixedSizeList[3]<Int64>',
  '_error: Utf8',
  '_duration_ms: Float64',
  '_seed: Uint32',
  '_sample: Int32',
];

describe('sample table engines', () => {
  const dir = tempDir();

  for (const [format, ext] of ENGINES) {
    it(`${format}: reads back exactly what was sampled, every value type, over several appends`, async () => {
      const path = join(dir, `kinds.${ext}`);
      const s = new Sampler(kinds, path, { defaultCombos });
      const first = await s.sampleCombos(60, { seed: 5, onError: 'record', timings: true });
      const second = await s.sampleCombos(30, { seed: 6, onError: 'record', timings: true });
      assert.equal(s.format, format);
      assert.ok(canon(first).some((r) => (r as { _error: unknown })._error !== null), 'some samples failed');
      const back = await readSamples(path);
      assert.deepEqual(schemaOf(back), schemaOf(first));
      assert.deepEqual(canon(back), [...canon(first), ...canon(second)]);
      assert.deepEqual(canon(s.fullTable!), canon(back));
      assert.deepEqual(schemaOf(first), SCHEMA);
    });
  }

  it('Parquet, CSV and JSON-lines files open in DuckDB as they are', async () => {
    const want = await duckdb(`SELECT 1 AS one`);
    assert.deepEqual(want, [{ one: 1 }]);
    const mul = label({ varNames: 'p' }, ({ x, y }: { x: number; y: number }) => x * y);
    const sums: unknown[] = [];
    for (const [format, ext] of ENGINES) {
      if (format === 'arrow') continue;
      const path = join(dir, `duck.${ext}`);
      await new Sampler(mul, path).sampleCombos(50, { combos: { x: [0.5, 1.5], y: [2, 4] }, seed: 9 });
      const reader = format === 'parquet' ? `'${path}'` : format === 'csv' ? `read_csv('${path}')` : `read_json('${path}')`;
      sums.push(await duckdb(`SELECT count(*)::INTEGER AS n, sum(p)::DOUBLE AS total, sum(x * y)::DOUBLE AS check, max(_sample)::INTEGER AS last, min(_seed)::INTEGER AS seed FROM ${reader}`));
    }
    assert.equal(new Set(sums.map((s) => JSON.stringify(s))).size, 1, JSON.stringify(sums));
    const [row] = sums[0] as { n: number; total: number; check: number; last: number; seed: number }[];
    assert.deepEqual([row!.n, row!.last, row!.seed, row!.total === row!.check], [50, 49, 9, true]);
    const kv = await duckdb(`SELECT decode(value)::JSON->>'format' AS format FROM parquet_kv_metadata('${join(dir, 'duck.parquet')}') WHERE decode(key) = 'harvestry.samples'`);
    assert.deepEqual(kv, [{ format: 'harvestry-samples' }]);
  });

  for (const [format, ext] of ENGINES) {
    it(`${format}: several Samplers appending at once lose no row, and columns keep their order`, async () => {
      const path = join(dir, `together.${ext}`);
      const mul = label({ varNames: 'p' }, ({ x, y }: { x: number; y: number }) => x * y);
      const writers = [1, 2, 3, 4].map((seed) => new Sampler(mul, path, { defaultCombos: { y: [1, 2], x: (rng) => rng() } }).sampleCombos(25, { seed, commitEvery: { rows: 5, ms: 0 } }));
      const tables = await Promise.all(writers);
      const back = await readSamples(path);
      assert.equal(back.numRows, 100);
      assert.deepEqual(back.schema.fields.map((f) => f.name), ['y', 'x', 'p', '_seed', '_sample']);
      const key = (r: unknown): string => JSON.stringify(r);
      assert.deepEqual(canon(back).map(key).sort(), tables.flatMap(canon).map(key).sort());
    });
  }

  for (const [format, ext] of [['csv', 'csv'], ['json', 'jsonl']] as const) {
    it(`${format}: a record cut short by a crash is skipped by readers and cut off by the next append`, async () => {
      const path = join(dir, `torn.${ext}`);
      const mul = label({ varNames: 'p' }, ({ x, s }: { x: number; s: string }) => x * s.length);
      const sampler = new Sampler(mul, path, { defaultCombos: { x: [1, 2], s: ['a\nb', 'c'] } });
      const first = await sampler.sampleCombos(5, { seed: 1 });
      appendFileSync(path, format === 'csv' ? '1,"half a\nline' : '{"x":1,"s":"half');
      assert.deepEqual(canon((await readSamples(path))), canon(first));
      const second = await sampler.sampleCombos(3, { seed: 2 });
      assert.deepEqual(canon(await readSamples(path)), [...canon(first), ...canon(second)]);
      assert.ok(readFileSync(path, 'utf8').endsWith('\n'));
    });
  }

  it('takes the format from the option, else the extension, else Parquet; refuses an unknown extension', async () => {
    const mul = label({ varNames: 'p' }, ({ x }: { x: number }) => x);
    const csvPath = join(dir, 'named.txt');
    await new Sampler(mul, csvPath, { format: 'csv' }).sampleCombos(2, { combos: { x: [1] } });
    assert.match(readFileSync(csvPath, 'utf8'), /^x,p,_seed,_sample\n1,1,/);
    assert.ok(existsSync(`${csvPath}.meta.json`));
    assert.equal((await readSamples(csvPath, { format: 'csv' })).numRows, 2);
    const bare = join(dir, 'bare');
    assert.equal(new Sampler(mul, bare).format, 'parquet');
    await assertHarvestryError(() => new Sampler(mul, join(dir, 'x.txt')), 'E_UNSUPPORTED_FORMAT', /^Cannot tell the format of .*x\.txt from its extension "\.txt"\. Name it \.parquet, \.arrow, \.csv or \.jsonl/);
    await assertHarvestryError(() => new Sampler(mul, null, { format: 'csv' }), 'E_BAD_OPTION', /`format` in new Sampler\(\) names the format of the table's file, but this Sampler has no file/);
  });

  it('refuses files it did not write, and a Harvester dataset, naming them, and writes nothing', async () => {
    const mul = label({ varNames: 'p' }, ({ x }: { x: number }) => x);
    const csv = join(dir, 'foreign.csv');
    writeFileSync(csv, 'x,p\n1,1\n');
    await assertHarvestryError(() => new Sampler(mul, csv).sampleCombos(1, { combos: { x: [1] } }), 'E_FOREIGN_FILE', /foreign\.csv has no labels beside it \(.*foreign\.csv\.meta\.json does not exist\)/);
    assert.equal(readFileSync(csv, 'utf8'), 'x,p\n1,1\n');
    const parquet = join(dir, 'dataset.parquet');
    await new Harvester(mul, parquet).harvestCombos({ x: [1, 2] });
    const bytes = readFileSync(parquet);
    await assertHarvestryError(() => new Sampler(mul, parquet).sampleCombos(1, { combos: { x: [1] } }), 'E_FILE_KIND', /dataset\.parquet is a harvestry dataset \(written by a Harvester or writeDataset\), not a Sampler's table/);
    assert.deepEqual(readFileSync(parquet), bytes);
    const samples = join(dir, 'samples.parquet');
    await new Sampler(mul, samples).sampleCombos(2, { combos: { x: [1] } });
    await assertHarvestryError(() => new Harvester(mul, samples).harvestCombos({ x: [1] }), 'E_FILE_KIND', /samples\.parquet is a Sampler's table .* not a harvestry dataset/);
    rmSync(csv);
  });
});
