/**
 * Several processes sampling into one file at once (Parquet and CSV): every row of every
 * process lands, once, as each process drew it.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import type * as Arrow from 'apache-arrow';
import { readSamples, Sampler } from '../../src/index.js';
import { compiledFixture } from '../_support/compiled-fixture.js';
import { TS_NODE_ARGS, tempDir } from '../_support/helpers.js';
import { mul } from './fixtures/sample-fns.js';

const run = promisify(execFile);
const CHILD = fileURLToPath(new URL('./fixtures/sample-child.ts', import.meta.url));

const lines = (t: Arrow.Table): string[] => t.toArray().map((r: { toJSON(): unknown }) => JSON.stringify(r.toJSON()));

describe('Sampler: processes sampling into one file at once', () => {
  const dir = tempDir();
  for (const ext of ['parquet', 'csv']) {
    it(`${ext}: loses no row and duplicates none`, async () => {
      const path = join(dir, `together.${ext}`);
      const seeds = [11, 12, 13];
      const compiled = compiledFixture([CHILD, fileURLToPath(new URL('./fixtures/sample-fns.ts', import.meta.url))]);
      const child = compiled === null ? [...TS_NODE_ARGS, CHILD] : [compiled];
      await Promise.all(seeds.map((seed) => run(process.execPath, [...child, path, String(seed), '60'], { timeout: 60_000 })));
      const expected: string[] = [];
      for (const seed of seeds) expected.push(...lines(await new Sampler(mul, { defaultCombos: { x: (rng) => rng(), y: [1, 2, 3] } }).sampleCombos(60, { seed })));
      assert.deepEqual(lines(await readSamples(path)).sort(), expected.sort());
    });
  }
});
