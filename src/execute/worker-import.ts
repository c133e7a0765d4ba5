/**
 * Inside a worker thread or a child process: finding a labelled function again by importing the
 * module that labelled it.
 *
 * The module may run a sweep at its top level (`await h.harvestCombos(..., { parallel: true })`).
 * While a worker imports it, such runs never start and never settle ({@link stallIfWorkerImport}),
 * so the import cannot recurse into more pools. Its exports are read while it is still suspended
 * there: a loader hook adds to each user module a first line that registers its own live module
 * namespace (`import * as ns from '<itself>'`).
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import * as nodeModule from 'node:module';
import { HarvestryError } from '../errors.js';
import type { AnyFunction } from './evaluate.js';
import { messageOf } from './evaluate.js';
import type { Preload } from './preloads.js';
import { SITE_KEY, type FunctionSite } from './site.js';

interface WorkerImportState {
  readonly als: AsyncLocalStorage<boolean>;
  readonly namespaces: Map<string, Record<string, unknown>>;
  readonly imports: Map<string, Promise<{ ok: boolean; error: unknown; ns: Record<string, unknown> | null }>>;
  stalls: number;
  onStall: (() => void)[];
  hooked: boolean;
}

const STATE = Symbol.for('harvestry.workerImport');
const NAMESPACES = 'harvestry.namespaces';
/** Set once a thread has imported its preloads (by the pool bootstrap or by {@link importPreloads}). */
const PRELOADED = Symbol.for('harvestry.preloaded');

/** The hook that makes every user module register its own namespace as its first statement. */
const HOOK_SOURCE = `
export async function load(url, context, nextLoad) {
  const r = await nextLoad(url, context);
  if (r.format !== 'module' || r.source == null || !url.startsWith('file:') || url.includes('/node_modules/')) return r;
  let src = typeof r.source === 'string' ? r.source : new TextDecoder().decode(r.source);
  const u = JSON.stringify(url);
  const line = 'import * as __harvestryOwnNamespace from ' + u + ';globalThis[Symbol.for(${JSON.stringify(NAMESPACES)})]?.set(' + u + ', __harvestryOwnNamespace);';
  if (src.startsWith('#!')) {
    const nl = src.indexOf('\\n');
    src = nl < 0 ? src + '\\n' + line : src.slice(0, nl + 1) + line + src.slice(nl + 1);
  } else src = line + src;
  return { ...r, source: src };
}
`;

/**
 * True while a worker imports a user module (in its async context): runs started there must not run.
 */
export function inWorkerImport(): boolean {
  return state(false)?.als.getStore() === true;
}

/**
 * A promise that never settles, for a run started while a worker imports the module that
 * started it; tells the waiting worker that the module's top level is now suspended.
 */
export function stallWorkerImport(): Promise<never> {
  const s = state(false);
  if (s !== null) {
    s.stalls++;
    for (const f of s.onStall.splice(0)) f();
  }
  return new Promise<never>(() => undefined);
}

/**
 * Imports the preloads of the parent (`--import` modules such as tsx), once per thread.
 *
 * @param preloads - modules to import first (calling their `register()` where marked)
 */
export async function importPreloads(preloads: readonly Preload[]): Promise<void> {
  const g = globalThis as { [PRELOADED]?: boolean };
  if (g[PRELOADED] === true) return;
  g[PRELOADED] = true;
  for (const p of preloads) {
    const mod = (await import(p.url)) as { register?: unknown };
    if (p.register && typeof mod.register === 'function') (mod.register as () => void)();
  }
}

/** A labelled function found in a worker, with the resources its own `label()` call gave it. */
export interface LoadedFunction {
  readonly fn: AnyFunction;
  readonly resources: Readonly<Record<string, unknown>>;
}

/**
 * Finds the labelled function of a site: imports its module (once per thread) and looks for the
 * exported Runner that the same `label()` call made.
 *
 * @param site - where the function was labelled
 * @returns the function and its resources
 */
export async function loadLabelled(site: FunctionSite & { readonly url: string }): Promise<LoadedFunction> {
  const s = state(true)!;
  if (!s.hooked) {
    s.hooked = true;
    const register = (nodeModule as { register?: (url: string) => void }).register;
    register?.(`data:text/javascript,${encodeURIComponent(HOOK_SOURCE)}`);
  }
  const url = site.url;
  let imported = s.imports.get(url);
  const again = imported !== undefined;
  if (imported === undefined) {
    imported = s.als.run(true, () => import(url)).then(
      (ns: Record<string, unknown>) => ({ ok: true, error: null, ns }),
      (error: unknown) => ({ ok: false, error, ns: null }),
    );
    s.imports.set(url, imported);
  }
  const stalled =
    again && s.stalls > 0
      ? Promise.resolve(null)
      : new Promise<null>((resolve) => {
          s.onStall.push(() => {
            resolve(null);
          });
        });
  const settled = await Promise.race([imported, stalled]);
  const ns = settled?.ns ?? s.namespaces.get(url) ?? null;
  const found = ns === null ? null : findRunner(ns, site);
  if (found !== null) return found;
  if (settled !== null && !settled.ok) {
    throw new HarvestryError('E_WORKER_IMPORT', `A worker could not import ${url}, the module that labels the function: ${messageOf(settled.error)}`, { cause: settled.error });
  }
  throw new HarvestryError(
    'E_NOT_EXPORTED',
    `A worker imported ${url} but found no export that is this labelled function (label() call number ${site.ordinal + 1} in that module). Workers import the function from its module, so export it: export const sweep = label(...).`,
    { details: { url, ordinal: site.ordinal } },
  );
}

function findRunner(ns: Record<string, unknown>, site: FunctionSite): LoadedFunction | null {
  const candidates = Object.keys(ns).map((key) => exportOf(ns, key));
  const dflt = exportOf(ns, 'default');
  // A CommonJS module's exports object arrives as the default export.
  if (typeof dflt === 'object' && dflt !== null && !(SITE_KEY in dflt)) candidates.push(...Object.values(dflt as Record<string, unknown>));
  for (const c of candidates) {
    if (typeof c !== 'object' || c === null) continue;
    const other = (c as { [SITE_KEY]?: FunctionSite })[SITE_KEY];
    const fn = (c as { fn?: unknown }).fn;
    if (other?.url === site.url && other.ordinal === site.ordinal && other.fingerprint === site.fingerprint && typeof fn === 'function') {
      const resources = (c as { resources?: unknown }).resources;
      return { fn: fn as AnyFunction, resources: typeof resources === 'object' && resources !== null ? (resources as Record<string, unknown>) : {} };
    }
  }
  return null;
}

/** An export's value, or undefined while it is not initialized (the module is suspended before it). */
function exportOf(ns: Record<string, unknown>, key: string): unknown {
  try {
    return ns[key];
  } catch {
    return undefined;
  }
}

function state(create: boolean): WorkerImportState | null {
  const g = globalThis as { [STATE]?: WorkerImportState; [key: symbol]: unknown };
  let s = g[STATE] ?? null;
  if (s === null && create) {
    const namespaces = new Map<string, Record<string, unknown>>();
    g[Symbol.for(NAMESPACES)] = namespaces;
    s = { als: new AsyncLocalStorage<boolean>(), namespaces, imports: new Map(), stalls: 0, onStall: [], hooked: false };
    g[STATE] = s;
  }
  return s;
}
