/**
 * The types of combos and cases follow from the labelled function's parameters, under both
 * compilers users install: TypeScript 5.9 and 7. The `@ts-expect-error` lines below keep the
 * everyday cases in the typecheck (`npm test` runs it under both), and the assertions check the
 * runtime error. The compiler messages themselves (a misspelled key, a missing argument, `'...'`
 * widened in a variable must name the key at fault) are checked where users see them: each case
 * of test/_support/type-cases.ts compiled by both compilers against the installed package's
 * types, in test/package/package.test.ts.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { label, type Combos, type Dataset } from '../../src/index.js';
import { assertHarvestryError } from '../_support/helpers.js';

const r = label({ varNames: 'p' }, ({ a, b }: { a: number; b: string }) => `${b}${a}`);
const positional = label({ varNames: 'p', fnArgs: ['x', 'y'] }, (x: number, y: boolean) => (y ? x : -x));

describe('types of combos and cases', () => {
  it('makes a misspelled combo a compile error and a runtime one', async () => {
    // @ts-expect-error: `c` is not a parameter
    await assertHarvestryError(() => r.runCombos({ a: [1], b: ['x'], c: [1] }), 'E_UNKNOWN_ARG');
  });

  it('makes a missing argument a compile error and a runtime one', async () => {
    // @ts-expect-error: `b` is missing
    await assertHarvestryError(() => r.runCombos({ a: [1] }), 'E_MISSING_ARG');
    assert.equal((await r.runCombos({ a: [1] }, { constants: { b: 'x' } })).numRows, 1);
  });

  it('makes a value of the wrong type a compile error', async () => {
    // @ts-expect-error: `b` takes strings
    const bad: Combos<{ a: number; b: string }> = { a: [1], b: [2] };
    assert.ok(bad);
    const ok: Promise<Dataset> = r.runCombos({ a: new Float64Array([1, 2]), b: ['x'] });
    assert.equal((await ok).numRows, 2);
  });

  it('makes a misspelled case key a compile error', async () => {
    /* eslint-disable @typescript-eslint/no-unsafe-class-instance-assignment -- the deliberate compile error below confuses the rule */
    // @ts-expect-error: `bee` is not a parameter
    await assertHarvestryError(() => r.runCases([{ a: 1, bee: 'x' }]), 'E_UNKNOWN_ARG');
    /* eslint-enable @typescript-eslint/no-unsafe-class-instance-assignment */
  });

  it('types positional functions by zipping fnArgs with the parameters', async () => {
    const ds = await positional.runCases([{ x: 2, y: true }, [3, false]]);
    assert.deepEqual(ds.toRecords().map((row) => row.p), [2, -3]);
    // @ts-expect-error: `y` takes booleans
    await assertHarvestryError(() => positional.runCombos({ x: [1], y: ['no'] }), 'E_RESULT_TYPE').catch(() => undefined);
  });

  it('types constants from the parameters', () => {
    // @ts-expect-error: `zz` is not a parameter
    assert.throws(() => label({ varNames: 'p', constants: { zz: 1 } }, ({ a }: { a: number }) => a));
  });

  it('keeps a sync function sync', () => {
    const n: number = r.fn({ a: 1, b: 'x' }).length;
    assert.equal(n, 2);
  });
});
