/**
 * Inside a worker thread or a child process: finding a labelled function again by importing the
 * module that labelled it.
 *
 * The module may run a sweep at its top level (`await h.harvestCombos(..., { parallel: true })`).
 * While a worker imports it, such runs never start and never settle ({@link stallWorkerImport}),
 * so the import cannot recurse into more pools. A module suspended there has exports that
 * `import()` never hands over; then the worker imports a second copy of it through a loader hook
 * that adds a first line registering the copy's own live namespace
 * (`import * as ns from '<itself>'`), and reads the export from that.
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
  readonly imports: Map<string, { readonly settled: Promise<Settled>; readonly stalled: Promise<null> }>;
  onStall: (() => void)[];
  hooked: boolean;
}

const STATE = Symbol.for('harvestry.workerImport');
const NAMESPACES = 'harvestry.namespaces';
/** The query that marks the copy of a module imported through the hook. */
const COPY_PARAM = 'harvestry-worker-copy';
/** Set once a thread has imported its preloads (by the pool bootstrap or by {@link importPreloads}). */
const PRELOADED = Symbol.for('harvestry.preloaded');

/** The hook that makes every user module register its own namespace as its first statement. */
const HOOK_SOURCE = `
export async function load(url, context, nextLoad) {
  const r = await nextLoad(url, context);
  if (r.format !== 'module' || r.source == null || !url.includes(${JSON.stringify(COPY_PARAM)})) return r;
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
  /** Where the function found was labelled (its fingerprint differs from the one asked for when `anyVersion` found an edited function). */
  readonly site?: FunctionSite;
}

/** How {@link loadLabelled} matches the function. */
export interface LoadOptions {
  /**
   * Also accept another version of the function (its source was edited since the site was
   * recorded, as for a crop sown before a fix): the export labelled by the same `label()` call,
   * else the one export of the module with the same source, else the module's only labelled export.
   * @default false
   */
  readonly anyVersion?: boolean;
}

/**
 * Finds the labelled function of a site: imports its module (once per thread) and looks for the
 * exported Runner that the same `label()` call made.
 *
 * @param site - where the function was labelled
 * @param options - `anyVersion` to accept an edited function
 * @returns the function and its resources
 */
export async function loadLabelled(site: FunctionSite & { readonly url: string }, options: LoadOptions = {}): Promise<LoadedFunction> {
  const s = state(true)!;
  const anyVersion = options.anyVersion === true;
  let url = site.url;
  let settled = await importOnce(s, url);
  let found = settled?.ns ? findRunner(settled.ns, site, url, anyVersion) : null;
  if (found === null && settled === null) {
    // The module is suspended at a run of its own, so its namespace cannot be had from import():
    // import a second copy through the hook, which hands over the copy's namespace as it starts.
    if (!s.hooked) {
      s.hooked = true;
      const register = (nodeModule as { register?: (url: string, parent?: string) => void }).register;
      register?.(`data:text/javascript,${encodeURIComponent(HOOK_SOURCE)}`);
    }
    url = `${url}${url.includes('?') ? '&' : '?'}${COPY_PARAM}`;
    settled = await importOnce(s, url);
    const ns = settled?.ns ?? s.namespaces.get(url) ?? null;
    found = ns === null ? null : findRunner(ns, site, url, anyVersion);
  }
  if (found !== null) return found;
  if (settled !== null && !settled.ok) {
    throw new HarvestryError('E_WORKER_IMPORT', `A worker could not import ${site.url}, the module that labels the function: ${messageOf(settled.error)}`, { cause: settled.error });
  }
  throw new HarvestryError(
    'E_NOT_EXPORTED',
    `A worker imported ${site.url} but found no export that is this labelled function (label() call number ${site.ordinal + 1} in that module). Workers import the function from its module, so export it: export const sweep = label(...).`,
    { details: { url: site.url, ordinal: site.ordinal } },
  );
}

interface Settled {
  readonly ok: boolean;
  readonly error: unknown;
  readonly ns: Record<string, unknown> | null;
}

/** Imports a module once per thread, as a worker import; null when it got suspended at a run of its own. */
function importOnce(s: WorkerImportState, url: string): Promise<Settled | null> {
  let entry = s.imports.get(url);
  if (entry === undefined) {
    const settled = s.als.run(true, () => import(url)).then(
      (ns: Record<string, unknown>): Settled => ({ ok: true, error: null, ns }),
      (error: unknown): Settled => ({ ok: false, error, ns: null }),
    );
    const stalled = new Promise<null>((resolve) => {
      s.onStall.push(() => {
        resolve(null);
      });
    });
    entry = { settled, stalled };
    s.imports.set(url, entry);
  }
  return Promise.race([entry.settled, entry.stalled]);
}

function findRunner(ns: Record<string, unknown>, site: FunctionSite, url: string, anyVersion = false): LoadedFunction | null {
  const candidates = Object.keys(ns).map((key) => exportOf(ns, key));
  const dflt = exportOf(ns, 'default');
  // A CommonJS module's exports object arrives as the default export.
  if (typeof dflt === 'object' && dflt !== null && !(SITE_KEY in dflt)) candidates.push(...Object.values(dflt as Record<string, unknown>));
  const labelled: { c: object; other: FunctionSite; fn: AnyFunction }[] = [];
  for (const c of candidates) {
    if (typeof c !== 'object' || c === null) continue;
    const other = (c as { [SITE_KEY]?: FunctionSite })[SITE_KEY];
    const fn = (c as { fn?: unknown }).fn;
    if (other?.url === url && typeof fn === 'function' && !labelled.some((x) => x.c === c)) labelled.push({ c, other, fn: fn as AnyFunction });
  }
  const pick = (test: (o: FunctionSite) => boolean): LoadedFunction | null => {
    const hits = labelled.filter((x) => test(x.other));
    if (hits.length !== 1) return null;
    const { c, other, fn } = hits[0]!;
    const resources = (c as { resources?: unknown }).resources;
    return { fn, resources: typeof resources === 'object' && resources !== null ? (resources as Record<string, unknown>) : {}, site: other };
  };
  const exact = pick((o) => o.ordinal === site.ordinal && o.fingerprint === site.fingerprint);
  if (exact !== null || !anyVersion) return exact;
  return pick((o) => o.ordinal === site.ordinal) ?? pick((o) => o.fingerprint === site.fingerprint) ?? pick(() => true);
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
    s = { als: new AsyncLocalStorage<boolean>(), namespaces, imports: new Map(), onStall: [], hooked: false };
    g[STATE] = s;
  }
  return s;
}
