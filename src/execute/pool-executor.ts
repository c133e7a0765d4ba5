/**
 * The `'pool'` executor: a run's positions cut into tasks ({@link ChunkScheduler}) and run on
 * the worker pool, at most one task per thread at a time; chunks are handed on as they finish.
 * A thread that dies is replaced (by piscina); the cases of its task are run again one per task,
 * so only the case that kills a thread counts as failed.
 */
import { randomUUID } from 'node:crypto';
import { HarvestryError } from '../errors.js';
import type { EvalPlan } from './evaluate.js';
import type { ExecOptions, ExecResult } from './execute.js';
import { leasePool } from './pool.js';
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
  let inflight = 0;
  let deathsInARow = 0;

  await new Promise<void>((resolve) => {
    const launch = (): void => {
      while (inflight < numWorkers && !state.halted) {
        const span = sched.take();
        if (span === null) break;
        inflight++;
        const task = { site: options.site, runKey, plan: shared, from: span.from, to: span.to, budgetMs, stop: stopFlag.buffer };
        pool.run(task).then(
          (outcome) => {
            inflight--;
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
            died(span, err);
            launch();
          },
        );
      }
      if (inflight === 0) resolve();
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
  if (state.stop === 'abort') await pool.close();
  else pool.release();
  return state.finish();
}
