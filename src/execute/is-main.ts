/**
 * `isMain()`: the counterpart of Python's `if __name__ == '__main__'` for scripts whose module
 * workers import again.
 */
import { isMainThread } from 'node:worker_threads';
import { inWorkerImport } from './worker-import.js';

/**
 * True only in the process and thread the user started: false in pool threads, in subprocess
 * children, in crop growers (`harvestry crop grow`, and a crop's function imported by
 * `crop.grow()` on a crop opened from disk), and in any other worker thread.
 *
 * Workers import the module that labelled a function to find it again, so the module's top-level
 * code runs there too (down to the `label()` calls they need; runs on the way are skipped). Put
 * top-level code with side effects (clearing a folder, writing a file, printing a report) under
 * `if (isMain())` so it runs once, where the script was started.
 *
 * @returns whether this is the process and thread the user started
 * @example
 * ```ts
 * import { rmSync } from 'node:fs';
 * import { isMain } from 'harvestry';
 *
 * if (isMain()) rmSync('.tmp/is-main-results', { recursive: true, force: true }); // once, not in every worker
 * ```
 */
export function isMain(): boolean {
  return isMainThread && process.env.HARVESTRY_CHILD !== '1' && !inWorkerImport();
}
