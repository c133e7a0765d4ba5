/**
 * Crops across processes: re-opened by name in a new process, grown by the `harvestry` CLI
 * (from the TypeScript source, as a cluster task runs it), and a grower killed in the middle
 * of a batch: the batch is simply not done, and growing again completes the crop.
 */
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, it } from 'node:test';
import { Harvester } from '../../src/index.js';
import { REPO_NODE_ARGS, duckdb, runnable, tempDir } from '../_support/helpers.js';
import { gated, product } from './fixtures/crop-fns.js';

const BIN = fileURLToPath(new URL('../../bin/harvestry.js', import.meta.url));
const REOPEN = runnable(new URL('./fixtures/reopen.ts', import.meta.url));

function node(args: readonly string[]): { status: number | null; signal: NodeJS.Signals | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [...REPO_NODE_ARGS, ...args], { encoding: 'utf8', timeout: 60_000, env: { ...process.env, NODE_TEST_CONTEXT: undefined } });
  return { status: r.status, signal: r.signal, stdout: r.stdout, stderr: r.stderr };
}

describe('crops across processes', () => {
  const dir = tempDir('harvestry-crop-proc-');

  it('re-opens a crop by name in a new process, which grows its batches', async () => {
    const h = new Harvester(product, join(dir, 'reopen.parquet'));
    const crop = h.crop({ name: 'again', numBatches: 3 });
    await crop.sowCombos({ a: [1, 2, 3], b: [10, 20] });
    const r = node([REOPEN, h.path, 'again', '1,3']);
    assert.equal(r.status, 0, r.stderr);
    assert.deepEqual(JSON.parse(r.stdout), { grown: [1, 3], done: [1, 3] });
    assert.deepEqual((await crop.status()).sown, [2]);
  });

  it('grows with the CLI from the TypeScript source, as a cluster task runs it', async () => {
    const h = new Harvester(product, join(dir, 'cli.parquet'));
    const crop = h.crop({ numBatches: 3 });
    await crop.sowCombos({ a: [1, 2], b: [10, 20, 30] });
    const r = node([BIN, 'crop', 'grow', crop.dir, '--batch', '2']);
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stdout, /^crop cli: grew batch 2 in \d+\.\d s$/m);
    assert.deepEqual((await crop.status()).done, [2]);
    const rest = node([BIN, 'crop', 'grow', crop.dir, '--executor', 'pool', '--workers', '2']);
    assert.equal(rest.status, 0, rest.stderr);
    assert.match(rest.stdout, /grew batches 1,3 /);
    const reap = node([BIN, 'crop', 'reap', crop.dir]);
    assert.equal(reap.status, 0, reap.stderr);
    assert.match(reap.stdout, /crop cli: reaped 3 batches into .*cli\.parquet \(6 rows written\); crop removed/);
    assert.deepEqual(await duckdb(`SELECT a, b, p FROM '${h.path}' ORDER BY a, b`), [1, 2].flatMap((a) => [10, 20, 30].map((b) => ({ a, b, p: a * b }))));
  });

  it('leaves a batch killed mid-way not done; growing again completes the crop', async () => {
    const gate = join(dir, 'gate');
    writeFileSync(`${gate}.die-2-10`, '');
    const h = new Harvester(gated, join(dir, 'killed.parquet'));
    const crop = h.crop({ numBatches: 3 });
    await crop.sowCombos({ a: [1, 2, 3], b: [10, 20] }, { constants: { gate } });
    // batches: 1 = a1 (b10, b20), 2 = a2 (b10 dies), 3 = a3
    const r = node([BIN, 'crop', 'grow', crop.dir]);
    assert.equal(r.signal, 'SIGKILL', `the grower was killed (status ${r.status}): ${r.stderr}`);
    const results = join(crop.dir, 'results');
    assert.deepEqual(readdirSync(results), ['1.bin'], 'batch 1 was written whole; batch 2 left nothing, not even a temporary file');
    const status = await crop.status();
    // batches are claimed one at a time (inline): batch 3 was never taken, so it is still only sown
    assert.deepEqual({ done: status.done, failed: status.failed, sown: status.sown }, { done: [1], failed: [2], sown: [3] });
    assert.match(status.batches[1]!.error!, /^its grower \(pid \d+ on .+\) ended without finishing it$/);
    rmSync(`${gate}.die-2-10`);
    const again = await crop.grow();
    assert.deepEqual([...again.grown], [2, 3]);
    assert.deepEqual(readdirSync(join(crop.dir, 'running')), [], "the dead grower's claim was settled, and this grower's dropped");
    assert.deepEqual(readdirSync(join(crop.dir, 'failed')), []);
    const reaped = await crop.reap();
    assert.equal(reaped.rows, 6);
    assert.deepEqual(await duckdb(`SELECT a, b, p FROM '${h.path}' ORDER BY a, b`), [1, 2, 3].flatMap((a) => [10, 20].map((b) => ({ a, b, p: a * b }))));
  });

  it('two reapers at once: one merges and removes the crop, the other ends with a coded error or merges the same rows', async () => {
    const h = new Harvester(product, join(dir, 'reapers.parquet'));
    const crop = h.crop({ numBatches: 8 });
    await crop.sowCombos({ a: [1, 2, 3, 4, 5, 6, 7, 8], b: [10, 20] });
    await crop.grow();
    const reaper = (): Promise<{ status: number | null; stdout: string; stderr: string }> =>
      new Promise((resolve) => {
        const child = spawn(process.execPath, [...REPO_NODE_ARGS, BIN, 'crop', 'reap', crop.dir], { env: { ...process.env, NODE_TEST_CONTEXT: undefined } });
        let stdout = '';
        let stderr = '';
        child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
        child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
        child.on('close', (status) => {
          resolve({ status, stdout, stderr });
        });
      });
    const outs = await Promise.all([reaper(), reaper()]);
    assert.ok(outs.some((o) => o.status === 0), outs.map((o) => o.stderr).join('\n'));
    for (const o of outs) {
      if (o.status === 0) assert.match(o.stdout, /reaped 8 batches/);
      else {
        assert.equal(o.status, 1, o.stderr);
        assert.match(o.stderr, /^harvestry crop( reap)?: .*\[E_[A-Z_]+\]\n?$/s, 'a coded error, never a raw Node error');
        assert.match(o.stderr, /reapers\.crop/, 'naming the crop');
      }
    }
    assert.equal(existsSync(crop.dir), false);
    assert.deepEqual(await duckdb(`SELECT a, b, p FROM '${h.path}' ORDER BY a, b`), [1, 2, 3, 4, 5, 6, 7, 8].flatMap((a) => [10, 20].map((b) => ({ a, b, p: a * b }))));
  });
});
