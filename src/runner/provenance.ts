/**
 * Where results come from: library and Node versions, host, time, working directory and its git
 * commit. The commit is read from `.git` directly (no `git` process), once per directory.
 */
import { readFileSync, statSync } from 'node:fs';
import { hostname } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import type { Provenance } from '../dataset/meta.js';
import { VERSION } from '../version.js';

const commits = new Map<string, string | null>();

/** The provenance of results made now, in the current working directory. */
export function currentProvenance(): Provenance {
  const cwd = process.cwd();
  let gitCommit = commits.get(cwd);
  if (gitCommit === undefined) {
    gitCommit = readGitCommit(cwd);
    commits.set(cwd, gitCommit);
  }
  return { library: 'harvestry', version: VERSION, node: process.version, host: hostname(), time: new Date().toISOString(), gitCommit, cwd };
}

/**
 * The commit checked out in the git work tree holding `dir`, or null when there is none.
 *
 * @param dir - a directory
 */
export function readGitCommit(dir: string): string | null {
  let at = resolve(dir);
  for (;;) {
    const gitDir = findGitDir(join(at, '.git'));
    if (gitDir !== null) return headCommit(gitDir);
    const up = dirname(at);
    if (up === at) return null;
    at = up;
  }
}

function findGitDir(dotGit: string): string | null {
  try {
    if (statSync(dotGit).isDirectory()) return dotGit;
    const text = readFileSync(dotGit, 'utf8');
    const m = /^gitdir: (.+)$/m.exec(text);
    return m === null ? null : resolve(dirname(dotGit), m[1]!.trim());
  } catch {
    return null;
  }
}

function headCommit(gitDir: string): string | null {
  try {
    const head = readFileSync(join(gitDir, 'HEAD'), 'utf8').trim();
    const ref = /^ref: (.+)$/.exec(head);
    if (ref === null) return /^[0-9a-f]{40}$/.test(head) ? head : null;
    const common = commonDir(gitDir);
    for (const base of [gitDir, common]) {
      try {
        return readFileSync(join(base, ref[1]!), 'utf8').trim();
      } catch {
        // try the next place
      }
    }
    const packed = readFileSync(join(common, 'packed-refs'), 'utf8');
    const line = packed.split('\n').find((l) => l.endsWith(` ${ref[1]!}`));
    return line === undefined ? null : line.slice(0, 40);
  } catch {
    return null;
  }
}

function commonDir(gitDir: string): string {
  try {
    return resolve(gitDir, readFileSync(join(gitDir, 'commondir'), 'utf8').trim());
  } catch {
    return gitDir;
  }
}
