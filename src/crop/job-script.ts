/**
 * Job-array scripts for SLURM, PBS and SGE, rendered by one pure function from plain data
 * (snapshot-tested and checked with `bash -n`). Each array task works out its batches from its
 * array index and runs `harvestry crop grow <crop> --batch <k>`.
 */
import type { TaskMap } from './jobs.js';
import { formatBatchList } from './layout.js';
import type { SchedulerKind } from './scheduler.js';
import { hoursMinutesSeconds } from './submit-options.js';

/** Everything a job script says, in plain data. */
export interface JobScriptSpec {
  readonly scheduler: SchedulerKind;
  readonly jobName: string;
  /** The crop's folder (absolute). */
  readonly cropDir: string;
  /** Where tasks start (the directory the crop was sown from). */
  readonly cwd: string;
  /** The folder of per-task logs. */
  readonly logs: string;
  /** The command that runs harvestry's CLI: shell words (quoted here), or one shell string used as is. */
  readonly command: readonly string[] | string;
  /** The array indices and the batches each grows. */
  readonly indices: readonly number[];
  readonly tasks: TaskMap;
  readonly maxRunning: number | null;
  readonly time: string | null;
  readonly mem: string | null;
  readonly cpus: number | null;
  readonly partition: string | null;
  readonly account: string | null;
  readonly extra: readonly string[];
  readonly setup: readonly string[];
  /** More arguments of `crop grow` (executor, workers). */
  readonly growArgs: readonly string[];
}

const PREFIX: Record<SchedulerKind, string> = { slurm: '#SBATCH', pbs: '#PBS', sge: '#$' };
const INDEX: Record<SchedulerKind, string> = { slurm: 'SLURM_ARRAY_TASK_ID', pbs: 'PBS_ARRAY_INDEX', sge: 'SGE_TASK_ID' };
const THREAD_VARIABLES = ['OMP_NUM_THREADS', 'MKL_NUM_THREADS', 'OPENBLAS_NUM_THREADS', 'NUMEXPR_NUM_THREADS'];

/**
 * Renders a job-array script.
 *
 * @param spec - the script's contents
 * @returns the script's text
 * @example
 * ```ts
 * const text = crop.renderScript({ scheduler: 'slurm', time: '2:30:00', mem: '2G' });
 * ```
 */
export function renderJobScript(spec: JobScriptSpec): string {
  const p = PREFIX[spec.scheduler];
  const single = spec.indices.length === 1 && spec.scheduler === 'pbs';
  const lines = ['#!/bin/bash', ...header(spec, single).map((d) => `${p} ${d}`), ...spec.extra.map((e) => (e.startsWith('#') ? e : `${p} ${e}`))];
  const batches = formatBatchList(spec.tasks.kind === 'offset' ? spec.tasks.batches : spec.tasks.groups.flat());
  lines.push(
    '',
    `# harvestry crop ${spec.jobName}: ${spec.indices.length} array task${spec.indices.length === 1 ? '' : 's'} growing batch${batches.includes(',') || batches.includes('-') ? 'es' : ''} ${batches}`,
    'set -eu',
    `cd ${quote(spec.cwd)}`,
  );
  if (spec.cpus !== null) lines.push(...THREAD_VARIABLES.map((v) => `export ${v}=${spec.cpus}`));
  lines.push(...spec.setup);
  const index = single ? String(spec.indices[0]) : `$${INDEX[spec.scheduler]}`;
  if (spec.tasks.kind === 'offset') {
    lines.push(spec.tasks.offset === 0 ? `batch=${single ? index : `"${index}"`}` : `batch=$((${single ? index : INDEX[spec.scheduler]} + ${spec.tasks.offset}))`);
  } else {
    lines.push(`groups=(${spec.tasks.groups.map((g) => formatBatchList(g)).join(' ')})`, `batch="\${groups[$((${single ? index : INDEX[spec.scheduler]} - 1))]}"`);
  }
  const command = typeof spec.command === 'string' ? spec.command : spec.command.map(quote).join(' ');
  lines.push(`exec ${command} crop grow ${quote(spec.cropDir)} --batch "$batch"${spec.growArgs.length > 0 ? ` ${spec.growArgs.map(quote).join(' ')}` : ''}`, '');
  return lines.join('\n');
}

function header(spec: JobScriptSpec, single: boolean): string[] {
  const array = arraySpec(spec.indices, spec.scheduler);
  switch (spec.scheduler) {
    case 'slurm':
      return [
        `--job-name=${spec.jobName}`,
        `--array=${array}${spec.maxRunning === null ? '' : `%${spec.maxRunning}`}`,
        `--output=${quoteDirective(`${spec.logs}/%A_%a.out`)}`,
        ...(spec.time === null ? [] : [`--time=${spec.time}`]),
        ...(spec.cpus === null ? [] : [`--cpus-per-task=${spec.cpus}`]),
        ...(spec.mem === null ? [] : [`--mem=${spec.mem}`]),
        ...(spec.partition === null ? [] : [`--partition=${spec.partition}`]),
        ...(spec.account === null ? [] : [`--account=${spec.account}`]),
      ];
    case 'pbs': {
      const select = [`select=1`, `ncpus=${spec.cpus ?? 1}`, ...(spec.mem === null ? [] : [`mem=${spec.mem.toLowerCase()}b`])].join(':');
      return [
        `-N ${spec.jobName}`,
        ...(single ? [] : [`-J ${array}`]),
        ...(spec.maxRunning === null || single ? [] : [`-W max_run_subjobs=${spec.maxRunning}`]),
        `-l ${select}`,
        ...(spec.time === null ? [] : [`-l walltime=${hoursMinutesSeconds(spec.time)}`]),
        `-o ${quoteDirective(`${spec.logs}/`)}`,
        '-j oe',
        ...(spec.partition === null ? [] : [`-q ${spec.partition}`]),
        ...(spec.account === null ? [] : [`-A ${spec.account}`]),
      ];
    }
    case 'sge':
      return [
        '-S /bin/bash',
        `-N ${spec.jobName}`,
        `-t ${array}`,
        ...(spec.maxRunning === null ? [] : [`-tc ${spec.maxRunning}`]),
        ...(spec.time === null ? [] : [`-l h_rt=${hoursMinutesSeconds(spec.time)}`]),
        ...(spec.mem === null ? [] : [`-l mem=${spec.mem}`]),
        ...(spec.cpus === null ? [] : [`-pe smp ${spec.cpus}`]),
        `-o ${quoteDirective(`${spec.logs}/`)}`,
        '-j y',
        ...(spec.partition === null ? [] : [`-q ${spec.partition}`]),
        ...(spec.account === null ? [] : [`-P ${spec.account}`]),
      ];
  }
}

/** The array indices as the scheduler takes them: a list of ranges (SLURM) or one range (PBS, SGE). */
function arraySpec(indices: readonly number[], scheduler: SchedulerKind): string {
  if (scheduler === 'slurm') return formatBatchList(indices);
  return `${indices[0]}-${indices[indices.length - 1]}`;
}

/**
 * A word for the shell: as is when it is safe, else in single quotes.
 *
 * @param word - the word
 */
export function quote(word: string): string {
  return /^[\w@%+=:,./-]+$/.test(word) ? word : `'${word.replaceAll("'", `'\\''`)}'`;
}

/** A path in a scheduler directive (not parsed by the shell): quoted only when it has spaces. */
function quoteDirective(path: string): string {
  return /\s/.test(path) ? `"${path}"` : path;
}
