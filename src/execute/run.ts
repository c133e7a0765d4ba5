/**
 * `executePlan`: runs a plan on the executor its run spec names (`'inline'`, `'pool'` or
 * `'subprocess'`), with the same result from each: chunks handed to `onChunk` as they finish
 * (in any order; each carries its case indices), failures, and why it stopped. Adds what every
 * executor shares: SIGINT stops the run like its AbortSignal, and progress goes to a callback or
 * a bar on stderr.
 */
import { isMainThread } from 'node:worker_threads';
import { availableParallelism } from 'node:os';
import { HarvestryError } from '../errors.js';
import type { AnyFunction, EvalPlan } from './evaluate.js';
import { executeInline, type ExecOptions, type ExecProgress, type ExecResult } from './execute.js';
import { executePool } from './pool-executor.js';
import { startProgressBar } from './progress-bar.js';
import { checkSite, siteOf, type FunctionSite } from './site.js';
import { executeSubprocess } from './subprocess.js';
import { inWorkerImport, stallWorkerImport } from './worker-import.js';

/** True in a process started by tsx's command line (`npx tsx script.ts`), which relays Ctrl-C to it. */
const UNDER_TSX_CLI = process.execArgv.some((a) => /tsx[\\/]dist[\\/]preflight\.c?js$/.test(a));

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
   * Stop the run on SIGINT (Ctrl-C) as its signal would. Repeats within {@link SIGINT_REPEAT_MS}
   * count as the same Ctrl-C (a terminal signals the whole process group, and `tsx` relays it
   * again); a later one ends the running cases at once instead of after the grace period.
   * @default true
   */
  readonly handleSigint?: boolean;
}

/** SIGINTs this close to the first count as one Ctrl-C, in ms. */
export const SIGINT_REPEAT_MS = 1000;

/** How long running cases may go on after an abort before their threads or children are ended, in ms. */
export const ABORT_GRACE_MS = 2000;

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
  const sigint = options.handleSigint !== false && isMainThread ? watchSigint(stopper) : null;
  const cutoff = cutoffOf(signal, sigint);
  try {
    const opts: ExecOptions = { ...options, signal, cutoff: cutoff.signal, ...(onProgress === undefined ? {} : { onProgress }) };
    if (executor.kind === 'inline') return await executeInline(fn, plan, opts);
    const numWorkers = executor.numWorkers ?? availableParallelism();
    const located = { ...opts, site: site as FunctionSite & { readonly url: string } };
    // (not under tsx's command line: it kills a child whose main thread does not answer a Ctrl-C
    // within ~60 ms, which a main thread running cases cannot promise)
    if (executor.kind === 'pool') return await executePool(plan, { ...located, numWorkers, local: UNDER_TSX_CLI ? null : fn });
    return await executeSubprocess(plan, { ...located, executor: { ...executor, numWorkers: executor.numWorkers } });
  } finally {
    cutoff.dispose();
    sigint?.dispose();
    bar?.stop();
  }
}

/** Ctrl-C during a run. */
interface SigintWatch {
  /** Aborted at a second Ctrl-C (one that is not a repeat of the first). */
  readonly force: AbortSignal;
  /** Stops listening (after a short while if a Ctrl-C just came, so its repeats are absorbed). */
  dispose(): void;
}

/**
 * Listens for SIGINT for the whole run: the first aborts `stopper`; repeats within
 * {@link SIGINT_REPEAT_MS} are the same Ctrl-C (kept from Node's default, which would exit
 * with the finished results uncommitted); a later one aborts `force`.
 */
function watchSigint(stopper: AbortController): SigintWatch {
  const force = new AbortController();
  let first: number | null = null;
  let last = 0;
  const onSigint = (): void => {
    const now = performance.now();
    last = now;
    if (first === null) {
      first = now;
      stopper.abort(new HarvestryError('E_ABORTED', 'The run was stopped by Ctrl-C (SIGINT).'));
    } else if (now - first > SIGINT_REPEAT_MS) force.abort();
  };
  process.on('SIGINT', onSigint);
  return {
    force: force.signal,
    dispose: () => {
      const left = first === null ? 0 : SIGINT_REPEAT_MS - (performance.now() - last);
      if (left <= 0) {
        process.off('SIGINT', onSigint);
        return;
      }
      // A repeat of this Ctrl-C may still be on its way (tsx relays it when we were busy).
      setTimeout(() => process.off('SIGINT', onSigint), left).unref();
    },
  };
}

/**
 * The signal that ends running cases: {@link ABORT_GRACE_MS} after `signal` aborts, or at once
 * on a second Ctrl-C.
 */
function cutoffOf(signal: AbortSignal, sigint: SigintWatch | null): { signal: AbortSignal; dispose(): void } {
  const cut = new AbortController();
  let timer: NodeJS.Timeout | null = null;
  const onAbort = (): void => {
    timer = setTimeout(() => {
      cut.abort();
    }, ABORT_GRACE_MS);
  };
  const onForce = (): void => {
    cut.abort();
  };
  if (signal.aborted) onAbort();
  else signal.addEventListener('abort', onAbort, { once: true });
  sigint?.force.addEventListener('abort', onForce, { once: true });
  return {
    signal: cut.signal,
    dispose: () => {
      if (timer !== null) clearTimeout(timer);
      signal.removeEventListener('abort', onAbort);
      sigint?.force.removeEventListener('abort', onForce);
    },
  };
}
