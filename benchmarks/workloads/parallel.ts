/**
 * The parallel workloads: W3 (a CPU-bound function on 2 worker threads against inline, pool
 * start included) and W8 (a million trivial cases through the pool: the per-case overhead).
 * The labelled functions are exported: pool threads import them from this module.
 */
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
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

interface W3TContext {
  readonly iters: number;
  /** The child's own times of its pool runs (tsx), in ms. */
  readonly pool: number[];
  /** When the first case ran on a pool thread, after the run started (tsx), in ms. */
  readonly firstThread: number[];
  /** The CPU time of one pool thread's start (tsx), in ms. */
  readonly startCpu: number[];
}

const ROOT = fileURLToPath(new URL('../../../../', import.meta.url));
const W3T_ENV = { ...process.env, HARVESTRY_DIST: fileURLToPath(new URL('../../src/index.js', import.meta.url)), HARVESTRY_PROGRESS: 'off' };

/** Runs W3T's child: under tsx from the .ts source, or as compiled JS; returns its JSON line. */
function w3tChild(how: 'tsx' | 'node', mode: 'pool' | 'inline', iters: number): { ms: number; first_thread_ms: number | null; start_cpu_per_thread_ms: number | null } {
  const args =
    how === 'tsx'
      ? [`${ROOT}node_modules/tsx/dist/cli.mjs`, `${ROOT}benchmarks/w3t-sweep.ts`, mode, String(iters)]
      : [fileURLToPath(new URL('../w3t-sweep.js', import.meta.url)), mode, String(iters)];
  const r = spawnSync(process.execPath, args, { cwd: ROOT, env: W3T_ENV, encoding: 'utf8' });
  const line = r.stdout.trim().split('\n').pop() ?? '';
  if (r.status !== 0 || !line.startsWith('{')) throw new Error(`W3T child (${how} ${mode}) failed: ${r.stderr}`);
  return JSON.parse(line) as { ms: number; first_thread_ms: number | null; start_cpu_per_thread_ms: number | null };
}

/** W3, W3T and W8. */
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
    name: 'W3T',
    description: 'W3 from a TypeScript module run with tsx in a fresh child process (pool start included, as the child times it); speedup over the same run inline under tsx; per-thread start under tsx and compiled (when the first thread answered, and its CPU time)',
    cases: 200,
    runs: 5,
    warmup: 1,
    async prepare(): Promise<W3TContext> {
      await Promise.resolve();
      return { iters: calibrate(10), pool: [], firstThread: [], startCpu: [] };
    },
    async run(ctx) {
      await Promise.resolve();
      const c = ctx as W3TContext;
      const r = w3tChild('tsx', 'pool', c.iters);
      c.pool.push(r.ms);
      if (r.first_thread_ms !== null) c.firstThread.push(r.first_thread_ms);
      if (r.start_cpu_per_thread_ms !== null) c.startCpu.push(r.start_cpu_per_thread_ms);
    },
    async extra(ctx) {
      await Promise.resolve();
      const c = ctx as W3TContext;
      const pool = c.pool.slice(-5);
      const inline = [0, 1, 2].map(() => w3tChild('tsx', 'inline', c.iters).ms);
      const compiled = [0, 1, 2].map(() => w3tChild('node', 'pool', c.iters));
      const compiledStart = compiled.flatMap((r) => (r.first_thread_ms === null ? [] : [r.first_thread_ms]));
      const tsxStart = median(c.firstThread.slice(-5));
      const tsxCpu = median(c.startCpu.slice(-5));
      const compiledCpu = median(compiled.flatMap((r) => (r.start_cpu_per_thread_ms === null ? [] : [r.start_cpu_per_thread_ms])));
      return {
        pool_ms: median(pool),
        inline_ms: median(inline),
        speedup: Math.round((median(inline) / median(pool)) * 100) / 100,
        thread_start_tsx_ms: tsxStart,
        thread_start_compiled_ms: median(compiledStart),
        thread_start_ratio: Math.round((tsxStart / median(compiledStart)) * 100) / 100,
        thread_start_cpu_tsx_ms: tsxCpu,
        thread_start_cpu_compiled_ms: compiledCpu,
        thread_start_cpu_ratio: Math.round((tsxCpu / compiledCpu) * 100) / 100,
        compiled_pool_ms: median(compiled.map((r) => r.ms)),
      };
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
