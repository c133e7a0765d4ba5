/**
 * Scheduler submissions of a crop: which array indices grow which batches (`jobs/<id>.json`),
 * and how a crop's batches are cut into job arrays: one array task per batch (the array index
 * is the batch number, less an offset when arrays must be split at the scheduler's largest
 * index) or per group of batches (the index picks a group from a table in the script).
 */
import { join } from 'node:path';
import { listDir, readJson, writeJsonAtomic } from './files.js';
import type { CropPaths } from './manifest.js';
import type { SchedulerKind } from './scheduler.js';

/** Which batches each array index of a submission grows. */
export type TaskMap =
  /** Index `i` grows batch `i + offset`; `batches` lists them all. */
  | { readonly kind: 'offset'; readonly offset: number; readonly batches: readonly number[] }
  /** Index `i` (from 1) grows the batches `groups[i - 1]`. */
  | { readonly kind: 'groups'; readonly groups: readonly (readonly number[])[] };

/** One job array to submit: its indices and what they grow. */
export interface ArrayPlan {
  readonly indices: readonly number[];
  readonly tasks: TaskMap;
}

/** A submission, as `jobs/<id>.json` records it. */
export interface Submission {
  readonly scheduler: SchedulerKind;
  readonly jobId: string;
  readonly submittedAt: string;
  readonly script: string;
  readonly tasks: TaskMap;
}

/**
 * Cuts batches into job arrays. With one batch per task, array indices are batch numbers
 * (less an offset when the batches go past `maxArraySize - 1`, the largest index allowed); a
 * scheduler whose arrays are ranges only (PBS, SGE) gets a table of batches for batches that
 * are not consecutive. With several batches per task, indices count the groups from 1.
 *
 * @param batches - the batches, ascending
 * @param options - the scheduler, batches per task, and the largest array size
 * @returns one plan per array to submit
 * @example
 * ```ts
 * planArrays([1, 2, 3, 4, 5], { scheduler: 'slurm', batchesPerTask: 1, maxArraySize: 4 });
 * // [{ indices: [1, 2, 3], offset 0 }, { indices: [1, 2], offset 3 }]
 * ```
 */
export function planArrays(batches: readonly number[], options: { readonly scheduler: SchedulerKind; readonly batchesPerTask: number; readonly maxArraySize: number }): ArrayPlan[] {
  const { scheduler, batchesPerTask, maxArraySize } = options;
  const maxIndex = Math.max(1, maxArraySize - 1);
  const consecutive = batches.every((b, i) => i === 0 || b === batches[i - 1]! + 1);
  if (batchesPerTask === 1 && (scheduler === 'slurm' || consecutive)) {
    if (batches.length > 0 && batches[batches.length - 1]! <= maxIndex) return [{ indices: batches, tasks: { kind: 'offset', offset: 0, batches } }];
    const out: ArrayPlan[] = [];
    for (let i = 0; i < batches.length; ) {
      const offset = batches[i]! - 1;
      let j = i;
      while (j + 1 < batches.length && batches[j + 1]! - offset <= maxIndex) j++;
      const part = batches.slice(i, j + 1);
      out.push({ indices: part.map((b) => b - offset), tasks: { kind: 'offset', offset, batches: part } });
      i = j + 1;
    }
    return out;
  }
  const groups: number[][] = [];
  for (let i = 0; i < batches.length; i += batchesPerTask) groups.push(batches.slice(i, i + batchesPerTask));
  const out: ArrayPlan[] = [];
  for (let i = 0; i < groups.length; i += maxIndex) {
    const part = groups.slice(i, i + maxIndex);
    out.push({ indices: part.map((_, k) => k + 1), tasks: { kind: 'groups', groups: part } });
  }
  return out;
}

/**
 * Every array index of a submission with its batches.
 *
 * @param tasks - the submission's task map
 */
export function tasksOf(tasks: TaskMap): [number, readonly number[]][] {
  return tasks.kind === 'groups' ? tasks.groups.map((g, i) => [i + 1, g]) : tasks.batches.map((b) => [b - tasks.offset, [b]]);
}

/**
 * Records a submission.
 *
 * @param paths - the crop's paths
 * @param submission - the submission
 */
export function writeSubmission(paths: CropPaths, submission: Submission): void {
  writeJsonAtomic(join(paths.jobs, `${submission.jobId}.json`), submission);
}

/**
 * The crop's submissions, oldest first.
 *
 * @param paths - the crop's paths
 */
export function readSubmissions(paths: CropPaths): Submission[] {
  const out: Submission[] = [];
  for (const name of listDir(paths.jobs)) {
    if (!name.endsWith('.json')) continue;
    const s = readJson(join(paths.jobs, name)) as Submission | null;
    if (s !== null && typeof s.jobId === 'string') out.push(s);
  }
  return out.sort((a, b) => a.submittedAt.localeCompare(b.submittedAt));
}
