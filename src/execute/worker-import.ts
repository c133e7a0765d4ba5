/**
 * Inside a worker thread or a child process: finding a labelled function again by importing the
 * module that labelled it.
 *
 * The module may run a sweep at its top level (`await h.harvestCombos(..., { parallel: true })`).
 * While a worker imports it, such runs never start ({@link stallWorkerImport}), so the import
 * cannot recurse into more pools. A module suspended there has exports that `import()` never
 * hands over; then the worker imports a second copy of it through a loader hook that adds a first
 * line registering the copy's own live namespace (`import * as ns from '<itself>'`), and reads the
 * export from that. The copy's top level runs only as far as the `label()` calls the worker needs
 * (a notebook-style module labels, runs, labels again): a run met before them is skipped and
 * settles with a result that throws `E_SKIPPED_IN_WORKER` when used; the first run met after
 * them parks the copy there (and is skipped the same way if a later function is asked for).
 * Exports not initialized yet are never read.
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import * as nodeModule from 'node:module';
import { HarvestryError } from '../errors.js';
import { FROM_SOURCE, ownModule } from '../own-url.js';
import type { AnyFunction } from './evaluate.js';
import { messageOf } from './evaluate.js';
import type { Preload } from './preloads.js';
import { labelCount, SITE_KEY, type FunctionSite } from './site.js';

interface WorkerImportState {
  readonly als: AsyncLocalStorage<ImportContext>;
  readonly namespaces: Map<string, Record<string, unknown>>;
  readonly imports: Map<string, ImportContext>;
  hooked: boolean;
}

/** One module imported by a worker, and how far its top level has run. */
interface ImportContext {
  /** The URL imported (with the copy's query for a copy). */
  readonly url: string;
  /** True for the copy imported through the hook, whose namespace is visible while it runs. */
  readonly copy: boolean;
  /** The functions asked of this module: the copy's top level runs on until all are labelled. */
  readonly wants: { readonly site: FunctionSite; readonly anyVersion: boolean }[];
  /** Called (all, once) when the module parks at a run of its own. */
  onPark: (() => void)[];
  /** Lets the run the module is parked at settle (skipped) so the top level runs on; null when not parked. */
  resume: (() => void) | null;
  /** How the import ended, once it has. */
  done: Settled | null;
  settled: Promise<Settled>;
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
  return state(false)?.als.getStore() !== undefined;
}

/**
 * For a run (or a file edit) started while a worker imports the module that started it: the run
 * never starts. In the module itself, the promise never settles and the worker is told the module
 * is parked there; in the worker's copy, it settles with a skipped result (one that throws
 * `E_SKIPPED_IN_WORKER` when used) while the functions the worker asked for are not labelled yet,
 * else parks until a later function is asked for.
 *
 * @returns a promise of the skipped result, or one that never settles
 */
export function stallWorkerImport<T = never>(): Promise<T> {
  const s = state(false);
  const ctx = s?.als.getStore();
  if (s === null || ctx === undefined) return new Promise<T>(() => undefined);
  const skipped = skippedResult(ctx.url) as T;
  if (ctx.copy && !hasWants(s, ctx)) return Promise.resolve(skipped);
  return new Promise<T>((resolve) => {
    ctx.resume = () => {
      ctx.resume = null;
      resolve(skipped);
    };
    for (const f of ctx.onPark.splice(0)) f();
  });
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
  // The user's module imports harvestry: under tsx (and only then: another preload may need to
  // run before anything), import compiled harvestry before tsx registers, so its ~150 modules load
  // natively instead of each passing through tsx's hooks, which run on a thread of their own
  // (W3T: about 0.5 s less CPU per pool thread on a loaded 2-core machine). The user's module
  // then gets the same module instances.
  if (preloads.length > 0 && preloads.every((p) => p.register) && !FROM_SOURCE) await import(ownModule('index.js').href);
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
  const want = { site, anyVersion: options.anyVersion === true };
  let url = site.url;
  let settled = await advance(s, url, false, want);
  let found = settled?.ns ? findRunner(settled.ns, site, url, want.anyVersion) : null;
  if (found === null && settled === null) {
    // The module is suspended at a run of its own, so its namespace cannot be had from import():
    // import a second copy through the hook, which hands over the copy's namespace as it starts.
    if (!s.hooked) {
      s.hooked = true;
      const register = (nodeModule as { register?: (url: string, parent?: string) => void }).register;
      register?.(`data:text/javascript,${encodeURIComponent(HOOK_SOURCE)}`);
    }
    url = `${url}${url.includes('?') ? '&' : '?'}${COPY_PARAM}`;
    settled = await advance(s, url, true, want);
    const ns = settled?.ns ?? s.namespaces.get(url) ?? null;
    found = ns === null ? null : findRunner(ns, site, url, want.anyVersion);
  }
  if (found !== null) return found;
  // Labelled (the module made that label() call) but not among its exports: say so, whatever
  // stopped the module's top level later.
  const labelled = !want.anyVersion && labelCount(url) > site.ordinal;
  if (settled !== null && !settled.ok && !labelled) {
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

/**
 * Imports a module once per thread, as a worker import, or lets its copy's top level run on to a
 * function asked for now; null when the module is parked at a run of its own.
 */
function advance(s: WorkerImportState, url: string, copy: boolean, want: ImportContext['wants'][number]): Promise<Settled | null> {
  const ctx = s.imports.get(url);
  if (ctx === undefined) {
    const fresh: ImportContext = { url, copy, wants: [want], onPark: [], resume: null, done: null, settled: null as never };
    const parked = nextPark(fresh);
    fresh.settled = s.als.run(fresh, () => import(url)).then(
      (ns: Record<string, unknown>): Settled => (fresh.done = { ok: true, error: null, ns }),
      (error: unknown): Settled => (fresh.done = { ok: false, error, ns: null }),
    );
    s.imports.set(url, fresh);
    return Promise.race([fresh.settled, parked]);
  }
  ctx.wants.push(want);
  if (ctx.done !== null) return Promise.resolve(ctx.done);
  if (ctx.resume === null) return Promise.race([ctx.settled, nextPark(ctx)]);
  if (!ctx.copy || hasWants(s, ctx)) return Promise.resolve(null);
  // The copy is parked before the function asked for: let its top level run on.
  const parked = nextPark(ctx);
  ctx.resume();
  return Promise.race([ctx.settled, parked]);
}

function nextPark(ctx: ImportContext): Promise<null> {
  return new Promise<null>((resolve) => {
    ctx.onPark.push(() => {
      resolve(null);
    });
  });
}

/** True when every function asked of a copy is labelled (and exported) by now. */
function hasWants(s: WorkerImportState, ctx: ImportContext): boolean {
  const ns = s.namespaces.get(ctx.url);
  return ns !== undefined && ctx.wants.every((w) => findRunner(ns, w.site, ctx.url, w.anyVersion) !== null);
}

/**
 * What a run skipped in a worker settles with: any use of it throws `E_SKIPPED_IN_WORKER`, so
 * nothing computed from a result that does not exist there gets written or shown.
 */
function skippedResult(url: string): object {
  const module = url.replace(new RegExp(`[?&]${COPY_PARAM}$`), '');
  const fail = (what: string): never => {
    throw new HarvestryError(
      'E_SKIPPED_IN_WORKER',
      `Code at the top level of ${module} used the result of a run (${what}), but this is a worker importing that module to find a labelled function: workers run the module's top level only down to the label() calls they need and skip every run on the way, so its result does not exist here. Run code that uses results only where the script was started: wrap it in \`if (isMain()) { ... }\`, or label every function before the first run.`,
      { details: { url: module } },
    );
  };
  return new Proxy(Object.create(null) as object, {
    // A promise settling with this value looks for `then`: say there is none.
    get: (_t, key) => (key === 'then' ? undefined : fail(`reading \`${String(key)}\``)),
    set: (_t, key) => fail(`setting \`${String(key)}\``),
    has: (_t, key) => fail(`\`${String(key)} in\``),
    ownKeys: () => fail('listing its keys'),
    getOwnPropertyDescriptor: (_t, key) => fail(`reading \`${String(key)}\``),
    defineProperty: (_t, key) => fail(`defining \`${String(key)}\``),
    deleteProperty: (_t, key) => fail(`deleting \`${String(key)}\``),
    getPrototypeOf: () => fail('reading its prototype'),
  });
}

function findRunner(ns: Record<string, unknown>, site: FunctionSite, url: string, anyVersion = false): LoadedFunction | null {
  // Not Object.keys: it reads every export, and one not initialized yet throws a ReferenceError.
  const keys = Reflect.ownKeys(ns).filter((k): k is string => typeof k === 'string');
  const candidates = keys.map((key) => exportOf(ns, key));
  const dflt = exportOf(ns, 'default');
  // A CommonJS module's exports object arrives as the default export.
  if (typeof dflt === 'object' && dflt !== null && !(SITE_KEY in dflt)) candidates.push(...Object.keys(dflt).map((key) => exportOf(dflt as Record<string, unknown>, key)));
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
  // The same text (a worker of the same loader) is the same function; else compare fingerprints,
  // which parses (a grower running tsc's output of a crop sown under tsx).
  const exact = pick((o) => o.ordinal === site.ordinal && ((o.source !== undefined && o.source === site.source) || o.fingerprint === site.fingerprint));
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
    s = { als: new AsyncLocalStorage<ImportContext>(), namespaces, imports: new Map(), hooked: false };
    g[STATE] = s;
  }
  return s;
}
