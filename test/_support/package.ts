/**
 * The package as a user installs it: the tarball `npm pack` made and a fresh "type": "module"
 * project with it installed (scripts/user-project.mjs). `npm test` makes both once and passes
 * them in HARVESTRY_PACKAGE_TGZ / HARVESTRY_PACK_REPORT / HARVESTRY_USER_PROJECT /
 * HARVESTRY_DIST; a test file run alone makes its own (slow: a build, a pack and an install).
 */
import { spawnSync, type SpawnSyncReturns } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, symlinkSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The repository's root folder. */
export const ROOT = fileURLToPath(new URL('../..', import.meta.url));

/** What npm's `pack --json` reports of a file in the tarball. */
export interface PackedFile {
  readonly path: string;
  readonly size: number;
}

/** The packed tarball, npm's report of it and the user project it is installed in. */
export interface UserPackage {
  /** The tarball `npm pack` wrote. */
  readonly tgz: string;
  /** npm's report: the file list and sizes. */
  readonly report: { readonly size: number; readonly unpackedSize: number; readonly files: readonly PackedFile[]; readonly entryCount: number };
  /** The user's project folder (package.json with "type": "module", node_modules/harvestry). */
  readonly project: string;
  /** The dist/ folder the pack built (in this checkout). */
  readonly dist: string;
}

let made: UserPackage | undefined;

/**
 * The user project `npm test` installs in the background while the first tests run: it names,
 * in HARVESTRY_USER_PROJECT_READY, a file it writes `{ "HARVESTRY_USER_PROJECT": dir }` into
 * once the install is done. Waits for that file (up to 10 minutes).
 */
function projectInstalledByRunner(): string | undefined {
  const ready = process.env.HARVESTRY_USER_PROJECT_READY;
  if (ready === undefined) return process.env.HARVESTRY_USER_PROJECT;
  const pause = new Int32Array(new SharedArrayBuffer(4));
  const until = Date.now() + 600_000;
  while (!existsSync(ready)) {
    if (Date.now() > until) throw new Error(`the user project npm test installs was not ready after 10 minutes (${ready})`);
    Atomics.wait(pause, 0, 0, 200);
  }
  return (JSON.parse(readFileSync(ready, 'utf8')) as { HARVESTRY_USER_PROJECT: string }).HARVESTRY_USER_PROJECT;
}

/** The packed and installed package (made once per process unless `npm test` made it already). */
export function userPackage(): UserPackage {
  if (made !== undefined) return made;
  let env: NodeJS.ProcessEnv = { ...process.env, HARVESTRY_USER_PROJECT: projectInstalledByRunner() };
  if (env.HARVESTRY_USER_PROJECT === undefined || env.HARVESTRY_PACKAGE_TGZ === undefined || env.HARVESTRY_PACK_REPORT === undefined) {
    const r = spawnSync(process.execPath, [join(ROOT, 'scripts/user-project.mjs')], { cwd: ROOT, encoding: 'utf8' });
    if (r.status !== 0) throw new Error(`scripts/user-project.mjs failed:\n${r.stdout}\n${r.stderr}`);
    env = JSON.parse(r.stdout.trim().split('\n').at(-1)!) as NodeJS.ProcessEnv;
  }
  made = {
    tgz: env.HARVESTRY_PACKAGE_TGZ!,
    report: JSON.parse(readFileSync(env.HARVESTRY_PACK_REPORT!, 'utf8')) as UserPackage['report'],
    project: env.HARVESTRY_USER_PROJECT!,
    dist: env.HARVESTRY_DIST ?? join(ROOT, 'dist'),
  };
  return made;
}

/** A new folder inside the user project (it finds the project's node_modules and "type": "module"). */
export function projectDir(prefix: string): string {
  return mkdtempSync(join(userPackage().project, `${prefix}-`));
}

/**
 * Runs a command in the user project's environment: its node_modules/.bin first on PATH, no
 * NODE_OPTIONS or loader inherited from the test runner (a user's shell has none).
 */
export function inProject(cmd: string, args: readonly string[], cwd: string, extraEnv: NodeJS.ProcessEnv = {}, timeout = 180_000): SpawnSyncReturns<string> {
  return spawnSync(cmd, args, { cwd, encoding: 'utf8', timeout, env: projectEnv(extraEnv) });
}

/** The environment a user's shell would give a command in the project. */
export function projectEnv(extraEnv: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env, ...extraEnv, PATH: `${join(userPackage().project, 'node_modules/.bin')}:${process.env.PATH ?? ''}` };
  delete env.NODE_OPTIONS;
  delete env.NODE_TEST_CONTEXT;
  delete env.TSX_TSCONFIG_PATH;
  env.npm_config_update_notifier = 'false';
  return env;
}

/** Fails with everything the command printed unless it exited with status 0; returns its stdout. */
export function ok(r: SpawnSyncReturns<string>, what: string): string {
  if (r.status !== 0) throw new Error(`${what} exited with ${r.status ?? r.signal}${r.error ? ` (${r.error.message})` : ''}\n--- stdout:\n${r.stdout}\n--- stderr:\n${r.stderr}`);
  return r.stdout;
}

/**
 * Puts compiled harvestry at `<dir>/dist`: a link to the build `npm test` made once
 * (HARVESTRY_DIST), or, when a test file runs alone, a build of its own (scripts/build.mjs). `dir` must be
 * inside the repository, so the build finds harvestry's dependencies in its node_modules.
 */
export function compiledDist(dir: string): void {
  const shared = process.env.HARVESTRY_DIST;
  if (shared !== undefined && existsSync(join(shared, 'index.js'))) {
    symlinkSync(shared, join(dir, 'dist'), 'dir');
    return;
  }
  const build = spawnSync(process.execPath, [join(ROOT, 'scripts/build.mjs'), '--out', join(dir, 'dist')], { encoding: 'utf8' });
  if (build.status !== 0) throw new Error(`the build failed:\n${build.stdout}${build.stderr}`);
}
