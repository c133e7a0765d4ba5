/**
 * The `'subprocess'` executor: each batch of cases in a fresh child process (Node with the
 * parent's options, so the same loaders), with its own environment: `numThreads` sets the
 * thread counts of numeric libraries, `affinities` pins a child to a CPU through `taskset`, and
 * `gpus` gives it `CUDA_VISIBLE_DEVICES`. At most one child per CPU id and per GPU id runs at a
 * time (repeat an id to share it). A child streams its results back as it goes; one that crashes
 * or exits early fails the cases it had not reported, not the run. Each child leads a process
 * group of its own: a case past `timeoutMs`, or still running when an abort's grace period is
 * over, has its child and the child's group killed; a child whose parent dies kills itself.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { accessSync, constants } from 'node:fs';
import { availableParallelism } from 'node:os';
import { delimiter, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { HarvestryError } from '../errors.js';
import { ownModule } from '../own-url.js';
import { timeoutError, type EvalPlan } from './evaluate.js';
import type { ExecOptions, ExecResult } from './execute.js';
import { childExecArgv } from './preloads.js';
import type { ExecutorSpec } from './run.js';
import { RunState } from './run-state.js';
import type { FunctionSite } from './site.js';
import type { ChildMessage, ChildStart } from './subprocess-child.js';
import { chunkFromWire, errorFromWire, withoutResources } from './wire.js';

/** Thread-count variables set to `numThreads` in each child. */
export const THREAD_VARIABLES = ['OMP_NUM_THREADS', 'MKL_NUM_THREADS', 'OPENBLAS_NUM_THREADS', 'VECLIB_MAXIMUM_THREADS', 'NUMEXPR_NUM_THREADS', 'NUMBA_NUM_THREADS'] as const;

/** Options of a subprocess run. */
export interface SubprocessRunOptions extends ExecOptions {
  /** Where the children find the labelled function. */
  readonly site: FunctionSite & { readonly url: string };
  readonly executor: ExecutorSpec;
}

const CHILD = fileURLToPath(ownModule('execute/subprocess-child.js'));
const TAIL = 2000;

/**
 * Runs a plan in child processes, one batch each.
 *
 * @param plan - the plan
 * @param options - the site of the function, the executor's settings, order, signal, callbacks
 */
export async function executeSubprocess(plan: EvalPlan, options: SubprocessRunOptions): Promise<ExecResult> {
  const { executor } = options;
  const state = new RunState(plan, options);
  const taskset = executor.affinities === null ? null : findTaskset();
  const workers = executor.numWorkers ?? Math.max(1, Math.floor(availableParallelism() / (executor.numThreads ?? 1)));
  const concurrency = Math.min(workers, executor.affinities?.length ?? Infinity, executor.gpus?.length ?? Infinity);
  const batchSize = executor.batchSize ?? Math.max(1, Math.ceil(state.total / concurrency));
  const batches: { from: number; to: number }[] = [];
  for (let from = 0; from < state.total; from += batchSize) batches.push({ from, to: Math.min(state.total, from + batchSize) });
  const freeCpus = executor.affinities?.map(String) ?? null;
  const freeGpus = executor.gpus === null ? null : [...executor.gpus];
  const raise = plan.onError === 'raise';
  const start: Omit<ChildStart, 'from' | 'to'> = {
    type: 'start',
    site: options.site,
    plan: withoutResources(plan),
    order: options.order ?? null,
    budgetMs: Math.max(50, Math.min(options.flushMs ?? 2000, 500)),
  };
  const running = new Set<ChildProcess>();
  state.whenHalted(() => {
    for (const child of running) if (child.connected) child.send({ type: 'stop' });
  });
  const timeoutMs = plan.timeoutMs ?? null;
  const clocks = new Map<ChildProcess, { pos: number; since: number; reached: number; timedOut: number | null }>();
  const endAll = (): void => {
    for (const child of running) killGroup(child);
  };
  const cutoff = options.cutoff ?? null;
  if (cutoff?.aborted === true) endAll();
  else cutoff?.addEventListener('abort', endAll, { once: true });
  // A child whose case is past timeoutMs is killed (an async case fails itself at timeoutMs).
  const watch = timeoutMs === null ? null : setInterval(() => {
    const now = performance.now();
    for (const [child, c] of clocks) {
      if (c.timedOut === null && c.pos >= c.reached && now - c.since > timeoutMs + TIMEOUT_SLACK_MS) {
        c.timedOut = c.pos;
        killGroup(child);
      }
    }
  }, Math.min(100, Math.max(10, timeoutMs / 4)));

  await new Promise<void>((resolve) => {
    const launch = (): void => {
      while (running.size < concurrency && !state.halted && batches.length > 0) {
        const batch = batches.shift()!;
        const cpu = freeCpus?.pop() ?? null;
        const gpu = freeGpus?.pop() ?? null;
        const child = spawnChild(taskset, cpu, childEnv(executor, gpu));
        running.add(child);
        const clock = { pos: -1, since: 0, reached: batch.from, timedOut: null as number | null };
        if (timeoutMs !== null) clocks.set(child, clock);
        let reached = batch.from;
        let finished = false;
        let tail = '';
        child.stderr?.on('data', (d: Buffer) => {
          process.stderr.write(d);
          tail = (tail + d.toString()).slice(-TAIL);
        });
        child.on('message', (m: ChildMessage) => {
          if (m.type === 'at') {
            clock.pos = m.pos;
            clock.since = performance.now();
          } else if (m.type === 'chunk') {
            reached = m.next;
            clock.reached = m.next;
            state.add(chunkFromWire(m.chunk), raise);
          } else if (m.type === 'error') state.failWith(errorFromWire(m.error));
          else finished = true;
        });
        const onExit = (code: number | null, signal: NodeJS.Signals | null, spawnError?: Error): void => {
          running.delete(child);
          clocks.delete(child);
          if (cpu !== null) freeCpus?.push(cpu);
          if (gpu !== null) freeGpus?.push(gpu);
          if (clock.timedOut !== null && !state.halted) {
            // The rest of the batch runs again in new children.
            const pos = clock.timedOut;
            if (pos + 1 < batch.to) batches.unshift({ from: pos + 1, to: batch.to });
            if (reached < pos) batches.unshift({ from: reached, to: pos });
            state.addDead([pos], timeoutError(timeoutMs!, 'its child process (and its process group) was killed'), raise);
          } else if (!finished && reached < batch.to && !state.halted) {
            const how = spawnError !== undefined ? `could not start (${spawnError.message})` : signal !== null ? `was killed by ${signal}` : `exited with code ${code}`;
            const err = tail.trim().split('\n').slice(-5).join('\n');
            const positions = Array.from({ length: batch.to - reached }, (_, i) => reached + i);
            state.addDead(positions, `the child process running this batch ${how} before finishing it${err === '' ? '' : `: ${err}`}`, raise);
          }
          launch();
        };
        child.once('error', (e) => {
          if (child.exitCode === null && child.pid === undefined) onExit(null, null, e);
        });
        child.once('exit', (code, signal) => {
          onExit(code, signal);
        });
        child.send({ ...start, from: batch.from, to: batch.to } satisfies ChildStart);
      }
      if (running.size === 0) resolve();
    };
    launch();
  });
  if (watch !== null) clearInterval(watch);
  cutoff?.removeEventListener('abort', endAll);
  return state.finish();
}

/** How much longer than `timeoutMs` a case may run before its child is killed, in ms. */
const TIMEOUT_SLACK_MS = 200;

/** Kills a child and every process of its group (it leads one: it was started detached). */
function killGroup(child: ChildProcess): void {
  if (child.pid === undefined || child.exitCode !== null || child.signalCode !== null) return;
  try {
    process.kill(-child.pid, 'SIGKILL');
  } catch {
    child.kill('SIGKILL');
  }
}

function spawnChild(taskset: string | null, cpu: string | null, env: NodeJS.ProcessEnv): ChildProcess {
  const node = [...childExecArgv(), CHILD];
  const [cmd, args] = cpu !== null && taskset !== null ? [taskset, ['-c', cpu, process.execPath, ...node]] : [process.execPath, node];
  // detached: a process group of its own, so a timeout or an abort can kill what the case started too.
  return spawn(cmd, args, { stdio: ['ignore', 'inherit', 'pipe', 'ipc'], serialization: 'advanced', env, detached: true });
}

function childEnv(executor: ExecutorSpec, gpu: string | null): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env };
  delete env.NODE_TEST_CONTEXT;
  env.HARVESTRY_CHILD = '1';
  if (executor.numThreads !== null) for (const v of THREAD_VARIABLES) env[v] = String(executor.numThreads);
  if (gpu !== null) env.CUDA_VISIBLE_DEVICES = gpu;
  return env;
}

/** The path of `taskset`, or an error saying it is needed. */
function findTaskset(): string {
  for (const dir of (process.env.PATH ?? '').split(delimiter)) {
    if (dir === '') continue;
    const p = join(dir, 'taskset');
    try {
      accessSync(p, constants.X_OK);
      return p;
    } catch {
      // not here
    }
  }
  throw new HarvestryError('E_BAD_OPTION', 'CPU `affinities` need the Linux `taskset` command (from util-linux), which is not on PATH. Install it, or run without `affinities`.');
}
