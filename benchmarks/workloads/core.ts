/**
 * The core pipeline workloads: label → run → write one Parquet file (W1, W2, W5).
 */
import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import { label, writeDataset } from '../../src/index.js';
import type { Workload } from '../workload.js';

const product = label({ varNames: 'p' }, ({ a, b }: { a: number; b: number }) => a * b);

function range(n: number): number[] {
  return Array.from({ length: n }, (_, i) => i);
}

function runAndWrite(n: number, name: string): Workload {
  return {
    name,
    description: `({a, b}) => a * b over a, b = 0..${n - 1} (${n * n} cases), run and written to a fresh Parquet file`,
    cases: n * n,
    async before(_ctx, dir) {
      await rm(join(dir, 'out.parquet'), { force: true });
    },
    async run(_ctx, dir) {
      const ds = await product.runCombos({ a: range(n), b: range(n) });
      await writeDataset(ds, join(dir, 'out.parquet'));
    },
  };
}

const T = range(100);
const trace = label({ varNames: 'out', varDims: { out: ['t'] }, varCoords: { t: T } }, ({ x, y }: { x: number; y: number }) => {
  const out = new Float64Array(100);
  for (let i = 0; i < 100; i++) out[i] = x * i + y;
  return out;
});

/** W1: 10,000 cases. W2: 90,000 cases. W5: 2,500 cases with a Float64Array(100) output each. */
export const coreWorkloads: readonly Workload[] = [
  runAndWrite(100, 'W1'),
  runAndWrite(300, 'W2'),
  {
    name: 'W5',
    description: '({x, y}) => Float64Array(100) of x * i + y, varDims {out: [t]}, t = 0..99, over x, y = 0..49 (2,500 cases), run and written',
    cases: 2500,
    async before(_ctx, dir) {
      await rm(join(dir, 'out.parquet'), { force: true });
    },
    async run(_ctx, dir) {
      const ds = await trace.runCombos({ x: range(50), y: range(50) });
      await writeDataset(ds, join(dir, 'out.parquet'));
    },
  },
];
