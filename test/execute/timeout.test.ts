/**
 * Cases that never end: `timeoutMs` fails them under `onError` on every executor (a pool thread
 * is ended and replaced, a child process killed, an async inline case raced); an abort ends the
 * run within its grace period even when a case never ends; an inline case whose promise can
 * never settle fails the run with E_CASE_STALLED after committing what finished; children do
 * not outlive a SIGKILLed parent.
 */
import assert from 'node:assert/strict';
import { execFileSync, spawn } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { closePools, Harvester } from '../../src/index.js';
import { assertHarvestryError, duckdb, runnable, tempDir } from '../_support/helpers.js';
import { busy, endless } from '../fixtures/labelled.js';

after(() => closePools());

const SCRIPT = runnable(new URL('../fixtures/never-ends.ts', import.meta.url));
const X = [0, 1, 2, 3, 4, 5];

describe('timeoutMs', () => {
  for (const executor of ['inline', 'pool', 'subprocess'] as const) {
    // A synchronous loop cannot be interrupted inline: only the never-settling promise is tried there.
    const spin = executor === 'inline' ? [] : [2];
    it(`fails the cases past it on the ${executor} executor (onError: 'record') and finishes the others`, async () => {
      const ds = await endless.runCombos({ x: X }, { executor, ...(executor === 'inline' ? {} : { numWorkers: 2 }), timeoutMs: 300, onError: 'record', constants: { spin, never: [4] } });
      const rows = ds.toRecords() as { x: number; y: number | null; _error: string | null }[];
      assert.deepEqual(rows.map((r) => r.x), X);
      for (const r of rows) {
        if (spin.includes(r.x) || r.x === 4) {
          assert.equal(r.y, null);
          assert.match(r._error ?? '', /^The case ran longer than `timeoutMs` \(300 ms\)/);
        } else assert.deepEqual([r.y, r._error], [r.x * 2, null]);
      }
      if (executor === 'pool') assert.match(rows[2]!._error!, /worker thread was ended and replaced/);
      if (executor === 'subprocess') assert.match(rows[2]!._error!, /child process \(and its process group\) was killed/);
    });
  }

  it("rejects with E_CASE_FAILED caused by E_CASE_TIMEOUT under onError: 'raise'", async () => {
    const err = await assertHarvestryError(
      () => endless.runCombos({ x: X }, { executor: 'pool', numWorkers: 2, timeoutMs: 300, constants: { spin: [3], never: [] } }),
      'E_CASE_FAILED',
      /^The case \{x: 3\} failed: The case ran longer than `timeoutMs` \(300 ms\); its worker thread was ended and replaced/,
    );
    assert.equal((err.cause as { code?: string }).code, 'E_CASE_TIMEOUT');
  });

  it('counts a synchronous inline case that returned after it as timed out', async () => {
    const ds = await busy.runCombos({ x: [0, 1] }, { timeoutMs: 5, onError: 'record', constants: { ms: 50 } });
    for (const r of ds.toRecords() as { y: number | null; _error: string | null }[]) {
      assert.equal(r.y, null);
      assert.match(r._error ?? '', /took \d+ ms, and its result was discarded \(a synchronous function on the inline executor cannot be interrupted/);
    }
  });

  it('leaves timed-out cases to a missingOnly harvest, which runs only them', async () => {
    const path = join(tempDir(), 'sweep.parquet');
    const h = new Harvester(endless, path);
    await h.harvestCombos({ x: X }, { executor: 'pool', numWorkers: 2, timeoutMs: 300, onError: 'record', constants: { spin: [1], never: [5] } });
    assert.deepEqual(await duckdb(`SELECT x, y FROM '${path}' WHERE _error IS NOT NULL ORDER BY x`), [{ x: 1, y: null }, { x: 5, y: null }]);
    await h.harvestCombos({ x: X }, { executor: 'pool', numWorkers: 2, timeoutMs: 300, onError: 'record', missingOnly: true, constants: { spin: [], never: [] } });
    assert.equal(h.lastReport?.cases, 2);
    assert.deepEqual(await duckdb(`SELECT x, y, _error FROM '${path}' ORDER BY x`), X.map((x) => ({ x, y: x * 2, _error: null })));
  });

  it('refuses a value that is not a positive number of ms', async () => {
    await assertHarvestryError(() => endless.runCombos({ x: X }, { timeoutMs: 0, constants: { spin: [], never: [] } }), 'E_BAD_OPTION', /^Expected `timeoutMs` in runCombos\(\) to be a number of milliseconds above 0 .*got 0\.$/);
  });
});

describe('aborting cases that never end', () => {
  for (const executor of ['pool', 'subprocess'] as const) {
    it(`rejects with E_ABORTED and commits the finished rows while a case on the ${executor} executor spins forever`, async () => {
      const path = join(tempDir(), 'sweep.parquet');
      const h = new Harvester(endless, path);
      const stop = new AbortController();
      const err = await assertHarvestryError(
        () =>
          h.harvestCombos(
            { x: X },
            {
              executor,
              numWorkers: 2,
              constants: { spin: [0], never: [] },
              // once some cases finished (the endless one keeps its thread or child busy)
              progress: (p) => {
                if (p.done > 0) stop.abort();
              },
              signal: stop.signal,
              ...(executor === 'subprocess' ? { batchSize: 1 } : {}),
            },
          ),
        'E_ABORTED',
      );
      const cases = h.lastReport?.cases ?? 0;
      assert.ok(cases > 0 && cases < X.length, `${cases} cases`);
      assert.match(err.message, new RegExp(`^The harvest was aborted after ${cases} of 6 cases; the finished results were written to `));
      const rows = (await duckdb(`SELECT x, y FROM '${path}' ORDER BY x`)) as { x: number; y: number }[];
      assert.equal(rows.length, cases);
      for (const r of rows) assert.deepEqual([r.x === 0, r.y], [false, r.x * 2]);
    });
  }
});

/** Runs the fixture script with this process's loaders. */
function script(args: string[], extraEnv: NodeJS.ProcessEnv = {}): ReturnType<typeof spawn> {
  const env: NodeJS.ProcessEnv = { ...process.env, HARVESTRY_PROGRESS: 'off', ...extraEnv };
  delete env.NODE_TEST_CONTEXT;
  return spawn(process.execPath, [...process.execArgv.filter((a) => !a.startsWith('--test')), SCRIPT, ...args], { stdio: ['ignore', 'pipe', 'inherit'], env });
}

describe('an inline case whose promise can never settle', () => {
  it('rejects with E_CASE_STALLED (not a silent exit 0) and commits what finished', async () => {
    const path = join(tempDir(), 'sweep.parquet');
    const child = script(['stall', path]);
    let out = '';
    child.stdout!.on('data', (d: Buffer) => {
      out += d.toString();
    });
    const status = await new Promise<number | null>((resolve) => child.on('exit', resolve));
    assert.equal(status, 0);
    const result = JSON.parse(out.trim().split('\n').at(-1)!) as { code: string; message: string; cases: number };
    assert.equal(result.code, 'E_CASE_STALLED');
    assert.match(result.message, /^The run was waiting for the case \{x: 3\}, whose promise can never settle/);
    assert.equal(result.cases, 3);
    assert.deepEqual(await duckdb(`SELECT x, y FROM '${path}' ORDER BY x`), [0, 1, 2].map((x) => ({ x, y: x * 2 })));
  });
});

describe('child processes of a killed parent', () => {
  it('end when the parent is killed with SIGKILL, even in a synchronous loop', async () => {
    const marks = tempDir();
    const parent = script(['orphans'], { HARVESTRY_TEST_SPIN_MARKS: marks });
    // Both children spin (each wrote its pid before its endless loop).
    let kids: number[] = [];
    while (kids.length < 2) {
      await new Promise((resolve) => setTimeout(resolve, 200));
      kids = readdirSync(marks).map(Number);
    }
    assert.ok(kids.every((k) => k !== parent.pid));
    parent.kill('SIGKILL');
    const alive = (pid: number): boolean => {
      try {
        process.kill(pid, 0);
        return !/^State:\s+Z/m.test(execFileSync('cat', [`/proc/${pid}/status`], { encoding: 'utf8' }));
      } catch {
        return false;
      }
    };
    for (let i = 0; i < 150 && kids.some(alive); i++) await new Promise((resolve) => setTimeout(resolve, 200));
    assert.deepEqual(kids.filter(alive), [], 'children still running 30 s after their parent was killed');
  });
});
