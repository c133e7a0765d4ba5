/**
 * Seeded reproducibility of a Sampler, as properties: the same seed gives an identical table on
 * every executor and number of workers (and the file holds it in sample order); a larger `n`
 * extends the table of a smaller one; another parameter leaves the others' draws unchanged.
 */
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import fc from 'fast-check';
import type * as Arrow from 'apache-arrow';
import { closePools, label, readSamples, Sampler, type Rng } from '../../src/index.js';
import { tempDir } from '../_support/helpers.js';
import { noisyMul } from './fixtures/sample-fns.js';

after(() => closePools());

const combos = { x: (rng: Rng) => rng(), y: [1, 2, 3] };

/** A table's rows as JSON text, one string per row. */
function lines(table: Arrow.Table): string[] {
  return table.toArray().map((r: { toJSON(): unknown }) => JSON.stringify(r.toJSON()));
}

describe('Sampler reproducibility', () => {
  const dir = tempDir();

  it('gives the same table for a seed inline and on pools of 1 and 2 threads (property)', async () => {
    await fc.assert(
      fc.asyncProperty(fc.integer({ min: 0, max: 2 ** 32 - 1 }), fc.integer({ min: 1, max: 300 }), fc.constantFrom(1, 2), async (seed, n, numWorkers) => {
        const inline = await new Sampler(noisyMul, { defaultCombos: combos }).sampleCombos(n, { seed });
        const pooled = await new Sampler(noisyMul, { defaultCombos: combos }).sampleCombos(n, { seed, executor: 'pool', numWorkers });
        assert.deepEqual(lines(pooled), lines(inline));
      }),
      { numRuns: 6 },
    );
  });

  it('writes the same rows, in sample order, from every executor committing as it goes', async () => {
    const runs = { inline: {}, pool: { executor: 'pool', numWorkers: 2 }, subprocess: { executor: 'subprocess', numWorkers: 2, batchSize: 37 } } as const;
    const files = new Map<string, string[]>();
    let reference: string[] | null = null;
    for (const [name, o] of Object.entries(runs)) {
      const path = join(dir, `repro-${name}.parquet`);
      const table = await new Sampler(noisyMul, path, { defaultCombos: combos }).sampleCombos(240, { ...o, seed: 77, commitEvery: { rows: 20, ms: 0 } });
      reference ??= lines(table);
      assert.deepEqual(lines(table), reference, name);
      files.set(name, lines(await readSamples(path)));
    }
    for (const [name, got] of files) assert.deepEqual(got, reference, `${name}: the file`);
  });

  it('extends the table of a smaller n with the same seed (property)', async () => {
    await fc.assert(
      fc.asyncProperty(fc.integer({ min: 0, max: 2 ** 32 - 1 }), fc.integer({ min: 1, max: 100 }), fc.integer({ min: 0, max: 100 }), async (seed, n, more) => {
        const s = new Sampler(noisyMul, { defaultCombos: combos });
        const small = lines(await s.sampleCombos(n, { seed }));
        const large = lines(await s.sampleCombos(n + more, { seed }));
        assert.deepEqual(large.slice(0, n), small);
      }),
      { numRuns: 40 },
    );
  });

  it("leaves the other parameters' draws (and the function's rng) unchanged when a parameter is added (property)", async () => {
    const f = label({ varNames: ['p', 'u'] }, ({ x, y, z = 0, rng }: { x: number; y: number; z?: number; rng: Rng }) => [x * y + z, rng()] as const);
    await fc.assert(
      fc.asyncProperty(fc.integer({ min: 0, max: 2 ** 32 - 1 }), fc.integer({ min: 1, max: 100 }), fc.string({ minLength: 1, maxLength: 3 }), async (seed, n, letter) => {
        const s = new Sampler(f, { defaultCombos: combos });
        const without = (await s.sampleCombos(n, { seed })).toArray().map((r: { toJSON(): Record<string, unknown> }) => r.toJSON());
        const withZ = (await s.sampleCombos(n, { seed, combos: { z: [letter.length, 10] } })).toArray().map((r: { toJSON(): Record<string, unknown> }) => r.toJSON());
        assert.deepEqual(withZ.map((r) => [r.x, r.y, r.u]), without.map((r) => [r.x, r.y, r.u]));
      }),
      { numRuns: 30 },
    );
  });
});
