/**
 * The 100,000-case crop through the local SLURM cluster: W1's function over a = 0..399,
 * b = 0..249 in 1,000 batches, submitted as a job array (one task per batch, each a fresh
 * `harvestry crop grow` process of compiled harvestry), waited for, and reaped. Prints one JSON
 * line: the total time, each phase, and the overhead per task. A calibration array of trivial
 * tasks (`true`) measures SLURM's own cost per task on this machine, to tell it apart from
 * harvestry's (Node start-up, importing the function, growing, writing the result).
 *
 * Run: npm run bench:slurm [-- --batches 1000 --batches-per-task 1 --calibration 100]   (as root: it starts the
 * local cluster with scripts/start-local-slurm.sh and stops the daemons it started)
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { Harvester } from '../src/index.js';
import { cropPaths } from '../src/crop/manifest.js';
import { decodeFramed, type ResultHeader } from '../src/crop/files.js';
import { cropProduct, range } from './workloads/crop.js';
import { median } from './workload.js';

const { values } = parseArgs({ options: { batches: { type: 'string', default: '1000' }, 'batches-per-task': { type: 'string', default: '1' }, calibration: { type: 'string', default: '100' }, keep: { type: 'boolean' } } });
const numBatches = Number(values.batches);
const batchesPerTask = Number(values['batches-per-task']);
const numTasks = Math.ceil(numBatches / batchesPerTask);
const calibration = Number(values.calibration);
const root = process.cwd();
const started = startSlurm();
const dir = mkdtempSync(join(root, '.tmp', 'bench-slurm-'));
try {
  const cpus = Number(spawnSync('sinfo', ['-h', '-o', '%c'], { encoding: 'utf8' }).stdout.trim()) || availableParallelism();
  const trivial = calibration > 0 ? calibrate(calibration) : null;
  const h = new Harvester(cropProduct, join(dir, 'w1.parquet'));
  const crop = h.crop({ name: 'w1', numBatches });
  let t = performance.now();
  await crop.sowCombos({ a: range(400), b: range(250) });
  const sowMs = performance.now() - t;
  t = performance.now();
  const submitted = await crop.submit({ time: '0:30:00', batchesPerTask });
  const submitMs = performance.now() - t;
  const status = await crop.wait({ pollMs: 500 });
  const growMs = performance.now() - t;
  if (!status.complete) throw new Error(`the crop did not complete: ${status.failed.length} failed batches, first: ${status.batches.find((b) => b.state === 'failed')?.error ?? '?'}`);
  const inTask = taskTimes(crop.dir, numBatches, batchesPerTask);
  t = performance.now();
  const reaped = await crop.reap({ clean: values.keep !== true });
  const reapMs = performance.now() - t;
  const round = (x: number): number => Math.round(x * 10) / 10;
  const slotMs = (growMs * cpus) / numTasks;
  console.log(
    JSON.stringify({
      workload: 'W7S',
      description: `({a, b}) => a * b over a = 0..399, b = 0..249 (100,000 cases) in ${numBatches} batches, ${batchesPerTask === 1 ? 'one SLURM array task per batch' : `${batchesPerTask} batches per SLURM array task`} (local single-node cluster, ${cpus} CPUs)`,
      cases: 100_000,
      batches: numBatches,
      tasks: numTasks,
      jobs: submitted.jobIds.length,
      total_ms: round(sowMs + growMs + reapMs),
      sow_ms: round(sowMs),
      submit_ms: round(submitMs),
      submit_to_done_ms: round(growMs),
      reap_ms: round(reapMs),
      rows: reaped.rows,
      // CPU-slot time each task held (wall time x CPUs / tasks), and what it spent growing its batches
      slot_ms_per_task: round(slotMs),
      grow_ms_per_task_median: round(median(inTask)),
      overhead_ms_per_task: round(slotMs - median(inTask)),
      ...(trivial === null ? {} : { slurm_only_slot_ms_per_task: round((trivial * cpus) / calibration), calibration_tasks: calibration }),
    }),
  );
} finally {
  if (values.keep !== true) rmSync(dir, { recursive: true, force: true });
  stopSlurm(started);
}

/** Wall time of an array of trivial tasks, submit to last one gone. */
function calibrate(n: number): number {
  const t = performance.now();
  const env = { ...process.env };
  delete env.NODE_TEST_CONTEXT;
  const r = spawnSync('sbatch', ['--parsable', `--array=1-${n}`, '-o', '/dev/null', '--wrap', 'true'], { encoding: 'utf8', env });
  const job = r.stdout.trim().split(';')[0]!;
  if (r.status !== 0) throw new Error(`sbatch: ${r.stderr}`);
  for (;;) {
    const q = spawnSync('squeue', ['-h', '-j', job, '-o', '%i'], { encoding: 'utf8' });
    if (q.status === 0 && q.stdout.trim() === '') return performance.now() - t;
    spawnSync('sleep', ['0.2']);
  }
}

/** Each task's time growing its batches (from the result files: a batch's time counts from the start of its task's grow). */
function taskTimes(cropDir: string, n: number, perTask: number): number[] {
  const paths = cropPaths(cropDir);
  const out: number[] = [];
  for (let k = 1; k <= n; k++) {
    const file = join(paths.results, `${k}.bin`);
    const ms = (decodeFramed(readFileSync(file), file).header as ResultHeader).elapsedMs;
    const task = Math.floor((k - 1) / perTask);
    out[task] = Math.max(out[task] ?? 0, ms);
  }
  return out;
}

function startSlurm(): string[] {
  const r = spawnSync('bash', [resolve(root, 'scripts/start-local-slurm.sh')], { encoding: 'utf8' });
  process.stderr.write(r.stdout + r.stderr);
  if (r.status !== 0) throw new Error('could not start the local SLURM cluster (see above): run as root on Debian');
  return [...r.stdout.matchAll(/^local-slurm: started (munged|slurmctld|slurmd) /gm)].map((m) => m[1]!);
}

function stopSlurm(daemons: readonly string[]): void {
  if (daemons.length > 0) spawnSync('bash', [resolve(root, 'scripts/stop-local-slurm.sh'), ...daemons], { stdio: 'inherit' });
}
