/**
 * Ctrl-C: SIGINT stops a run like its AbortSignal (no new case starts, finished results are
 * kept, the run rejects with E_ABORTED) and the process can exit: pools and children are gone.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { describe, it } from 'node:test';
import { runnable } from '../_support/helpers.js';

const SCRIPT = runnable(new URL('../fixtures/sigint-run.ts', import.meta.url));

async function interrupt(executor: string): Promise<{ status: number | null; result: { code: string; rows: number; correct: boolean } }> {
  const child = spawn(process.execPath, [...process.execArgv, SCRIPT, executor], { stdio: ['ignore', 'pipe', 'inherit'] });
  let out = '';
  child.stdout.on('data', (d: Buffer) => {
    const before = out;
    out += d.toString();
    if (!before.includes('started') && out.includes('started')) child.kill('SIGINT');
  });
  const status = await new Promise<number | null>((resolve) => child.on('exit', resolve));
  return { status, result: JSON.parse(out.trim().split('\n').at(-1)!) as { code: string; rows: number; correct: boolean } };
}

describe('SIGINT', () => {
  for (const executor of ['pool', 'subprocess']) {
    it(`stops a run on the ${executor} executor, keeps finished results, and lets the process exit`, async () => {
      const { status, result } = await interrupt(executor);
      assert.equal(status, 0);
      assert.equal(result.code, 'E_ABORTED');
      assert.ok(result.rows > 0 && result.rows < 400, `${result.rows} rows`);
      assert.ok(result.correct);
    });
  }
});
