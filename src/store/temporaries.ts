/**
 * Temporary files and folders beside the files harvestry writes, named by one scheme:
 * `.<name>.<host>.<pid>.<hex>.<kind>` (`<name>` the file or crop they belong to, `<kind>` one of
 * `tmp`, `bak`, `probe`, `sowing`). The host and pid say who made one, so the next writer of
 * that file (or crop) removes those whose owner died on this machine, and leaves alone those of
 * live processes and of other machines.
 */
import { randomBytes } from 'node:crypto';
import { readdirSync, rmSync } from 'node:fs';
import { hostname } from 'node:os';
import { basename, dirname, join } from 'node:path';

/** This machine, as it appears in temporary names. */
export const HOST = hostname().replace(/[^A-Za-z0-9_-]/g, '_') || 'host';

/** What a temporary is for: a new version being written, a link to the backup, a write test, a crop being sown. */
export type TempKind = 'tmp' | 'bak' | 'probe' | 'sowing';

const KINDS: readonly TempKind[] = ['tmp', 'bak', 'probe', 'sowing'];

/**
 * A fresh temporary name beside `path` (in the same folder, so a rename moves it into place).
 *
 * @param path - the file (or crop folder) the temporary belongs to
 * @param kind - what it is for
 */
export function tempPathOf(path: string, kind: TempKind = 'tmp'): string {
  return join(dirname(path), `.${basename(path)}.${HOST}.${process.pid}.${randomBytes(4).toString('hex')}.${kind}`);
}

/**
 * The owner of a temporary of `path` named `name` (a name in `path`'s folder), or null when
 * `name` is not one (or belongs to another file).
 *
 * @param path - the file the temporaries belong to
 * @param name - a name in its folder
 */
export function tempOwner(path: string, name: string): { host: string; pid: number; kind: TempKind } | null {
  const prefix = `.${basename(path)}.`;
  if (!name.startsWith(prefix)) return null;
  const m = /^([A-Za-z0-9_-]+)\.(\d+)\.[0-9a-f]+\.([a-z]+)$/.exec(name.slice(prefix.length));
  if (m === null || !KINDS.includes(m[3] as TempKind)) return null;
  return { host: m[1]!, pid: Number(m[2]), kind: m[3] as TempKind };
}

/**
 * Removes the temporaries of `path` left by processes of this machine that died (killed while
 * writing it); those of live processes and of other machines are left alone.
 *
 * @param path - the file (or crop folder)
 * @returns how many were removed
 */
export function removeLeftovers(path: string): number {
  let names: string[];
  try {
    names = readdirSync(dirname(path));
  } catch {
    return 0;
  }
  let removed = 0;
  for (const name of names) {
    const owner = tempOwner(path, name);
    if (owner?.host !== HOST || isAlive(owner.pid)) continue;
    try {
      rmSync(join(dirname(path), name), { recursive: owner.kind === 'sowing', force: true });
      removed++;
    } catch {
      // removed by another writer, or not ours to remove: leave it
    }
  }
  return removed;
}

/**
 * True when a process of this machine with that pid is running.
 *
 * @param pid - the process id
 */
export function isAlive(pid: number): boolean {
  if (pid === process.pid) return true;
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}
