/**
 * What this process was started with that workers need too. Worker threads do not run the
 * parent's `--import` preloads (tsx, for instance), so a worker imports them itself, by URL,
 * before it imports the user's module. Child processes get the parent's Node options as they are.
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, isAbsolute, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

/** A module a worker imports first; with `register`, it then calls the module's `register()`. */
export interface Preload {
  readonly url: string;
  readonly register: boolean;
}

const PRELOAD_FLAGS = ['--import', '--loader', '--experimental-loader'];
const CHILD_UNSAFE = ['--inspect', '--inspect-brk', '--inspect-port', '--inspect-wait', '--debug-port', '--watch', '--watch-path', '--test', '--prof'];

/**
 * The module URLs of this process's `--import` / `--loader` preloads (tsx and the like), in order.
 *
 * @param execArgv - the Node options (default: this process's)
 * @param cwd - the folder bare and relative specifiers resolve from
 */
export function parentPreloads(execArgv: readonly string[] = process.execArgv, cwd: string = process.cwd()): Preload[] {
  const out: Preload[] = [];
  for (let i = 0; i < execArgv.length; i++) {
    const arg = execArgv[i]!;
    let spec: string | undefined;
    for (const flag of PRELOAD_FLAGS) {
      if (arg === flag) spec = execArgv[++i];
      else if (arg.startsWith(`${flag}=`)) spec = arg.slice(flag.length + 1);
    }
    if (spec === undefined) continue;
    const url = resolveSpecifier(spec, cwd);
    if (url === null) continue;
    // tsx registers itself on import in the main thread only; in a worker, call its API.
    const tsxApi = tsxApiOf(url);
    const preload = tsxApi === null ? { url, register: false } : { url: tsxApi, register: true };
    if (!out.some((p) => p.url === preload.url)) out.push(preload);
  }
  return out;
}

/**
 * The parent's Node options to start a child process with, less those that cannot be shared
 * (an inspector port, watch mode, the test runner).
 *
 * @param execArgv - the Node options (default: this process's)
 */
export function childExecArgv(execArgv: readonly string[] = process.execArgv): string[] {
  const out: string[] = [];
  for (let i = 0; i < execArgv.length; i++) {
    const arg = execArgv[i]!;
    const name = arg.split('=')[0]!;
    if (CHILD_UNSAFE.includes(name) || name.startsWith('--test-') || name.startsWith('--experimental-test')) {
      if (!arg.includes('=') && (name === '--inspect-port' || name === '--watch-path' || name.startsWith('--test-')) && execArgv[i + 1]?.startsWith('-') === false) i++;
      continue;
    }
    out.push(arg);
  }
  return out;
}

/** The URL of `tsx/esm/api` when a preload is tsx's loader, else null. */
function tsxApiOf(url: string): string | null {
  if (!url.startsWith('file:')) return null;
  let dir = dirname(fileURLToPath(url));
  for (let i = 0; i < 4; i++) {
    try {
      const pkg = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as { name?: unknown; exports?: Record<string, { import?: { default?: unknown } }> };
      if (pkg.name !== 'tsx') return null;
      const api = pkg.exports?.['./esm/api']?.import?.default;
      return typeof api === 'string' ? pathToFileURL(join(dir, api)).href : null;
    } catch {
      dir = dirname(dir);
    }
  }
  return null;
}

function resolveSpecifier(spec: string, cwd: string): string | null {
  if (/^(file|data|node):/.test(spec)) return spec;
  if (isAbsolute(spec)) return pathToFileURL(spec).href;
  if (spec.startsWith('./') || spec.startsWith('../')) return pathToFileURL(resolve(cwd, spec)).href;
  try {
    return pathToFileURL(createRequire(join(cwd, 'noop.js')).resolve(spec)).href;
  } catch {
    return null;
  }
}
