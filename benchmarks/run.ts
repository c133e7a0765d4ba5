/**
 * `npm run bench [-- W1 W4 ...]`: runs each workload in a fresh process and prints one JSON line
 * per workload (each in its own process, so its peak RSS is its own): {"workload", "median_ms", "min_ms", "max_ms", "peak_rss_mib", "cases", ...}.
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
for (const w of chosen) {
  const r = spawnSync(process.execPath, ['--expose-gc', one, w.name], { stdio: ['ignore', 'inherit', 'inherit'] });
  if (r.status !== 0) {
    failed++;
    console.error(`workload ${w.name} failed (exit ${r.status ?? r.signal})`);
  }
}
process.exit(failed === 0 ? 0 : 1);
