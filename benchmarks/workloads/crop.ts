/**
 * The crop workload W7: W1's function over a = 0..39, b = 0..24 (1,000 cases) in 10 batches:
 * sow, grow (in this process) and reap into a fresh Parquet file, each phase timed. xyzpy takes
 * 46 ms for the whole cycle on the reference machine. The labelled function is exported: the
 * 100,000-case SLURM run (benchmarks/slurm-crop.ts) grows it in cluster tasks.
 */
import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import { Harvester, label } from '../../src/index.js';
import { median, type Workload } from '../workload.js';

/** W1's function, `a * b`. */
export const cropProduct = label({ varNames: 'p' }, ({ a, b }: { a: number; b: number }) => a * b);

/**
 * Numbers `start` to `start + n - 1`.
 *
 * @param n - how many
 * @param start - the first
 */
export function range(n: number, start = 0): number[] {
  return Array.from({ length: n }, (_, i) => start + i);
}

const WARMUP = 3;
const phases = { sow: [] as number[], grow: [] as number[], reap: [] as number[] };

/** W7: sow, grow and reap a crop of 1,000 cases in 10 batches. */
export const cropWorkloads: readonly Workload[] = [
  {
    name: 'W7',
    description: '({a, b}) => a * b over a = 0..39, b = 0..24 (1,000 cases) in 10 batches: sow, grow in-process, reap into a fresh Parquet file (xyzpy: 46 ms)',
    cases: 1000,
    warmup: WARMUP,
    async before(_ctx, dir) {
      const path = join(dir, 'w7.parquet');
      for (const p of [path, `${path}.bak`, `${path}.lock`, join(dir, 'w7.crop')]) await rm(p, { recursive: true, force: true });
    },
    async run(_ctx, dir, i) {
      const crop = new Harvester(cropProduct, join(dir, 'w7.parquet')).crop({ numBatches: 10 });
      const t0 = performance.now();
      await crop.sowCombos({ a: range(40), b: range(25) });
      const t1 = performance.now();
      await crop.grow();
      const t2 = performance.now();
      await crop.reap();
      const t3 = performance.now();
      if (i >= WARMUP) {
        phases.sow.push(t1 - t0);
        phases.grow.push(t2 - t1);
        phases.reap.push(t3 - t2);
      }
    },
    extra() {
      const round = (x: number): number => Math.round(x * 1000) / 1000;
      return Promise.resolve({ sow_median_ms: round(median(phases.sow)), grow_median_ms: round(median(phases.grow)), reap_median_ms: round(median(phases.reap)), xyzpy_ms: 46 });
    },
  },
];
