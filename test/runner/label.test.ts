import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { label, HarvestryError, Runner } from '../../src/index.js';
import { assertHarvestryError, checkedProduct, range } from '../_support/helpers.js';

describe('label', () => {
  it('returns a Runner whose fn stays callable as before', () => {
    const r = label({ varNames: 'p' }, checkedProduct);
    assert.ok(r instanceof Runner);
    assert.equal(r.fn({ a: 2, b: 30 }), 60);
    assert.deepEqual(r.varNames, ['p']);
    assert.equal(r.fnArgs, null);
    assert.match(r.fingerprint, /^sha256:[0-9a-f]{64}$/);
  });

  it('runs combos into one row per case, dims in the order given', async () => {
    const r = label({ varNames: 'p' }, checkedProduct);
    const ds = await r.runCombos({ b: [10, 20, 30], a: [1, 2] });
    assert.deepEqual(ds.dims, ['b', 'a']);
    assert.deepEqual(ds.coords, { b: [10, 20, 30], a: [1, 2] });
    assert.deepEqual(
      ds.toRecords().map((x) => [x.b, x.a, x.p]),
      [
        [10, 1, 10],
        [10, 2, 20],
        [20, 1, 20],
        [20, 2, 40],
        [30, 1, 30],
        [30, 2, 60],
      ],
    );
    assert.equal(r.lastDs, ds);
  });

  it('takes a tuple of outputs for several var names, in order', async () => {
    const r = label({ varNames: ['sum', 'diff'] }, ({ x, y }: { x: number; y: number }) => [x + y, x - y] as const);
    const ds = await r.runCombos({ x: [5], y: [1, 2] });
    assert.deepEqual(ds.varNames, ['sum', 'diff']);
    assert.deepEqual(ds.toRecords(), [
      { x: 5, y: 1, sum: 6, diff: 4 },
      { x: 5, y: 2, sum: 7, diff: 3 },
    ]);
  });

  it('takes a record of named outputs with varNames: null', async () => {
    const r = label({ varNames: null }, ({ n }: { n: number }) => ({ square: n * n, label: `n${n}`, even: n % 2 === 0 }));
    const ds = await r.runCombos({ n: [1, 2] });
    assert.deepEqual(ds.varNames, ['square', 'label', 'even']);
    assert.deepEqual(ds.toRecords(), [
      { n: 1, square: 1, label: 'n1', even: false },
      { n: 2, square: 4, label: 'n2', even: true },
    ]);
  });

  it('calls positional functions through fnArgs, with tuple cases', async () => {
    const r = label({ varNames: 'p', fnArgs: ['a', 'b'] }, (a: number, b: number) => checkedProduct({ a, b }));
    assert.deepEqual(r.fnArgs, ['a', 'b']);
    const ds = await r.runCases([
      [1, 10],
      [3, 40],
    ]);
    assert.deepEqual(ds.toRecords(), [
      { a: 1, b: 10, p: 10 },
      { a: 3, b: 40, p: 120 },
    ]);
  });

  it('runs async functions', async () => {
    const r = label({ varNames: 'p' }, async ({ a, b }: { a: number; b: number }) => {
      await new Promise((res) => setTimeout(res, 1));
      return checkedProduct({ a, b });
    });
    const ds = await r.runCombos({ a: [1, 2], b: [10] });
    assert.deepEqual(ds.get('p').data, Float64Array.from([10, 20]));
  });

  it('combines cases with combos, case-major, and gives case dims sorted coords', async () => {
    const r = label({ varNames: 'p' }, checkedProduct);
    const ds = await r.runCombos({ b: [10, 20] }, { cases: [{ a: 3 }, { a: 1 }] });
    assert.deepEqual(ds.dims, ['a', 'b']);
    assert.deepEqual(ds.coords.a, [1, 3]);
    assert.deepEqual(
      ds.toRecords().map((x) => [x.a, x.b]),
      [
        [3, 10],
        [3, 20],
        [1, 10],
        [1, 20],
      ],
    );
    const same = await r.runCases([{ a: 3 }, { a: 1 }], { combos: { b: [10, 20] } });
    assert.deepEqual(same.toRecords(), ds.toRecords());
  });

  it('saves constants as attrs, or as coords when named as an internal dim; never saves resources', async () => {
    const calls: unknown[] = [];
    const r = label(
      {
        varNames: ['trace', 'total'],
        varDims: { trace: ['t'] },
        constants: { t: [0, 1, 2], scale: 10 },
        resources: { log: (x: unknown) => calls.push(x) },
        attrs: { experiment: 'rabi' },
      },
      ({ k, t, scale, log }: { k: number; t: number[]; scale: number; log: (x: unknown) => void }) => {
        log(k);
        const trace = t.map((x) => x * k * scale);
        return [trace, trace.reduce((s, x) => s + x, 0)];
      },
    );
    const ds = await r.runCombos({ k: [1, 2] });
    assert.deepEqual(calls, [1, 2]);
    assert.deepEqual(ds.coords.t, [0, 1, 2]);
    assert.deepEqual(ds.attrs, { experiment: 'rabi', scale: 10 });
    assert.equal('log' in ds.attrs, false);
    assert.deepEqual(ds.toRecords()[1], { k: 2, trace: [0, 20, 40], total: 60 });
    assert.deepEqual(r.varCoords, { t: [0, 1, 2] });
  });

  it('passes per-run constants for that run only', async () => {
    const r = label({ varNames: 'y', constants: { c: 1 } }, ({ x, c }: { x: number; c: number }) => x + c);
    const ds = await r.runCombos({ x: [1] }, { constants: { c: 100 } });
    assert.equal(ds.toRecords()[0]!.y, 101);
    assert.deepEqual(ds.attrs, { c: 100 });
    assert.equal((await r.runCombos({ x: [1] })).toRecords()[0]!.y, 2);
  });

  it('stores numbers, bigints, booleans, strings, Dates and null as inputs and outputs', async () => {
    const r = label({ varNames: ['same', 'kind'] }, ({ v }: { v: number | bigint | boolean | string | Date | null }) => [v, v === null ? 'null' : typeof v]);
    for (const values of [[1.5, -2], [1n, 2n ** 62n], [true, false], ['x', 'é'], [new Date(0), new Date(1e12)], ['x', null]]) {
      const ds = await r.runCombos({ v: values });
      assert.deepEqual(ds.toRecords().map((x) => x.same), values);
    }
  });
});

describe('label and runs: bad input', () => {
  const r = label({ varNames: 'p' }, checkedProduct);

  it('names an unknown argument, with a suggestion, in combos, cases and constants', async () => {
    await assertHarvestryError(() => r.runCombos({ a: [1], bb: [10] } as never), 'E_UNKNOWN_ARG', /names `bb` \(did you mean `b`\?\), which the function does not take\. Its arguments are `a` and `b`/);
    await assertHarvestryError(() => r.runCases([{ a: 1, b: 10, c: 3 }] as never), 'E_UNKNOWN_ARG', /`c`/);
    await assertHarvestryError(() => label({ varNames: 'p', constants: { z: 1 } as never }, checkedProduct), 'E_UNKNOWN_ARG', /label\(\) names `z`/);
  });

  it('names a missing argument', async () => {
    // @ts-expect-error: `b` is missing, a compile error too
    await assertHarvestryError(() => r.runCombos({ a: [1] }), 'E_MISSING_ARG', /The function needs `b`, but no combo, case, constant or resource gives it/);
    const withDefault = label({ varNames: 'p' }, ({ a, b = 10 }: { a: number; b?: number }) => checkedProduct({ a, b }));
    assert.equal((await withDefault.runCombos({ a: [2] })).toRecords()[0]!.p, 20);
  });

  it('refuses a result tuple whose length differs from varNames', async () => {
    const bad = label({ varNames: ['x', 'y'] }, ({ a }: { a: number }) => [a, a, a]);
    await assertHarvestryError(() => bad.runCombos({ a: [1] }), 'E_RESULT_SHAPE', /The case \{a: 1\} returned a tuple of 3, but `varNames` declares 2 outputs \(`x` and `y`\)/);
  });

  it('refuses a result that does not fit varDims and varCoords', async () => {
    const bad = label({ varNames: 'out', varDims: { out: ['t'] }, varCoords: { t: [0, 1, 2] } }, ({ n }: { n: number }) => range(n));
    await assertHarvestryError(() => bad.runCombos({ n: [3, 4] }), 'E_RESULT_SHAPE', /The case \{n: 4\} returned 4 values for `out` along `t`, but `t` has 3 coords/);
    const notArray = label({ varNames: 'out', varDims: { out: ['t'] } }, () => 5);
    await assertHarvestryError(() => notArray.runCases([{}]), 'E_RESULT_SHAPE', /returned 5 for `out` at dim `t`/);
  });

  it('refuses an array output with no varDims and says how to declare them', async () => {
    const bad = label({ varNames: 'out' }, () => [1, 2]);
    await assertHarvestryError(() => bad.runCases([{}]), 'E_UNSUPPORTED_VALUE', /`out` has no internal dims: declare them in `varDims`/);
  });

  it('refuses unsupported output values: a function, a symbol, an object', async () => {
    for (const v of [() => 1, Symbol('s'), { x: 1 }]) {
      const bad = label({ varNames: 'out' }, () => v);
      await assertHarvestryError(() => bad.runCases([{}]), 'E_UNSUPPORTED_VALUE', /cannot be stored/);
    }
  });

  it('refuses a variable that changes kind between cases', async () => {
    const bad = label({ varNames: 'out' }, ({ a }: { a: number }) => (a === 1 ? 1 : 'one'));
    await assertHarvestryError(() => bad.runCombos({ a: [1, 2] }), 'E_RESULT_TYPE', /The case \{a: 2\} returned "one" for `out`, but earlier cases returned float64 scalars/);
  });

  it('refuses a constant with the same name as a combo instead of letting it win', async () => {
    const c = label({ varNames: 'p', constants: { a: 9 } }, checkedProduct);
    await assertHarvestryError(() => c.runCombos({ a: [1, 2], b: [10] }), 'E_CONSTANT_CLASH', /`a` is both swept .* and given as a constant/);
    await assertHarvestryError(() => r.runCombos({ a: [1], b: [10] }, { constants: { b: 1 } }), 'E_CONSTANT_CLASH');
  });

  it('refuses inconsistent specs with E_BAD_SPEC', async () => {
    await assertHarvestryError(() => label({ varNames: 'p', varDims: { q: ['t'] } }, checkedProduct), 'E_BAD_SPEC', /`varDims` names `q`, which is not an output/);
    await assertHarvestryError(() => label({ varNames: 'p', varCoords: { t: [1] } }, checkedProduct), 'E_BAD_SPEC', /no variable has as an internal dim/);
    await assertHarvestryError(() => label({ varNames: ['p', 'p'] }, checkedProduct), 'E_BAD_SPEC', /twice/);
    await assertHarvestryError(() => label({ varNames: 'a' }, checkedProduct).runCombos({ a: [1], b: [10] }), 'E_BAD_SPEC', /has the name of a dim/);
    await assertHarvestryError(() => label({ varNames: 'p', nope: 1 } as never, checkedProduct), 'E_BAD_OPTION', /label\(\) has no option `nope`/);
  });

  it('refuses a constant that cannot be saved and points at resources', async () => {
    await assertHarvestryError(
      () => label({ varNames: 'p', constants: { f: () => 1 } }, ({ f }: { f: () => number }) => f()),
      'E_UNSUPPORTED_VALUE',
      /constant `f` is a function.*pass other things as `resources`/,
    );
  });

  it('carries every thrown error as a HarvestryError with a code', async () => {
    try {
      await r.runCombos({ a: 'abc' as never, b: [10] });
      assert.fail('expected an error');
    } catch (err) {
      assert.ok(err instanceof HarvestryError);
      assert.equal(err.code, 'E_COMBO_NOT_ARRAY');
    }
  });
});
