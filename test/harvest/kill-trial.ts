/**
 * One kill trial: a child harvests A × B slowly with frequent commits and is killed with
 * SIGKILL after `killAfterMs`; then the file must be readable, hold every committed row with
 * the right values and no duplicate, and a missing-only re-run must complete it running each
 * missing case once. Used by the test suite and by test/stress/harvest-kill.ts.
 */
import assert from 'node:assert/strict';
import { existsSync, readdirSync, rmSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { Harvester, readDataset } from '../../src/index.js';
import { range } from '../_support/helpers.js';
import { startChild } from './children.js';
import { slowProduct } from './fixtures/slow-product.js';

export const A = range(8);
export const B = range(25);

/**
 * Starts a child harvesting A × B slowly with frequent commits, kills it with SIGKILL at a
 * random moment, then checks the file and completes it with a missing-only re-run.
 */
export async function killTrial(dir: string, k: number, killAfterMs: number): Promise<{ committed: number; before: number }> {
  const path = join(dir, `kill-${k}.parquet`);
  const t0 = Date.now();
  const child = startChild({ path, a: A, b: B, workMs: 1, commitMs: 15, commitRows: 40 });
  await child.waitFor((e) => 'start' in e || 'error' in e);
  await new Promise((r) => setTimeout(r, killAfterMs));
  child.proc.kill('SIGKILL');
  await child.exit;
  const committed = Math.max(0, ...child.events.flatMap((e) => ('commit' in e ? [e.commit.fileRows] : [])));
  let before = 0;
  if (existsSync(path)) {
    const ds = await readDataset(path);
    before = ds.numRows;
    assert.ok(before >= committed, `trial ${k}: the file has ${before} rows but ${committed} were committed`);
    const keys = new Set(ds.toRecords().map((r) => `${String(r.a)},${String(r.b)}`));
    assert.equal(keys.size, before, `trial ${k}: duplicate keys`);
    for (const r of ds.toRecords()) assert.equal(r.p, (r.a as number) * 1000 + (r.b as number), `trial ${k}: wrong value`);
  } else assert.equal(committed, 0);
  const calls = new Map<string, number>();
  const again = slowProduct({
    offset: 0,
    workMs: 0,
    onCall: (a, b) => {
      const key = `${a},${b}`;
      calls.set(key, (calls.get(key) ?? 0) + 1);
    },
  });
  const h = new Harvester(again, path, { lock: { staleMs: 2000 } });
  const stale: string[] = [];
  const onWarning = (w: Error): void => {
    if (w.message.includes(path)) stale.push(w.message);
  };
  process.on('warning', onWarning);
  try {
    await h.harvestCombos({ a: A, b: B }, { missingOnly: true });
    await new Promise((r) => setImmediate(r));
  } finally {
    process.off('warning', onWarning);
  }
  assert.deepEqual(stale, [], `trial ${k}: the same function was taken for another version`);
  assert.equal(h.lastReport?.cases, A.length * B.length - before, `trial ${k}: the re-run ran ${h.lastReport?.cases} cases`);
  assert.ok([...calls.values()].every((n) => n === 1), `trial ${k}: a case ran twice`);
  const full = await readDataset(path);
  assert.equal(full.numRows, A.length * B.length);
  assert.deepEqual(
    full.toRecords().map((r) => `${String(r.a)},${String(r.b)}`).sort(),
    A.flatMap((a) => B.map((b) => `${a},${b}`)).sort(),
  );
  const leftovers = readdirSync(dirname(path)).filter((n) => n.startsWith(`.${basename(path)}.`));
  assert.deepEqual(leftovers, [], `trial ${k}: temporary files left behind`);
  rmSync(path, { force: true });
  rmSync(`${path}.bak`, { force: true });
  if (process.env.HARVESTRY_TRIAL_LOG !== undefined) console.log(`trial ${k}: kill at ${killAfterMs.toFixed(0)} ms, ${before} rows, ${Date.now() - t0} ms`);
  return { committed, before };
}

