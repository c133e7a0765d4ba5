/**
 * W3T's child: W3's sweep (200 cases of a ~10 ms CPU loop on 2 pool threads, pool start
 * included) from a TypeScript module run as users run one — `tsx benchmarks/w3t-sweep.ts` —
 * with harvestry compiled (HARVESTRY_DIST names its index.js). The same file compiled by tsc is
 * the compiled-JS baseline. Prints one JSON line:
 * `node|tsx w3t-sweep MODE ITERS` → {"mode", "ms", "first_thread_ms", "start_cpu_per_thread_ms"}: the
 * run's time; when the first case ran on a pool thread (ms after the run started: how long a cold
 * thread took to start); and (pool) the CPU time of one thread's start: the process's CPU in the
 * cold run less that of the same run repeated on the warm pool, halved (CPU time, unlike the
 * wall clock, holds on a busy machine).
 */
import { threadId } from 'node:worker_threads';
import type * as Harvestry from '../src/index.js';

const dist = process.env.HARVESTRY_DIST;
if (dist === undefined) throw new Error('set HARVESTRY_DIST to the compiled harvestry index.js');
const { label, closePools } = (await import(dist)) as typeof Harvestry;

/** W3's function; also says which thread ran the case and when. */
export const cpuLoopWhere = label({ varNames: ['y', 'thread', 'at'] }, ({ x, s, iters }: { x: number; s: number; iters: number }) => {
  let acc = x + s;
  for (let i = 0; i < iters; i++) acc = Math.sin(acc + i) * 0.5 + Math.sqrt(i + s + 1);
  return [acc, threadId, performance.timeOrigin + performance.now()];
});

if (process.argv[1] !== undefined && import.meta.url.endsWith(process.argv[1].split('/').pop()!)) {
  const mode = process.argv[2] === 'inline' ? 'inline' : 'pool';
  const iters = Number(process.argv[3]);
  const combos = { x: Array.from({ length: 100 }, (_, i) => i), s: [0, 1] };
  const options = { ...(mode === 'pool' ? { executor: 'pool' as const, numWorkers: 2 } : {}), constants: { iters }, progress: false };
  const cpu0 = process.cpuUsage();
  const started = performance.timeOrigin + performance.now();
  const ds = await cpuLoopWhere.runCombos(combos, options);
  const ms = performance.timeOrigin + performance.now() - started;
  const cold = process.cpuUsage(cpu0);
  const onThreads = ds.toRecords().filter((r) => r.thread !== 0).map((r) => r.at as number);
  const firstThread = onThreads.length === 0 ? null : Math.min(...onThreads) - started;
  // The same run again on the warm pool: the CPU the cold run spent beyond it is the threads' start.
  let startCpu: number | null = null;
  if (mode === 'pool') {
    const cpu1 = process.cpuUsage();
    await cpuLoopWhere.runCombos(combos, options);
    const warm = process.cpuUsage(cpu1);
    startCpu = Math.round((cold.user + cold.system - warm.user - warm.system) / 1000 / 2);
  }
  console.log(JSON.stringify({ mode, ms: Math.round(ms), first_thread_ms: firstThread === null ? null : Math.round(firstThread), start_cpu_per_thread_ms: startCpu }));
  await closePools();
}
