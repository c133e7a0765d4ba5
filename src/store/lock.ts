/**
 * The lock that keeps writers of one dataset file from losing each other's rows, through
 * proper-lockfile (the only file that imports it): a folder `<file>.lock` beside the file,
 * created atomically, its time refreshed while held. A lock whose holder died (killed, crashed,
 * machine lost) stops being refreshed and is broken once it is older than `staleMs`.
 */
import { mkdir } from 'node:fs/promises';
import { dirname } from 'node:path';
import lockfile from 'proper-lockfile';
import { HarvestryError } from '../errors.js';

/** How to take a lock. */
export interface LockOptions {
  /**
   * A lock not refreshed for this long is stale (its holder died) and is broken, in ms (at least 2000).
   * @default 10000
   */
  readonly staleMs?: number;
  /**
   * How long to wait for a lock held by a live process before giving up with E_LOCKED, in ms.
   * @default 300000
   */
  readonly timeoutMs?: number;
}

/**
 * The path of the lock of a dataset file.
 *
 * @param path - the dataset file
 */
export function lockPathOf(path: string): string {
  return `${path}.lock`;
}

/**
 * Runs `fn` holding the lock of `path`. If the lock turns out to have been taken over while
 * `fn` ran (its refresh failed for longer than `staleMs`), `fn`'s result is still returned, but
 * `isCompromised()` tells `fn` so it can stop before replacing the file.
 *
 * @param path - the dataset file
 * @param fn - the work to do under the lock
 * @param options - stale and wait times
 * @returns what `fn` returns
 */
export async function withLock<T>(path: string, fn: (isCompromised: () => boolean) => Promise<T>, options: LockOptions = {}): Promise<T> {
  const staleMs = Math.max(options.staleMs ?? 10000, 2000);
  const timeoutMs = options.timeoutMs ?? 300000;
  const lockPath = lockPathOf(path);
  await mkdir(dirname(path), { recursive: true });
  let compromised = false;
  const started = Date.now();
  let wait = 5;
  let release: (() => Promise<void>) | null = null;
  while (release === null) {
    try {
      release = await lockfile.lock(path, {
        realpath: false,
        lockfilePath: lockPath,
        stale: staleMs,
        update: Math.max(1000, staleMs / 4),
        retries: 0,
        onCompromised: () => {
          compromised = true;
        },
      });
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ELOCKED') throw err;
      if (Date.now() - started > timeoutMs) {
        throw new HarvestryError(
          'E_LOCKED',
          `Another process has held the lock ${lockPath} for more than ${Math.round(timeoutMs / 1000)} s while writing ${path}. Wait for it to finish (or stop it). A lock left by a process that died is broken by itself after ${staleMs / 1000} s.`,
          { cause: err, details: { path, lockPath } },
        );
      }
      await new Promise((r) => setTimeout(r, wait * (0.5 + Math.random())));
      wait = Math.min(wait * 1.5, 200);
    }
  }
  try {
    return await fn(() => compromised);
  } finally {
    await release().catch(() => undefined);
  }
}
