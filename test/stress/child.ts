/**
 * One writer of the stress campaign, in its own process (to be killed with SIGKILL or run
 * several at once): `child.ts '<json config>'`. Prints one JSON line per event on stdout:
 * {"start"}, {"commit": fileRows}, {"done": n} or {"error": {code, message}}.
 */
import { existsSync } from 'node:fs';
import { Harvester, HarvestryError, Sampler, type RunOptions } from '../../src/index.js';
import { loadParquetWasm } from '../../src/store/parquet.js';
import { double, slow } from './fns.js';

/** What the child does. */
export type ChildJob =
  | { readonly mode: 'harvest'; readonly path: string; readonly a: readonly number[]; readonly b: readonly number[]; readonly executor: 'inline' | 'pool' | 'subprocess'; readonly commitMs: number; readonly commitRows: number; readonly goFile: string | null }
  | { readonly mode: 'sample'; readonly path: string; readonly n: number; readonly seed: number }
  | { readonly mode: 'sow' | 'grow' | 'reap'; readonly path: string; readonly a: readonly number[]; readonly b: readonly number[]; readonly numBatches: number };

const job = JSON.parse(process.argv[2] ?? '') as ChildJob;
const say = (o: object): void => void process.stdout.write(`${JSON.stringify(o)}\n`);
const lock = { staleMs: 2000 };

await loadParquetWasm(); // before the start line, so a kill timed from it lands in the work itself
try {
  if (job.mode === 'harvest') {
    say({ ready: process.pid });
    while (job.goFile !== null && !existsSync(job.goFile)) await new Promise((r) => setTimeout(r, 5));
    const run: RunOptions = job.executor === 'inline' ? {} : { executor: job.executor, numWorkers: 2, ...(job.executor === 'subprocess' ? { batchSize: 20 } : {}) };
    say({ start: process.pid });
    const ds = await new Harvester(slow, job.path, { lock }).harvestCombos(
      { a: [...job.a], b: [...job.b] },
      { ...run, missingOnly: true, commitEvery: { ms: job.commitMs, rows: job.commitRows }, onCommit: (c) => { say({ commit: c.fileRows }); } },
    );
    say({ done: ds.numRows });
  } else if (job.mode === 'sample') {
    say({ start: process.pid });
    const s = new Sampler(double, job.path, { lock });
    const t = await s.sampleCombos(job.n, { seed: job.seed, combos: { x: (rng) => rng() }, commitEvery: { rows: 20, ms: 0 }, onCommit: (c) => { say({ commit: c.fileRows }); } });
    say({ done: t.numRows });
  } else {
    const crop = new Harvester(slow, job.path, { lock }).crop({ numBatches: job.numBatches });
    say({ start: process.pid });
    if (job.mode === 'sow') say({ done: (await crop.sowCombos({ a: [...job.a], b: [...job.b] })).cases });
    else if (job.mode === 'grow') say({ done: (await crop.grow()).grown.length });
    else say({ done: (await crop.reap()).rows });
  }
} catch (err) {
  say({ error: { code: err instanceof HarvestryError ? err.code : 'OTHER', message: (err as Error).message } });
  process.exitCode = 3;
}
