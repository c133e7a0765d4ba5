/**
 * Running a plan on an executor and streaming its results as chunks. `'inline'` runs the cases
 * in this thread, in chunks bounded by a row count and a time, so a caller (the Harvester) can
 * commit results as they come.
 */
import { Grid } from '../space/grid.js';
import { evaluateChunk, type AnyFunction, type CaseFailure, type ChunkResult, type EvalPlan, type StopReason } from './evaluate.js';

/** Progress as cases finish. */
export interface ExecProgress {
  readonly done: number;
  readonly total: number;
  readonly failed: number;
  readonly elapsedMs: number;
}

/** How to run a plan. */
export interface ExecOptions {
  /**
   * The case indices to run, in execution order: a shuffle of all of them, or a subset (the
   * Harvester runs only missing cases). Null runs every case in canonical order.
   */
  readonly order?: Int32Array | null;
  /** Stops the run: no new case starts. */
  readonly signal?: AbortSignal | null;
  /** Called with each chunk of results as it finishes (awaited before the next chunk). */
  readonly onChunk?: (chunk: ChunkResult) => void | Promise<void>;
  /** Called after each chunk. */
  readonly onProgress?: (progress: ExecProgress) => void;
  /**
   * The longest a chunk runs before its results are handed over, in ms.
   * @default 2000
   */
  readonly flushMs?: number;
  /**
   * The most cases in a chunk.
   * @default 131072
   */
  readonly chunkRows?: number;
}

/** The outcome of a run. */
export interface ExecResult {
  readonly chunks: readonly ChunkResult[];
  readonly failures: readonly CaseFailure[];
  /** `'error'`: stopped at a failure (onError 'raise'); `'abort'`: the signal fired. */
  readonly stop: StopReason;
  readonly total: number;
}

/**
 * Runs every case of a plan in this thread.
 *
 * @param fn - the labelled function
 * @param plan - the plan
 * @param options - order, signal, callbacks, chunk limits
 */
export async function executeInline(fn: AnyFunction, plan: EvalPlan, options: ExecOptions = {}): Promise<ExecResult> {
  const total = options.order?.length ?? new Grid(plan.grid).size;
  const started = performance.now();
  const chunks: ChunkResult[] = [];
  const failures: CaseFailure[] = [];
  const flushMs = options.flushMs ?? 2000;
  const chunkRows = options.chunkRows ?? 131072;
  let pos = 0;
  let stop: StopReason = null;
  while (pos < total) {
    const outcome = await evaluateChunk(fn, plan, options.order ?? null, pos, Math.min(total, pos + chunkRows), {
      deadline: performance.now() + flushMs,
      signal: options.signal ?? null,
    });
    pos = outcome.next;
    if (outcome.chunk.cases.length > 0) {
      chunks.push(outcome.chunk);
      failures.push(...outcome.chunk.failures);
      await options.onChunk?.(outcome.chunk);
    }
    options.onProgress?.({ done: pos, total, failed: failures.length, elapsedMs: performance.now() - started });
    if (outcome.stop !== null) {
      stop = outcome.stop;
      break;
    }
  }
  return { chunks, failures, stop, total };
}
