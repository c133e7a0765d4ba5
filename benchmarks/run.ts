/**
 * `npm run bench [-- W1 W4 ...]`: prints one JSON line per workload: {"workload", "median_ms",
 * "min_ms", "max_ms", "peak_rss_mib", "cases", ...}. Each workload runs in two fresh processes
 * (see one.ts): one times it (`peak_rss_timed_mib` is that process's peak, garbage of all its
 * runs included), one measures the peak RSS of a run with earlier runs' garbage collected
 * (`peak_rss_mib`).
 */
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { workloads } from './workloads/index.js';

const wanted = process.argv.slice(2).filter((a) => !a.startsWith('-'));
const unknown = wanted.filter((w) => !workloads.some((x) => x.name === w));
if (unknown.length > 0) {
  console.error(`unknown workload(s): ${unknown.join(', ')}; known: ${workloads.map((x) => x.name).join(', ')}`);
  process.exit(2);
}
const chosen = wanted.length === 0 ? workloads : workloads.filter((w) => wanted.includes(w.name));
// Workloads run as compiled JavaScript (`npm run bench` compiles first), as users run harvestry
// from dist/: no TypeScript loader in the process, so times and peak RSS are the library's own.
const one = fileURLToPath(new URL('./one.js', import.meta.url));
let failed = 0;
function measure(name: string, mode: 'time' | 'memory'): Record<string, unknown> | null {
  const r = spawnSync(process.execPath, ['--expose-gc', one, name, mode], { stdio: ['ignore', 'pipe', 'inherit'], encoding: 'utf8' });
  const line = r.stdout.trim().split('\n').pop() ?? '';
  if (r.status !== 0 || !line.startsWith('{')) {
    console.error(`workload ${name} (${mode}) failed (exit ${r.status ?? r.signal})${r.stdout === '' ? '' : `:\n${r.stdout}`}`);
    return null;
  }
  return JSON.parse(line) as Record<string, unknown>;
}

for (const w of chosen) {
  const timed = measure(w.name, 'time');
  const memory = timed === null ? null : measure(w.name, 'memory');
  if (timed === null || memory === null) {
    failed++;
    continue;
  }
  const { workload, median_ms, min_ms, max_ms, ...rest } = timed;
  console.log(JSON.stringify({ workload, median_ms, min_ms, max_ms, peak_rss_mib: memory.peak_rss_mib, ...rest }));
}
process.exit(failed === 0 ? 0 : 1);
