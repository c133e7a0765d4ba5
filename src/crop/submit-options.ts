/**
 * The options of `crop.submit()` and `crop.renderScript()`: resources of each array task, which
 * batches, and how tasks grow them; checked and normalized once. Times and memory are kept as
 * given where the scheduler takes them as given (`time: '2:30:00'` stays `2:30:00`).
 */
import { HarvestryError } from '../errors.js';
import type { ExecutorKind } from '../execute/run.js';
import { checkOptionNames } from '../runner/options.js';
import { showValue } from '../space/values.js';
import type { SchedulerKind } from './scheduler.js';

/** Which batches to submit. */
export type BatchSelection = 'missing' | 'failed' | readonly number[];

/** Options of `crop.submit()` and `crop.renderScript()`. */
export interface SubmitOptions {
  /**
   * The scheduler.
   * @default 'slurm'
   */
  readonly scheduler?: SchedulerKind;
  /**
   * `'missing'`: batches not done and not queued or running; `'failed'`: failed batches only
   * (to resubmit them alone); or batch numbers.
   * @default 'missing'
   */
  readonly batches?: BatchSelection;
  /**
   * Wall time of each task: a string as the scheduler takes it (`'2:30:00'`, `'90'`,
   * `'1-12:00:00'`; kept as given for SLURM), or a number of minutes.
   */
  readonly time?: string | number;
  /** Memory of each task: `'4G'`, `'500M'`, or a number of GiB. */
  readonly mem?: string | number;
  /** CPUs of each task (also sets OMP_NUM_THREADS and the like). */
  readonly cpus?: number;
  /** The partition (SLURM) or queue (PBS, SGE). */
  readonly partition?: string;
  /** The account (SLURM, PBS) or project (SGE) to charge. */
  readonly account?: string;
  /** The job's name. @default the crop's name */
  readonly jobName?: string;
  /** At most this many tasks of an array running at once (SLURM `%K`, SGE `-tc`, PBS `max_run_subjobs`). */
  readonly maxRunning?: number;
  /**
   * Batches grown by each array task (in one process, one after another).
   * @default 1
   */
  readonly batchesPerTask?: number;
  /** More scheduler directives, one per entry: `'--qos=long'` (the directive prefix is added) or a whole `#SBATCH ...` line. */
  readonly extra?: readonly string[];
  /** Shell lines run before growing (`module load node`, `source env.sh`). */
  readonly setup?: readonly string[];
  /** How each task grows its batches. @default 'inline' */
  readonly executor?: ExecutorKind;
  /** Worker threads or processes of each task (with executor 'pool' or 'subprocess'). */
  readonly numWorkers?: number;
  /**
   * The command that runs harvestry's CLI in a task, instead of the Node binary, options and
   * script of the process that sowed the crop (for example `npx harvestry`).
   */
  readonly launcher?: string;
  /**
   * The scheduler's largest array size (array indices stay below it); arrays past it are split.
   * @default SLURM's MaxArraySize from `scontrol show config`; no limit for PBS and SGE
   */
  readonly maxArraySize?: number;
}

/** Submit options after checking. */
export interface SubmitSpec {
  readonly scheduler: SchedulerKind;
  readonly batches: BatchSelection;
  readonly time: string | null;
  readonly mem: string | null;
  readonly cpus: number | null;
  readonly partition: string | null;
  readonly account: string | null;
  readonly jobName: string | null;
  readonly maxRunning: number | null;
  readonly batchesPerTask: number;
  readonly extra: readonly string[];
  readonly setup: readonly string[];
  readonly executor: ExecutorKind;
  readonly numWorkers: number | null;
  readonly launcher: string | null;
  readonly maxArraySize: number | null;
}

const NAMES = ['scheduler', 'batches', 'time', 'mem', 'cpus', 'partition', 'account', 'jobName', 'maxRunning', 'batchesPerTask', 'extra', 'setup', 'executor', 'numWorkers', 'launcher', 'maxArraySize'];

/** SLURM's time formats: minutes, m:s, h:m:s, d-h, d-h:m, d-h:m:s. */
const SLURM_TIME = /^(\d+|\d+:\d{1,2}|\d+:\d{1,2}:\d{1,2}|\d+-\d+|\d+-\d+:\d{1,2}|\d+-\d+:\d{1,2}:\d{1,2})$/;

/**
 * Checks submit options.
 *
 * @param options - the options
 * @param where - the call, for messages
 */
export function checkSubmitOptions(options: SubmitOptions, where: string): SubmitSpec {
  if (typeof options !== 'object' || (options as unknown) === null) bad(where, 'the options', 'an object', options);
  checkOptionNames(options, NAMES, where);
  const o = options as Record<string, unknown>;
  const scheduler = o.scheduler ?? 'slurm';
  if (scheduler !== 'slurm' && scheduler !== 'pbs' && scheduler !== 'sge') bad(where, 'scheduler', "'slurm', 'pbs' or 'sge'", o.scheduler);
  const batches = o.batches ?? 'missing';
  if (batches !== 'missing' && batches !== 'failed' && !Array.isArray(batches)) bad(where, 'batches', "'missing', 'failed' or an array of batch numbers", batches);
  const time = o.time === undefined ? null : checkTime(o.time, where);
  const mem = o.mem === undefined ? null : checkMem(o.mem, where);
  for (const name of ['cpus', 'maxRunning', 'batchesPerTask', 'numWorkers', 'maxArraySize'] as const) {
    if (o[name] !== undefined && !(Number.isInteger(o[name]) && (o[name] as number) >= 1)) bad(where, name, 'a whole number from 1 up', o[name]);
  }
  for (const name of ['partition', 'account', 'jobName', 'launcher'] as const) {
    if (o[name] !== undefined && !(typeof o[name] === 'string' && o[name] !== '' && !/[\n\r]/.test(o[name]))) bad(where, name, 'a non-empty string on one line', o[name]);
  }
  if (typeof o.partition === 'string' && !/^[\w.,@-]+$/.test(o.partition)) bad(where, 'partition', 'a partition or queue name (letters, digits, _ . , @ -)', o.partition);
  if (typeof o.account === 'string' && !/^[\w.@-]+$/.test(o.account)) bad(where, 'account', 'an account name (letters, digits, _ . @ -)', o.account);
  if (typeof o.jobName === 'string' && !/^[\w.-]+$/.test(o.jobName)) bad(where, 'jobName', 'a job name (letters, digits, _ . -)', o.jobName);
  const lines = (name: 'extra' | 'setup'): string[] => {
    const v = o[name];
    if (v === undefined) return [];
    if (!Array.isArray(v) || !v.every((x) => typeof x === 'string' && !/[\n\r]/.test(x))) bad(where, name, 'an array of one-line strings', v);
    return v as string[];
  };
  const executor = o.executor ?? 'inline';
  if (executor !== 'inline' && executor !== 'pool' && executor !== 'subprocess') bad(where, 'executor', "'inline', 'pool' or 'subprocess'", o.executor);
  if (o.numWorkers !== undefined && executor === 'inline') bad(where, 'numWorkers', "given with executor 'pool' or 'subprocess' (inline runs one case at a time)", o.numWorkers);
  return {
    scheduler,
    batches: batches as BatchSelection,
    time,
    mem,
    cpus: (o.cpus as number | undefined) ?? null,
    partition: (o.partition as string | undefined) ?? null,
    account: (o.account as string | undefined) ?? null,
    jobName: (o.jobName as string | undefined) ?? null,
    maxRunning: (o.maxRunning as number | undefined) ?? null,
    batchesPerTask: (o.batchesPerTask as number | undefined) ?? 1,
    extra: lines('extra'),
    setup: lines('setup'),
    executor,
    numWorkers: (o.numWorkers as number | undefined) ?? null,
    launcher: (o.launcher as string | undefined) ?? null,
    maxArraySize: (o.maxArraySize as number | undefined) ?? null,
  };
}

function checkTime(v: unknown, where: string): string {
  if (typeof v === 'number' && Number.isInteger(v) && v >= 1) return String(v);
  if (typeof v === 'string' && SLURM_TIME.test(v.trim())) return v.trim();
  return bad(where, 'time', "a wall time like '2:30:00', '90' (minutes), '1-12:00:00', or a whole number of minutes", v);
}

function checkMem(v: unknown, where: string): string {
  if (typeof v === 'number' && Number.isFinite(v) && v > 0) return Number.isInteger(v) ? `${v}G` : `${Math.ceil(v * 1024)}M`;
  const m = typeof v === 'string' ? /^(\d+)\s*([KMGT])(?:i?B)?$/i.exec(v.trim()) : null;
  if (m !== null && Number(m[1]) > 0) return `${m[1]}${m[2]!.toUpperCase()}`;
  return bad(where, 'mem', "memory like '4G', '500M' (whole numbers with K, M, G or T), or a number of GiB", v);
}

/**
 * A wall time as H:MM:SS (PBS and SGE). A time given as H:MM:SS is kept exactly as given.
 *
 * @param time - a checked time (SLURM's formats)
 */
export function hoursMinutesSeconds(time: string): string {
  if (/^\d+:\d{1,2}:\d{1,2}$/.test(time)) return time;
  const dash = time.indexOf('-');
  if (dash >= 0) {
    const [h = '0', m = '0', sec = '0'] = time.slice(dash + 1).split(':');
    return `${Number(time.slice(0, dash)) * 24 + Number(h)}:${pad(Number(m))}:${pad(Number(sec))}`;
  }
  const [minutes = 0, seconds = 0] = time.split(':').map(Number);
  return `${Math.floor(minutes / 60)}:${pad(minutes % 60)}:${pad(seconds)}`;
}

function pad(x: number): string {
  return String(x).padStart(2, '0');
}

function bad(where: string, name: string, expected: string, got: unknown): never {
  throw new HarvestryError('E_BAD_OPTION', `Expected \`${name}\` in ${where} to be ${expected}, got ${showValue(got)}.`);
}
