/**
 * Job-array scripts: rendered by a pure function (snapshots), valid bash (`bash -n`), and run
 * by bash with each scheduler's array index to check which batches a task grows. Wall times
 * are kept as given (xyzpy turned '2:30:00' into '20:30:00'). Submission through `qsub` is
 * checked with a stand-in `qsub` on PATH (the real SLURM is in slurm.test.ts).
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { chmodSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it, type TestContext } from 'node:test';
import { Harvester } from '../../src/index.js';
import { renderJobScript, type JobScriptSpec } from '../../src/crop/job-script.js';
import { planArrays } from '../../src/crop/jobs.js';
import { checkSubmitOptions, hoursMinutesSeconds } from '../../src/crop/submit-options.js';
import { assertSnapshot } from '../_support/snapshot.js';
import { assertHarvestryError, tempDir } from '../_support/helpers.js';
import { product } from './fixtures/crop-fns.js';

const dir = tempDir('harvestry-scripts-');

function spec(over: Partial<JobScriptSpec> = {}): JobScriptSpec {
  const batches = [1, 2, 3, 4, 5, 6, 7, 8, 9, 10];
  return {
    scheduler: 'slurm',
    jobName: 'sweep',
    cropDir: '/data/runs/sweep.crop',
    cwd: '/data/runs',
    logs: '/data/runs/sweep.crop/logs',
    command: ['/usr/bin/node', '/opt/harvestry/bin/harvestry.js'],
    indices: batches,
    tasks: { kind: 'offset', offset: 0, batches },
    maxRunning: null,
    time: null,
    mem: null,
    cpus: null,
    partition: null,
    account: null,
    extra: [],
    setup: [],
    growArgs: [],
    ...over,
  };
}

/** Runs a script with bash, the grow command replaced by echo, for the given array index. */
function batchOf(s: JobScriptSpec, index: number): string {
  const text = renderJobScript({ ...s, cwd: dir, command: 'echo' });
  const file = join(dir, `task-${s.scheduler}.sh`);
  writeFileSync(file, text);
  const env = { ...process.env, SLURM_ARRAY_TASK_ID: String(index), PBS_ARRAY_INDEX: String(index), SGE_TASK_ID: String(index) };
  const r = spawnSync('bash', [file], { encoding: 'utf8', env });
  assert.equal(r.status, 0, r.stderr);
  const m = /--batch (\S+)/.exec(r.stdout);
  assert.ok(m !== null, r.stdout);
  return m[1]!;
}

function bashN(text: string): void {
  const file = join(dir, 'check.sh');
  writeFileSync(file, text);
  const r = spawnSync('bash', ['-n', file], { encoding: 'utf8' });
  assert.equal(r.status, 0, `bash -n: ${r.stderr}\n${text}`);
}

describe('job scripts', () => {
  const full = {
    time: '2:30:00',
    mem: '4G',
    cpus: 4,
    partition: 'long',
    account: 'physics',
    maxRunning: 3,
    extra: ['--qos=low', '#SBATCH --mail-type=END'],
    setup: ['module load nodejs/20', 'source /data/env.sh'],
    growArgs: ['--executor', 'pool', '--workers', '4'],
  };

  it('renders SLURM, PBS and SGE arrays (snapshots), all valid bash', () => {
    for (const scheduler of ['slurm', 'pbs', 'sge'] as const) {
      const text = renderJobScript(spec({ scheduler, ...full, extra: scheduler === 'slurm' ? full.extra : ['-m ae'] }));
      assertSnapshot(`crop-${scheduler}`, text);
      bashN(text);
      assert.doesNotMatch(text, /20:30:00/);
    }
    const minimal = renderJobScript(spec());
    assertSnapshot('crop-slurm-minimal', minimal);
    bashN(minimal);
  });

  it("keeps a wall time of '2:30:00' as '2:30:00' on every scheduler", () => {
    assert.match(renderJobScript(spec({ time: '2:30:00' })), /^#SBATCH --time=2:30:00$/m);
    assert.match(renderJobScript(spec({ scheduler: 'pbs', time: '2:30:00' })), /^#PBS -l walltime=2:30:00$/m);
    assert.match(renderJobScript(spec({ scheduler: 'sge', time: '2:30:00' })), /^#\$ -l h_rt=2:30:00$/m);
    assert.equal(hoursMinutesSeconds('1-12:00:00'), '36:00:00');
    assert.equal(hoursMinutesSeconds('90'), '1:30:00');
    assert.equal(hoursMinutesSeconds('5:30'), '0:05:30');
    assert.equal(checkSubmitOptions({ time: 90 }, 'x').time, '90');
    assert.match(renderJobScript(spec({ scheduler: 'pbs', time: checkSubmitOptions({ time: '2-0' }, 'x').time })), /walltime=48:00:00/);
  });

  it('gives each array task its batches: batch numbers, offsets past MaxArraySize, tables of groups', () => {
    const batches = [1, 2, 3, 4, 5, 6, 7];
    const split = planArrays(batches, { scheduler: 'slurm', batchesPerTask: 1, maxArraySize: 4 });
    assert.equal(split.length, 3);
    assert.equal(batchOf(spec({ indices: split[1]!.indices, tasks: split[1]!.tasks }), 2), '5');
    assert.match(renderJobScript(spec({ indices: split[1]!.indices, tasks: split[1]!.tasks })), /^#SBATCH --array=1-3$/m);
    const sparse = planArrays([2, 5, 9], { scheduler: 'slurm', batchesPerTask: 1, maxArraySize: 1001 })[0]!;
    assert.match(renderJobScript(spec({ indices: sparse.indices, tasks: sparse.tasks })), /^#SBATCH --array=2,5,9$/m);
    assert.equal(batchOf(spec({ indices: sparse.indices, tasks: sparse.tasks }), 9), '9');
    for (const scheduler of ['slurm', 'pbs', 'sge'] as const) {
      const [groups] = planArrays(batches, { scheduler, batchesPerTask: 3, maxArraySize: 1001 });
      const s = spec({ scheduler, indices: groups!.indices, tasks: groups!.tasks });
      assert.deepEqual([1, 2, 3].map((i) => batchOf(s, i)), ['1-3', '4-6', '7']);
      const [table] = planArrays([2, 5, 9], { scheduler, batchesPerTask: 1, maxArraySize: 1001 });
      const t = spec({ scheduler, indices: table!.indices, tasks: table!.tasks });
      assert.deepEqual(table!.indices.map((i) => batchOf(t, i)), ['2', '5', '9']);
    }
  });

  it('leaves out the array of a single PBS task (PBS refuses -J 1-1) and still finds its batch', () => {
    const [one] = planArrays([4], { scheduler: 'pbs', batchesPerTask: 1, maxArraySize: 1001 });
    const s = spec({ scheduler: 'pbs', indices: one!.indices, tasks: one!.tasks });
    const text = renderJobScript(s);
    assert.doesNotMatch(text, /-J /);
    assertSnapshot('crop-pbs-single', text);
    assert.equal(batchOf(s, 999), '4');
  });

  it('quotes paths with spaces and quotes for the shell', () => {
    const text = renderJobScript(spec({ cropDir: "/data/my runs/it's.crop", cwd: '/data/my runs' }));
    bashN(text);
    assert.match(text, /^cd '\/data\/my runs'$/m);
    assert.match(text, /crop grow '\/data\/my runs\/it'\\''s\.crop' --batch "\$batch"$/m);
  });

  it('refuses options it cannot put in a script, saying what they take', async () => {
    await assertHarvestryError(() => checkSubmitOptions({ time: 'soon' }, 'crop.submit()'), 'E_BAD_OPTION', /Expected `time` in crop\.submit\(\) to be a wall time like '2:30:00', '90' \(minutes\), '1-12:00:00', or a whole number of minutes, got "soon"\./);
    await assertHarvestryError(() => checkSubmitOptions({ mem: '2.5G' }, 'crop.submit()'), 'E_BAD_OPTION', /Expected `mem` in crop\.submit\(\) to be memory like '4G', '500M'/);
    await assertHarvestryError(() => checkSubmitOptions({ scheduler: 'lsf' as never }, 'crop.submit()'), 'E_BAD_OPTION', /'slurm', 'pbs' or 'sge', got "lsf"/);
    await assertHarvestryError(() => checkSubmitOptions({ partition: 'a b' }, 'crop.submit()'), 'E_BAD_OPTION', /`partition`/);
    await assertHarvestryError(() => checkSubmitOptions({ setup: ['ok', 'two\nlines'] }, 'crop.submit()'), 'E_BAD_OPTION', /`setup`.*one-line strings/);
    await assertHarvestryError(() => checkSubmitOptions({ numWorkers: 2 }, 'crop.submit()'), 'E_BAD_OPTION', /`numWorkers`.*executor 'pool' or 'subprocess'/);
    await assertHarvestryError(() => checkSubmitOptions({ wallTime: '1:00:00' } as never, 'crop.submit()'), 'E_BAD_OPTION', /crop\.submit\(\) has no option `wallTime`/);
    assert.equal(checkSubmitOptions({ mem: 1.5 }, 'x').mem, '1536M');
    assert.equal(checkSubmitOptions({ mem: '512mb' }, 'x').mem, '512M');
  });
});

/** Writes stand-in commands (name to bash script) into a new folder `folder` of the temp dir; returns it. */
function standIns(folder: string, commands: Readonly<Record<string, string>>): string {
  const bin = join(dir, folder);
  mkdirSync(bin, { recursive: true });
  for (const [name, script] of Object.entries(commands)) {
    writeFileSync(join(bin, name), script);
    chmodSync(join(bin, name), 0o755);
  }
  return bin;
}

/** Puts `bin` first on PATH for the test `t`, as it was after. */
function firstOnPath(t: TestContext, bin: string): void {
  const path = process.env.PATH;
  process.env.PATH = `${bin}:${path ?? ''}`;
  t.after(() => (process.env.PATH = path));
}

describe('submitting with qsub (PBS and SGE)', () => {
  const bin = standIns('bin', {
    qsub: `#!/bin/bash\nif grep -q refuse-me "$1"; then echo "qsub: Unknown queue MSG=requested queue not found" >&2; exit 168; fi\ncp "$1" "${dir}/submitted.sh"\necho "4242.headnode"\n`,
  });

  it('submits the script with qsub, records the job, and passes on a refusal with its message', async (t) => {
    firstOnPath(t, bin);
    const h = new Harvester(product, join(dir, 'pbs.parquet'));
    const crop = h.crop({ numBatches: 3 });
    await crop.sowCombos({ a: [1, 2, 3], b: [10] });
    const r = await crop.submit({ scheduler: 'pbs', time: '2:30:00', batches: [2, 3] });
    assert.deepEqual({ jobId: r.jobId, batches: r.batches }, { jobId: '4242', batches: [2, 3] });
    const sent = readFileSync(join(dir, 'submitted.sh'), 'utf8');
    assert.match(sent, /^#PBS -J 2-3$/m);
    assert.match(sent, /^#PBS -l walltime=2:30:00$/m);
    assert.equal(sent, readFileSync(r.scripts[0]!, 'utf8'));
    const status = await crop.status();
    assert.deepEqual({ queued: status.queued, sown: status.sown }, { queued: [2, 3], sown: [1] }, 'PBS is not asked: submitted batches count as queued');
    await assertHarvestryError(() => crop.wait({ pollMs: 1, timeoutMs: 0 }), 'E_TIMEOUT', /^crop\.wait\(\) gave up after 0 ms: 2 batches of crop 'pbs' are still queued and 0 running\. Wait longer, or look at crop\.status\(\)\.$/);
    await assertHarvestryError(() => crop.wait({ pollMs: 1, signal: AbortSignal.abort() }), 'E_ABORTED', /crop\.wait\(\) was aborted with 2 batches of crop 'pbs' queued/);
    assert.match(await crop.renderScript({ scheduler: 'sge', batches: [1, 3] }), /^#\$ -t 1-2$/m);
    await assertHarvestryError(() => crop.submit({ scheduler: 'sge', partition: 'refuse-me' }), 'E_SUBMIT_FAILED', /qsub refused the job script .*\.sh: qsub: Unknown queue MSG=requested queue not found/);
    process.env.PATH = '/nonexistent';
    await assertHarvestryError(() => crop.submit({ scheduler: 'pbs' }), 'E_SUBMIT_FAILED', /Cannot submit to PBS: `qsub` is not on PATH\. Submit from a machine of the cluster, or grow the crop here/);
  });
});

describe('asking squeue about a task that ends meanwhile', () => {
  // The stand-in squeue runs the job script sbatch was given for task 1 (the real grower grows
  // batch 1), then says the task COMPLETED: the task ended after the status read the results and
  // before squeue answered.
  const bin = standIns('slurm-bin', {
    sbatch: `#!/bin/bash\ncp "\${@: -1}" "${dir}/slurm-submitted.sh"\necho "77"\n`,
    squeue: `#!/bin/bash\nif [ ! -e "${dir}/slurm-grown" ]; then touch "${dir}/slurm-grown"; SLURM_ARRAY_TASK_ID=1 bash "${dir}/slurm-submitted.sh" > "${dir}/slurm-task.log" 2>&1; fi\necho "77_1|1|COMPLETED|None"\n`,
    // (submit reads MaxArraySize from scontrol: the real one waits ~9 s for a controller that is
    // not running)
    scontrol: '#!/bin/bash\necho "MaxArraySize            = 1001"\n',
  });

  it('counts its batch done, not "ended COMPLETED without writing the batch\'s result"', async (t) => {
    firstOnPath(t, bin);
    const h = new Harvester(product, join(dir, 'ends-meanwhile.parquet'));
    const crop = h.crop({ numBatches: 1 });
    await crop.sowCombos({ a: [1, 2], b: [10] });
    await crop.submit();
    const status = await crop.status();
    assert.equal(status.batches[0]!.error, null, `${status.batches[0]!.error ?? ''}\n${readFileSync(join(dir, 'slurm-task.log'), 'utf8')}`);
    assert.deepEqual(status.done, [1]);
  });
});
