/**
 * apache-arrow, loaded once per thread where it is needed. Importing it costs over 100 ms of
 * CPU, which every worker thread would pay at start-up for nothing (workers only evaluate
 * cases). So the main thread loads it while harvestry is imported (a top-level await), and
 * worker threads and child processes running cases never do.
 */
import type * as Arrow from 'apache-arrow';
import { isMainThread } from 'node:worker_threads';

let lib: typeof Arrow | undefined;

/** Loads apache-arrow (once). */
export async function loadArrow(): Promise<typeof Arrow> {
  lib ??= await import('apache-arrow');
  return lib;
}

/**
 * apache-arrow's exports, for code that runs after it was loaded: always in the main thread
 * (loaded while harvestry is imported), elsewhere after `loadArrow()`.
 */
export const arrow: typeof Arrow = new Proxy({} as typeof Arrow, {
  get(_target, key) {
    if (lib === undefined) throw new Error(`harvestry: apache-arrow is not loaded in this thread (reading ${String(key)}); await loadArrow() first`);
    return lib[key as keyof typeof Arrow];
  },
});

/**
 * True in the thread that loads harvestry's libraries while harvestry is imported: the main
 * thread of a process that is not a subprocess child or a crop grower (HARVESTRY_CHILD). Pool
 * threads and those processes only evaluate cases, and load a library when they first need it.
 */
export const LOADS_AT_IMPORT = isMainThread && process.env.HARVESTRY_CHILD !== '1';

if (LOADS_AT_IMPORT) await loadArrow();
