/**
 * Results crossing a thread or process boundary: chunks in plain data with their typed arrays
 * listed for transfer (moved, not copied), errors as plain records rebuilt on the other side.
 */
import { serialize, deserialize } from 'node:v8';
import { HarvestryError, type ErrorCode } from '../errors.js';
import type { CaseFailure, ChunkResult, EvalPlan, StopReason } from './evaluate.js';

/** An error in plain data. */
export interface WireError {
  readonly name: string;
  readonly message: string;
  readonly stack: string | null;
  /** A HarvestryError's code, or an error's own `code` property. */
  readonly code: string | null;
  /** True for a HarvestryError. */
  readonly harvestry: boolean;
}

/** What a worker sends back for one piece of work. */
export type WireOutcome =
  | { readonly kind: 'chunk'; readonly chunk: ChunkResult; readonly next: number; readonly stop: StopReason; readonly evalMs: number }
  | { readonly kind: 'error'; readonly error: WireError };

/** What a worker needs to evaluate cases of a run, in plain data. */
export interface WirePlan {
  readonly plan: EvalPlan;
  readonly order: Int32Array | null;
}

/**
 * A plan serialized once into shared memory, so every task of a run refers to it without
 * copying it again.
 *
 * @param plan - the evaluation plan (its resources are left out: workers have their own)
 * @param order - the execution order, or null
 */
export function sharePlan(plan: EvalPlan, order: Int32Array | null): SharedArrayBuffer {
  const bytes = serialize({ plan: withoutResources(plan), order } satisfies WirePlan);
  const shared = new SharedArrayBuffer(bytes.length);
  new Uint8Array(shared).set(bytes);
  return shared;
}

/**
 * Reads a plan written by {@link sharePlan}, with the worker's own resources merged back.
 *
 * @param shared - the shared bytes
 * @param resources - the resources of the worker's copy of the labelled function
 */
export function readPlan(shared: SharedArrayBuffer, resources: Readonly<Record<string, unknown>>): WirePlan {
  const wire = deserialize(Buffer.from(new Uint8Array(shared))) as WirePlan;
  return { plan: withResources(wire.plan, resources), order: wire.order };
}

/**
 * A plan without its resources (they may be handles or functions, and workers have their own).
 *
 * @param plan - the plan
 */
export function withoutResources(plan: EvalPlan): EvalPlan {
  const resources = new Set(plan.resourceNames ?? []);
  if (resources.size === 0) return plan;
  return { ...plan, fixed: Object.fromEntries(Object.entries(plan.fixed).filter(([k]) => !resources.has(k))) };
}

/**
 * A plan received by a worker, with the worker's own resources merged in.
 *
 * @param plan - the plan without resources
 * @param resources - the resources of the worker's copy of the labelled function
 */
export function withResources(plan: EvalPlan, resources: Readonly<Record<string, unknown>>): EvalPlan {
  return Object.keys(resources).length === 0 ? plan : { ...plan, fixed: { ...resources, ...plan.fixed } };
}

/**
 * A chunk made ready to send: failures' errors as plain data.
 *
 * @param chunk - the chunk
 */
export function chunkToWire(chunk: ChunkResult): ChunkResult {
  if (chunk.failures.length === 0) return chunk;
  return { ...chunk, failures: chunk.failures.map((f) => ({ ...f, error: errorToWire(f.error) })) };
}

/**
 * A chunk received: failures' errors rebuilt as Error objects.
 *
 * @param chunk - the chunk as received
 */
export function chunkFromWire(chunk: ChunkResult): ChunkResult {
  if (chunk.failures.length === 0) return chunk;
  return { ...chunk, failures: chunk.failures.map((f): CaseFailure => ({ ...f, error: errorFromWire(f.error as WireError) })) };
}

/**
 * The buffers of a chunk that can be moved rather than copied (each once; views that own
 * their whole buffer only).
 *
 * @param chunk - the chunk
 */
export function transferablesOf(chunk: ChunkResult): ArrayBuffer[] {
  const out = new Set<ArrayBuffer>();
  const add = (v: unknown): void => {
    if (!ArrayBuffer.isView(v)) return;
    const buf = v.buffer;
    if (buf instanceof ArrayBuffer && v.byteOffset === 0 && v.byteLength === buf.byteLength) out.add(buf);
  };
  add(chunk.cases);
  add(chunk.durations);
  for (const col of Object.values(chunk.columns)) {
    add(col.valid);
    add(col.values);
    add(col.elemValid);
    for (const o of col.offsets ?? []) add(o);
  }
  return [...out];
}

/**
 * A thrown value in plain data.
 *
 * @param err - anything thrown
 */
export function errorToWire(err: unknown): WireError {
  if (err instanceof Error) {
    const code = (err as { code?: unknown }).code;
    return { name: err.name, message: err.message, stack: err.stack ?? null, code: typeof code === 'string' ? code : null, harvestry: err instanceof HarvestryError };
  }
  return { name: 'Error', message: typeof err === 'string' ? err : String(err), stack: null, code: null, harvestry: false };
}

/**
 * An error rebuilt from plain data: a HarvestryError keeps its code.
 *
 * @param w - the plain error
 */
export function errorFromWire(w: WireError): Error {
  if (w.harvestry && w.code !== null) {
    const e = new HarvestryError(w.code as ErrorCode, w.message);
    if (w.stack !== null) e.stack = w.stack;
    return e;
  }
  const e = new Error(w.message);
  e.name = w.name;
  if (w.stack !== null) e.stack = w.stack;
  if (w.code !== null) (e as Error & { code?: string }).code = w.code;
  return e;
}
