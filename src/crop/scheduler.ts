/**
 * Talking to cluster schedulers: submit a job script (`sbatch` for SLURM, `qsub` for PBS and
 * SGE), ask SLURM about array tasks (`squeue`) and its largest array (`scontrol show config`).
 * The only file that runs scheduler commands. Commands run without NODE_TEST_CONTEXT (sbatch
 * exports the environment into jobs, and a job must not think it runs under `node --test`).
 */
import { execFile } from 'node:child_process';
import { HarvestryError } from '../errors.js';

/** The schedulers harvestry writes job scripts for. */
export type SchedulerKind = 'slurm' | 'pbs' | 'sge';

/** One array task as SLURM reports it. */
export interface SlurmTask {
  /** The array index. */
  readonly index: number;
  /** SLURM's state: PENDING, RUNNING, COMPLETED, FAILED, CANCELLED, TIMEOUT... */
  readonly state: string;
  /** SLURM's reason (why pending, or why it ended). */
  readonly reason: string;
}

interface CommandResult {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
  readonly missing: boolean;
}

/**
 * Runs a scheduler command and returns what it printed (never throws for a non-zero exit).
 *
 * @param cmd - the command
 * @param args - its arguments
 * @param cwd - where to run it
 */
export function runCommand(cmd: string, args: readonly string[], cwd?: string): Promise<CommandResult> {
  const env = { ...process.env };
  delete env.NODE_TEST_CONTEXT;
  return new Promise((resolve) => {
    execFile(cmd, [...args], { cwd, env, encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 }, (err, stdout, stderr) => {
      const e = err as (NodeJS.ErrnoException & { code?: number | string }) | null;
      resolve({ code: e === null ? 0 : typeof e.code === 'number' ? e.code : null, stdout, stderr, missing: e?.code === 'ENOENT' });
    });
  });
}

/**
 * Submits a job script and returns the job id; a refusal is an E_SUBMIT_FAILED error carrying
 * the scheduler's own message.
 *
 * @param scheduler - which scheduler
 * @param script - the path of the job script
 * @param cwd - where to submit from
 */
export async function submitScript(scheduler: SchedulerKind, script: string, cwd: string): Promise<string> {
  const cmd = scheduler === 'slurm' ? 'sbatch' : 'qsub';
  const r = await runCommand(cmd, scheduler === 'slurm' ? ['--parsable', script] : [script], cwd);
  if (r.missing) {
    throw new HarvestryError('E_SUBMIT_FAILED', `Cannot submit to ${scheduler.toUpperCase()}: \`${cmd}\` is not on PATH. Submit from a machine of the cluster, or grow the crop here (crop.grow()).`, { details: { script } });
  }
  const out = r.stdout.trim();
  const id = scheduler === 'slurm' ? out.split(';')[0]!.trim() : out.split(/\s+/).find((w) => /^\d+/.test(w)) ?? out;
  if (r.code !== 0 || id === '' || !/^\d/.test(id)) {
    const said = (r.stderr.trim() || out || `exit code ${String(r.code)}`).split('\n').slice(-5).join('\n');
    throw new HarvestryError('E_SUBMIT_FAILED', `${cmd} refused the job script ${script}: ${said}`, { details: { script, stderr: r.stderr, stdout: r.stdout, exitCode: r.code } });
  }
  return scheduler === 'slurm' ? id : id.replace(/^(\d+(?:\[\])?)(\..*)?$/, '$1');
}

/**
 * The array tasks of a SLURM job (finished ones too, while SLURM remembers them), or null when
 * SLURM no longer knows the job.
 *
 * @param jobId - the array job's id
 * @returns the tasks by index, or null
 */
export async function slurmTasks(jobId: string): Promise<Map<number, SlurmTask> | null> {
  const r = await runCommand('squeue', ['-h', '-r', '-t', 'all', '-j', jobId, '-o', '%i|%K|%T|%r']);
  if (r.missing) throw new HarvestryError('E_SUBMIT_FAILED', 'Cannot ask SLURM about the crop\'s jobs: `squeue` is not on PATH.');
  if (r.code !== 0) {
    if (/invalid job id/i.test(r.stderr)) return null;
    throw new HarvestryError('E_SUBMIT_FAILED', `squeue failed for job ${jobId}: ${r.stderr.trim() || `exit code ${String(r.code)}`}`);
  }
  const out = new Map<number, SlurmTask>();
  for (const line of r.stdout.split('\n')) {
    const [, index, state, reason] = line.trim().split('|');
    const k = Number(index);
    if (state !== undefined && Number.isInteger(k)) out.set(k, { index: k, state, reason: reason ?? '' });
  }
  return out.size === 0 ? null : out;
}

/**
 * SLURM's MaxArraySize: array indices must be below it.
 *
 * @returns the value (SLURM's default, 1001, when it cannot be read)
 */
export async function slurmMaxArraySize(): Promise<number> {
  const r = await runCommand('scontrol', ['show', 'config']);
  const m = /^\s*MaxArraySize\s*=\s*(\d+)/m.exec(r.stdout);
  return m === null ? 1001 : Number(m[1]);
}
