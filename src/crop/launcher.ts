/**
 * How a scheduler's job (or any other process) starts harvestry's CLI to grow a batch: the
 * Node binary and options (the same loaders, such as tsx) of the process that sowed the crop,
 * and the CLI script of the same copy of harvestry (`bin/harvestry.js` of its package, or the
 * CLI entry beside this file when there is no bin, as in a benchmark build).
 */
import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { childExecArgv } from '../execute/preloads.js';
import { OWN_ROOT, ownModule } from '../own-url.js';
import type { Launcher } from './manifest.js';

/** The launcher of this process. */
export function currentLauncher(): Launcher {
  return { node: process.execPath, execArgv: childExecArgv(), script: cliScript() };
}

/**
 * The command line that runs harvestry's CLI, as shell words (unquoted).
 *
 * @param launcher - the launcher
 */
export function launcherWords(launcher: Launcher): string[] {
  return [launcher.node, ...launcher.execArgv, launcher.script];
}

function cliScript(): string {
  const bin = new URL('../bin/harvestry.js', OWN_ROOT);
  const pkg = new URL('../package.json', OWN_ROOT);
  try {
    if (existsSync(bin) && (JSON.parse(readFileSync(pkg, 'utf8')) as { name?: unknown }).name === 'harvestry') return fileURLToPath(bin);
  } catch {
    // no package.json beside: use the entry below
  }
  return fileURLToPath(ownModule('cli/run.js'));
}
