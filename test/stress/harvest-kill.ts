/**
 * Stress: many SIGKILL trials of a harvesting child (see test/harvest/kill-trial.ts), more
 * than the test suite runs. Usage:
 *   node --conditions=source --import tsx test/stress/harvest-kill.ts [trials=200] [parallel=2]
 * Prints a summary line; exits non-zero on the first failed trial.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { A, B, killTrial } from '../harvest/kill-trial.js';

const trials = Number(process.argv[2] ?? 200);
const parallel = Number(process.argv[3] ?? 2);
const dir = mkdtempSync(join(tmpdir(), 'harvestry-kill-'));
const started = Date.now();
const buckets = { none: 0, partial: 0, complete: 0 };
try {
  for (let k = 0; k < trials; k += parallel) {
    const batch = Array.from({ length: Math.min(parallel, trials - k) }, (_, j) => killTrial(dir, k + j, Math.random() * 500));
    for (const o of await Promise.all(batch)) {
      if (o.before === 0) buckets.none++;
      else if (o.before === A.length * B.length) buckets.complete++;
      else buckets.partial++;
    }
  }
  console.log(JSON.stringify({ trials, ...buckets, seconds: (Date.now() - started) / 1000 }));
} finally {
  rmSync(dir, { recursive: true, force: true });
}
