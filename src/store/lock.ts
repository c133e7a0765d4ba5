/**
 * The lock that keeps writers of one dataset file from losing each other's rows, through
 * proper-lockfile (the only file that imports it): a folder `<file>.lock` beside the file,
 * created atomically, its time refreshed while held. A lock whose holder died (killed, crashed,
 * machine lost) stops being refreshed and is broken once it is older than `staleMs`, or once it
 * has not changed for `staleMs` by this process's clock (a lock whose time lies in the future,
 * from a machine whose clock is ahead on a shared file system). A lock path that is not an empty
 * folder is refused with E_BAD_LOCK: harvestry cannot tell who holds it.
 */
import { existsSync, rmdirSync, statSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { dirname } from 'node:path';
import type ProperLockfile from 'proper-lockfile';
import { LOADS_AT_IMPORT } from '../dataset/_arrow-lib.js';
import { HarvestryError } from '../errors.js';
import { codedFsError, lockProblem } from './writable.js';

let lockfileLib: Promise<typeof ProperLockfile> | undefined;
/** proper-lockfile (with graceful-fs, retry and signal-exit: ~25 ms of CPU), loaded once. */
const loadLockfile = (): Promise<typeof ProperLockfile> => (lockfileLib ??= import('proper-lockfile').then((m) => m.default));
// Loaded while harvestry is imported, as apache-arrow is, so a first write pays nothing more;
// pool threads, subprocess children and crop growers take no lock (a grower writes its batch
// files atomically, without one) and never load it.
if (LOADS_AT_IMPORT) await loadLockfile();

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
  const problem = lockProblem(lockPath, path);
  if (problem !== null) throw problem;
  try {
    await mkdir(dirname(path), { recursive: true });
  } catch (err) {
    throw codedFsError(err, dirname(path), `make the folder of ${path}`);
  }
  let compromised = false;
  const started = Date.now();
  let wait = 5;
  let release: (() => Promise<void>) | null = null;
  const watch = new LockWatch(lockPath, staleMs);
  const lockfile = await loadLockfile();
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
      const bad = lockProblem(lockPath, path);
      if (bad !== null) throw bad;
      const code = (err as NodeJS.ErrnoException).code;
      // ENOENT: the lock vanished while being taken (a waiter broke the lock it replaced): wait and try again
      if (code !== 'ELOCKED' && (code !== 'ENOENT' || !existsSync(dirname(path)))) throw codedFsError(err, lockPath, `take the lock ${lockPath} of ${path}`);
      if (watch.breakIfUnchanged()) continue;
      if (Date.now() - started > timeoutMs) {
        throw new HarvestryError(
          'E_LOCKED',
          `Another process has held the lock ${lockPath} for more than ${Math.round(timeoutMs / 1000)} s while writing ${path} (it kept refreshing it, so its holder is alive). Wait for it to finish (or stop it). A lock left by a process that died is broken by itself after ${staleMs / 1000} s.`,
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

/**
 * Watches a held lock while waiting for it: a lock whose time has not changed for `staleMs` by
 * this process's clock is stale whatever time it shows. proper-lockfile only compares the
 * lock's time with the clock, so a lock stamped in the future (a holder whose clock is ahead,
 * on a shared file system) would otherwise never be broken.
 */
class LockWatch {
  private seen: { key: string; since: number } | null = null;

  constructor(
    private readonly lockPath: string,
    private readonly staleMs: number,
  ) {}

  /** Removes the lock if it has not changed for `staleMs`; true when it did. */
  breakIfUnchanged(): boolean {
    const key = this.stamp();
    const now = Date.now();
    if (key === null) {
      this.seen = null;
      return false;
    }
    // a lock stamped in the past is proper-lockfile's to judge (by its age); only one in the future is watched here
    if (Number(key.split(':')[1]) <= now || this.seen?.key !== key) {
      this.seen = { key, since: now };
      return false;
    }
    if (now - this.seen.since <= this.staleMs) return false;
    if (this.stamp() !== key) return false; // refreshed just now
    try {
      rmdirSync(this.lockPath);
    } catch {
      // taken away (or over) by another waiter: try again
    }
    this.seen = null;
    return true;
  }

  private stamp(): string | null {
    try {
      const st = statSync(this.lockPath);
      return `${st.ino}:${st.mtimeMs}`;
    } catch {
      return null;
    }
  }
}
