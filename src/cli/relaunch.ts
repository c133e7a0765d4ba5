/**
 * Starting a crop command again under the crop's launcher. A crop records how the process that
 * sowed it was started (`crop.json`'s `launcher`: Node and its `--import` / `--loader` preloads,
 * such as tsx). `harvestry crop grow` and `crop reap` run by a plain `npx harvestry` lack those
 * preloads, so a crop sown from a `.ts` module could not be grown (`Unknown file extension
 * ".ts"`). Here the command re-runs itself under the recorded preloads (resolved from the
 * sower's folder), or, when the recorded loader is gone and the module is TypeScript, under the
 * tsx of the project that holds the module. Worker threads and child processes of the grow then
 * inherit the loader as they would from the sower.
 */
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { constants } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { currentLauncher } from '../crop/launcher.js';
import { cropPaths, readManifest, type CropManifest } from '../crop/manifest.js';
import { childExecArgv, parentPreloads } from '../execute/preloads.js';

/** Set in the environment of a command started again, so it never starts itself a third time. */
const RELAUNCHED = 'HARVESTRY_RELAUNCHED';
const PRELOAD_FLAGS = ['--import', '--loader', '--experimental-loader'];
const TYPESCRIPT = /\.(ts|mts|cts|tsx)$/;

/**
 * The Node options a crop command needs to run under the crop's launcher, or null when this
 * process already has them (or there is nothing usable to add).
 *
 * @param manifest - the crop's manifest
 * @param execArgv - this process's Node options
 * @param cwd - this process's folder
 */
export function relaunchArgs(manifest: CropManifest, execArgv: readonly string[] = process.execArgv, cwd: string = process.cwd()): string[] | null {
  const have = new Set(parentPreloads(execArgv, cwd).map((p) => p.url));
  const recorded = parentPreloads(manifest.launcher.execArgv, manifest.cwd);
  const usable = recorded.every((p) => !p.url.startsWith('file:') || existsSync(fileURLToPath(p.url)));
  if (usable && recorded.length > 0) {
    if (recorded.every((p) => have.has(p.url))) return null;
    return withResolvedPreloads(childExecArgv(manifest.launcher.execArgv), manifest.cwd);
  }
  // nothing recorded, or the recorded loader is gone: a TypeScript module needs the project's tsx
  const module = manifest.function.module;
  if (module === null || !module.startsWith('file:') || !TYPESCRIPT.test(module)) return null;
  const tsx = projectTsx(fileURLToPath(module));
  if (tsx === null || parentPreloads(['--import', tsx], cwd).every((p) => have.has(p.url))) return null;
  const kept = usable ? childExecArgv(manifest.launcher.execArgv) : withoutPreloads(childExecArgv(manifest.launcher.execArgv));
  return [...withResolvedPreloads(kept, manifest.cwd), '--import', tsx];
}

/**
 * Runs `harvestry crop <args>` again under the crop's launcher when this process lacks its
 * loader, and returns the exit code of that run; null when this process can run it itself.
 *
 * @param dir - the crop's folder
 * @param argv - the CLI's arguments (`crop`, the subcommand, ...)
 */
export async function relaunchUnderCropLauncher(dir: string, argv: readonly string[]): Promise<number | null> {
  if (process.env[RELAUNCHED] === '1') return null;
  let manifest: CropManifest | null;
  try {
    manifest = readManifest(cropPaths(dir));
  } catch {
    return null; // the command itself reports a damaged manifest
  }
  if (manifest === null) return null;
  const execArgv = relaunchArgs(manifest);
  if (execArgv === null) return null;
  const node = existsSync(manifest.launcher.node) ? manifest.launcher.node : process.execPath;
  const child = spawn(node, [...execArgv, currentLauncher().script, ...argv], { stdio: 'inherit', env: { ...process.env, [RELAUNCHED]: '1' } });
  // A terminal's Ctrl-C reaches the child too (same process group): this process only waits.
  const ignore = (): void => undefined;
  const forward = (signal: NodeJS.Signals): void => {
    child.kill(signal);
  };
  process.on('SIGINT', ignore);
  process.on('SIGTERM', forward);
  process.on('SIGHUP', forward);
  try {
    return await new Promise<number>((resolvePromise, reject) => {
      child.once('error', reject);
      child.once('exit', (code, signal) => {
        resolvePromise(code ?? 128 + (signal === null ? 0 : constants.signals[signal]));
      });
    });
  } finally {
    process.off('SIGINT', ignore);
    process.off('SIGTERM', forward);
    process.off('SIGHUP', forward);
  }
}

/** The tsx loader of the project holding a file (its own node_modules, or a parent's), as a file URL. */
function projectTsx(file: string): string | null {
  try {
    return pathToFileURL(createRequire(file).resolve('tsx')).href;
  } catch {
    return null;
  }
}

/** Node options with each preload's bare or relative specifier resolved from `cwd` (as the sower resolved it). */
function withResolvedPreloads(execArgv: readonly string[], cwd: string): string[] {
  const out: string[] = [];
  for (let i = 0; i < execArgv.length; i++) {
    const arg = execArgv[i]!;
    const flag = PRELOAD_FLAGS.find((f) => arg === f || arg.startsWith(`${f}=`));
    if (flag === undefined) {
      out.push(arg);
      continue;
    }
    const spec = arg === flag ? execArgv[++i] : arg.slice(flag.length + 1);
    if (spec === undefined) continue;
    out.push(flag, parentPreloads([flag, spec], cwd).length > 0 && !/^(file|data|node):/.test(spec) ? resolvedUrl(spec, cwd) : spec);
  }
  return out;
}

function resolvedUrl(spec: string, cwd: string): string {
  if (spec.startsWith('/')) return pathToFileURL(spec).href;
  if (spec.startsWith('./') || spec.startsWith('../')) return pathToFileURL(join(cwd, spec)).href;
  try {
    return pathToFileURL(createRequire(join(cwd, 'noop.js')).resolve(spec)).href;
  } catch {
    return spec;
  }
}

/** Node options without `--import` / `--loader` preloads (and tsx's `--require` preflight). */
function withoutPreloads(execArgv: readonly string[]): string[] {
  const out: string[] = [];
  for (let i = 0; i < execArgv.length; i++) {
    const arg = execArgv[i]!;
    if (PRELOAD_FLAGS.includes(arg) || arg === '--require' || arg === '-r') {
      i++;
      continue;
    }
    if (PRELOAD_FLAGS.some((f) => arg.startsWith(`${f}=`)) || arg.startsWith('--require=')) continue;
    out.push(arg);
  }
  return out;
}
