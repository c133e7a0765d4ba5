/**
 * The parallel workloads: W3 (a CPU-bound function on 2 worker threads against inline, pool
 * start included) and W8 (a million trivial cases through the pool: the per-case overhead).
 * The labelled functions are exported: pool threads import them from this module.
 */
import { closePools, label } from '../../src/index.js';
import type { Workload } from '../workload.js';
import { median } from '../workload.js';

/** About `iters` steps of floating-point work; the result depends on x and s. */
export const cpuLoop = label({ varNames: 'y' }, ({ x, s, iters }: { x: number; s: number; iters: number }) => {
  let acc = x + s;
  for (let i = 0; i < iters; i++) acc = Math.sin(acc + i) * 0.5 + Math.sqrt(i + s + 1);
  return acc;
});

export const product = label({ varNames: 'p' }, ({ a, b }: { a: number; b: number }) => a * b);

function range(n: number): number[] {
  return Array.from({ length: n }, (_, i) => i);
}

/** The loop length that takes about `ms` here. */
function calibrate(ms: number): number {
  let iters = 10_000;
  for (;;) {
    const t0 = performance.now();
    void cpuLoop.fn({ x: 1, s: 0, iters });
    const took = performance.now() - t0;
    if (took > 20) return Math.round((iters * ms) / took);
    iters *= 2;
  }
}

interface W3Context {
  readonly iters: number;
}

const W3_COMBOS = { x: range(100), s: [0, 1] };

/** W3 and W8. */
export const parallelWorkloads: readonly Workload[] = [
  {
    name: 'W3',
    description: '({x, s}) => a ~10 ms CPU loop over x = 0..99, s = [0, 1] (200 cases) on 2 worker threads, pool start included; speedup over inline',
    cases: 200,
    runs: 5,
    async prepare(): Promise<W3Context> {
      await Promise.resolve();
      return { iters: calibrate(10) };
    },
    async before() {
      await closePools();
    },
    async run(ctx) {
      const { iters } = ctx as W3Context;
      await cpuLoop.runCombos(W3_COMBOS, { executor: 'pool', numWorkers: 2, constants: { iters }, progress: false });
    },
    async extra(ctx, stats) {
      const { iters } = ctx as W3Context;
      const inline: number[] = [];
      for (let i = 0; i < 3; i++) {
        const t0 = performance.now();
        await cpuLoop.runCombos(W3_COMBOS, { constants: { iters }, progress: false });
        inline.push(performance.now() - t0);
      }
      await closePools();
      const sequential = median(inline);
      return { sequential_ms: Math.round(sequential), speedup: Math.round((sequential / stats.median_ms) * 100) / 100, workers: 2 };
    },
  },
  {
    name: 'W8',
    description: '({a, b}) => a * b over a, b = 0..999 (1,000,000 cases) through the pool (2 threads, started by the warm-up run)',
    cases: 1_000_000,
    runs: 7,
    async run() {
      await product.runCombos({ a: range(1000), b: range(1000) }, { executor: 'pool', numWorkers: 2, progress: false });
    },
    async extra(_ctx, stats) {
      await closePools();
      return { us_per_case: Math.round((stats.median_ms * 1000) / 1_000_000 * 1000) / 1000, workers: 2 };
    },
  },
];
