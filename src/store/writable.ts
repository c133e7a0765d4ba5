/**
 * Checking, before a run starts, that the file it will write can be written: every path
 * harvestry will touch (the file, its folder, `<file>.bak`, `<file>.lock`, labels beside it) is
 * of the right kind, the folder takes new files, and the file (and its backup) can be replaced.
 * A run that could not commit is refused before its first case, so no computed result is lost
 * to it. Also turns the file system's own errors (EPERM, EISDIR, ENOTDIR...) into coded errors
 * that name the path and the fix.
 */
import { closeSync, linkSync, mkdirSync, openSync, readdirSync, statSync, unlinkSync, type Stats } from 'node:fs';
import { dirname, join } from 'node:path';
import { HarvestryError } from '../errors.js';
import { tempPathOf } from './temporaries.js';

/** What is about to be written. */
export interface WriteTarget {
  /** The file. */
  readonly path: string;
  /** What the file is, for messages ("the dataset file", "the sample table"). */
  readonly what: string;
  /** The call that will write it, for messages. */
  readonly where: string;
  /** Its lock (an empty folder while held). */
  readonly lockPath: string;
  /** Its backup, or null when it keeps none. */
  readonly backupPath: string | null;
  /** Other files beside it that are replaced with it (labels of a text table). */
  readonly companions?: readonly string[];
  /** The file is appended to in place (CSV and JSON lines), not only replaced. */
  readonly inPlace?: boolean;
}

/**
 * Checks that `target` can be written, without changing anything the user sees: the kinds of
 * the paths always; with `probe`, also that its folder (made if missing) takes new files and
 * that the file and its backup can be replaced (a test file, removed at once).
 *
 * @param target - the file and what goes with it
 * @param probe - also try the writes (false: only look, for dry runs)
 */
export function checkWritable(target: WriteTarget, probe = true): void {
  const { path, what, where } = target;
  const dir = dirname(path);
  checkParents(dir, path, what, where);
  const st = statOrNull(path, what, where);
  if (st?.isDirectory() === true) {
    throw new HarvestryError('E_PATH_KIND', `${where} writes ${what} at ${path}, but ${path} is a folder. Give the path of a file (for example ${join(path, 'data.parquet')}), or move the folder away.`, {
      details: { path },
    });
  }
  const others = [...(target.backupPath === null ? [] : [target.backupPath]), ...(target.companions ?? [])];
  for (const other of others) {
    if (statOrNull(other, what, where)?.isDirectory() === true) {
      throw new HarvestryError(
        'E_PATH_KIND',
        `${where} writes ${other} along with ${what} ${path}, but ${other} is a folder. Move it away (harvestry keeps a file there), or write ${what} somewhere else.`,
        { details: { path: other } },
      );
    }
  }
  const lock = lockProblem(target.lockPath, path);
  if (lock !== null) throw lock;
  if (!probe) return;
  try {
    mkdirSync(dir, { recursive: true });
  } catch (err) {
    throw notWritable(err, dir, `${where} cannot make the folder ${dir} for ${what} ${path}`);
  }
  probeFolder(dir, path, what, where, [...(st === null ? [] : [path]), ...others.filter((o) => statOrNull(o, what, where) !== null)]);
  if (target.inPlace === true && st !== null) {
    try {
      closeSync(openSync(path, 'r+'));
    } catch (err) {
      throw notWritable(err, path, `${where} appends to ${what} ${path} in place, but cannot open it for writing`);
    }
  }
}

/**
 * What is wrong with the lock folder of `path`, or null when it is absent or looks like a lock
 * harvestry made (an empty folder, held or left by a dead process).
 *
 * @param lockPath - the lock
 * @param path - the file it locks
 */
export function lockProblem(lockPath: string, path: string): HarvestryError | null {
  let st: Stats;
  try {
    st = statSync(lockPath);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ENOTDIR') return null;
    return badLock(lockPath, path, `cannot be examined (${code ?? String(err)})`, `If it should be a lock, make it readable; otherwise remove it`, err);
  }
  const fix = `If no harvest, Sampler or reap is writing ${path} now, remove it`;
  if (!st.isDirectory()) return badLock(lockPath, path, 'is a file (harvestry makes its lock as an empty folder)', `${fix} (rm ${lockPath})`);
  let names: string[];
  try {
    names = readdirSync(lockPath);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') return null; // released between the two looks
    if (code === 'ENOTDIR') return badLock(lockPath, path, 'is a file (harvestry makes its lock as an empty folder)', `${fix} (rm ${lockPath})`);
    return badLock(lockPath, path, `is a folder that cannot be listed (${(err as NodeJS.ErrnoException).code ?? String(err)})`, `${fix} (rm -r ${lockPath})`, err);
  }
  if (names.length === 0) return null;
  const shown = names.slice(0, 3).join(', ') + (names.length > 3 ? `, ... (${names.length} entries)` : '');
  return badLock(lockPath, path, `is a folder with files in it (${shown}); harvestry's lock is an empty folder`, `${fix} (rm -r ${lockPath})`);
}

function badLock(lockPath: string, path: string, what: string, fix: string, cause?: unknown): HarvestryError {
  return new HarvestryError(
    'E_BAD_LOCK',
    `The lock of ${path}, ${lockPath}, ${what}, so harvestry cannot tell whether another process is writing ${path}, and writes nothing. ${fix}.`,
    { ...(cause === undefined ? {} : { cause }), details: { path, lockPath } },
  );
}

/**
 * The file system's error as a coded error naming the path and the fix (permissions, read-only
 * or immutable files, a folder where a file belongs, a file where a folder belongs); other
 * errors as they are.
 *
 * @param err - the error
 * @param path - the path being written
 * @param action - what was being done, as a phrase ("replace x.parquet")
 */
export function codedFsError(err: unknown, path: string, action: string): unknown {
  if (err instanceof HarvestryError) return err;
  const code = (err as NodeJS.ErrnoException | null)?.code;
  const e = err as (NodeJS.ErrnoException & { dest?: string }) | null;
  const at = e?.dest ?? e?.path ?? path; // a rename names its source in \`path\` and its target in \`dest\`
  if (code === 'EACCES' || code === 'EPERM' || code === 'EROFS' || code === 'ENOSPC' || code === 'EDQUOT') return notWritable(err, at, `Could not ${action}`);
  if (code === 'EISDIR' || code === 'ENOTDIR' || code === 'ENOTEMPTY' || code === 'EEXIST') {
    return new HarvestryError(
      'E_PATH_KIND',
      `Could not ${action}: ${at} is ${code === 'ENOTDIR' ? 'a file where a folder is needed (or a path through a file)' : 'a folder where a file is needed (or an unexpected folder)'} (${code}). Move it away, or write somewhere else.`,
      { cause: err, details: { path: at } },
    );
  }
  return err;
}

/** The reason an errno gives, and the fix for it. */
function reasonOf(err: unknown): { reason: string; fix: string } {
  const code = (err as NodeJS.ErrnoException | null)?.code;
  switch (code) {
    case 'EROFS':
      return { reason: 'the file system is mounted read-only (EROFS)', fix: 'Remount it read-write, or write somewhere else.' };
    case 'EPERM':
      return { reason: 'the system refused (EPERM: it is immutable or append-only, see lsattr; or a security policy forbids it)', fix: 'Lift that (chattr -i / chattr -a), or write somewhere else.' };
    case 'EACCES':
      return { reason: 'permission denied (EACCES: this user may not write there)', fix: 'Give this user write permission (chmod u+w), or write somewhere else.' };
    case 'ENOSPC':
    case 'EDQUOT':
      return { reason: `there is no space left (${code})`, fix: 'Free space, or write somewhere else.' };
    default:
      return { reason: `it failed (${code ?? String(err)})`, fix: 'Make it writable, or write somewhere else.' };
  }
}

function notWritable(err: unknown, path: string, head: string): HarvestryError {
  const { reason, fix } = reasonOf(err);
  return new HarvestryError('E_NOT_WRITABLE', `${head}: ${path}: ${reason}. ${fix}`, { cause: err, details: { path } });
}

/** Refuses a path under a file (ENOTDIR: "a parent that is a file"). */
function checkParents(dir: string, path: string, what: string, where: string): void {
  for (let d = dir; ; ) {
    let st: Stats | null = null;
    try {
      st = statSync(d);
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      if (code !== 'ENOENT' && code !== 'ENOTDIR') throw notWritable(err, d, `${where} cannot look at the folder ${d} of ${what} ${path}`);
    }
    if (st !== null) {
      if (st.isDirectory()) return;
      throw new HarvestryError('E_PATH_KIND', `${where} writes ${what} at ${path}, but ${d} is a file, not a folder, so nothing can be made under it. Choose another path, or move ${d} away.`, {
        details: { path, parent: d },
      });
    }
    const up = dirname(d);
    if (up === d) return;
    d = up;
  }
}

function statOrNull(path: string, what: string, where: string): Stats | null {
  try {
    return statSync(path);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') return null;
    throw notWritable(err, path, `${where} cannot look at ${path} (for ${what})`);
  }
}

/**
 * Makes a test file in the folder (can files be made there?), then hard links to it and to each
 * existing file in `replaced` (immutable and append-only files cannot be linked, nor renamed
 * over), and removes them all.
 */
function probeFolder(dir: string, path: string, what: string, where: string, replaced: readonly string[]): void {
  const made: string[] = [];
  try {
    const probe = tempPathOf(path, 'probe');
    try {
      closeSync(openSync(probe, 'wx'));
    } catch (err) {
      throw notWritable(err, dir, `${where} writes ${what} ${path} by making new files in ${dir} (then renaming them into place), but cannot make files there`);
    }
    made.push(probe);
    const second = tempPathOf(path, 'probe');
    try {
      linkSync(probe, second);
      made.push(second);
    } catch {
      return; // a file system without hard links: no backup links, nothing more to test this way
    }
    for (const file of replaced) {
      const link = tempPathOf(path, 'probe');
      try {
        linkSync(file, link);
        made.push(link);
      } catch (err) {
        throw notWritable(err, file, `${where} replaces ${file} (atomically, by a rename over it), but it cannot be replaced`);
      }
    }
  } finally {
    for (const f of made) {
      try {
        unlinkSync(f);
      } catch {
        // gone already
      }
    }
  }
}
