/**
 * Submitting a crop to a cluster scheduler as job arrays: choose the batches, cut them into
 * arrays (split at the scheduler's largest array), render each script into `jobs/`, submit it,
 * and record which array index grows which batches so `status()` can ask the scheduler.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { HarvestryError } from '../errors.js';
import { renderJobScript, type JobScriptSpec } from './job-script.js';
import { planArrays, writeSubmission, type ArrayPlan } from './jobs.js';
import { launcherWords } from './launcher.js';
import { checkBatchNumbers } from './layout.js';
import type { CropManifest, CropPaths } from './manifest.js';
import { slurmMaxArraySize, submitScript } from './scheduler.js';
import type { CropStatus } from './status.js';
import type { SubmitSpec } from './submit-options.js';

/** What a submission did. */
export interface SubmitReport {
  /** The first job's id (null when there was nothing to submit). */
  readonly jobId: string | null;
  /** Every job submitted (arrays past the scheduler's largest array are several jobs). */
  readonly jobIds: readonly string[];
  /** The batches submitted. */
  readonly batches: readonly number[];
  /** The job scripts, under the crop's `jobs/` folder. */
  readonly scripts: readonly string[];
}

/**
 * The batches a submission takes.
 *
 * @param status - the crop's status
 * @param spec - the checked options
 * @param where - the call, for messages
 */
export function selectBatches(status: CropStatus, spec: Pick<SubmitSpec, 'batches'>, where: string): number[] {
  if (spec.batches === 'failed') return [...status.failed];
  if (spec.batches === 'missing') return status.batches.filter((b) => b.state === 'sown' || b.state === 'failed').map((b) => b.batch);
  return checkBatchNumbers(spec.batches, status.numBatches, `\`batches\` in ${where}`);
}

/**
 * The scripts a submission would submit, without submitting (pure but for reading SLURM's
 * largest array size when it is not given).
 *
 * @param paths - the crop's paths
 * @param manifest - its manifest
 * @param batches - the batches to submit
 * @param spec - the checked options
 */
export async function planScripts(paths: CropPaths, manifest: CropManifest, batches: readonly number[], spec: SubmitSpec): Promise<{ plan: ArrayPlan; script: JobScriptSpec }[]> {
  const maxArraySize = spec.maxArraySize ?? (spec.scheduler === 'slurm' ? await slurmMaxArraySize() : Number.MAX_SAFE_INTEGER);
  const plans = planArrays(batches, { scheduler: spec.scheduler, batchesPerTask: spec.batchesPerTask, maxArraySize });
  return plans.map((plan) => ({ plan, script: scriptSpec(paths, manifest, plan, spec) }));
}

/**
 * Submits batches of a crop.
 *
 * @param paths - the crop's paths
 * @param manifest - its manifest
 * @param batches - the batches to submit
 * @param spec - the checked options
 * @returns the jobs submitted
 */
export async function submitCrop(paths: CropPaths, manifest: CropManifest, batches: readonly number[], spec: SubmitSpec): Promise<SubmitReport> {
  if (batches.length === 0) return { jobId: null, jobIds: [], batches: [], scripts: [] };
  const planned = await planScripts(paths, manifest, batches, spec);
  const jobIds: string[] = [];
  const scripts: string[] = [];
  const stamp = new Date().toISOString().replace(/[-:]/g, '').replace(/\..*$/, '');
  for (const [i, { plan, script }] of planned.entries()) {
    const file = join(paths.jobs, `${stamp}-${process.pid}-${i + 1}.sh`);
    writeFileSync(file, renderJobScript(script), { mode: 0o755 });
    let jobId: string;
    try {
      jobId = await submitScript(spec.scheduler, file, manifest.cwd);
    } catch (err) {
      if (jobIds.length > 0 && err instanceof HarvestryError) {
        throw new HarvestryError('E_SUBMIT_FAILED', `${err.message} (jobs ${jobIds.join(', ')} were submitted before it and keep running)`, { cause: err, details: { ...err.details, submitted: jobIds } });
      }
      throw err;
    }
    writeSubmission(paths, { scheduler: spec.scheduler, jobId, submittedAt: new Date().toISOString(), script: file, tasks: plan.tasks });
    jobIds.push(jobId);
    scripts.push(file);
  }
  return { jobId: jobIds[0] ?? null, jobIds, batches: [...batches], scripts };
}

function scriptSpec(paths: CropPaths, manifest: CropManifest, plan: ArrayPlan, spec: SubmitSpec): JobScriptSpec {
  return {
    scheduler: spec.scheduler,
    jobName: spec.jobName ?? manifest.name,
    cropDir: paths.dir,
    cwd: manifest.cwd,
    logs: paths.logs,
    command: spec.launcher ?? launcherWords(manifest.launcher),
    indices: plan.indices,
    tasks: plan.tasks,
    maxRunning: spec.maxRunning,
    time: spec.time,
    mem: spec.mem,
    cpus: spec.cpus,
    partition: spec.partition,
    account: spec.account,
    extra: spec.extra,
    setup: spec.setup,
    growArgs: spec.executor === 'inline' ? [] : ['--executor', spec.executor, ...(spec.numWorkers === null ? [] : ['--workers', String(spec.numWorkers)])],
  };
}
