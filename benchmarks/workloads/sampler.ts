/**
 * The Sampler workload: W6, 10,000 random samples of a cheap function into a fresh Parquet file
 * (xyzpy's Sampler takes 150 ms on this machine, with pickle).
 */
import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import { label, Sampler } from '../../src/index.js';
import type { Workload } from '../workload.js';

const mulXY = label({ varNames: 'p' }, ({ x, y }: { x: number; y: number }) => x * y);

async function fresh(path: string): Promise<void> {
  await rm(path, { force: true });
  await rm(`${path}.bak`, { force: true });
  await rm(`${path}.lock`, { recursive: true, force: true });
}

export const samplerWorkloads: readonly Workload[] = [
  {
    name: 'W6',
    description: 'Sampler on ({x, y}) => x * y, x uniform in [0, 1) by a function, y from [1, 2, 3]: sampleCombos(10_000) into a fresh Parquet file',
    cases: 10_000,
    async before(_ctx, dir) {
      await fresh(join(dir, 'samples.parquet'));
    },
    async run(_ctx, dir) {
      const s = new Sampler(mulXY, join(dir, 'samples.parquet'), { defaultCombos: { x: (rng) => rng(), y: [1, 2, 3] } });
      const table = await s.sampleCombos(10_000);
      if (table.numRows !== 10_000) throw new Error(`expected 10000 rows, got ${table.numRows}`);
    },
  },
];
