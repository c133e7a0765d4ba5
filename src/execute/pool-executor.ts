/**
 * The `'pool'` executor: a run's positions cut into tasks ({@link ChunkScheduler}) and run on
 * the worker pool, at most one task per thread at a time; chunks are handed on as they finish.
 * A thread that dies is replaced (by piscina); the cases of its task are run again one per task,
 * so only the case that kills a thread counts as failed. With `timeoutMs`, a thread whose case
 * runs past it is ended (and replaced): that case fails with E_CASE_TIMEOUT and the rest of its
 * task runs again. After an abort, threads still running a case when the grace period is over
 * (`cutoff`) are ended.
 *
 * A cold pool is never slower than running inline: while its threads start (Node, the loaders,
 * the user's module), they are sent an empty task each and this thread runs the first cases
 * itself, in short chunks; the threads get cases only once one has answered.
 */
import { randomUUID } from 'node:crypto';
import { HarvestryError } from '../errors.js';
import { evaluateChunk, timeoutError, type AnyFunction, type EvalPlan } from './evaluate.js';
import type { ExecOptions, ExecResult } from './execute.js';
import { leasePool, newCaseClock, readCaseClock } from './pool.js';
import { RunState } from './run-state.js';
import { ChunkScheduler, type Span } from './schedule.js';
import { exportedHere, type FunctionSite } from './site.js';
import { chunkFromWire, errorFromWire, sharePlan } from './wire.js';

/** Options of a pool run. */
export interface PoolRunOptions extends ExecOptions {
  /** Where the threads find the labelled function. */
  readonly site: FunctionSite & { readonly url: string };
  /** The number of threads. */
  readonly numWorkers: number;
  /**
   * The labelled function in this thread, to run the first cases here while a cold pool starts;
   * null to leave every case to the threads.
   */
  readonly local?: AnyFunction | null;
}

/** How long this thread runs cases at a time while the pool starts, in ms (then it yields, so piscina can hand tasks to threads that came up). */
export const LOCAL_SLICE_MS = 20;

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
  /** Stops waiting for this thread's chunk (an endless case here after the grace period). */
  let abandonLocal = (): void => undefined;
  const endAll = (): void => {
    for (const r of running) r.end.abort();
    abandonLocal();
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

  const task = (from: number, to: number, clock: SharedArrayBuffer | null = null) => ({ site: options.site, runKey, plan: shared, from, to, budgetMs, stop: stopFlag.buffer, clock });
  let ready = pool.started;
  let localBusy = false;
  // Whether the run must wait for a starting thread's answer before it ends: yes unless this
  // thread can see that the module exports the function (then the threads will find it too), so
  // an error importing it (E_NOT_EXPORTED, E_WORKER_IMPORT) is never lost to a run that ended first.
  let pinging = 0;
  let verified = ready;

  await new Promise<void>((resolve) => {
    const launch = (): void => {
      while (ready && inflight < numWorkers && !state.halted) {
        const span = sched.take();
        if (span === null) break;
        inflight++;
        const clock = timeoutMs === null ? null : newCaseClock();
        const r: Running = { end: new AbortController(), clock, timedOut: null };
        running.add(r);
        pool.run(task(span.from, span.to, clock), r.end.signal).then(
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
      // Done when nothing runs and nothing is left; threads still starting are waited for only
      // when their import of the function is not known to work.
      if (inflight === 0 && !localBusy && (state.halted || (sched.isEmpty() && (verified || pinging === 0)))) resolve();
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
    if (!ready) {
      // A cold pool: each thread gets an empty task (it starts, imports the function, decodes
      // the plan); the first answer means the threads are up, and they take over the cases.
      for (let i = 0; i < numWorkers; i++) {
        pinging++;
        pool.run(task(0, 0)).then(
          (outcome) => {
            pinging--;
            if (outcome.kind === 'error') state.failWith(errorFromWire(outcome.error));
            ready = true;
            launch();
          },
          (err: unknown) => {
            pinging--;
            ready = true;
            died({ from: 0, to: 0 }, err);
            launch();
          },
        );
      }
      const local = timeoutMs === null ? (options.local ?? null) : null;
      if (local !== null) {
        localBusy = true;
        abandonLocal = () => {
          if (!localBusy) return;
          localBusy = false;
          launch();
        };
        void exportedHere(options.site)
          .then((seen) => {
            verified = seen === true;
            return runHere(local);
          })
          .finally(() => {
            localBusy = false;
            launch();
          });
      }
    }
    launch();
  });

  /** Runs cases in this thread, a short chunk at a time, until the threads are up. */
  async function runHere(fn: AnyFunction): Promise<void> {
    try {
      while (!ready && !state.halted) {
        const span = sched.take();
        if (span === null) return;
        const started = performance.now();
        const outcome = await evaluateChunk(fn, plan, options.order ?? null, span.from, span.to, { deadline: started + LOCAL_SLICE_MS, stopFlag });
        state.add(outcome.chunk, raise);
        sched.report(outcome.next - span.from, performance.now() - started);
        if (outcome.next < span.to && outcome.stop === null) sched.putBack({ from: outcome.next, to: span.to });
        // Let piscina see the threads that came up (and hand them their empty task).
        await new Promise<void>((resolve) => setImmediate(resolve));
      }
    } catch (err) {
      state.failWith(err);
    }
  }
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
