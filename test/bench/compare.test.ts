/**
 * `npm run bench:compare <ref>` (scripts/bench-compare.mjs) refuses what it cannot run before it
 * builds or checks out anything: no ref, an unknown ref, a ref from before benchmarks/one.ts, a
 * bad --rounds, an unknown option. Each refusal exits 2 with a message naming the value, and leaves
 * no git worktree behind. (A full comparison builds two trees and runs workloads: minutes, so it
 * is run by hand, not here.)
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { realpathSync } from 'node:fs';
import { dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, it } from 'node:test';

// The checkout itself (through package.json, which the compiled tree links): git paths are its.
const ROOT = dirname(realpathSync(new URL('../../package.json', import.meta.url)));
const SCRIPT = fileURLToPath(new URL('../../scripts/bench-compare.mjs', import.meta.url));

function git(...args: string[]): { status: number | null; stdout: string } {
  return spawnSync('git', args, { cwd: ROOT, encoding: 'utf8' });
}

const inGit = git('rev-parse', '--git-dir').status === 0;

function compare(...args: string[]): { status: number | null; stdout: string; stderr: string } {
  const before = git('worktree', 'list', '--porcelain').stdout;
  const r = spawnSync(process.execPath, [SCRIPT, ...args], { cwd: ROOT, encoding: 'utf8', timeout: 60_000 });
  assert.equal(git('worktree', 'list', '--porcelain').stdout, before, 'a refusal adds no git worktree');
  assert.equal(r.stdout, '', 'a refusal prints no JSON line');
  return r;
}

describe('npm run bench:compare refusals', { skip: inGit ? false : 'not a git checkout' }, () => {
  it('asks for a ref when given none', () => {
    const r = compare();
    assert.equal(r.status, 2);
    assert.match(r.stderr, /name the git ref to compare the working tree with/);
    assert.match(r.stderr, /usage: npm run bench:compare -- <git ref>/);
  });

  it('refuses an unknown ref by name', () => {
    const r = compare('no-such-branch-of-harvestry', 'W1');
    assert.equal(r.status, 2);
    assert.match(r.stderr, /unknown git ref 'no-such-branch-of-harvestry': git rev-parse finds no commit by that name/);
  });

  it('refuses a ref from before benchmarks/one.ts existed', (t) => {
    const added = git('log', '--diff-filter=A', '--format=%H', '--', 'benchmarks/one.ts').stdout.trim().split('\n').pop() ?? '';
    if (added === '' || git('rev-parse', '--verify', '--quiet', `${added}~1`).status !== 0) {
      t.skip('this checkout has no commit from before benchmarks/one.ts (shallow clone)');
      return;
    }
    const r = compare(`${added}~1`);
    assert.equal(r.status, 2);
    assert.match(r.stderr, new RegExp(`${added}~1 \\([0-9a-f]{12}\\) has no tsconfig\\.bench\\.json`));
  });

  it('refuses a --rounds that is not a whole number ≥ 1, and unknown options', () => {
    for (const [args, message] of [
      [['HEAD', '--rounds', '0'], /--rounds takes a whole number of rounds ≥ 1; got '0'/],
      [['HEAD', '--rounds=2.5'], /--rounds takes a whole number of rounds ≥ 1; got '2\.5'/],
      [['HEAD', '--rounds'], /--rounds takes a whole number of rounds ≥ 1; got nothing/],
      [['HEAD', '--fast'], /unknown option '--fast'/],
    ] as const) {
      const r = compare(...args);
      assert.equal(r.status, 2, args.join(' '));
      assert.match(r.stderr, message);
    }
  });
});
