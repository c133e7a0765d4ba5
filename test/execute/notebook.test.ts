/**
 * A notebook-style module (label, run, label again, run again, all at its top level) on the pool
 * and in child processes: workers run the module's top level only as far as the function they
 * need, skip the runs on the way, and never read an export not initialized yet. The same notebook
 * under `npx tsx`, with the installed package, is in test/package/user-paths.test.ts.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { describe, it } from 'node:test';
import { nodeArgsFor } from '../_support/helpers.js';

const NOTEBOOK = new URL('../fixtures/notebook.ts', import.meta.url);
const UNGUARDED = new URL('../fixtures/notebook-unguarded.ts', import.meta.url);

function run(args: readonly string[]): { status: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, args, { encoding: 'utf8', timeout: 240_000, env: { ...process.env, NODE_TEST_CONTEXT: undefined } });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

const EXPECTED = [
  [1, 2, 3].map((x) => ({ x, y: 2 * x })),
  [4, 5].map((x) => ({ x, z: 3 * x })),
  [{ x: 6, w: 42 }],
  [8, 9].map((x) => ({ x, y: 2 * x })),
];

describe('a notebook-style module: label, run, label again', () => {
  for (const executor of ['pool', 'subprocess']) {
    it(`runs every function on the ${executor} executor, printing only in the main process`, () => {
      const r = run([...nodeArgsFor(NOTEBOOK), executor]);
      assert.equal(r.status, 0, r.stderr);
      const lines = r.stdout.trim().split('\n');
      assert.deepEqual(lines.slice(0, -1), ['first: 3 rows'], 'top-level code under isMain() ran once, in the main process');
      assert.deepEqual(JSON.parse(lines.at(-1)!), EXPECTED);
    });
  }

  it('says what to do when top-level code uses a result before the next label() (E_WORKER_IMPORT, cause E_SKIPPED_IN_WORKER)', () => {
    const r = run([...nodeArgsFor(UNGUARDED), 'pool']);
    assert.equal(r.status, 0, r.stderr);
    const lines = r.stdout.trim().split('\n');
    assert.deepEqual(lines.slice(0, -1), ['first: 2 rows'], 'the worker never printed: the line threw there');
    const out = JSON.parse(lines.at(-1)!) as { code: string; message: string };
    assert.equal(out.code, 'E_WORKER_IMPORT');
    assert.match(
      out.message,
      /^A worker could not import file:.*notebook-unguarded\.[jt]s, the module that labels the function: Code at the top level of file:.*notebook-unguarded\.[jt]s used the result of a run \(reading `numRows`\), but this is a worker importing that module.*skip every run on the way.*wrap it in `if \(isMain\(\)\) \{ \.\.\. \}`, or label every function before the first run\.$/,
    );
  });
});
