/**
 * sel() with { method: 'nearest', tolerance }: floats found by their closest coord, as xarray.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { label } from '../../src/index.js';
import { assertHarvestryError } from '../_support/helpers.js';

const r = label({ varNames: 'y', varDims: { y: ['t'] }, varCoords: { t: [0, 0.5, 1] } }, ({ g, name }: { g: number; name: string }) => [g, g * 2 + name.length, g * 3]);

describe('sel() nearest', () => {
  it('finds 0.3 where the file holds 0.1 + 0.2, and names the value it took', async () => {
    const ds = await r.runCombos({ g: [0, 0.1 + 0.2, 0.6], name: ['a', 'bb'] });
    await assertHarvestryError(() => ds.sel({ g: 0.3 }), 'E_NOT_FOUND', /`g` has no value 0\.3; its values are .*0\.30000000000000004.*method: 'nearest'/);
    const one = ds.sel({ g: 0.3 }, { method: 'nearest', tolerance: 1e-9 });
    assert.equal(one.attrs.g, 0.30000000000000004, 'the coord taken, not the value asked');
    assert.deepEqual(one.sel({ name: 'a' }).get('y').data, Float64Array.of(0.30000000000000004, 0.6000000000000001 + 1, 0.9000000000000001));
    const two = ds.sel({ g: [0.58, 0.01] }, { method: 'nearest' });
    assert.deepEqual(two.coords.g, [0.6, 0]);
    assert.deepEqual(ds.sel({ t: 0.4 }, { method: 'nearest' }).attrs.t, 0.5, 'internal dims too');
  });

  it('refuses a value beyond the tolerance, strings that differ, and bad options', async () => {
    const ds = await r.runCombos({ g: [0, 1], name: ['a'] });
    await assertHarvestryError(() => ds.sel({ g: 0.4 }, { method: 'nearest', tolerance: 0.1 }), 'E_NOT_FOUND', /no value 0\.4 within 0\.1 \(method 'nearest'\).*widen `tolerance`/);
    await assertHarvestryError(() => ds.sel({ name: 'b' }, { method: 'nearest' }), 'E_NOT_FOUND', /`name` has no value "b"/);
    await assertHarvestryError(() => ds.sel({ g: 0 }, { method: 'closest' as never }), 'E_BAD_OPTION', /`method` to be 'exact' or 'nearest', got "closest"/);
    await assertHarvestryError(() => ds.sel({ g: 0 }, { tolerance: 1 }), 'E_BAD_OPTION', /`tolerance` applies to `method: 'nearest'` only/);
  });
});
