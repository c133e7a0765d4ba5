/**
 * Removing a crop's folder atomically from the user's view: the folder is renamed away first
 * (`.<name>.crop.deleting-<host>-<pid>-<hex>` beside it), then deleted, so a remover killed in
 * the middle leaves either the whole crop or none (plus a hidden folder, removed by the next
 * sow or removal of that crop once its owner is dead). Also the remnants of older versions,
 * which deleted in place: a crop folder missing `crop.json` or `plan.bin` and holding nothing
 * but a crop's entries is recognized as half deleted, and its deletion finished.
 */
import { randomBytes } from 'node:crypto';
import { existsSync, readdirSync, renameSync, rmSync } from 'node:fs';
import { hostname } from 'node:os';
import { basename, dirname, join } from 'node:path';
import { HarvestryError } from '../errors.js';
import { isAlive } from './files.js';
import type { CropPaths } from './manifest.js';

/** What a crop folder may hold (and the temporaries of its files). */
const CROP_ENTRIES = new Set(['crop.json', 'plan.bin', 'results', 'failed', 'running', 'jobs', 'logs']);

/**
 * Removes a crop's folder: renamed away, then deleted. A folder already gone is no error.
 *
 * @param paths - the crop's paths
 * @returns true when this call removed it, false when it was gone already
 */
export function removeCropDir(paths: CropPaths): boolean {
  const away = join(dirname(paths.dir), `.${basename(paths.dir)}.deleting-${hostname()}-${process.pid}-${randomBytes(4).toString('hex')}`);
  try {
    renameSync(paths.dir, away);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return false;
    throw new HarvestryError('E_CROP_EXISTS', `Cannot remove the crop at ${paths.dir}: renaming it away failed (${(err as Error).message}). Check the permissions of ${dirname(paths.dir)}, or remove the folder by hand.`, { cause: err, details: { dir: paths.dir } });
  }
  rmSync(away, { recursive: true, force: true });
  removeDeadRemovals(paths);
  return true;
}

/**
 * Removes the hidden folders of removals of this crop whose process died on this machine.
 *
 * @param paths - the crop's paths
 */
export function removeDeadRemovals(paths: CropPaths): void {
  const parent = dirname(paths.dir);
  const prefix = `.${basename(paths.dir)}.deleting-${hostname()}-`;
  let names: string[];
  try {
    names = readdirSync(parent);
  } catch {
    return;
  }
  for (const name of names) {
    if (!name.startsWith(prefix)) continue;
    const pid = Number(/^(\d+)-[0-9a-f]+$/.exec(name.slice(prefix.length))?.[1]);
    if (Number.isInteger(pid) && (pid === process.pid || !isAlive(pid))) rmSync(join(parent, name), { recursive: true, force: true });
  }
}

/**
 * True when the folder is what an interrupted removal leaves of a crop (by this version's
 * rename-away, nothing; by older versions' delete-in-place, a folder lacking `crop.json` or
 * `plan.bin` that holds nothing but a crop's entries).
 *
 * @param paths - the crop's paths
 */
export function isHalfDeleted(paths: CropPaths): boolean {
  let names: string[];
  try {
    names = readdirSync(paths.dir);
  } catch {
    return false;
  }
  if (existsSync(paths.manifest) && existsSync(paths.plan)) return false;
  return names.every((n) => CROP_ENTRIES.has(n) || /^\..*\.tmp$/.test(n));
}

/**
 * Finishes removing a half-deleted crop (see {@link isHalfDeleted}), with a warning; does
 * nothing to a whole crop or a folder that is not a crop's.
 *
 * @param paths - the crop's paths
 * @returns true when a half-deleted crop was removed
 */
export function finishHalfDeleted(paths: CropPaths): boolean {
  removeDeadRemovals(paths);
  if (!isHalfDeleted(paths)) return false;
  removeCropDir(paths);
  process.emitWarning(`The crop folder ${paths.dir} was half deleted (a removal killed in the middle, by an older harvestry: it lacked crop.json or plan.bin); its removal was finished.`, { code: 'HARVESTRY_CROP_REMNANT' });
  return true;
}
