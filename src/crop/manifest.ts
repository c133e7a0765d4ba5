/**
 * A crop's folder on disk and its manifest (`crop.json`, versioned): what was sown, for which
 * function and dataset, how the cases are cut into batches, and how to start the CLI that grows
 * a batch. Everything a new process needs to re-open the crop by its folder alone.
 *
 * ```text
 * <parentDir>/<name>.crop/
 *   crop.json          the manifest (this file's format)
 *   plan.bin           the evaluation plan, labels and case order (see files.ts)
 *   results/<k>.bin    batch k's results, written atomically when the batch is done
 *   failed/<k>.json    why batch k failed, when it did
 *   running/batch-<k>.json  the grower growing batch k now (pid, host, job)
 *   jobs/<id>.json     scheduler submissions (which batches, which array indices); jobs/*.sh scripts
 *   logs/              per-task scheduler logs
 * ```
 */
import { readFileSync } from 'node:fs';
import { isAbsolute, join, resolve } from 'node:path';
import { HarvestryError } from '../errors.js';
import type { OnError } from '../runner/options.js';
import { showValue } from '../space/values.js';
import type { BatchLayout } from './layout.js';

/** The `format` of a crop manifest. */
export const CROP_FORMAT = 'harvestry-crop';
/** The version of the crop folder's format this harvestry writes (and the newest it reads). */
export const CROP_FORMAT_VERSION = 1;

/** Where to find the labelled function again: the module that labelled it, and which `label()` call. */
export interface FunctionRef {
  /** The module's file URL, or null when it was labelled outside a module file (REPL, eval). */
  readonly module: string | null;
  /** The position of the `label()` call among that module's `label()` calls (0 for the first). */
  readonly ordinal: number;
  /** The fingerprint of the function when it was sown. */
  readonly fingerprint: string;
  /** The function `label()` was called in, or null at a module's top level (the only place workers find it). */
  readonly enclosing: string | null;
  /** The function's own name, when it has one (for messages). */
  readonly name: string | null;
}

/** How to start harvestry's CLI for `crop grow` (same Node, same loaders as the process that sowed). */
export interface Launcher {
  readonly node: string;
  readonly execArgv: readonly string[];
  /** The CLI script (`bin/harvestry.js`, or the CLI entry of this copy of harvestry). */
  readonly script: string;
}

/** A crop's manifest, `crop.json`. */
export interface CropManifest {
  readonly format: typeof CROP_FORMAT;
  readonly version: number;
  readonly name: string;
  /** When it was sown (ISO time). */
  readonly sownAt: string;
  /** harvestry's version, Node's version and the host that sowed it. */
  readonly harvestry: string;
  readonly node: string;
  readonly host: string;
  /** The working directory of the process that sowed it (scheduler jobs start there). */
  readonly cwd: string;
  /** The labelled function. */
  readonly function: FunctionRef;
  /** The Harvester's dataset file (absolute), or null for a crop of a Runner alone. */
  readonly dataset: string | null;
  /** The dims, in the order given. */
  readonly dims: readonly string[];
  /** Cases in the space that was sown, including those left out as already in the dataset. */
  readonly spaceSize: number;
  /** The cases sown, cut into batches. */
  readonly layout: BatchLayout;
  /** The run options that shape results. */
  readonly run: { readonly onError: OnError; readonly retries: number; readonly timings: boolean; readonly shuffle: number | null; readonly missingOnly: boolean };
  readonly launcher: Launcher;
}

/** The paths inside a crop's folder. */
export interface CropPaths {
  readonly dir: string;
  readonly manifest: string;
  readonly plan: string;
  readonly results: string;
  readonly failed: string;
  readonly running: string;
  readonly jobs: string;
  readonly logs: string;
}

/**
 * The paths of a crop's folder.
 *
 * @param dir - the crop's folder
 */
export function cropPaths(dir: string): CropPaths {
  const d = resolve(dir);
  return {
    dir: d,
    manifest: join(d, 'crop.json'),
    plan: join(d, 'plan.bin'),
    results: join(d, 'results'),
    failed: join(d, 'failed'),
    running: join(d, 'running'),
    jobs: join(d, 'jobs'),
    logs: join(d, 'logs'),
  };
}

/** The file of batch `k`'s results. */
export function resultPath(paths: CropPaths, k: number): string {
  return join(paths.results, `${k}.bin`);
}

/** The file saying why batch `k` failed. */
export function failurePath(paths: CropPaths, k: number): string {
  return join(paths.failed, `${k}.json`);
}

/**
 * The folder of a crop: `<parentDir>/<name>.crop`.
 *
 * @param name - the crop's name (one path component)
 * @param parentDir - the folder holding it
 */
export function cropDirOf(name: string, parentDir: string): string {
  return resolve(parentDir, `${name}.crop`);
}

/**
 * Checks a crop name: letters, digits, `_`, `.` and `-`, not starting with a dot.
 *
 * @param name - the name
 * @param where - the call, for messages
 */
export function checkCropName(name: unknown, where: string): string {
  if (typeof name !== 'string' || !/^[A-Za-z0-9_-][A-Za-z0-9_.-]*$/.test(name)) {
    throw new HarvestryError('E_BAD_OPTION', `Expected \`name\` in ${where} to be a crop name of letters, digits, '_', '.' and '-' (not starting with '.'), got ${showValue(name)}. It names the folder <name>.crop.`);
  }
  return name;
}

/**
 * Reads a crop's manifest, or returns null when the folder holds no crop.
 *
 * @param paths - the crop's paths
 * @returns the manifest, or null
 */
export function readManifest(paths: CropPaths): CropManifest | null {
  let text: string;
  try {
    text = readFileSync(paths.manifest, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT' || (err as NodeJS.ErrnoException).code === 'ENOTDIR') return null;
    throw err;
  }
  let m: Partial<CropManifest>;
  try {
    m = JSON.parse(text) as Partial<CropManifest>;
  } catch (err) {
    throw new HarvestryError('E_CORRUPT_FILE', `The crop manifest ${paths.manifest} is not valid JSON (${(err as Error).message}). Delete the crop folder and sow it again.`, { cause: err });
  }
  if (m.format !== CROP_FORMAT) {
    throw new HarvestryError('E_FOREIGN_FILE', `${paths.manifest} is not a harvestry crop manifest (its "format" is ${showValue(m.format)}, not "${CROP_FORMAT}"). Give the folder of a crop, made by crop.sowCombos() or crop.sowCases().`);
  }
  if (typeof m.version !== 'number' || m.version > CROP_FORMAT_VERSION) {
    throw new HarvestryError('E_FORMAT_VERSION', `The crop ${paths.dir} was sown by harvestry ${String(m.harvestry)} in crop format version ${String(m.version)}; this harvestry reads versions up to ${CROP_FORMAT_VERSION}. Upgrade harvestry where you grow and reap it.`);
  }
  if (typeof m.name !== 'string' || typeof m.layout !== 'object' || !isAbsolute(m.launcher?.script ?? '')) {
    throw new HarvestryError('E_CORRUPT_FILE', `The crop manifest ${paths.manifest} lacks its name, batch layout or launcher. Delete the crop folder and sow it again.`);
  }
  return m as CropManifest;
}
