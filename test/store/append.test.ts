import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { label, readDataset } from '../../src/index.js';
import { appendParquet } from '../../src/store/append.js';
import { encodeDataset } from '../../src/store/dataset-file.js';
import { readFooter } from '../../src/store/parquet-footer.js';
import { decodeThrift, encodeThrift, type ThriftStruct, type ThriftValue } from '../../src/store/thrift.js';
import { duckdb, tempDir } from '../_support/helpers.js';

const traced = label(
  { varNames: ['p', 'tag', 'trace'], varDims: { trace: ['t'] }, constants: { t: [0, 1, 2] } },
  ({ a, b, t }: { a: number; b: string; t: number[] }) => [a === 3 ? NaN : a * 10, a % 2 === 0 ? `${b}${a}` : null, t.map((x) => x * a)],
);

function footerBytes(bytes: Uint8Array): Uint8Array {
  const len = new DataView(bytes.buffer, bytes.byteOffset).getUint32(bytes.length - 8, true);
  return bytes.subarray(bytes.length - 8 - len, bytes.length - 8);
}

const leaf: fc.Arbitrary<ThriftValue> = fc.oneof(
  fc.boolean().map((v) => ({ t: 'bool' as const, v })),
  fc.integer({ min: -128, max: 127 }).map((v) => ({ t: 'i8' as const, v })),
  fc.integer({ min: -32768, max: 32767 }).map((v) => ({ t: 'i16' as const, v })),
  fc.integer().map((v) => ({ t: 'i32' as const, v })),
  fc.bigInt({ min: -(2n ** 63n), max: 2n ** 63n - 1n }).map((v) => ({ t: 'i64' as const, v })),
  fc.double({ noNaN: true }).map((v) => ({ t: 'double' as const, v })),
  fc.uint8Array({ maxLength: 20 }).map((v) => ({ t: 'binary' as const, v })),
);
const tree = fc.letrec<{ struct: ThriftStruct; value: ThriftValue }>((tie) => ({
  struct: fc
    .uniqueArray(fc.integer({ min: 1, max: 40 }), { maxLength: 5 })
    .chain((ids) => fc.tuple(...ids.sort((x, y) => x - y).map((id) => tie('value').map((value) => ({ id, value })))))
    .map((fields) => ({ t: 'struct' as const, fields })),
  value: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    leaf,
    tie('struct'),
    fc.array(fc.integer(), { maxLength: 20 }).map((xs) => ({ t: 'list' as const, elem: 5, items: xs.map((v) => ({ t: 'i32' as const, v })) })),
    fc.array(tie('struct'), { maxLength: 3 }).map((items) => ({ t: 'list' as const, elem: 12, items: items })),
  ),
}));

describe('store: Thrift compact codec', () => {
  it('decodes and re-encodes generated trees exactly', () => {
    fc.assert(
      fc.property(tree.struct, (s) => {
        const bytes = encodeThrift(s);
        const back = decodeThrift(bytes);
        assert.equal(back.end, bytes.length);
        assert.deepEqual(back.value, s);
        assert.deepEqual(encodeThrift(back.value), bytes);
      }),
      { numRuns: 300 },
    );
  });

  it('round-trips the footers parquet-wasm writes byte for byte (i16 stays i16)', async () => {
    const bytes = await encodeDataset(await traced.runCombos({ a: [1, 2, 3], b: ['x', 'y'] }), 'parquet');
    const footer = footerBytes(bytes);
    const { value, end } = decodeThrift(footer);
    assert.equal(end, footer.length);
    assert.deepEqual(encodeThrift(value), footer);
    const rg = (value.fields.find((f) => f.id === 4)!.value as { items: ThriftStruct[] }).items[0]!;
    assert.equal(rg.fields.find((f) => f.id === 7)?.value.t, 'i16');
  });

  it('refuses truncated input with a clear error', () => {
    const bytes = encodeThrift({ t: 'struct', fields: [{ id: 1, value: { t: 'binary', v: new Uint8Array(10) } }] });
    assert.throws(() => decodeThrift(bytes.subarray(0, 5)), /Thrift data ends early/);
  });
});

describe('store: appending row groups', () => {
  const dir = tempDir();

  it('adds rows without touching the old bytes; DuckDB and readDataset read every row', async () => {
    const path = join(dir, 'append.parquet');
    writeFileSync(path, await encodeDataset(await traced.runCombos({ a: [1, 2, 3], b: ['x', 'y'] }), 'parquet'));
    const before = readFileSync(path);
    const first = (await readFooter(path))!;
    const grown = await appendParquet(path, first.footer, first.stamp, await encodeDataset(await traced.runCombos({ a: [4, 5], b: ['x', 'y'] }), 'parquet'));
    const again = await appendParquet(path, grown.footer, grown.stamp, await encodeDataset(await traced.runCombos({ a: [6], b: ['z'] }), 'parquet'));
    assert.equal(again.footer.numRows, 11);
    assert.equal(again.footer.rowGroups.length, 3);
    const after = readFileSync(path);
    assert.deepEqual(after.subarray(0, first.footer.start), before.subarray(0, first.footer.start));
    assert.deepEqual((await readFooter(path))!.footer.rowGroups.map((g) => g.numRows), [6, 4, 1]);

    const ds = await readDataset(path);
    assert.equal(ds.numRows, 11);
    assert.deepEqual(
      ds.toRecords().map((r) => [r.a, r.b, r.p, r.tag, Array.from(r.trace as number[])]),
      [
        ...[1, 2, 3].flatMap((a) => ['x', 'y'].map((b) => [a, b, a === 3 ? NaN : a * 10, a % 2 === 0 ? `${b}${a}` : null, [0, a, 2 * a]])),
        ...[4, 5].flatMap((a) => ['x', 'y'].map((b) => [a, b, a * 10, a % 2 === 0 ? `${b}${a}` : null, [0, a, 2 * a]])),
        [6, 'z', 60, 'z6', [0, 6, 12]],
      ],
    );
    const rows = await duckdb(`SELECT a, b, p, tag, trace FROM '${path}' WHERE a >= 3 ORDER BY a, b`);
    assert.deepEqual(rows.slice(2), [
      { a: 4, b: 'x', p: 40, tag: 'x4', trace: [0, 4, 8] },
      { a: 4, b: 'y', p: 40, tag: 'y4', trace: [0, 4, 8] },
      { a: 5, b: 'x', p: 50, tag: null, trace: [0, 5, 10] },
      { a: 5, b: 'y', p: 50, tag: null, trace: [0, 5, 10] },
      { a: 6, b: 'z', p: 60, tag: 'z6', trace: [0, 6, 12] },
    ]);
    const groups = await duckdb(`SELECT row_group_id::INTEGER AS g, max(row_group_num_rows)::INTEGER AS n FROM parquet_metadata('${path}') GROUP BY ALL ORDER BY g`);
    assert.deepEqual(groups, [
      { g: 0, n: 6 },
      { g: 1, n: 4 },
      { g: 2, n: 1 },
    ]);
  });

  it('refuses to append rows whose Parquet schema differs', async () => {
    const path = join(dir, 'schema.parquet');
    writeFileSync(path, await encodeDataset(await traced.runCombos({ a: [1], b: ['x'] }), 'parquet'));
    const other = label({ varNames: 'q' }, ({ a }: { a: number }) => a);
    const f = (await readFooter(path))!;
    await assert.rejects(appendParquet(path, f.footer, f.stamp, await encodeDataset(await other.runCombos({ a: [1] }), 'parquet')), /cannot append: the Parquet schemas differ/);
    assert.equal((await readDataset(path)).numRows, 1);
  });
});
