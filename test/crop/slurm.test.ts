/**
 * Crops on a real SLURM cluster (the single node `scripts/start-local-slurm.sh` starts; `npm
 * test` starts it before these tests). A job array grows a crop and the reaped dataset equals a
 * harvest of the same space; a killed task and a cancelled one show as failed and a resubmission
 * of the failed batches alone completes the crop; arrays split at MaxArraySize, throttled with
 * %K; a refused submission says what sbatch said. HARVESTRY_SKIP_SLURM=1 skips them (never in CI).
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { before, describe, it } from 'node:test';
import { cultivate, Harvester } from '../../src/index.js';
import { slurmMaxArraySize } from '../../src/crop/scheduler.js';
import { assertHarvestryError, duckdb, tempDir } from '../_support/helpers.js';
import { gated, product } from './fixtures/crop-fns.js';

const skip = process.env.HARVESTRY_SLURM === 'skip';

describe('crops on a real SLURM cluster', { skip: skip ? 'HARVESTRY_SKIP_SLURM=1' : false }, () => {
  // The crops live under the working directory (the repository), as on a cluster's shared disk.
  const dir = tempDir('harvestry-slurm-');

  before(() => {
    const r = spawnSync('sinfo', ['-h', '-o', '%T'], { encoding: 'utf8' });
    assert.ok(
      r.status === 0 && /idle|mixed|allocated|completing/.test(r.stdout),
      `SLURM is not running (sinfo: ${r.error?.message ?? (r.stderr || r.stdout).trim()}). Run the tests with \`npm test\`, which starts it (scripts/start-local-slurm.sh), or set HARVESTRY_SKIP_SLURM=1 to skip these tests locally.`,
    );
  });

  it('grows a crop as a job array; the reaped dataset equals a harvest of the same space', async () => {
    const combos = { b: [10, 20, 30], a: [1, 2, 3, 4] };
    const h = new Harvester(product, join(dir, 'array.parquet'));
    const crop = h.crop({ numBatches: 4, shuffle: true });
    await crop.sowCombos(combos);
    const submitted = await crop.submit({ time: '0:10:00' });
    assert.match(submitted.jobId ?? '', /^\d+$/);
    assert.deepEqual(submitted.batches, [1, 2, 3, 4]);
    const status = await crop.wait({ pollMs: 200, timeoutMs: 120_000 });
    assert.equal(status.complete, true, Crop_render(status));
    assert.deepEqual(readdirSync(join(crop.dir, 'logs')).sort(), [1, 2, 3, 4].map((k) => `${submitted.jobId}_${k}.out`));
    assert.match(readFileSync(join(crop.dir, 'logs', `${submitted.jobId}_3.out`), 'utf8'), /^crop array: grew batch 3 in /m);
    await crop.reap();
    const ref = new Harvester(product, join(dir, 'reference.parquet'));
    await ref.harvestCombos(combos);
    const q = (p: string): Promise<Record<string, unknown>[]> => duckdb(`SELECT b, a, p FROM '${p}' ORDER BY ALL`);
    assert.deepEqual(await q(h.path), await q(ref.path));
    assert.deepEqual(h.fullDs?.dims, ['b', 'a']);
  });

  it('shows a killed task as failed, and resubmitting the failed batches alone completes the crop', async () => {
    const gate = join(dir, 'gate');
    writeFileSync(`${gate}.die-2-10`, '');
    const h = new Harvester(gated, join(dir, 'killed.parquet'));
    const crop = h.crop({ numBatches: 3 });
    await crop.sowCombos({ a: [1, 2, 3], b: [10, 20] }, { constants: { gate } });
    const first = await crop.submit();
    let status = await crop.wait({ pollMs: 200, timeoutMs: 120_000 });
    assert.deepEqual({ done: status.done, failed: status.failed }, { done: [1, 3], failed: [2] }, Crop_render(status));
    const error = status.batches[1]!.error!;
    assert.match(error, /its grower \(pid \d+ on .+, job \d+_2\) ended without finishing it/);
    assert.match(error, new RegExp(`SLURM task ${first.jobId}_2 ended FAILED`));
    rmSync(`${gate}.die-2-10`);
    const again = await crop.submit({ batches: 'failed' });
    assert.deepEqual(again.batches, [2]);
    assert.notEqual(again.jobId, first.jobId);
    status = await crop.wait({ pollMs: 200, timeoutMs: 120_000 });
    assert.equal(status.complete, true, Crop_render(status));
    assert.equal((await crop.reap()).rows, 6);
  });

  it('splits arrays at MaxArraySize, throttles them with %K, and shows a cancelled task as failed', async () => {
    const gate = join(dir, 'split-gate');
    // batch 3 (the second array's first task) holds until batch 4 is cancelled, so batch 4
    // cannot have started when scancel reaches it, however slow the machine
    writeFileSync(`${gate}.wait-3-10`, '');
    const h = new Harvester(gated, join(dir, 'split.parquet'));
    const crop = h.crop({ numBatches: 5 });
    await crop.sowCombos({ a: [1, 2, 3, 4, 5], b: [10] }, { constants: { gate } });
    // MaxArraySize 3: indices 1-2 per array, so batches 1-2, 3-4 and 5 are three jobs
    const r = await crop.submit({ maxArraySize: 3, maxRunning: 1 });
    assert.equal(r.jobIds.length, 3);
    assert.match(readFileSync(r.scripts[1]!, 'utf8'), /^#SBATCH --array=1,2%1$/m);
    // the second array's second task (batch 4) waits for its first under %1: cancel it
    const cancel = spawnSync('scancel', [`${r.jobIds[1]}_2`], { encoding: 'utf8' });
    assert.equal(cancel.status, 0, cancel.stderr);
    rmSync(`${gate}.wait-3-10`);
    let status = await crop.wait({ pollMs: 200, timeoutMs: 120_000 });
    assert.deepEqual({ done: status.done, failed: status.failed }, { done: [1, 2, 3, 5], failed: [4] }, Crop_render(status));
    // squeue lists the cancelled task for a while (MinJobAge), then forgets it: either way it is
    // said to have been cancelled before it started
    const job = `${r.jobIds[1]}_2`;
    assert.ok(
      [`SLURM task ${job} was cancelled before it started (it was pending: JobArrayTaskLimit)`, `SLURM task ${job} is gone without a result (cancelled before it started)`].includes(status.batches[3]!.error ?? ''),
      status.batches[3]!.error ?? 'no error',
    );
    assert.ok(existsSync(join(crop.dir, 'jobs', `${r.jobIds[2]}.json`)));
    await crop.submit({ batches: 'failed' });
    status = await crop.wait({ pollMs: 200, timeoutMs: 120_000 });
    assert.equal(status.complete, true, Crop_render(status));
    await crop.reap();
    assert.deepEqual(await duckdb(`SELECT count(*)::INT AS n FROM '${h.path}'`), [{ n: 5 }]);
  });

  it('cultivates through SLURM (submit, wait, reap), reading MaxArraySize from scontrol', async () => {
    const config = spawnSync('scontrol', ['show', 'config'], { encoding: 'utf8' }).stdout;
    assert.equal(await slurmMaxArraySize(), Number(/^MaxArraySize\s*=\s*(\d+)/m.exec(config)?.[1]));
    const path = join(dir, 'cultivated.parquet');
    const ds = await cultivate(product, { path, combos: { a: [1, 2, 3], b: [10, 20] }, numBatches: 2, submit: { time: '10' } });
    assert.equal(ds?.numRows, 6);
    assert.equal(existsSync(join(dir, 'cultivated.crop')), false);
  });

  it("fails loudly with sbatch's message when SLURM refuses the job", async () => {
    const h = new Harvester(product, join(dir, 'refused.parquet'));
    const crop = h.crop({ numBatches: 2 });
    await crop.sowCombos({ a: [1, 2], b: [10] });
    const err = await assertHarvestryError(() => crop.submit({ partition: 'nosuchpartition' }), 'E_SUBMIT_FAILED', /^sbatch refused the job script .*\.sh: sbatch: error: invalid partition specified: nosuchpartition/m);
    assert.equal(typeof err.details.stderr, 'string');
    assert.deepEqual((await crop.status()).sown, [1, 2], 'nothing was recorded as submitted');
  });
});

function Crop_render(status: { batches: readonly { batch: number; state: string; error: string | null }[] }): string {
  return status.batches.map((b) => `${b.batch} ${b.state}${b.error === null ? '' : `: ${b.error}`}`).join('\n');
}
