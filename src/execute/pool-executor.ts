/**
 * The `'pool'` executor: a run's positions cut into tasks ({@link ChunkScheduler}) and run on
 * the worker pool, at most one task per thread at a time; chunks are handed on as they finish.
 * A thread that dies is replaced (by piscina); the cases of its task are run again one per task,
 * so only the case that kills a thread counts as failed. With `timeoutMs`, a thread whose case
 * runs past it is ended (and replaced): that case fails with E_CASE_TIMEOUT and the rest of its
 * task runs again. After an abort, threads still running a case when the grace period is over
 * (`cutoff`) are ended.
 */
import { randomUUID } from 'node:crypto';
import { HarvestryError } from '../errors.js';
import { timeoutError, type EvalPlan } from './evaluate.js';
import type { ExecOptions, ExecResult } from './execute.js';
import { leasePool, newCaseClock, readCaseClock } from './pool.js';
import { RunState } from './run-state.js';
import { ChunkScheduler, type Span } from './schedule.js';
import type { FunctionSite } from './site.js';
import { chunkFromWire, errorFromWire, sharePlan } from './wire.js';

/** Options of a pool run. */
export interface PoolRunOptions extends ExecOptions {
  /** Where the threads find the labelled function. */
  readonly site: FunctionSite & { readonly url: string };
  /** The number of threads. */
  readonly numWorkers: number;
}

/**
 * Runs a plan on the worker pool.
 *
 * @param plan - the plan
 * @param options - the site of the function, the number of threads, order, signal, callbacks
 */
export async function executePool(plan: EvalPlan, options: PoolRunOptions): Promise<ExecResult> {
  const state = new RunState(plan, options);
  const { numWorkers } = options;
  const pool = leasePool(numWorkers);
  const sched = new ChunkScheduler(state.total, numWorkers);
  const stopFlag = new Int32Array(new SharedArrayBuffer(4));
  state.whenHalted(() => Atomics.store(stopFlag, 0, 1));
  const shared = sharePlan(plan, options.order ?? null);
  const runKey = randomUUID();
  const budgetMs = Math.max(50, Math.min(options.flushMs ?? 2000, 2000));
  const raise = plan.onError === 'raise';
  const timeoutMs = plan.timeoutMs ?? null;
  const running = new Set<Running>();
  let inflight = 0;
  let deathsInARow = 0;
  const endAll = (): void => {
    for (const r of running) r.end.abort();
  };
  const cutoff = options.cutoff ?? null;
  if (cutoff?.aborted === true) endAll();
  else cutoff?.addEventListener('abort', endAll, { once: true });
  // A thread whose case is past timeoutMs (and did not fail it itself: a synchronous loop) is ended.
  const watch = timeoutMs === null ? null : setInterval(() => {
    const now = performance.timeOrigin + performance.now();
    for (const r of running) {
      const at = r.clock === null ? null : readCaseClock(r.clock);
      if (at !== null && r.timedOut === null && now - at.since > timeoutMs + TIMEOUT_SLACK_MS) {
        r.timedOut = at.pos;
        r.end.abort();
      }
    }
  }, Math.min(100, Math.max(10, timeoutMs / 4)));

  await new Promise<void>((resolve) => {
    const launch = (): void => {
      while (inflight < numWorkers && !state.halted) {
        const span = sched.take();
        if (span === null) break;
        inflight++;
        const clock = timeoutMs === null ? null : newCaseClock();
        const r: Running = { end: new AbortController(), clock, timedOut: null };
        running.add(r);
        const task = { site: options.site, runKey, plan: shared, from: span.from, to: span.to, budgetMs, stop: stopFlag.buffer, clock };
        pool.run(task, r.end.signal).then(
          (outcome) => {
            inflight--;
            running.delete(r);
            if (outcome.kind === 'error') state.failWith(errorFromWire(outcome.error));
            else {
              deathsInARow = 0;
              state.add(chunkFromWire(outcome.chunk), raise);
              sched.report(outcome.next - span.from, outcome.evalMs);
              if (outcome.next < span.to && outcome.stop === null) sched.putBack({ from: outcome.next, to: span.to });
            }
            launch();
          },
          (err: unknown) => {
            inflight--;
            running.delete(r);
            if (r.timedOut !== null) timedOut(span, r.timedOut);
            else died(span, err);
            launch();
          },
        );
      }
      if (inflight === 0) resolve();
    };
    const timedOut = (span: Span, pos: number): void => {
      if (state.halted) return;
      // The cases of the task before and after the one past its time run again.
      sched.putBack({ from: span.from, to: pos });
      sched.putBack({ from: pos + 1, to: span.to });
      state.addDead([pos], timeoutError(timeoutMs!, 'its worker thread was ended and replaced'), raise);
    };
    const died = (span: Span, err: unknown): void => {
      if (state.halted) return;
      const why = err instanceof Error ? err.message : String(err);
      // Not an exit, before any task ran: the thread could not start (load the worker module).
      if (!pool.started && !why.startsWith('worker exited')) {
        state.failWith(new HarvestryError('E_WORKER_IMPORT', `A worker thread could not start: ${why}`, { cause: err }));
        return;
      }
      if (span.to - span.from > 1) {
        sched.isolate(span);
        return;
      }
      deathsInARow++;
      state.addDead([span.from], `the worker thread running this case died (${why}); it was replaced`, raise);
      if (deathsInARow >= 2 * numWorkers + 2) {
        state.failWith(new HarvestryError('E_WORKER_DIED', `Worker threads died ${deathsInARow} times in a row (last: ${why}), so the run stopped. Check what the function does (process.exit, memory use) or run it with executor: 'inline' to see the error.`));
      }
    };
    launch();
  });
  if (watch !== null) clearInterval(watch);
  cutoff?.removeEventListener('abort', endAll);
  if (state.stop === 'abort') await pool.close();
  else pool.release();
  return state.finish();
}

/** A task on a thread. */
interface Running {
  /** Ends the task's thread. */
  readonly end: AbortController;
  /** Where the thread writes its case's start, with `timeoutMs`. */
  readonly clock: SharedArrayBuffer | null;
  /** The position of the case that ran past `timeoutMs`, once its thread is being ended. */
  timedOut: number | null;
}

/** How much longer than `timeoutMs` a case may run before its thread is ended, in ms (a worker fails an async case itself at `timeoutMs`). */
const TIMEOUT_SLACK_MS = 200;
