import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { label } from '../../src/index.js';
import { assertHarvestryError, checkedProduct, nodeArgsFor, range } from '../_support/helpers.js';

const product = label({ varNames: 'p' }, checkedProduct);

const wave = label(
  { varNames: ['trace', 'peak'], varDims: { trace: ['t'] }, constants: { t: [0, 1, 2, 3] } },
  ({ amp, shift, t }: { amp: number; shift: string; t: number[] }) => {
    const trace = Float64Array.from(t, (x) => amp * x + (shift === 'up' ? 1 : 0));
    return [trace, Math.max(...trace)];
  },
);

describe('Dataset', () => {
  it('knows its dims, coords, variables and size', async () => {
    const ds = await wave.runCombos({ amp: [1, 2], shift: ['up', 'down'] });
    assert.deepEqual(ds.dims, ['amp', 'shift']);
    assert.deepEqual(ds.coords, { amp: [1, 2], shift: ['up', 'down'], t: [0, 1, 2, 3] });
    assert.deepEqual(ds.varNames, ['trace', 'peak']);
    assert.deepEqual(ds.varDims, { trace: ['t'], peak: [] });
    assert.equal(ds.numRows, 4);
    assert.equal(ds.table.numRows, 4);
    assert.deepEqual(
      ds.table.schema.fields.map((f) => [f.name, String(f.type)]),
      [
        ['amp', 'Float64'],
        ['shift', 'Utf8'],
        ['trace', 'FixedSizeList[4]<Float64>'],
        ['peak', 'Float64'],
      ],
    );
  });

  it('get() gives a dense labelled array, row-major, with NaN holes for cases not run', async () => {
    const ds = await product.runCases([{ a: 1, b: 10 }, { a: 2, b: 30 }, { a: 2, b: 10 }]);
    const p = ds.get('p');
    assert.deepEqual(p.dims, ['a', 'b']);
    assert.deepEqual(p.coords, { a: [1, 2], b: [10, 30] });
    assert.deepEqual(p.shape, [2, 2]);
    assert.deepEqual(Array.from(p.data as Float64Array), [10, NaN, 20, 60]);
    assert.equal(p.at({ a: 2, b: 30 }), 60);
  });

  it('get() of a variable with internal dims adds them after the dims', async () => {
    const ds = await wave.runCombos({ amp: [1, 2], shift: ['up'] });
    const tr = ds.get('trace');
    assert.deepEqual(tr.dims, ['amp', 'shift', 't']);
    assert.deepEqual(tr.shape, [2, 1, 4]);
    assert.deepEqual(Array.from(tr.data as Float64Array), [1, 2, 3, 4, 1, 3, 5, 7]);
  });

  it('get() gives null holes for non-numeric variables', async () => {
    const r = label({ varNames: 'name' }, ({ i }: { i: number }) => `item${i}`);
    const ds = await r.runCases([{ i: 1 }, { i: 3 }]);
    assert.deepEqual(ds.get('name').data, ['item1', 'item3']);
    const r2 = label({ varNames: 'ok' }, ({ i, j }: { i: number; j: number }) => i < j);
    const ds2 = await r2.runCases([{ i: 1, j: 2 }, { i: 3, j: 1 }]);
    assert.deepEqual(ds2.get('ok').data, [null, true, false, null]);
  });

  it('sel() with one value keeps those rows and drops the dim into attrs', async () => {
    const ds = await product.runCombos({ a: [1, 2, 3], b: [10, 20] });
    const one = ds.sel({ a: 2 });
    assert.deepEqual(one.dims, ['b']);
    assert.deepEqual(one.attrs, { a: 2 });
    assert.deepEqual(Array.from(one.get('p').data as Float64Array), [20, 40]);
  });

  it('sel() with an array keeps the dim with those coords, in that order', async () => {
    const ds = await product.runCombos({ a: [1, 2, 3], b: [10, 20] });
    const two = ds.sel({ a: [3, 1] });
    assert.deepEqual(two.coords.a, [3, 1]);
    assert.equal(two.numRows, 4);
    assert.deepEqual(Array.from(two.get('p').data as Float64Array), [30, 60, 10, 20]);
  });

  it('sel() on an internal dim with coords picks elements', async () => {
    const ds = await wave.runCombos({ amp: [1, 2], shift: ['down'] });
    const at2 = ds.sel({ t: 2 });
    assert.deepEqual(at2.varDims, { trace: [], peak: [] });
    assert.deepEqual(at2.toRecords().map((r) => r.trace), [2, 4]);
    const some = ds.sel({ t: [3, 0] });
    assert.deepEqual(some.coords.t, [3, 0]);
    assert.deepEqual(some.toRecords().map((r) => Array.from(r.trace as Float64Array)), [
      [3, 0],
      [6, 0],
    ]);
  });

  it('sel() names a missing value or an unknown dim', async () => {
    const ds = await product.runCombos({ a: [1, 2], b: [10] });
    await assertHarvestryError(() => ds.sel({ a: 7 }), 'E_NOT_FOUND', /`a` has no value 7; its values are \[1, 2\]/);
    await assertHarvestryError(() => ds.sel({ q: 1 }), 'E_UNKNOWN_DIM', /no dim `q`; it can select on `a` and `b`/);
    await assertHarvestryError(() => ds.get('nope'), 'E_UNKNOWN_VAR', /no variable `nope`; its variables are `p`/);
  });

  it('toRecords() gives each value back as the function returned it', async () => {
    const ds = await wave.runCombos({ amp: [2], shift: ['up'] });
    const [rec] = ds.toRecords();
    assert.ok(rec!.trace instanceof Float64Array);
    assert.deepEqual(rec, { amp: 2, shift: 'up', trace: Float64Array.from([1, 3, 5, 7]), peak: 7 });
  });

  it('toLong() explodes internal dims into dims, repeating scalar variables', async () => {
    const ds = await wave.runCombos({ amp: [1, 2], shift: ['up'] });
    const long = ds.toLong();
    assert.deepEqual(long.dims, ['amp', 'shift', 't']);
    assert.equal(long.numRows, 8);
    assert.deepEqual(long.toRecords().slice(0, 2), [
      { amp: 1, shift: 'up', t: 0, trace: 1, peak: 4 },
      { amp: 1, shift: 'up', t: 1, trace: 2, peak: 4 },
    ]);
    assert.deepEqual(Array.from(long.get('trace').data as Float64Array), Array.from(ds.get('trace').data as Float64Array));
  });

  it('toLong() handles ragged outputs (no coords): one row per element', async () => {
    const r = label({ varNames: 'xs', varDims: { xs: ['k'] } }, ({ n }: { n: number }) => range(n));
    const ds = await r.runCombos({ n: [1, 3] });
    assert.equal(String(ds.table.schema.fields[1]!.type), 'List<Float64>');
    const long = ds.toLong();
    assert.deepEqual(long.toRecords(), [
      { n: 1, k: 0, xs: 0 },
      { n: 3, k: 0, xs: 0 },
      { n: 3, k: 1, xs: 1 },
      { n: 3, k: 2, xs: 2 },
    ]);
    assert.deepEqual(ds.get('xs').shape, [2, 3]);
  });

  it('keeps nested arrays for several internal dims', async () => {
    const r = label({ varNames: 'm', varDims: { m: ['i', 'j'] }, varCoords: { i: [0, 1], j: ['x', 'y', 'z'] } }, ({ s }: { s: number }) => [
      [s, s + 1, s + 2],
      [s + 3, s + 4, s + 5],
    ]);
    const ds = await r.runCombos({ s: [0, 10] });
    assert.deepEqual(ds.toRecords()[1], { s: 10, m: [[10, 11, 12], [13, 14, 15]] });
    assert.deepEqual(ds.get('m').shape, [2, 2, 3]);
    assert.equal(ds.get('m').at({ s: 10, i: 1, j: 'y' }), 14);
    assert.deepEqual(ds.sel({ j: 'z' }).toRecords()[0], { s: 0, m: [2, 5] });
  });

  it('toDataFrame() gives a danfo DataFrame (of the long form when there are internal dims)', async () => {
    const ds = await product.runCombos({ a: [1, 2], b: [10, 20, 30] });
    const df = await ds.toDataFrame();
    assert.deepEqual(df.shape, [6, 3]);
    assert.deepEqual(df.columns, ['a', 'b', 'p']);
    const long = await (await wave.runCombos({ amp: [1], shift: ['up', 'down'] })).toDataFrame();
    assert.deepEqual(long.shape, [8, 5]);
    assert.deepEqual(long.columns, ['amp', 'shift', 't', 'trace', 'peak']);
  });

  it('toDataFrame() says what to install when neither danfojs-node nor danfojs is present', async () => {
    const { stdout } = await promisify(execFile)(process.execPath, nodeArgsFor(new URL('./fixtures/no-danfo.ts', import.meta.url)));
    assert.match(stdout, /^E_DANFO_MISSING: DataFrames need danfo, and neither `danfojs-node` nor `danfojs` is installed\. Install one: `npm install danfojs@1\.1\.2`/);
  });
});
