/**
 * Replacing a dataset file safely: the new file is written beside the old one and fsynced, the
 * old one is kept as `<file>.bak` (a hard link: no copy), and only then is the new one renamed
 * over the old. A reader sees the old file or the new one, never a part; after a crash at any
 * moment the file is the old version or the new one, whole.
 */
import { existsSync, linkSync, renameSync, statSync, unlinkSync } from 'node:fs';
import { link, mkdir, open, rename, stat, unlink } from 'node:fs/promises';
import { dirname } from 'node:path';
import { replaceSync, syncDir } from './atomic.js';
import { sameStamp, type FileStamp } from './parquet-footer.js';
import { tempPathOf } from './temporaries.js';
import { codedFsError } from './writable.js';

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
  const tmp = tempPathOf(path, 'tmp');
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
    if (current !== null) await keepBackup(path, tempPathOf(path, 'bak'));
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
  replaceSync(path, tempPathOf(path, 'tmp'), bytes, () => {
    const current = stampOfSync(path);
    if (expect !== undefined && !sameStamp(current, expect)) throw new FileChangedError(path);
    if (current === null) return;
    const link = tempPathOf(path, 'bak');
    try {
      linkSync(path, link);
    } catch {
      return; // no hard links here: the atomic rename still keeps the old file whole until the new one is complete
    }
    try {
      renameSync(link, backupPathOf(path));
    } catch (err) {
      dropLink(link);
      throw codedFsError(err, backupPathOf(path), `keep the previous version of ${path} as its backup`);
    }
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
  try {
    await rename(tmpLink, backupPathOf(path));
  } catch (err) {
    dropLink(tmpLink);
    throw codedFsError(err, backupPathOf(path), `keep the previous version of ${path} as its backup`);
  }
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
