/**
 * A labelled function that takes `rng` gets a generator seeded from the case: the same results
 * on every executor and in any order, never a dim or an attr, and overridable by a value the
 * user gives. Per-index generator families (`rngStream`) depend only on their key and index.
 */
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import fc from 'fast-check';
import { closePools, Harvester, label, type Dataset, type Rng, type RunOptions } from '../../src/index.js';
import { rngStream } from '../../src/space/rng.js';
import { noise } from '../sample/fixtures/sample-fns.js';
import { assertHarvestryError, range, tempDir } from '../_support/helpers.js';

after(() => closePools());

const us = (ds: Dataset): number[] => ds.toRecords().map((r) => r.u as number);

describe('rng for stochastic functions', () => {
  it('gives each case the same generator on every executor and worker count', async () => {
    const runs: Record<string, RunOptions> = {
      inline: {},
      'pool of 1': { executor: 'pool', numWorkers: 1 },
      'pool of 2': { executor: 'pool', numWorkers: 2 },
      'subprocess of 2': { executor: 'subprocess', numWorkers: 2, batchSize: 7 },
    };
    const results = new Map<string, number[]>();
    for (const [name, o] of Object.entries(runs)) results.set(name, us(await noise.runCombos({ x: range(40) }, { ...o, seed: 11 })));
    const inline = results.get('inline')!;
    assert.equal(new Set(inline).size, 40, 'each case has its own stream');
    assert.ok(inline.every((u) => u >= 0 && u < 1));
    for (const [name, got] of results) assert.deepEqual(got, inline, name);
  });

  it('derives the generator from the case key, not its position: order and shuffle do not matter', async () => {
    const forward = await noise.runCombos({ x: range(10) });
    const backward = await noise.runCombos({ x: range(10).reverse() }, { shuffle: 4 });
    const byX = (ds: Dataset): Map<unknown, unknown> => new Map(ds.toRecords().map((r) => [r.x, r.u]));
    assert.deepEqual(byX(backward), byX(forward));
    const twoDims = await noise.runCombos({ x: [1, 2], z: [5] });
    const swapped = await noise.runCases([{ z: 5, x: 2 }, { z: 5, x: 1 }]);
    assert.deepEqual(new Map(swapped.toRecords().map((r) => [r.x, r.u])), new Map(twoDims.toRecords().map((r) => [r.x, r.u])));
  });

  it('follows the `seed` run option (default 0), also from label() defaults', async () => {
    const zero = us(await noise.runCombos({ x: range(5) }));
    assert.deepEqual(us(await noise.runCombos({ x: range(5) }, { seed: 0 })), zero);
    const seven = us(await noise.runCombos({ x: range(5) }, { seed: 7 }));
    assert.notDeepEqual(seven, zero);
    const seeded = label({ varNames: 'u', seed: 7 }, ({ x, rng }: { x: number; rng: Rng }) => rng() + 0 * x);
    assert.deepEqual(us(await seeded.runCombos({ x: range(5) })), seven);
  });

  it('is neither a dim nor an attr nor a column of the dataset', async () => {
    const ds = await noise.runCombos({ x: [1, 2] });
    assert.deepEqual(ds.dims, ['x']);
    assert.deepEqual(Object.keys(ds.meta.attrs), []);
    assert.deepEqual(ds.table.schema.fields.map((f) => f.name), ['x', 'u']);
  });

  it('gives a retried case the same numbers again', async () => {
    let calls = 0;
    const flaky = label({ varNames: 'u' }, ({ x, rng }: { x: number; rng: Rng }) => {
      const u = rng();
      if (calls++ === 0) throw new Error('first try fails');
      return u + 0 * x;
    });
    const ds = await flaky.runCombos({ x: [3] }, { retries: 1 });
    calls = 1;
    assert.deepEqual(us(ds), us(await flaky.runCombos({ x: [3] })));
  });

  it('lets a value the user gives for `rng` win (as a resource, a constant or a combo)', async () => {
    const fixed: Rng = () => 0.5;
    const own = label({ varNames: 'u', resources: { rng: fixed } }, ({ x, rng }: { x: number; rng: Rng }) => rng() + 0 * x);
    assert.deepEqual(us(await own.runCombos({ x: [1, 2] })), [0.5, 0.5]);
    const scaled = label({ varNames: 'u' }, ({ x, rng }: { x: number; rng: number }) => x * rng);
    assert.deepEqual(us(await scaled.runCombos({ x: [1, 2] }, { constants: { rng: 3 } })), [3, 6]);
    const echo = label({ varNames: 'u' }, ({ rng }: { rng: number }) => rng);
    assert.deepEqual(us(await echo.runCombos({ rng: [1, 2] })), [1, 2]);
  });

  it('works for positional functions that name `rng` in fnArgs', async () => {
    const positional = label({ varNames: 'u', fnArgs: ['x', 'rng'] }, (x: number, rng: Rng) => rng() + 0 * x);
    const ds = await positional.runCombos({ x: [1, 2, 3] }, { seed: 11 });
    assert.deepEqual(us(ds), us(await noise.runCombos({ x: [1, 2, 3] }, { seed: 11 })));
  });

  it('gives a Harvester the same results as a run, so a missing-only harvest agrees with a full one', async () => {
    const path = join(tempDir(), 'noise.parquet');
    const h = new Harvester(noise, path);
    await h.harvestCombos({ x: range(4) }, { seed: 3 });
    await h.harvestCombos({ x: range(8) }, { seed: 3, missingOnly: true });
    const byX = new Map(h.fullDs!.toRecords().map((r) => [r.x, r.u]));
    assert.deepEqual(byX, new Map((await noise.runCombos({ x: range(8) }, { seed: 3 })).toRecords().map((r) => [r.x, r.u])));
  });

  it('refuses a seed that is not a whole number from 0 to 2^32 - 1', async () => {
    for (const seed of [-1, 1.5, 2 ** 32, '1']) {
      await assertHarvestryError(() => noise.runCombos({ x: [1] }, { seed: seed as number }), 'E_BAD_OPTION', /^Expected `seed` in runCombos\(\) to be a whole number from 0 to 4294967295, got /);
    }
  });
});

describe('rngStream', () => {
  it('gives item i the same numbers whatever else is drawn, in [0, 1)', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 2 ** 32 - 1 }), fc.string(), fc.array(fc.nat({ max: 2 ** 40 }), { minLength: 1, maxLength: 20 }), (seed, name, indices) => {
        const first = rngStream(seed, name);
        const again = rngStream(seed, name);
        const two = (g: Rng): number[] => [g(), g()];
        const a = indices.map((i) => two(first(i)));
        const b = [...indices].reverse().map((i) => two(again(i))).reverse();
        assert.deepEqual(a, b);
        for (const [u, v] of a) assert.ok(u! >= 0 && u! < 1 && v! >= 0 && v! < 1 && u !== v);
      }),
      { numRuns: 50 },
    );
  });

  it('gives other seeds, names and indices other numbers, spread evenly', () => {
    const a = rngStream(1, 'x');
    const draws = range(20000).map((i) => a(i)());
    const mean = draws.reduce((s, u) => s + u, 0) / draws.length;
    assert.ok(Math.abs(mean - 0.5) < 0.01, `mean ${mean}`);
    const buckets = new Array<number>(10).fill(0);
    for (const u of draws) buckets[Math.floor(u * 10)]!++;
    for (const b of buckets) assert.ok(b > 1800 && b < 2200, `bucket ${b}`);
    assert.notEqual(rngStream(2, 'x')(0)(), a(0)());
    assert.notEqual(rngStream(1, 'y')(0)(), a(0)());
    assert.notEqual(a(1)(), a(0)());
  });
});
