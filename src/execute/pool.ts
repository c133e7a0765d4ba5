/**
 * The worker pool: piscina worker threads (the only importer of piscina). A pool starts once
 * per size and is reused by later runs; it closes when {@link closePools} is called or after
 * it has been idle a while. Its threads never keep the process alive on their own.
 */
import { createRequire } from 'node:module';
import type * as PiscinaModule from 'piscina';
import { FROM_SOURCE, ownModule } from '../own-url.js';
import type { FunctionSite } from './site.js';
import { parentPreloads, type Preload } from './preloads.js';
import { transferablesOf, type WireOutcome } from './wire.js';

let piscina: typeof PiscinaModule | undefined;
/**
 * piscina, loaded when the first pool starts (or a pool thread sends its first result): ~45 ms of
 * CPU that a process which never starts a pool (an inline run, a subprocess child, the CLI) does
 * not pay.
 */
const loadPiscina = (): typeof PiscinaModule => (piscina ??= createRequire(import.meta.url)('piscina') as typeof PiscinaModule);

/** One piece of work for a worker: positions `from` to `to` of a run. */
export interface PoolTask {
  /** Where the worker finds the labelled function. */
  readonly site: FunctionSite & { readonly url: string };
  /** Identifies the run, so a worker decodes its plan once. */
  readonly runKey: string;
  /** The plan and order, serialized in shared memory ({@link sharePlan}). */
  readonly plan: SharedArrayBuffer;
  readonly from: number;
  readonly to: number;
  /** Hand results back after about this long, in ms. */
  readonly budgetMs: number;
  /** An Int32Array's memory: not 0 = stop before the next case. */
  readonly stop: SharedArrayBuffer;
  /**
   * With `timeoutMs`: {@link CASE_CLOCK_BYTES} of memory where the worker writes when the case
   * it runs started and its position ({@link readCaseClock}), so the run can end the thread of a
   * case past its time. Null without a limit.
   */
  readonly clock: SharedArrayBuffer | null;
}

/** The size of a task's case clock: a Float64 start time (ms since the epoch) and an Int32 position. */
export const CASE_CLOCK_BYTES = 16;

/**
 * Records in a case clock that the case at `pos` starts now.
 *
 * @param clock - the task's case clock
 * @param pos - the case's position
 */
export function startCaseClock(clock: SharedArrayBuffer, pos: number): void {
  new Float64Array(clock, 0, 1)[0] = performance.timeOrigin + performance.now();
  Atomics.store(new Int32Array(clock, 8, 1), 0, pos);
}

/**
 * The case a task is running and when it started (ms since the epoch), or null before its first case.
 *
 * @param clock - the task's case clock
 */
export function readCaseClock(clock: SharedArrayBuffer): { pos: number; since: number } | null {
  const pos = Atomics.load(new Int32Array(clock, 8, 1), 0);
  return pos < 0 ? null : { pos, since: new Float64Array(clock, 0, 1)[0]! };
}

/** A new case clock, before any case. */
export function newCaseClock(): SharedArrayBuffer {
  const clock = new SharedArrayBuffer(CASE_CLOCK_BYTES);
  new Int32Array(clock, 8, 1)[0] = -1;
  return clock;
}

/** What a pool thread is started with. */
export interface PoolWorkerData {
  /** Modules to import before anything else (the parent's `--import` preloads, such as tsx). */
  readonly preloads: readonly Preload[];
  /** The worker module, for the bootstrap used when harvestry itself runs from TypeScript source. */
  readonly worker: string;
}

/** A pool in use by a run. */
export interface PoolLease {
  /**
   * Runs a task on a free thread. Rejects when the thread dies, or when `signal` aborts (a
   * running task's thread is then ended, and replaced).
   */
  run(task: PoolTask, signal?: AbortSignal): Promise<WireOutcome>;
  /** True once a task of this pool has come back: its threads can start. */
  readonly started: boolean;
  /** Done with the pool for now (it stays up for the next run until idle). */
  release(): void;
  /** Closes the pool now (after a stopped run). */
  close(): Promise<void>;
}

/**
 * How long an unused pool stays up, in ms.
 * @default 30000
 */
export const POOL_IDLE_MS = 30_000;

interface PoolEntry {
  readonly piscina: PiscinaModule.Piscina<PoolTask, WireOutcome>;
  users: number;
  started: boolean;
  idle: NodeJS.Timeout | null;
  /** Closed while runs still used it: destroyed when the last one releases it. */
  closing: boolean;
}

const pools = new Map<number, PoolEntry>();

/**
 * Takes the pool of `numWorkers` threads, starting it when there is none.
 *
 * @param numWorkers - the number of threads
 */
export function leasePool(numWorkers: number): PoolLease {
  let entry = pools.get(numWorkers);
  if (entry === undefined) {
    const workerData: PoolWorkerData = { preloads: parentPreloads(), worker: ownModule('execute/pool-worker.js').href };
    const { Piscina: Pool } = loadPiscina();
    const piscina = new Pool<PoolTask, WireOutcome>({
      filename: (FROM_SOURCE ? ownModule('execute/_pool-bootstrap.mjs') : ownModule('execute/pool-worker.js')).href,
      minThreads: numWorkers,
      maxThreads: numWorkers,
      idleTimeout: Infinity,
      workerData,
    });
    // A thread that dies fails its task; with no task running there is nothing to report.
    piscina.on('error', () => undefined);
    entry = { piscina, users: 0, started: false, idle: null, closing: false };
    pools.set(numWorkers, entry);
  }
  const e = entry;
  e.users++;
  if (e.idle !== null) clearTimeout(e.idle);
  e.idle = null;
  let released = false;
  return {
    run: async (task, signal) => {
      const outcome = await e.piscina.run(task, signal === undefined ? {} : { signal });
      e.started = true;
      return outcome;
    },
    get started() {
      return e.started;
    },
    release: () => {
      if (released) return;
      released = true;
      e.users--;
      if (e.users === 0 && e.closing) void e.piscina.destroy();
      else if (e.users === 0 && pools.get(numWorkers) === e) {
        e.idle = setTimeout(() => void closeEntry(numWorkers, e), POOL_IDLE_MS);
        e.idle.unref();
      }
    },
    close: async () => {
      if (!released) {
        released = true;
        e.users--;
      }
      await closeEntry(numWorkers, e);
    },
  };
}

/**
 * Closes every worker pool now. Pools close by themselves when idle and never keep the
 * process alive; call this to free the threads sooner (in tests, before exiting).
 *
 * @example
 * ```ts
 * import { closePools } from 'harvestry';
 * await closePools();
 * ```
 */
export async function closePools(): Promise<void> {
  await Promise.all([...pools.entries()].map(([n, e]) => closeEntry(n, e)));
}

/**
 * A worker's outcome, marked so piscina moves its typed arrays instead of copying them.
 *
 * @param outcome - what the worker computed
 */
export function movable(outcome: WireOutcome): unknown {
  if (outcome.kind !== 'chunk') return outcome;
  const p = loadPiscina();
  return p.move({ [p.transferableSymbol]: transferablesOf(outcome.chunk), [p.valueSymbol]: outcome });
}

async function closeEntry(numWorkers: number, e: PoolEntry): Promise<void> {
  if (e.idle !== null) clearTimeout(e.idle);
  e.idle = null;
  if (pools.get(numWorkers) === e) pools.delete(numWorkers);
  if (e.users > 0) e.closing = true;
  else await e.piscina.destroy();
}
