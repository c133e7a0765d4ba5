/**
 * The space builders: what points each makes, in which order, with which coords, and the
 * errors that keep one row per case.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { concat, countCases, filter, Grid, makeRng, mixture, points, product, repeat, zip, type Space } from '../../src/index.js';
import { assertHarvestryError, range } from '../_support/helpers.js';

function all<Q extends object>(s: Space<Q>): Q[] {
  return [...s];
}

describe('product', () => {
  it('runs the first factor slowest and the last fastest, like a combos object', () => {
    const s = product({ a: [1, 2] }, zip({ b: ['x', 'y'], c: [10, 20] }));
    assert.deepEqual(s.dims, ['a', 'b', 'c']);
    assert.equal(s.size, 4);
    assert.deepEqual(all(s), [
      { a: 1, b: 'x', c: 10 },
      { a: 1, b: 'y', c: 20 },
      { a: 2, b: 'x', c: 10 },
      { a: 2, b: 'y', c: 20 },
    ]);
  });

  it('gives a product of combos objects the spec of one combos object', () => {
    assert.deepEqual(product({ a: [1, 2] }, { b: ['x'] }).spec, { caseNames: [], cases: null, comboNames: ['a', 'b'], comboValues: [[1, 2], ['x']] });
    assert.deepEqual(all(product()), [{}]);
  });

  it('is sized and indexed without listing a 10^12-point product', () => {
    const big = range(10_000);
    const s = product({ a: big, b: big }, { c: big });
    assert.equal(s.size, 1e12);
    assert.deepEqual(s.at(1e12 - 1), { a: 9999, b: 9999, c: 9999 });
    assert.equal(s.indexOf({ a: 1, b: 2, c: 3 }), 100_020_003);
  });

  it('refuses a dim named by two factors', async () => {
    await assertHarvestryError(() => product({ a: [1] }, { b: [1], a: [2] }), 'E_SPACE_DIMS', /product\(\): `a` is named by argument 1 and argument 2.*pair them with zip\(\)/);
  });

  it('refuses what is not a space or a combos object, pointing arrays of cases to points()', async () => {
    await assertHarvestryError(() => product({ a: [1] }, [{ b: 1 }] as never), 'E_BAD_OPTION', /argument 2 of product\(\).*got \[an object with keys b\].*points\(\[\.\.\.\]\)/);
    await assertHarvestryError(() => product({ a: [1, 1] }), 'E_DUPLICATE_VALUE', /`product\(\)\.a` has the value 1 twice/);
  });
});

describe('zip', () => {
  it('pairs values by position and sorts the coords of zipped dims', () => {
    const s = zip({ lr: [0.1, 0.01, 0.001], epochs: [10, 100, 1000] });
    assert.deepEqual(all(s), [
      { lr: 0.1, epochs: 10 },
      { lr: 0.01, epochs: 100 },
      { lr: 0.001, epochs: 1000 },
    ]);
    assert.deepEqual(s.coords(), { lr: [0.001, 0.01, 0.1], epochs: [10, 100, 1000] });
  });

  it('pairs spaces point by point, and lists with spaces', () => {
    const s = zip(product({ a: [1, 2] }, { b: ['x', 'y'] }), { c: [10, 20, 30, 40] });
    assert.deepEqual(all(s).map((p) => `${p.a}${p.b}${p.c}`), ['1x10', '1y20', '2x30', '2y40']);
    assert.equal(s.indexOf({ a: 2, b: 'x', c: 30 }), 2);
    assert.equal(s.indexOf({ a: 2, b: 'x', c: 40 }), -1);
  });

  it('allows repeated values in a list but not a repeated point', async () => {
    assert.equal(zip({ a: [1, 1, 2], b: ['x', 'y', 'x'] }).size, 3);
    await assertHarvestryError(() => zip({ a: [1, 2, 1], b: ['x', 'y', 'x'] }), 'E_DUPLICATE_VALUE', /zip\(\) makes the point \{a: 1, b: "x"\} twice \(at position 2 and before\)/);
  });

  it('refuses lists and spaces of different lengths, naming each length', async () => {
    await assertHarvestryError(() => zip({ a: [1, 2, 3], b: [1, 2] }), 'E_ZIP_LENGTHS', /same length; got `a`: 3, `b`: 2\. Give them one length, or use product\(\)/);
    await assertHarvestryError(() => zip({ a: [1, 2] }, product({ b: [1, 2, 3] })), 'E_ZIP_LENGTHS', /`a`: 2, argument 2 \(a space of b\): 3/);
    await assertHarvestryError(() => zip(), 'E_BAD_OPTION', /at least one/);
    await assertHarvestryError(() => zip({ a: [1] }, { a: [2] }), 'E_SPACE_DIMS', /`a` is named by argument 1 and argument 2/);
  });
});

describe('concat', () => {
  it('puts parts one after another, in the first part dims order', () => {
    const s = concat({ solver: ['exact'], n: [10, 20] }, product({ n: [1000] }, { solver: ['approx'] }));
    assert.deepEqual(s.dims, ['solver', 'n']);
    assert.deepEqual(all(s), [
      { solver: 'exact', n: 10 },
      { solver: 'exact', n: 20 },
      { solver: 'approx', n: 1000 },
    ]);
    assert.equal(s.indexOf({ solver: 'approx', n: 1000 }), 2);
  });

  it('keeps combo order of first appearance across parts, and sorts when a part is not a combo list', () => {
    assert.deepEqual(concat({ a: [3, 1], b: ['x'] }, { a: [2, 3], b: ['y'] }).coords(), { a: [3, 1, 2], b: ['x', 'y'] });
    assert.deepEqual(concat({ a: [3, 1], b: ['x'] }, zip({ a: [2], b: ['y'] })).coords(), { a: [1, 2, 3], b: ['x', 'y'] });
  });

  it('refuses parts naming different dims, naming the ones that differ', async () => {
    await assertHarvestryError(
      () => concat({ a: [1], b: [1] }, { a: [2], c: [1] }),
      'E_SPACE_DIMS',
      /concat\(\): argument 2 names `a` and `c` but argument 1 names `a` and `b`; `c` only in argument 2; `b` only in argument 1\. Every part must name the same dims/,
    );
  });

  it('refuses a point in two parts, naming it', async () => {
    await assertHarvestryError(() => concat({ a: [1, 2], b: ['x', 'y'] }, zip({ b: ['q', 'y'], a: [5, 2] })), 'E_DUPLICATE_VALUE', /the point \{a: 2, b: "y"\} is in argument 1 and in argument 2/);
    await assertHarvestryError(() => concat({ a: [1, 2] }, { a: ['x'] }), 'E_MIXED_TYPES', /`a` \(across the parts of concat\(\)\) mixes numbers and strings/);
  });
});

describe('repeat', () => {
  it('adds a repetition dim varying fastest', () => {
    const s = repeat({ noise: [0.1, 0.2] }, 3, { name: 'seed' });
    assert.deepEqual(s.dims, ['noise', 'seed']);
    assert.deepEqual(all(s).map((p) => [p.noise, p.seed]), [
      [0.1, 0],
      [0.1, 1],
      [0.1, 2],
      [0.2, 0],
      [0.2, 1],
      [0.2, 2],
    ]);
    assert.deepEqual(s.coords().seed, [0, 1, 2]);
    assert.equal(s.indexOf({ noise: 0.2, seed: 1 }), 4);
    assert.equal(s.indexOf({ noise: 0.2, seed: 3 }), -1);
  });

  it('refuses a bad count and a name the space already has', async () => {
    await assertHarvestryError(() => repeat({ a: [1] }, 0), 'E_BAD_OPTION', /`times` of repeat\(\) to be a whole number from 1 up, got 0/);
    await assertHarvestryError(() => repeat({ rep: [1] }, 2), 'E_SPACE_DIMS', /already has a dim `rep`.*name: 'rep_rep'/);
  });
});

describe('filter', () => {
  it('keeps the points the predicate keeps, evaluated on first use', () => {
    let calls = 0;
    const s = filter({ a: [1, 2, 3], b: [1, 2, 3] }, (p) => {
      calls++;
      return p.a < p.b;
    });
    assert.equal(calls, 0);
    assert.equal(s.maxSize, 9);
    assert.equal(s.size, 3);
    assert.equal(calls, 9);
    assert.deepEqual(all(s), [
      { a: 1, b: 2 },
      { a: 1, b: 3 },
      { a: 2, b: 3 },
    ]);
    assert.equal(calls, 9);
    assert.deepEqual(s.coords(), { a: [1, 2, 3], b: [1, 2, 3] });
  });

  it('crosses to workers as the positions it kept', () => {
    const s = filter(filter({ a: range(10) }, (p) => p.a % 2 === 0), (_p, i) => i >= 2);
    const spec = structuredClone(s.spec);
    assert.equal(spec.kind, 'subset');
    assert.deepEqual(new Grid(spec).dimInfo()[0]!.coords, range(10));
    assert.deepEqual(all(s).map((p) => p.a), [4, 6, 8]);
  });

  it('stays lazy inside other spaces until they are used', async () => {
    const s = zip(filter({ a: [1, 2, 3] }, (p) => p.a > 1), { b: [1, 2, 3] });
    assert.equal(s.pending, true);
    await assertHarvestryError(() => s.size, 'E_ZIP_LENGTHS', /argument 1 \(a space of a\): 2, `b`: 3/);
  });

  it('wraps an error of the predicate, naming the point', async () => {
    const s = filter({ a: [1, 2] }, (p) => {
      if (p.a === 2) throw new Error('boom');
      return true;
    });
    const err = await assertHarvestryError(() => s.size, 'E_FILTER_FAILED', /threw for the point \{a: 2\} \(position 1\): boom/);
    assert.equal((err.cause as Error).message, 'boom');
  });
});

describe('points, countCases, draws', () => {
  it('makes a space of explicit points with sorted coords', () => {
    const s = points([
      { a: 5, b: 'x' },
      { a: -1, b: 'y' },
    ]);
    assert.deepEqual(all(s), [
      { a: 5, b: 'x' },
      { a: -1, b: 'y' },
    ]);
    assert.deepEqual(s.coords(), { a: [-1, 5], b: ['x', 'y'] });
  });

  it('counts cases of spaces, combos objects and lists', () => {
    assert.equal(countCases({ a: [1, 2, 3], b: ['x', 'y'] }), 6);
    assert.equal(countCases([{ a: 1 }, { a: 2 }]), 2);
    assert.equal(countCases(filter({ a: range(10) }, (p) => p.a > 6)), 3);
  });

  it('draws from a mixture by weight, reproducibly from a seed', async () => {
    const m = mixture([3, { x: ['low'] }], [1, zip({ x: ['high'] })]);
    assert.deepEqual(m.weights, [0.75, 0.25]);
    const draw = (seed: number): string[] => {
      const rng = makeRng(seed);
      return Array.from({ length: 2000 }, () => m.draw(rng).x);
    };
    const xs = draw(7);
    assert.deepEqual(xs, draw(7));
    const low = xs.filter((x) => x === 'low').length;
    assert.ok(low > 1300 && low < 1700, `expected about 1500 of 2000 draws from the first part, got ${low}`);
    await assertHarvestryError(() => mixture([0, { x: [1] }]), 'E_BAD_OPTION', /positive number, got 0/);
    await assertHarvestryError(() => filter({ x: [1] }, () => false).draw(makeRng(1)), 'E_BAD_OPTION', /Cannot draw a point from an empty space \(of x\)/);
    await assertHarvestryError(() => mixture([1, { x: [1] }], [1, { y: [1] }]), 'E_SPACE_DIMS', /argument 2 names `y` but argument 1 names `x`/);
  });
});
