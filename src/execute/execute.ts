/**
 * Running a plan on an executor and streaming its results as chunks. `'inline'` runs the cases
 * in this thread, in chunks bounded by a row count and a time, so a caller (the Harvester) can
 * commit results as they come.
 */
import { Grid } from '../space/grid.js';
import { HarvestryError } from '../errors.js';
import { CaseInterrupt, CaseInterrupter, evaluateChunk, type AnyFunction, type CaseFailure, type ChunkResult, type EvalPlan, type StopReason } from './evaluate.js';

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
  /**
   * Ends the cases still running after an abort (fired when the abort's grace period is over,
   * or at a second Ctrl-C): threads are ended, children killed, pending inline promises given up.
   */
  readonly cutoff?: AbortSignal | null;
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
  const onProgress = options.onProgress;
  const interrupter = new CaseInterrupter();
  const cutoff = options.cutoff ?? null;
  const onCutoff = (): void => {
    interrupter.fire(new CaseInterrupt('abandon'));
  };
  if (cutoff?.aborted === true) onCutoff();
  else cutoff?.addEventListener('abort', onCutoff, { once: true });
  // Node is about to exit while a case is pending: its promise can never settle.
  const onBeforeExit = (): void => {
    interrupter.fire(new CaseInterrupt('fatal', stalledError));
  };
  process.on('beforeExit', onBeforeExit);
  let pos = 0;
  let stop: StopReason = null;
  try {
    while (pos < total) {
      const at = pos;
      const outcome = await evaluateChunk(fn, plan, options.order ?? null, pos, Math.min(total, pos + chunkRows), {
        deadline: performance.now() + flushMs,
        signal: options.signal ?? null,
        yieldMs: YIELD_MS,
        interrupter,
        onTick: onProgress === undefined ? null : (rows) => {
          onProgress({ done: at + rows, total, failed: failures.length, elapsedMs: performance.now() - started });
        },
      });
      pos = outcome.next;
      if (outcome.chunk.cases.length > 0) {
        chunks.push(outcome.chunk);
        failures.push(...outcome.chunk.failures);
        await options.onChunk?.(outcome.chunk);
      }
      onProgress?.({ done: pos, total, failed: failures.length, elapsedMs: performance.now() - started });
      if ('fatal' in outcome) throw outcome.fatal;
      if (outcome.stop !== null) {
        stop = outcome.stop;
        break;
      }
    }
  } finally {
    process.off('beforeExit', onBeforeExit);
    cutoff?.removeEventListener('abort', onCutoff);
  }
  return { chunks, failures, stop, total };
}

/** The inline executor lets the event loop run this often, in ms, so a Ctrl-C is seen at once. */
const YIELD_MS = 10;

function stalledError(caseText: string): HarvestryError {
  return new HarvestryError(
    'E_CASE_STALLED',
    `The run was waiting for the case ${caseText}, whose promise can never settle: nothing else was left to run, so Node was about to exit. The finished results were kept. Make the function's promise settle (a missing resolve, an event that never comes), or set \`timeoutMs\`.`,
  );
}
