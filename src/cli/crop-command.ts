/**
 * `harvestry crop status|grow|reap|submit <crop-dir>`: a crop looked after from the command
 * line (and by cluster tasks: `crop grow <dir> --batch <k>`).
 */
import { parseArgs } from 'node:util';
import { openCropForCli } from '../crop/crop.js';
import { formatBatchList, parseBatchList } from '../crop/layout.js';
import { renderCropStatus } from '../crop/status.js';
import type { SubmitOptions } from '../crop/submit-options.js';
import { HarvestryError } from '../errors.js';
import type { ExecutorKind } from '../execute/run.js';
import { EXIT_CODES, renderCommandHelp } from './help.js';
import { relaunchUnderCropLauncher } from './relaunch.js';
import type { CliIo } from './main.js';

const SUBCOMMANDS = ['status', 'grow', 'reap', 'submit'];

/**
 * Runs `harvestry crop ...`.
 *
 * @param args - the arguments after `crop`
 * @param io - where to print
 * @returns the exit code
 */
export async function runCropCommand(args: readonly string[], io: CliIo): Promise<number> {
  const [sub, ...rest] = args;
  if (sub === undefined || !SUBCOMMANDS.includes(sub)) {
    io.err(`harvestry crop: expected one of ${SUBCOMMANDS.join(', ')}${sub === undefined ? '' : `, got ${JSON.stringify(sub)}`}.\n\n${renderCommandHelp('crop')}`);
    return EXIT_CODES.usage;
  }
  switch (sub) {
    case 'status':
      return status(rest, io);
    case 'grow':
      return grow(rest, io);
    case 'reap':
      return reap(rest, io);
    default:
      return submit(rest, io);
  }
}

async function status(args: readonly string[], io: CliIo): Promise<number> {
  const { values, dir } = parse(args, 'status', { json: { type: 'boolean' }, 'no-scheduler': { type: 'boolean' } });
  const s = await openCropForCli(dir).status({ scheduler: values['no-scheduler'] !== true });
  io.out(values.json === true ? JSON.stringify(s, null, 2) : renderCropStatus(s));
  return EXIT_CODES.ok;
}

async function grow(args: readonly string[], io: CliIo): Promise<number> {
  const { values, dir } = parse(args, 'grow', {
    batch: { type: 'string', multiple: true },
    failed: { type: 'boolean' },
    executor: { type: 'string' },
    workers: { type: 'string' },
  });
  if (values.batch !== undefined && values.failed === true) throw usage('grow', 'give --batch or --failed, not both');
  const relaunched = await relaunchUnderCropLauncher(dir, ['crop', 'grow', ...args]);
  if (relaunched !== null) return relaunched;
  const crop = openCropForCli(dir);
  const n = crop.manifest!.layout.numBatches;
  const batches = values.batch !== undefined ? parseBatchList(values.batch.join(','), n, '--batch') : values.failed === true ? 'failed' : 'missing';
  const report = await crop.grow({ batches, ...executorOptions(values.executor, values.workers, 'grow'), progress: false });
  if (report.grown.length > 0) io.out(`crop ${crop.name}: grew batch${report.grown.length === 1 ? '' : 'es'} ${formatBatchList([...report.grown].sort((a, b) => a - b))} in ${(report.elapsedMs / 1000).toFixed(1)} s`);
  if (report.skipped.length > 0) io.out(`crop ${crop.name}: left batch${report.skipped.length === 1 ? '' : 'es'} ${formatBatchList([...report.skipped].sort((a, b) => a - b))} to other growers`);
  if (report.grown.length === 0 && report.failed.length === 0 && report.skipped.length === 0) io.out(`crop ${crop.name}: nothing to grow`);
  for (const f of report.failed) io.err(`crop ${crop.name}: batch ${f.batch} failed: ${f.message}`);
  return report.failed.length > 0 || report.unfinished.length > 0 ? EXIT_CODES.incomplete : EXIT_CODES.ok;
}

async function reap(args: readonly string[], io: CliIo): Promise<number> {
  const { values, dir } = parse(args, 'reap', {
    'allow-incomplete': { type: 'boolean' },
    keep: { type: 'boolean' },
    overwrite: { type: 'boolean' },
    'keep-old': { type: 'boolean' },
  });
  if (values.overwrite === true && values['keep-old'] === true) throw usage('reap', 'give --overwrite or --keep-old, not both');
  const relaunched = await relaunchUnderCropLauncher(dir, ['crop', 'reap', ...args]);
  if (relaunched !== null) return relaunched;
  const crop = openCropForCli(dir);
  const dataset = crop.manifest!.dataset;
  try {
    const r = await crop.reap({
      allowIncomplete: values['allow-incomplete'] === true,
      ...(values.keep === true ? { clean: false } : {}),
      overwrite: values.overwrite === true ? true : values['keep-old'] === true ? false : null,
    });
    const into = dataset === null ? '' : ` into ${dataset} (${r.rows} rows written)`;
    io.out(`crop ${crop.name}: reaped ${r.batches.length} batch${r.batches.length === 1 ? '' : 'es'}${into}${r.missing.length > 0 ? `; left out ${formatBatchList(r.missing)}` : ''}${r.cleaned ? '; crop removed' : ''}`);
    return EXIT_CODES.ok;
  } catch (err) {
    if (err instanceof HarvestryError && err.code === 'E_CROP_INCOMPLETE') {
      io.err(`${err.message} [${err.code}]`);
      return EXIT_CODES.incomplete;
    }
    throw err;
  }
}

async function submit(args: readonly string[], io: CliIo): Promise<number> {
  const { values, dir } = parse(args, 'submit', {
    scheduler: { type: 'string' },
    batches: { type: 'string' },
    time: { type: 'string' },
    mem: { type: 'string' },
    cpus: { type: 'string' },
    partition: { type: 'string' },
    account: { type: 'string' },
    'max-running': { type: 'string' },
    'batches-per-task': { type: 'string' },
    extra: { type: 'string', multiple: true },
    setup: { type: 'string', multiple: true },
    executor: { type: 'string' },
    workers: { type: 'string' },
    launcher: { type: 'string' },
    'dry-run': { type: 'boolean' },
  });
  const crop = openCropForCli(dir);
  const n = crop.manifest!.layout.numBatches;
  const which = values.batches;
  const options: SubmitOptions = {
    ...(values.scheduler === undefined ? {} : { scheduler: values.scheduler as never }),
    ...(which === undefined ? {} : { batches: which === 'missing' || which === 'failed' ? which : parseBatchList(which, n, '--batches') }),
    ...(values.time === undefined ? {} : { time: values.time }),
    ...(values.mem === undefined ? {} : { mem: values.mem }),
    ...count('cpus', values.cpus, 'submit'),
    ...(values.partition === undefined ? {} : { partition: values.partition }),
    ...(values.account === undefined ? {} : { account: values.account }),
    ...count('maxRunning', values['max-running'], 'submit'),
    ...count('batchesPerTask', values['batches-per-task'], 'submit'),
    ...(values.extra === undefined ? {} : { extra: values.extra }),
    ...(values.setup === undefined ? {} : { setup: values.setup }),
    ...(values.launcher === undefined ? {} : { launcher: values.launcher }),
    ...executorOptions(values.executor, values.workers, 'submit'),
  };
  if (values['dry-run'] === true) {
    io.out(await crop.renderScript(options));
    return EXIT_CODES.ok;
  }
  const r = await crop.submit(options);
  if (r.jobIds.length === 0) io.out(`crop ${crop.name}: nothing to submit (every batch is done, queued or running)`);
  else io.out(`crop ${crop.name}: submitted batch${r.batches.length === 1 ? '' : 'es'} ${formatBatchList(r.batches)} as job${r.jobIds.length === 1 ? '' : 's'} ${r.jobIds.join(', ')} (script${r.scripts.length === 1 ? '' : 's'} ${r.scripts.join(', ')})`);
  return EXIT_CODES.ok;
}

type Spec = NonNullable<Parameters<typeof parseArgs>[0]>['options'];

function parse<O extends Spec>(args: readonly string[], sub: string, options: O): { values: ReturnType<typeof parseArgs<{ args: string[]; options: O; allowPositionals: true }>>['values']; dir: string } {
  const { values, positionals } = parseArgs({ args: [...args], options, allowPositionals: true });
  if (positionals.length !== 1) throw usage(sub, `expected one crop folder, got ${positionals.length}`);
  return { values, dir: positionals[0]! };
}

function executorOptions(executor: string | undefined, workers: string | undefined, sub: string): { executor?: ExecutorKind; numWorkers?: number } {
  if (executor !== undefined && !['inline', 'pool', 'subprocess'].includes(executor)) throw usage(sub, `--executor must be inline, pool or subprocess, got ${JSON.stringify(executor)}`);
  return { ...(executor === undefined ? {} : { executor: executor as ExecutorKind }), ...count('numWorkers', workers, sub) };
}

function count(name: string, raw: string | undefined, sub: string): Record<string, number> {
  if (raw === undefined) return {};
  if (!/^[1-9]\d*$/.test(raw)) throw usage(sub, `--${name.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`).replace('num-workers', 'workers')} must be a whole number from 1 up, got ${JSON.stringify(raw)}`);
  return { [name]: Number(raw) };
}

/** A usage error of a crop subcommand (exit code 2). */
export class CropUsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'CropUsageError';
  }
}

function usage(sub: string, message: string): CropUsageError {
  return new CropUsageError(`harvestry crop ${sub}: ${message}.`);
}
