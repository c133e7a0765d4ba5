import assert from 'node:assert/strict';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { label, writeDataset } from '../../src/index.js';
import { checkedProduct, duckdb, range, tempDir } from '../_support/helpers.js';

describe('DuckDB reads what harvestry writes', () => {
  const dir = tempDir();

  it('opens a run as one row per case with the right column types and values', async () => {
    const r = label(
      { varNames: ['p', 'tag', 'ok', 'big', 'stamp', 'series'], varDims: { series: ['t'] }, constants: { t: [0, 1, 2] } },
      ({ a, b, t }: { a: number; b: number; t: number[] }) => [checkedProduct({ a, b }), `a${a}`, a < b, BigInt(a) * 10n ** 15n, new Date(Date.UTC(2024, 0, a + 1)), t.map((x) => x * a)],
    );
    const ds = await r.runCombos({ a: [1, 2, 3], b: [10, 20] });
    const path = join(dir, 'run.parquet');
    await writeDataset(ds, path);
    const types = await duckdb(`DESCRIBE SELECT * FROM '${path}'`);
    assert.deepEqual(
      types.map((t) => [t.column_name, t.column_type]),
      [
        ['a', 'DOUBLE'],
        ['b', 'DOUBLE'],
        ['p', 'DOUBLE'],
        ['tag', 'VARCHAR'],
        ['ok', 'BOOLEAN'],
        ['big', 'BIGINT'],
        ['stamp', 'TIMESTAMP WITH TIME ZONE'],
        ['series', 'DOUBLE[]'],
      ],
    );
    const rows = await duckdb(`SELECT a, b, p, tag, ok, big::VARCHAR AS big, strftime(stamp, '%Y-%m-%d') AS day, series FROM '${path}' ORDER BY a, b`);
    assert.equal(rows.length, 6);
    assert.deepEqual(rows[3], { a: 2, b: 20, p: 40, tag: 'a2', ok: true, big: '2000000000000000', day: '2024-01-03', series: [0, 2, 4] });
    const count = await duckdb(`SELECT count(*)::INTEGER AS n, count(DISTINCT [a, b])::INTEGER AS keys FROM '${path}'`);
    assert.deepEqual(count, [{ n: 6, keys: 6 }]);
  });

  it('keeps NaN as a number and missing values as NULL', async () => {
    const r = label({ varNames: 'y' }, ({ x }: { x: number }) => (x === 0 ? NaN : x === 1 ? null : x));
    const path = join(dir, 'nan.parquet');
    await writeDataset(await r.runCombos({ x: range(3) }), path);
    const rows = await duckdb(`SELECT x, isnan(y) AS nan, y IS NULL AS missing FROM '${path}' ORDER BY x`);
    assert.deepEqual(rows, [
      { x: 0, nan: true, missing: false },
      { x: 1, nan: null, missing: true },
      { x: 2, nan: false, missing: false },
    ]);
  });

  it('unnests a list column into the long form', async () => {
    const r = label({ varNames: 'out', varDims: { out: ['t'] }, varCoords: { t: [0, 1, 2, 3] } }, ({ x }: { x: number }) => Float64Array.from([0, 1, 2, 3], (i) => x * i));
    const path = join(dir, 'list.parquet');
    await writeDataset(await r.runCombos({ x: [1, 2] }), path);
    const rows = await duckdb(`SELECT x, unnest(out) AS v FROM '${path}' ORDER BY x, v`);
    assert.deepEqual(rows.map((row) => [row.x, row.v]), [
      [1, 0],
      [1, 1],
      [1, 2],
      [1, 3],
      [2, 0],
      [2, 2],
      [2, 4],
      [2, 6],
    ]);
  });
});
