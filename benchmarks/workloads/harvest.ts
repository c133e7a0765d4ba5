/**
 * The Harvester workloads: W1H and W2H (W1 and W2 through harvestCombos into a fresh file), W4
 * (a missing-only harvest of 3,000 new cases on a 90,000-row file) and W9 (the same shape on a
 * 10,000,000-row file with 1% new cases).
 */
import { copyFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { Harvester, label } from '../../src/index.js';
import type { Workload } from '../workload.js';

const product = label({ varNames: 'p' }, ({ a, b }: { a: number; b: number }) => a * b);

function range(n: number, start = 0): number[] {
  return Array.from({ length: n }, (_, i) => start + i);
}

async function fresh(path: string): Promise<void> {
  await rm(path, { force: true });
  await rm(`${path}.bak`, { force: true });
  await rm(`${path}.lock`, { recursive: true, force: true });
}

function harvestFresh(n: number, name: string): Workload {
  return {
    name,
    description: `({a, b}) => a * b over a, b = 0..${n - 1} (${n * n} cases), harvested into a fresh Parquet file`,
    cases: n * n,
    async before(_ctx, dir) {
      await fresh(join(dir, 'out.parquet'));
    },
    async run(_ctx, dir) {
      await new Harvester(product, join(dir, 'out.parquet')).harvestCombos({ a: range(n), b: range(n) });
    },
  };
}

/** A file of `na` × `nb` rows made by harvests of `step` values of `a` at a time. */
async function makeBase(dir: string, na: number, nb: number, step: number): Promise<string> {
  const base = join(dir, 'base.parquet');
  const h = new Harvester(product, base);
  for (let a0 = 0; a0 < na; a0 += step) await h.harvestCombos({ a: range(Math.min(step, na - a0), a0), b: range(nb) });
  return base;
}

function missingOnly(name: string, na: number, nb: number, extra: number, description: string, runs: number): Workload<string> {
  return {
    name,
    description,
    cases: extra * nb,
    runs,
    async prepare(dir) {
      return makeBase(dir, na, nb, Math.max(1, Math.floor(1_000_000 / nb)));
    },
    async before(base, dir) {
      const work = join(dir, 'work.parquet');
      await fresh(work);
      await copyFile(base, work);
    },
    async run(_base, dir) {
      const ds = await new Harvester(product, join(dir, 'work.parquet')).harvestCombos({ a: range(na + extra), b: range(nb) }, { missingOnly: true });
      if (ds.numRows !== extra * nb) throw new Error(`expected ${extra * nb} new rows, got ${ds.numRows}`);
    },
  };
}

export const harvestWorkloads: readonly Workload[] = [
  harvestFresh(100, 'W1H'),
  harvestFresh(300, 'W2H'),
  missingOnly('W4', 300, 300, 10, 'missing-only harvestCombos({a: 0..309, b: 0..299}) on the 90,000-row file of W2: 3,000 new cases, run and committed', 7),
  missingOnly('W9', 10_000, 1_000, 100, 'missing-only harvestCombos({a: 0..10099, b: 0..999}) on a 10,000,000-row file: 100,000 new cases (1%), run and committed', 5),
];
