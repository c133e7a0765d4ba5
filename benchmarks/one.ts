/**
 * Runs one workload in this process and prints its JSON line, in one of two modes:
 * - `time`: warm-up runs then timed runs, as a long-lived process would make them (no forced
 *   garbage collection: a full collection between runs throws away warm JIT state that a real
 *   session keeps, and would make every run look cold);
 * - `memory`: one warm-up and two runs with the garbage collected before each, so the peak RSS is
 *   what a run needs, not buffers left over from earlier runs (V8 lets ~64 MiB of ArrayBuffers
 *   pile up before it collects them).
 * Usage (after `npm run bench` compiled it): node --expose-gc .tmp/bench-build/benchmarks/one.js W1 time
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { median, type Stats } from './workload.js';
import { workloads } from './workloads/index.js';

const gc = (globalThis as { gc?: () => void }).gc;

const name = process.argv[2];
const mode = process.argv[3] === 'memory' ? 'memory' : 'time';
const w = workloads.find((x) => x.name === name);
if (w === undefined) {
  console.error(`unknown workload ${String(name)}; known: ${workloads.map((x) => x.name).join(', ')}`);
  process.exit(2);
}
const dir = await mkdtemp(join(tmpdir(), `harvestry-bench-${w.name}-`));
try {
  const ctx = w.prepare === undefined ? undefined : await w.prepare(dir);
  const runs = mode === 'memory' ? 2 : (w.runs ?? 20);
  const warmup = mode === 'memory' ? 1 : (w.warmup ?? 10);
  const samples: number[] = [];
  for (let i = 0; i < warmup + runs; i++) {
    await w.before?.(ctx, dir, i);
    if (mode === 'memory') gc?.();
    const t0 = performance.now();
    await w.run(ctx, dir, i);
    const ms = performance.now() - t0;
    if (i >= warmup) samples.push(ms);
  }
  const round = (x: number): number => Math.round(x * 1000) / 1000;
  if (mode === 'memory') {
    console.log(JSON.stringify({ workload: w.name, peak_rss_mib: round(process.resourceUsage().maxRSS / 1024) }));
    process.exit(0);
  }
  const stats: Stats = { median_ms: median(samples), min_ms: Math.min(...samples), max_ms: Math.max(...samples), samples_ms: samples };
  const extra = w.extra === undefined ? {} : await w.extra(ctx, stats, dir);
  console.log(
    JSON.stringify({
      workload: w.name,
      median_ms: round(stats.median_ms),
      min_ms: round(stats.min_ms),
      max_ms: round(stats.max_ms),
      peak_rss_timed_mib: round(process.resourceUsage().maxRSS / 1024),
      cases: w.cases,
      runs,
      ...extra,
    }),
  );
} finally {
  await rm(dir, { recursive: true, force: true });
}
