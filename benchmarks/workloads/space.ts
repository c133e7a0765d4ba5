/**
 * Parameter-space workloads: enumerating big spaces keeps memory flat (S1); a filter over a big
 * space costs time per point and 4 bytes per point kept (S2).
 */
import { filter, product, type Space } from '../../src/index.js';
import type { Workload } from '../workload.js';

function range(n: number): number[] {
  return Array.from({ length: n }, (_, i) => i);
}

/** a × b × c with 1000 × 100 × `c` points. */
function space(c: number): Space<{ a: number; b: number; c: number }> {
  return product({ a: range(1000), b: range(100), c: range(c) });
}

/** Iterates every point lazily and returns a checksum (so the loop is not optimized away). */
function enumerate(s: Space<{ a: number; b: number; c: number }>): number {
  let sum = 0;
  let n = 0;
  for (const p of s) {
    sum += p.a + p.b + p.c;
    n++;
  }
  if (n !== s.size) throw new Error(`enumerated ${n} points of ${s.size}`);
  return sum;
}

const mib = (): number => process.resourceUsage().maxRSS / 1024;
const round = (x: number): number => Math.round(x * 1000) / 1000;

interface S1Context {
  readonly baseMib: number;
  readonly smallMib: number;
  readonly smallMs: number;
}

/** S1: 10^7 points enumerated; a 10^6 run first (untimed) so the peak RSS of both can be compared. */
const s1: Workload<S1Context> = {
  name: 'S1',
  description: 'enumerate a 10^7-point product space (1000 × 100 × 100) lazily, point objects included; peak RSS compared with a 10^6-point run in the same process',
  cases: 10_000_000,
  runs: 3,
  warmup: 0,
  prepare() {
    const baseMib = mib();
    const t0 = performance.now();
    enumerate(space(10));
    const smallMs = performance.now() - t0;
    return Promise.resolve({ baseMib, smallMib: mib(), smallMs });
  },
  run() {
    enumerate(space(100));
    return Promise.resolve();
  },
  extra(ctx, stats) {
    const bigMib = mib();
    return Promise.resolve({
      base_rss_mib: round(ctx.baseMib),
      peak_rss_1e6_mib: round(ctx.smallMib),
      peak_rss_1e7_mib: round(bigMib),
      rss_ratio_1e7_over_1e6: round(bigMib / ctx.smallMib),
      rss_growth_1e6_to_1e7_mib: round(bigMib - ctx.smallMib),
      ms_1e6: round(ctx.smallMs),
      ns_per_point: round((stats.median_ms * 1e6) / 1e7),
    });
  },
};

/** S2: a filter over 10^7 points keeping 1 in 10, then its points enumerated. */
const s2: Workload = {
  name: 'S2',
  description: 'filter a 10^7-point product space keeping 1 point in 10 (predicate once per point), then enumerate the 10^6 kept',
  cases: 10_000_000,
  runs: 3,
  warmup: 0,
  run() {
    const kept = filter(space(100), (p) => p.c % 10 === 0);
    if (kept.size !== 1_000_000) throw new Error(`kept ${kept.size}`);
    enumerate(kept);
    return Promise.resolve();
  },
};

/** The space workloads. */
export const spaceWorkloads: readonly Workload[] = [s1, s2];
