/**
 * Replacing a file atomically: write beside it, fsync, rename over it, fsync the folder. A
 * reader sees the old file or the new one, never a part of one, and the old file stays whole
 * until the new one is complete.
 */
import { closeSync, fsyncSync, mkdirSync, openSync, renameSync, unlinkSync, writeSync } from 'node:fs';
import { mkdir, open, rename, unlink } from 'node:fs/promises';
import { dirname } from 'node:path';
import { tempPathOf } from './temporaries.js';

/**
 * Files up to this size are written with synchronous calls: a millisecond of blocking beats
 * seven round trips through libuv's thread pool. Bigger files are written asynchronously so
 * the event loop (a worker pool, progress) keeps going.
 */
const SYNC_LIMIT = 8 * 1024 * 1024;

/**
 * Writes `bytes` to `path` atomically.
 *
 * @param path - the target file
 * @param bytes - the new contents
 */
export async function writeFileAtomic(path: string, bytes: Uint8Array): Promise<void> {
  const dir = dirname(path);
  const tmp = tempPathOf(path, 'tmp');
  if (bytes.length <= SYNC_LIMIT) {
    replaceSync(path, tmp, bytes);
    return;
  }
  await mkdir(dir, { recursive: true });
  try {
    const fh = await open(tmp, 'wx');
    try {
      await fh.writeFile(bytes);
      await fh.sync();
    } finally {
      await fh.close();
    }
    await rename(tmp, path);
  } catch (err) {
    await unlink(tmp).catch(() => undefined);
    throw err;
  }
  syncDir(dir);
}

/**
 * Replaces `path` with `bytes` using synchronous calls: writes them to `tmp` (beside `path`),
 * fsyncs, runs `beforeRename` (which may throw to give up), renames `tmp` over `path` and
 * fsyncs the folder. On any failure `tmp` is removed and `path` is untouched.
 *
 * @param path - the target file
 * @param tmp - the temporary file beside it
 * @param bytes - the new contents
 * @param beforeRename - a last step before the rename (a check, a backup link)
 */
export function replaceSync(path: string, tmp: string, bytes: Uint8Array, beforeRename?: () => void): void {
  const dir = dirname(path);
  mkdirSync(dir, { recursive: true });
  try {
    writeNewFileSync(tmp, bytes);
    beforeRename?.();
    renameSync(tmp, path);
  } catch (err) {
    try {
      unlinkSync(tmp);
    } catch {
      // nothing to clean up
    }
    throw err;
  }
  syncDir(dir);
}

/**
 * Writes `bytes` to a file that must not exist yet, and flushes them to disk (fsync).
 *
 * @param path - the new file
 * @param bytes - its contents
 */
export function writeNewFileSync(path: string, bytes: Uint8Array): void {
  const fd = openSync(path, 'wx');
  try {
    let at = 0;
    while (at < bytes.length) at += writeSync(fd, bytes, at);
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}

/**
 * Flushes a folder's entries (a rename) to disk.
 *
 * @param dir - the folder
 */
export function syncDir(dir: string): void {
  const fd = openSync(dir, 'r');
  try {
    fsyncSync(fd);
  } catch {
    // some file systems cannot fsync a folder; the rename is still atomic
  } finally {
    closeSync(fd);
  }
}
