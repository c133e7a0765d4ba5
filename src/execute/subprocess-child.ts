/**
 * A child process of the `'subprocess'` executor: receives one batch, finds the labelled
 * function by importing its module, evaluates the batch in time-bounded chunks and streams each
 * back over IPC; stops early when the parent says so. Ctrl-C is left to the parent. A watchdog
 * thread kills the child (and its process group) when the parent dies, even while a case runs
 * a synchronous loop, so no child outlives its run.
 */
import { Worker } from 'node:worker_threads';
import { evaluateChunk, type EvalPlan } from './evaluate.js';
import type { FunctionSite } from './site.js';
import { chunkToWire, errorToWire, withResources, type WireError } from './wire.js';
import { loadLabelled } from './worker-import.js';
import type { ChunkResult } from './evaluate.js';

/** The parent's message that starts a batch. */
export interface ChildStart {
  readonly type: 'start';
  readonly site: FunctionSite & { readonly url: string };
  /** The plan without resources (the child takes its own). */
  readonly plan: EvalPlan;
  readonly order: Int32Array | null;
  readonly from: number;
  readonly to: number;
  /** Send results at least this often, in ms. */
  readonly budgetMs: number;
}

/** What a child sends back. */
export type ChildMessage =
  | { readonly type: 'chunk'; readonly chunk: ChunkResult; readonly next: number }
  | { readonly type: 'error'; readonly error: WireError }
  /** The case at this position starts (sent with `timeoutMs` only). */
  | { readonly type: 'at'; readonly pos: number }
  | { readonly type: 'done' };

const stopping = new AbortController();

/** Kills this process and its group once its parent is gone (polled from a thread of its own). */
const WATCHDOG = `
const { workerData } = require('node:worker_threads');
setInterval(() => {
  if (process.ppid === workerData) return;
  try { process.kill(-process.pid, 'SIGKILL'); } catch {}
  process.kill(process.pid, 'SIGKILL');
}, 250);
`;

if (process.send !== undefined) {
  process.on('SIGINT', () => undefined);
  new Worker(WATCHDOG, { eval: true, workerData: process.ppid, execArgv: [], env: {} }).unref();
  process.on('disconnect', () => {
    stopping.abort();
  });
  process.on('message', (m: ChildStart | { type: 'stop' }) => {
    if (m.type === 'stop') stopping.abort();
    else void runBatch(m);
  });
}

async function runBatch(m: ChildStart): Promise<void> {
  try {
    const loaded = await loadLabelled(m.site);
    const plan = withResources(m.plan, loaded.resources);
    let pos = m.from;
    // With timeoutMs the parent is told as each case starts, so it can kill a child stuck in one.
    const onCaseStart = plan.timeoutMs === undefined || plan.timeoutMs === null ? null : (p: number) => void process.send!({ type: 'at', pos: p } satisfies ChildMessage);
    while (pos < m.to && !stopping.signal.aborted) {
      const out = await evaluateChunk(loaded.fn, plan, m.order, pos, m.to, { deadline: performance.now() + m.budgetMs, signal: stopping.signal, onCaseStart });
      pos = out.next;
      await send({ type: 'chunk', chunk: chunkToWire(out.chunk), next: pos });
      if (out.stop !== null) break;
      // Let a 'stop' message in between chunks.
      await new Promise((resolve) => setImmediate(resolve));
    }
    await send({ type: 'done' });
  } catch (err) {
    await send({ type: 'error', error: errorToWire(err) });
  }
  process.exit(0);
}

function send(m: ChildMessage): Promise<void> {
  return new Promise((resolve, reject) => {
    process.send!(m, undefined, undefined, (err: Error | null) => {
      if (err === null) resolve();
      else reject(err);
    });
  });
}
