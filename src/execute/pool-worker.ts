/**
 * The task handler inside a pool thread: find the labelled function (once), decode the run's
 * plan (once per run), evaluate a range of positions and send the chunk back with its typed
 * arrays moved, not copied.
 */
import { workerData } from 'node:worker_threads';
import { evaluateChunk } from './evaluate.js';
import { movable, startCaseClock, type PoolTask, type PoolWorkerData } from './pool.js';
import { errorToWire, readPlan, chunkToWire, type WirePlan } from './wire.js';
import { importPreloads, loadLabelled } from './worker-import.js';

const data = workerData as PoolWorkerData;
const plans = new Map<string, WirePlan>();
let preloaded: Promise<void> | null = null;

/**
 * Evaluates one task.
 *
 * @param task - the positions to run and where to find everything
 * @returns the outcome, marked for transfer
 */
export default async function runTask(task: PoolTask): Promise<unknown> {
  try {
    preloaded ??= importPreloads(data.preloads);
    await preloaded;
    const loaded = await loadLabelled(task.site);
    let wire = plans.get(task.runKey);
    if (wire === undefined) {
      wire = readPlan(task.plan, loaded.resources);
      plans.set(task.runKey, wire);
      // Keep the plans of the last few runs only.
      if (plans.size > 4) plans.delete(plans.keys().next().value!);
    }
    const started = performance.now();
    const clock = task.clock;
    const outcome = await evaluateChunk(loaded.fn, wire.plan, wire.order, task.from, task.to, {
      deadline: started + task.budgetMs,
      stopFlag: new Int32Array(task.stop),
      onCaseStart: clock === null ? null : (pos) => {
        startCaseClock(clock, pos);
      },
    });
    return movable({ kind: 'chunk', chunk: chunkToWire(outcome.chunk), next: outcome.next, stop: outcome.stop, evalMs: performance.now() - started });
  } catch (err) {
    return { kind: 'error', error: errorToWire(err) };
  }
}
