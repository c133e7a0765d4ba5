/**
 * `executePlan`: runs a plan on the executor its run spec names (`'inline'`, `'pool'` or
 * `'subprocess'`), with the same result from each: chunks handed to `onChunk` as they finish
 * (in any order; each carries its case indices), failures, and why it stopped. Adds what every
 * executor shares: SIGINT stops the run like its AbortSignal, and progress goes to a callback or
 * a bar on stderr.
 */
import { isMainThread } from 'node:worker_threads';
import { availableParallelism } from 'node:os';
import type { AnyFunction, EvalPlan } from './evaluate.js';
import { executeInline, type ExecOptions, type ExecProgress, type ExecResult } from './execute.js';
import { executePool } from './pool-executor.js';
import { startProgressBar } from './progress-bar.js';
import { checkSite, siteOf, type FunctionSite } from './site.js';
import { executeSubprocess } from './subprocess.js';
import { inWorkerImport, stallWorkerImport } from './worker-import.js';

/** Where cases run. */
export type ExecutorKind = 'inline' | 'pool' | 'subprocess';

/** The executor of a run, checked. */
export interface ExecutorSpec {
  readonly kind: ExecutorKind;
  /** Threads (pool) or child processes at once (subprocess); null = the number of CPU cores. */
  readonly numWorkers: number | null;
  /** Subprocess: the value of OMP_NUM_THREADS and the like in each child, or null to leave them. */
  readonly numThreads: number | null;
  /** Subprocess: CPU ids to pin children to (one child per entry at a time), or null. */
  readonly affinities: readonly number[] | null;
  /** Subprocess: GPU ids for CUDA_VISIBLE_DEVICES (one child per entry at a time), or null. */
  readonly gpus: readonly string[] | null;
  /** Subprocess: cases per child process, or null to split the run evenly over the children. */
  readonly batchSize: number | null;
}

/** The inline executor, with nothing else set. */
export const INLINE: ExecutorSpec = { kind: 'inline', numWorkers: null, numThreads: null, affinities: null, gpus: null, batchSize: null };

/** How to run a plan: the executor, progress reporting, and the options of every executor. */
export interface PlanOptions extends ExecOptions {
  /** @default the inline executor */
  readonly executor?: ExecutorSpec;
  /** `'bar'` draws a bar on stderr; a callback is told of progress; null for neither. */
  readonly progress?: 'bar' | ((p: ExecProgress) => void) | null;
  /** Where workers find the function (default: where it was labelled). */
  readonly site?: FunctionSite | null;
  /**
   * Stop the run on SIGINT (Ctrl-C) as its signal would; a second SIGINT is left to the
   * process's other handlers (by default, exit).
   * @default true
   */
  readonly handleSigint?: boolean;
}

/**
 * Runs a plan on the executor of `options.executor`.
 *
 * @param fn - the labelled function
 * @param plan - the plan
 * @param options - executor, order, signal, callbacks
 * @returns the chunks, failures and why the run stopped early (if it did)
 */
export async function executePlan(fn: AnyFunction, plan: EvalPlan, options: PlanOptions = {}): Promise<ExecResult> {
  // A worker importing the module that started this run: never run (nor settle) it there.
  if (inWorkerImport()) return stallWorkerImport();
  const executor = options.executor ?? INLINE;
  const site = executor.kind === 'inline' ? null : (options.site ?? siteOf(fn));
  if (executor.kind !== 'inline') checkSite(site, executor.kind);
  const stopper = new AbortController();
  const signals = [stopper.signal, ...(options.signal ? [options.signal] : [])];
  const signal = signals.length === 1 ? stopper.signal : AbortSignal.any(signals);
  const bar = options.progress === 'bar' ? startProgressBar() : null;
  const callback = typeof options.progress === 'function' ? options.progress : null;
  const given = options.onProgress;
  const onProgress = bar === null && callback === null ? given : (p: ExecProgress) => {
    bar?.update(p);
    callback?.(p);
    given?.(p);
  };
  const onSigint = (): void => {
    process.off('SIGINT', onSigint);
    stopper.abort(new Error('SIGINT'));
  };
  const sigint = options.handleSigint !== false && isMainThread;
  if (sigint) process.on('SIGINT', onSigint);
  try {
    const opts: ExecOptions = { ...options, signal, ...(onProgress === undefined ? {} : { onProgress }) };
    if (executor.kind === 'inline') return await executeInline(fn, plan, opts);
    const numWorkers = executor.numWorkers ?? availableParallelism();
    const located = { ...opts, site: site as FunctionSite & { readonly url: string } };
    if (executor.kind === 'pool') return await executePool(plan, { ...located, numWorkers, local: fn });
    return await executeSubprocess(plan, { ...located, executor: { ...executor, numWorkers: executor.numWorkers } });
  } finally {
    if (sigint) process.off('SIGINT', onSigint);
    bar?.stop();
  }
}
