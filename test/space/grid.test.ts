import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { parseCases, parseCombos } from '../../src/space/combos.js';
import { Grid, makeGridSpec } from '../../src/space/grid.js';
import { assertHarvestryError } from '../_support/helpers.js';

function all(grid: Grid): unknown[][] {
  return Array.from({ length: grid.size }, (_, i) => grid.valuesAt(i));
}

describe('Grid', () => {
  it('runs the first combo slowest and the last fastest', () => {
    const g = new Grid(makeGridSpec(parseCombos({ a: [1, 2], b: ['x', 'y', 'z'] }), null));
    assert.deepEqual(g.dims, ['a', 'b']);
    assert.equal(g.size, 6);
    assert.deepEqual(all(g), [
      [1, 'x'],
      [1, 'y'],
      [1, 'z'],
      [2, 'x'],
      [2, 'y'],
      [2, 'z'],
    ]);
  });

  it('combines each case with every combo point, case-major, case dims first', () => {
    const g = new Grid(makeGridSpec(parseCombos({ c: [true, false] }), parseCases([{ a: 3, b: 'q' }, { a: 1, b: 'p' }])));
    assert.deepEqual(g.dims, ['a', 'b', 'c']);
    assert.deepEqual(all(g), [
      [3, 'q', true],
      [3, 'q', false],
      [1, 'p', true],
      [1, 'p', false],
    ]);
  });

  it('gives combo coords in the order given and case coords sorted and distinct', () => {
    const g = new Grid(makeGridSpec(parseCombos({ z: [3, 1, 2] }), parseCases([{ a: 5 }, { a: -1 }, { a: 2 }])));
    const info = g.dimInfo();
    assert.deepEqual(info.map((d) => [d.name, d.kind, d.coords]), [
      ['a', 'number', [-1, 2, 5]],
      ['z', 'number', [3, 1, 2]],
    ]);
  });

  it('is sized up front without listing a big product', () => {
    const big = Array.from({ length: 1000 }, (_, i) => i);
    const g = new Grid(makeGridSpec(parseCombos({ a: big, b: big, c: big }), null));
    assert.equal(g.size, 1e9);
    assert.deepEqual(g.valuesAt(123_456_789), [123, 456, 789]);
  });

  it('steps a cursor through the same cases as random access, from any start', () => {
    fc.assert(
      fc.property(
        fc.array(fc.integer({ min: 1, max: 4 }), { maxLength: 4 }),
        fc.option(fc.integer({ min: 1, max: 3 }), { nil: null }),
        fc.nat(),
        (sizes, nCases, start) => {
          const combos = Object.fromEntries(sizes.map((n, j) => [`d${j}`, Array.from({ length: n }, (_, i) => i * 10 + j)]));
          const cases = nCases === null ? null : parseCases(Array.from({ length: nCases }, (_, c) => ({ c: `case${c}` })));
          const g = new Grid(makeGridSpec(parseCombos(combos), cases));
          const from = start % g.size;
          const cur = g.cursor(from);
          for (let i = from; i < g.size; i++) {
            if (i > from) cur.next();
            assert.deepEqual(cur.values, g.valuesAt(i));
          }
        },
      ),
    );
  });

  it('gives each case its coordinate indices', () => {
    const g = new Grid(makeGridSpec(parseCombos({ z: ['p', 'q'] }), parseCases([{ a: 5 }, { a: -1 }])));
    const idx = g.coordIndices(Int32Array.from([0, 1, 2, 3]));
    assert.deepEqual(idx.map((x) => Array.from(x)), [
      [1, 1, 0, 0],
      [0, 1, 0, 1],
    ]);
  });

  it('refuses a name in both combos and cases', async () => {
    await assertHarvestryError(() => makeGridSpec(parseCombos({ a: [1] }), parseCases([{ a: 2 }])), 'E_CONSTANT_CLASH', /`a` is given both in `combos` and in `cases`/);
  });
});

describe('parseCombos', () => {
  it('refuses a string instead of splitting it into characters', async () => {
    await assertHarvestryError(() => parseCombos({ s: 'abc' }), 'E_COMBO_NOT_ARRAY', /got the string "abc".*does not split a string.*\["abc"\]/);
  });

  it('refuses a scalar and says how to wrap it', async () => {
    await assertHarvestryError(() => parseCombos({ a: 5 }), 'E_COMBO_NOT_ARRAY', /`combos\.a`.*got 5.*\[5\]/);
  });

  it('refuses duplicate values, NaN included', async () => {
    await assertHarvestryError(() => parseCombos({ a: [1, 2, 1] }), 'E_DUPLICATE_VALUE', /`combos\.a` has the value 1 twice/);
    await assertHarvestryError(() => parseCombos({ a: [NaN, NaN] }), 'E_DUPLICATE_VALUE', /NaN twice/);
    await assertHarvestryError(() => parseCombos({ d: [new Date(5), new Date(5)] }), 'E_DUPLICATE_VALUE');
  });

  it('refuses mixed kinds but allows null beside any kind', async () => {
    await assertHarvestryError(() => parseCombos({ a: [1, 'x'] }), 'E_MIXED_TYPES', /mixes numbers and strings/);
    assert.deepEqual(parseCombos({ a: ['x', null] }).values, [['x', null]]);
  });

  it('refuses an empty array and values that cannot key a case', async () => {
    await assertHarvestryError(() => parseCombos({ a: [] }), 'E_EMPTY_COMBO');
    await assertHarvestryError(() => parseCombos({ a: [{ x: 1 }] }), 'E_UNSUPPORTED_VALUE', /an object with keys x/);
    await assertHarvestryError(() => parseCombos({ a: [new Date(NaN)] }), 'E_UNSUPPORTED_VALUE', /Invalid Date/);
  });

  it('accepts typed arrays as value lists', () => {
    assert.deepEqual(parseCombos({ a: new Float64Array([0.5, 1.5]) }).values, [[0.5, 1.5]]);
  });

  it("refuses '...' outside a Harvester", async () => {
    await assertHarvestryError(() => parseCombos({ a: '...' }), 'E_COMBO_NOT_ARRAY', /only works in a Harvester/);
  });
});

describe('parseCases', () => {
  it('requires every case to name the same arguments', async () => {
    await assertHarvestryError(() => parseCases([{ a: 1, b: 2 }, { a: 1 }]), 'E_CASE_KEYS', /`cases\[1\]` names a, but the first case names a, b/);
  });

  it('zips tuples with fnArgs and refuses them without', async () => {
    assert.deepEqual(parseCases([[1, 2], [3, 4]], ['a', 'b']), { names: ['a', 'b'], rows: [[1, 2], [3, 4]] });
    assert.deepEqual(parseCases([7, 8], ['a']).rows, [[7], [8]]);
    await assertHarvestryError(() => parseCases([[1, 2]]), 'E_CASE_KEYS', /need `fnArgs`/);
    await assertHarvestryError(() => parseCases([[1]], ['a', 'b']), 'E_CASE_KEYS', /has 1 value\(s\) but `fnArgs` names 2/);
  });

  it('refuses the same case twice', async () => {
    await assertHarvestryError(() => parseCases([{ a: 1 }, { a: 1 }]), 'E_DUPLICATE_VALUE', /The case \{a: 1\} is given twice/);
  });
});
