/**
 * Replacing a dataset file safely: the new file is written beside the old one and fsynced, the
 * old one is kept as `<file>.bak` (a hard link: no copy), and only then is the new one renamed
 * over the old. A reader sees the old file or the new one, never a part; after a crash at any
 * moment the file is the old version or the new one, whole.
 */
import { randomBytes } from 'node:crypto';
import { existsSync, linkSync, renameSync, statSync, unlinkSync } from 'node:fs';
import { link, mkdir, open, readdir, rename, stat, unlink } from 'node:fs/promises';
import { hostname } from 'node:os';
import { basename, dirname, join } from 'node:path';
import { replaceSync, syncDir } from './atomic.js';
import { sameStamp, type FileStamp } from './parquet-footer.js';

/** This machine, as it appears in temporary file names (so leftovers of dead processes can be told apart). */
const HOST = hostname().replace(/[^A-Za-z0-9_-]/g, '_') || 'host';

/** Thrown when the file changed after it was read (another writer got past the lock): retry. */
export class FileChangedError extends Error {
  constructor(readonly path: string) {
    super(`${path} changed while it was being replaced`);
    this.name = 'FileChangedError';
  }
}

/**
 * The backup of a dataset file: the previous version, kept by every replace.
 *
 * @param path - the dataset file
 */
export function backupPathOf(path: string): string {
  return `${path}.bak`;
}

/**
 * A sentence for error messages naming the file's backup, or saying there is none.
 *
 * @param path - the dataset file
 */
export function backupHint(path: string): string {
  const bak = backupPathOf(path);
  return existsSync(bak)
    ? `The previous version harvestry wrote is kept at ${bak}: to restore it, move it over ${path}.`
    : `There is no backup (${bak} does not exist).`;
}

/**
 * Replaces (or creates) `path` with a file that `fill` writes at the temporary path it is given.
 * The previous version is kept as `<path>.bak`.
 *
 * @param path - the target
 * @param fill - writes the new contents at the temporary path (the file may not exist yet)
 * @param expect - the stamp the target must still have (null: must not exist); else FileChangedError
 * @returns the stamp of the new file
 */
export async function replaceFile(path: string, fill: (tmp: string) => Promise<void>, expect?: FileStamp | null): Promise<FileStamp> {
  const dir = dirname(path);
  await mkdir(dir, { recursive: true });
  const tag = `${HOST}.${process.pid}.${randomBytes(4).toString('hex')}`;
  const tmp = join(dir, `.${basename(path)}.${tag}.tmp`);
  try {
    await fill(tmp);
    const fh = await open(tmp, 'r+');
    try {
      await fh.sync();
    } finally {
      await fh.close();
    }
    const current = await stampOf(path);
    if (expect !== undefined && !sameStamp(current, expect)) throw new FileChangedError(path);
    if (current !== null) await keepBackup(path, join(dir, `.${basename(path)}.${tag}.bak`));
    await rename(tmp, path);
  } catch (err) {
    await unlink(tmp).catch(() => undefined);
    throw err;
  }
  syncDir(dir);
  return (await stampOf(path))!;
}

/** Files up to this size are written with synchronous calls (as `writeFileAtomic` does). */
const SYNC_LIMIT = 8 * 1024 * 1024;

/**
 * Writes `bytes` as the new contents of `path` (see {@link replaceFile}).
 *
 * @param path - the target
 * @param bytes - the contents
 * @param expect - the stamp the target must still have
 */
export async function replaceFileBytes(path: string, bytes: Uint8Array, expect?: FileStamp | null): Promise<FileStamp> {
  if (bytes.length <= SYNC_LIMIT) return replaceSmall(path, bytes, expect);
  return replaceFile(
    path,
    async (tmp) => {
      const fh = await open(tmp, 'wx');
      try {
        await fh.writeFile(bytes);
      } finally {
        await fh.close();
      }
    },
    expect,
  );
}

/** {@link replaceFileBytes} with synchronous calls: a millisecond of blocking beats a dozen thread-pool round trips. */
function replaceSmall(path: string, bytes: Uint8Array, expect: FileStamp | null | undefined): FileStamp {
  const dir = dirname(path);
  const tag = `${HOST}.${process.pid}.${randomBytes(4).toString('hex')}`;
  replaceSync(path, join(dir, `.${basename(path)}.${tag}.tmp`), bytes, () => {
    const current = stampOfSync(path);
    if (expect !== undefined && !sameStamp(current, expect)) throw new FileChangedError(path);
    if (current === null) return;
    const link = join(dir, `.${basename(path)}.${tag}.bak`);
    try {
      linkSync(path, link);
    } catch {
      return; // no hard links here: the atomic rename still keeps the old file whole until the new one is complete
    }
    renameSync(link, backupPathOf(path));
    dropLink(link);
  });
  return stampOfSync(path)!;
}

function stampOfSync(path: string): FileStamp | null {
  try {
    const st = statSync(path);
    return { dev: st.dev, ino: st.ino, size: st.size, mtimeMs: st.mtimeMs };
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw err;
  }
}

/**
 * The stamp of a file, or null when it does not exist.
 *
 * @param path - the file
 */
export async function stampOf(path: string): Promise<FileStamp | null> {
  try {
    const st = await stat(path);
    return { dev: st.dev, ino: st.ino, size: st.size, mtimeMs: st.mtimeMs };
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw err;
  }
}

/** Makes `<path>.bak` the current version of `path` (a hard link, so nothing is copied). */
async function keepBackup(path: string, tmpLink: string): Promise<void> {
  try {
    await link(path, tmpLink);
  } catch {
    return; // a file system without hard links: the atomic rename still keeps the old file whole until the new one is complete
  }
  await rename(tmpLink, backupPathOf(path));
  dropLink(tmpLink);
}

/**
 * Removes a temporary link that a rename onto the backup left in place: when `<file>.bak` is
 * already a link to the same file (a writer was killed between keeping the backup and renaming
 * the new file into place), rename(2) does nothing and keeps both names.
 */
function dropLink(link: string): void {
  try {
    unlinkSync(link);
  } catch {
    // renamed away, as usual
  }
}

/**
 * Removes temporary files beside `path` left by processes of this machine that died while
 * replacing it (killed between writing and renaming). Files of live processes, and of other
 * machines, are left alone.
 *
 * @param path - the dataset file
 * @returns how many were removed
 */
export async function removeLeftovers(path: string): Promise<number> {
  const dir = dirname(path);
  const prefix = `.${basename(path)}.${HOST}.`;
  let names: string[];
  try {
    names = await readdir(dir);
  } catch {
    return 0;
  }
  let removed = 0;
  for (const name of names) {
    if (!name.startsWith(prefix)) continue;
    const m = /^(\d+)\.[0-9a-f]+\.(tmp|bak)$/.exec(name.slice(prefix.length));
    if (m === null || isAlive(Number(m[1]))) continue;
    await unlink(join(dir, name)).then(
      () => removed++,
      () => undefined,
    );
  }
  return removed;
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}
