/**
 * Where a function was labelled, so that a worker thread or a child process can find the same
 * function again: it imports the module that called `label()` and looks among its exports for
 * the Runner made by the same `label()` call (the same module, the same position among that
 * module's `label()` calls, and the same source fingerprint).
 */
import { isAbsolute } from 'node:path';
import { pathToFileURL } from 'node:url';
import { HarvestryError } from '../errors.js';
import { OWN_ROOT } from '../own-url.js';

/** Where a labelled function was labelled. */
export interface FunctionSite {
  /** The URL of the module that called `label()`, or null when it was not a module file (REPL, eval). */
  readonly url: string | null;
  /** The position of that `label()` call among the module's `label()` calls (0 for the first). */
  readonly ordinal: number;
  /** The fingerprint of the function's source (the same under every transpiler; parsed when first read). */
  readonly fingerprint: string;
  /** The SHA-256 of the function's source text as it runs (cheap; equal in workers of the same loader). */
  readonly source?: string;
  /** The name of the function `label()` was called in, or null when called at the module's top level. */
  readonly enclosing: string | null;
}

/** The key under which a Runner carries its site (shared by every copy of harvestry in a thread). */
export const SITE_KEY: unique symbol = Symbol.for('harvestry.site') as never;

const sites = new WeakMap<object, FunctionSite>();
/** `label()` calls made so far per module URL, shared by every copy of harvestry in a thread. */
const counters: Map<string, number> = ((globalThis as Record<symbol, unknown>)[Symbol.for('harvestry.labelCounts')] ??= new Map<string, number>()) as Map<string, number>;
const OWN_DIR = OWN_ROOT;

/**
 * Records where the caller of `below` labelled a function (skipping harvestry's own frames).
 *
 * @param below - the function whose caller is wanted (`label`)
 * @param fingerprint - the labelled function's fingerprint, computed when first read
 * @param source - the SHA-256 of the function's source text
 * @returns the site
 */
export function captureSite(below: (...args: never[]) => unknown, fingerprint: () => string, source: string): FunctionSite {
  const frame = callerFrame(below);
  const file = frame?.getFileName() ?? null;
  const url = file === null ? null : toUrl(file);
  const ordinal = url === null ? 0 : (counters.get(url) ?? 0);
  if (url !== null) counters.set(url, ordinal + 1);
  const name = frame?.getFunctionName() ?? null;
  const site = {
    url,
    ordinal,
    source,
    enclosing: name === null || name === '' ? null : name,
    get fingerprint(): string {
      const value = fingerprint();
      Object.defineProperty(site, 'fingerprint', { value, enumerable: true });
      return value;
    },
  };
  return site;
}

/**
 * How many `label()` calls a module has made so far in this thread.
 *
 * @param url - the module's URL
 */
export function labelCount(url: string): number {
  return counters.get(url) ?? 0;
}

/**
 * Remembers the site of a labelled function (the first top-level site wins).
 *
 * @param fn - the function
 * @param site - where it was labelled
 */
export function rememberSite(fn: object, site: FunctionSite): void {
  const known = sites.get(fn);
  if (known === undefined || (known.enclosing !== null && site.enclosing === null)) sites.set(fn, site);
}

/**
 * The site a function was labelled at, or null when it was never labelled.
 *
 * @param fn - the function
 */
export function siteOf(fn: object): FunctionSite | null {
  return sites.get(fn) ?? null;
}

function callerFrame(below: (...args: never[]) => unknown): NodeJS.CallSite | null {
  // Saved to be put back as it was; never called here.
  // eslint-disable-next-line @typescript-eslint/unbound-method
  const saved = Error.prepareStackTrace;
  const savedLimit = Error.stackTraceLimit;
  const holder: { stack?: unknown } = {};
  let stack: unknown;
  try {
    Error.stackTraceLimit = 30;
    Error.prepareStackTrace = (_err, frames) => frames;
    Error.captureStackTrace(holder, below);
    // The stack is formatted when first read: read it while the frames are kept as objects.
    stack = holder.stack;
  } finally {
    Error.prepareStackTrace = saved;
    Error.stackTraceLimit = savedLimit;
  }
  const frames = Array.isArray(stack) ? (stack as NodeJS.CallSite[]) : [];
  return (
    frames.find((f) => {
      const file = f.getFileName();
      if (file === null || file.startsWith('node:')) return false;
      return !(toUrl(file) ?? '').startsWith(OWN_DIR);
    }) ?? null
  );
}

/** A frame's file as a URL: file URLs and paths of module files; null for anything else (eval, REPL). */
function toUrl(file: string): string | null {
  if (file.startsWith('file:')) return file;
  return isAbsolute(file) ? pathToFileURL(file).href : null;
}

/**
 * Throws E_NOT_EXPORTED when a worker could not find the function again: it was labelled
 * inside a function (a closure), or outside a module file.
 *
 * @param site - where it was labelled, or null when it was never labelled
 * @param executor - the executor that needs it, for the message
 */
export function checkSite(site: FunctionSite | null, executor: string): asserts site is FunctionSite & { readonly url: string } {
  if (site?.url == null) {
    throw new HarvestryError(
      'E_NOT_EXPORTED',
      `The ${executor} executor runs the function in other threads or processes, which import it from the module that labels it, but this function was not labelled in a module file (it comes from a REPL or eval). Put it in a module and export it: export const sweep = label(...).`,
    );
  }
  if (site.enclosing !== null) {
    throw new HarvestryError(
      'E_NOT_EXPORTED',
      `The ${executor} executor runs the function in other threads or processes, which import it from ${site.url}, but it was labelled inside the function \`${site.enclosing}\`, so importing the module does not make it. Label it at the top level of the module and export it: export const sweep = label(...).`,
      { details: { url: site.url, enclosing: site.enclosing } },
    );
  }
}

/**
 * Whether this thread can already see that a site's module exports its labelled function: true
 * or false when the module has finished loading here, null when it cannot tell yet (the module is
 * still running its top level, for example a sweep at its end, or it is not loaded here). A pool
 * thread finds the function the same way, so true means the threads will find it too.
 *
 * @param site - where the function was labelled
 */
export async function exportedHere(site: FunctionSite & { readonly url: string }): Promise<boolean | null> {
  // A loaded module's namespace comes within a few microtasks; one still evaluating never does
  // before its top level ends, so do not wait past this turn of the event loop.
  const later = new Promise<undefined>((resolve) => setTimeout(() => { resolve(undefined); }, 0));
  const ns = await Promise.race([import(site.url).then((m: Record<string, unknown>) => m, () => null), later]);
  if (ns === undefined) return null;
  if (ns === null) return false;
  return Object.keys(ns).some((key) => {
    try {
      const s = (ns[key] as { [SITE_KEY]?: FunctionSite } | null | undefined)?.[SITE_KEY];
      return s?.url === site.url && s.ordinal === site.ordinal;
    } catch {
      return false; // not initialized yet
    }
  });
}
