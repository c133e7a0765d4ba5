/**
 * linspace, logspace, arange: clean decimals, numpy's endpoints and lengths, checked inputs.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { arange, label, linspace, logspace } from '../../src/index.js';
import { assertHarvestryError } from '../_support/helpers.js';

describe('value helpers', () => {
  it('linspace gives n clean decimals from start to stop', () => {
    assert.deepEqual(linspace(0, 1, 11), [0, 0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 1]);
    assert.deepEqual(linspace(1, -1, 5), [1, 0.5, 0, -0.5, -1]);
    assert.deepEqual(linspace(2, 3, 1), [2]);
    assert.equal(linspace(0, 1, 7)[1], Number((1 / 6).toPrecision(15)));
  });

  it('arange stops before stop, with clean steps', () => {
    assert.deepEqual(arange(0, 0.5, 0.1), [0, 0.1, 0.2, 0.3, 0.4]);
    assert.deepEqual(arange(0, 1, 0.1).length, 10);
    assert.deepEqual(arange(3, 0, -1), [3, 2, 1]);
    assert.deepEqual(arange(0, 3), [0, 1, 2]);
    assert.deepEqual(arange(1, 1, 0.5), []);
    assert.ok(arange(0, 10, 0.1).every((v) => String(v).length <= 4), 'no float noise in 100 steps');
  });

  it('logspace gives powers with clean decimals', () => {
    assert.deepEqual(logspace(-2, 1, 4), [0.01, 0.1, 1, 10]);
    assert.deepEqual(logspace(0, 3, 4, 2), [1, 2, 4, 8]);
  });

  it('values from the helpers are found by sel() as written', async () => {
    const r = label({ varNames: 'y' }, ({ g }: { g: number }) => 2 * g);
    const ds = await r.runCombos({ g: arange(0, 1, 0.1) });
    assert.deepEqual(ds.sel({ g: 0.3 }).get('y').data, Float64Array.of(0.6));
  });

  it('refuses counts, steps and bounds it cannot use', async () => {
    await assertHarvestryError(() => linspace(0, 1, 0), 'E_BAD_OPTION', /`n` of linspace\(\) to be a whole number from 1 up, got 0/);
    await assertHarvestryError(() => arange(0, 1, 0), 'E_BAD_OPTION', /`step` of arange\(\) to be a non-zero number/);
    await assertHarvestryError(() => linspace(0, Infinity, 3), 'E_BAD_OPTION', /`stop` of linspace\(\) to be a finite number, got Infinity/);
    await assertHarvestryError(() => logspace(0, 1, 3, 1), 'E_BAD_OPTION', /`base`/);
  });
});
