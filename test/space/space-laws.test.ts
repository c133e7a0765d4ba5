/**
 * The laws of spaces, checked with fast-check over random spaces built from every builder:
 * sizes (product multiplies, zip keeps, concat adds, a filter never adds), random access agrees
 * with iteration and with lookup, points are distinct, and the plain-data spec rebuilt after a
 * structured clone (what a worker thread gets) gives the same points.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { concat, filter, Grid, points, product, repeat, zip, type Space } from '../../src/index.js';
import { rowKey } from '../../src/space/combos.js';
import type { Scalar } from '../../src/space/values.js';

type Shape =
  | { readonly t: 'combos'; readonly lists: readonly (readonly Scalar[])[] }
  | { readonly t: 'points'; readonly rows: readonly (readonly number[])[] }
  | { readonly t: 'product'; readonly of: readonly Shape[] }
  | { readonly t: 'zip'; readonly of: Shape }
  | { readonly t: 'repeat'; readonly of: Shape; readonly times: number }
  | { readonly t: 'filter'; readonly of: Shape; readonly mod: number; readonly rest: number }
  | { readonly t: 'split'; readonly of: Shape; readonly parts: number }
  | { readonly t: 'shift'; readonly of: Shape; readonly lists: readonly (readonly number[])[] };

const list = fc.oneof(
  fc.uniqueArray(fc.integer({ min: -9, max: 9 }), { minLength: 1, maxLength: 3 }),
  fc.uniqueArray(fc.constantFrom('x', 'y', 'z', ''), { minLength: 1, maxLength: 3 }),
  fc.constant([true, false, null]),
);

const shapes = fc.letrec<{ shape: Shape }>((tie) => ({
  shape: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    fc.record({ t: fc.constant('combos' as const), lists: fc.array(list, { minLength: 1, maxLength: 2 }) }),
    fc.record({ t: fc.constant('points' as const), rows: fc.uniqueArray(fc.tuple(fc.integer({ min: 0, max: 3 }), fc.integer({ min: 0, max: 3 })), { minLength: 1, maxLength: 5, selector: (r) => r.join() }) }),
    fc.record({ t: fc.constant('product' as const), of: fc.array(tie('shape'), { minLength: 1, maxLength: 2 }) }),
    fc.record({ t: fc.constant('zip' as const), of: tie('shape') }),
    fc.record({ t: fc.constant('repeat' as const), of: tie('shape'), times: fc.integer({ min: 1, max: 3 }) }),
    fc.record({ t: fc.constant('filter' as const), of: tie('shape'), mod: fc.integer({ min: 1, max: 3 }), rest: fc.integer({ min: 0, max: 2 }) }),
    fc.record({ t: fc.constant('split' as const), of: tie('shape'), parts: fc.integer({ min: 1, max: 3 }) }),
    fc.record({ t: fc.constant('shift' as const), of: tie('shape'), lists: fc.array(fc.uniqueArray(fc.integer({ min: 0, max: 5 }), { minLength: 1, maxLength: 2 }), { minLength: 1, maxLength: 2 }) }),
  ),
})).shape;

/** Builds a space from a shape; `fresh` gives each new dim a unique name. */
function build(shape: Shape, fresh: () => string): Space {
  switch (shape.t) {
    case 'combos':
      return product(Object.fromEntries(shape.lists.map((l) => [fresh(), l])));
    case 'points': {
      const [a, b] = [fresh(), fresh()];
      return points(shape.rows.map(([x, y]) => ({ [a]: x!, [b]: y! })));
    }
    case 'product':
      return product(...shape.of.map((s) => build(s, fresh)));
    case 'zip': {
      const s = build(shape.of, fresh);
      return s.size === 0 ? s : zip(s, { [fresh()]: Array.from({ length: s.size }, (_, i) => i % 2) });
    }
    case 'repeat':
      return repeat(build(shape.of, fresh), shape.times, { name: fresh() });
    case 'filter':
      return filter(build(shape.of, fresh), (_p, i) => i % shape.mod === shape.rest % shape.mod);
    case 'split': {
      // Disjoint parts of one space, with the same dims: positions by remainder.
      const s = build(shape.of, fresh);
      return concat(...Array.from({ length: shape.parts }, (_, k) => filter(s, (_p, i) => i % shape.parts === k)));
    }
    case 'shift': {
      // Parts apart by the values of a new dim: a space beside copies of itself.
      const s = build(shape.of, fresh);
      const d = fresh();
      return concat(product(s, { [d]: [-1] }), ...shape.lists.map((l, k) => product(s, { [d]: l.map((v) => v + k * 10) })));
    }
  }
}

function namer(): () => string {
  let n = 0;
  return () => `d${n++}`;
}

function values(s: Space, p: Record<string, Scalar>): Scalar[] {
  return s.dims.map((d) => p[d]!);
}

describe('space laws', () => {
  it('random access agrees with iteration and lookup; points are distinct; a cloned spec gives the same points', () => {
    fc.assert(
      fc.property(shapes, (shape) => {
        const s = build(shape, namer());
        fc.pre(s.maxSize <= 5000);
        const listed = [...s];
        assert.equal(listed.length, s.size);
        assert.ok(s.size <= s.maxSize);
        const worker = new Grid(structuredClone(s.spec));
        assert.deepEqual(worker.dims, s.dims);
        assert.equal(worker.size, s.size);
        const keys = new Set<string>();
        const coords = s.coords();
        listed.forEach((p, i) => {
          assert.deepEqual(s.at(i), p);
          assert.equal(s.indexOf(p), i);
          assert.deepEqual(worker.valuesAt(i), values(s, p));
          keys.add(rowKey(values(s, p)));
          for (const d of s.dims) assert.ok(coords[d]!.some((c) => Object.is(c, p[d])), `${d} = ${String(p[d])} is not among its coords`);
        });
        assert.equal(keys.size, s.size);
      }),
      { numRuns: 150 },
    );
  });

  it('the size of a product is the product of the sizes', () => {
    fc.assert(
      fc.property(fc.array(shapes, { minLength: 0, maxLength: 3 }), (parts) => {
        const fresh = namer();
        const spaces = parts.map((p) => build(p, fresh));
        assert.equal(product(...spaces).size, spaces.reduce((n, s) => n * s.size, 1));
      }),
      { numRuns: 60 },
    );
  });

  it('a zip of equal lengths has that length; of unequal ones, is refused', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 50 }), fc.integer({ min: 2, max: 4 }), fc.integer({ min: 0, max: 3 }), (n, k, off) => {
        const cols = Object.fromEntries(Array.from({ length: k }, (_, j) => [`c${j}`, Array.from({ length: j === k - 1 ? n + off : n }, (_, i) => i)]));
        if (off === 0) assert.equal(zip(cols).size, n);
        else assert.throws(() => zip(cols), { code: 'E_ZIP_LENGTHS' });
      }),
    );
  });

  it('concat sizes add', () => {
    fc.assert(
      fc.property(shapes, fc.array(fc.integer({ min: 1, max: 4 }), { minLength: 1, maxLength: 4 }), (shape, counts) => {
        const s = build(shape, namer());
        const parts = counts.map((c, k) => product(s, { tag: Array.from({ length: c }, (_, i) => `${k}-${i}`) }));
        assert.equal(concat(...parts).size, parts.reduce((n, p) => n + p.size, 0));
      }),
      { numRuns: 60 },
    );
  });

  it('a filter never adds points, and keeps only points of the space it filters', () => {
    fc.assert(
      fc.property(shapes, fc.func(fc.boolean()), (shape, keep) => {
        const s = build(shape, namer());
        fc.pre(s.maxSize <= 5000);
        const f = filter(s, (p) => keep(JSON.stringify(p)));
        assert.ok(f.size <= s.size);
        let last = -1;
        for (const p of f) {
          const at = s.indexOf(p);
          assert.ok(at > last, 'a filter keeps the order of the space it filters');
          last = at;
        }
      }),
      { numRuns: 80 },
    );
  });

  it('repeat multiplies the size by the count', () => {
    fc.assert(
      fc.property(shapes, fc.integer({ min: 1, max: 5 }), (shape, n) => {
        const s = build(shape, namer());
        assert.equal(repeat(s, n, { name: 'r' }).size, n * s.size);
      }),
      { numRuns: 60 },
    );
  });
});
