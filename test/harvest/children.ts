/**
 * Spawning harvest-child.ts processes and reading their events.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { compiledFixture } from '../_support/compiled-fixture.js';

const CHILD = fileURLToPath(new URL('./fixtures/harvest-child.ts', import.meta.url));
/** The child and the fixture it imports, compiled against compiled harvestry when `npm test` built it. */
const CHILD_FILES = [CHILD, fileURLToPath(new URL('./fixtures/slow-product.ts', import.meta.url))];
const ROOT = fileURLToPath(new URL('../../', import.meta.url));

/** The config of a harvest child (see fixtures/harvest-child.ts). */
export interface ChildConfig {
  readonly path: string;
  readonly a: readonly number[];
  readonly b: readonly number[];
  readonly offset?: number;
  readonly overwrite?: boolean | null;
  readonly missingOnly?: boolean;
  readonly commitMs?: number;
  readonly commitRows?: number;
  readonly workMs?: number;
  readonly goFile?: string | null;
  readonly callLog?: string | null;
}

/** An event a child printed. */
export type ChildEvent =
  | { ready: number }
  | { start: number }
  | { commit: { rows: number; fileRows: number; mode: string } }
  | { done: number }
  | { error: { code: string; message: string } };

/** A running child. */
export interface Child {
  readonly proc: ChildProcess;
  readonly events: ChildEvent[];
  /** Resolves when the child prints an event matching `test`. */
  waitFor(test: (e: ChildEvent) => boolean): Promise<ChildEvent>;
  /** Resolves when the child exits. */
  readonly exit: Promise<{ code: number | null; signal: NodeJS.Signals | null; stderr: string }>;
}

/**
 * Starts a child harvesting with the given config.
 *
 * @param config - what to harvest
 */
export function startChild(config: ChildConfig): Child {
  const full = { offset: 0, overwrite: null, missingOnly: false, commitMs: 2000, commitRows: 500000, workMs: 0, goFile: null, callLog: null, ...config };
  const compiled = compiledFixture(CHILD_FILES);
  const args = compiled === null ? ['--conditions=source', '--import', 'tsx', CHILD] : [compiled];
  const proc = spawn(process.execPath, [...args, JSON.stringify(full)], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
  const events: ChildEvent[] = [];
  const waiters: { test: (e: ChildEvent) => boolean; resolve: (e: ChildEvent) => void }[] = [];
  let buf = '';
  let stderr = '';
  proc.stdout.setEncoding('utf8');
  proc.stdout.on('data', (chunk: string) => {
    buf += chunk;
    let nl: number;
    while ((nl = buf.indexOf('\n')) >= 0) {
      const line = buf.slice(0, nl);
      buf = buf.slice(nl + 1);
      if (line.trim() === '') continue;
      const e = JSON.parse(line) as ChildEvent;
      events.push(e);
      for (const w of [...waiters]) {
        if (w.test(e)) {
          waiters.splice(waiters.indexOf(w), 1);
          w.resolve(e);
        }
      }
    }
  });
  proc.stderr.setEncoding('utf8');
  proc.stderr.on('data', (chunk: string) => (stderr += chunk));
  const exit = new Promise<{ code: number | null; signal: NodeJS.Signals | null; stderr: string }>((resolve) => {
    proc.on('close', (code, signal) => {
      for (const w of waiters) w.resolve({ error: { code: 'EXITED', message: `child exited (${code ?? signal}) before the event: ${stderr}` } });
      resolve({ code, signal, stderr });
    });
  });
  return {
    proc,
    events,
    exit,
    waitFor(test) {
      const hit = events.find(test);
      if (hit !== undefined) return Promise.resolve(hit);
      return new Promise((resolve) => waiters.push({ test, resolve }));
    },
  };
}
