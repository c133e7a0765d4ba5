/**
 * Test helpers: temporary folders, DuckDB queries against our files, and error assertions.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { after } from 'node:test';
import { HarvestryError, type ErrorCode } from '../../src/index.js';

/** A fresh temporary folder, removed after the test file. */
export function tempDir(prefix = 'harvestry-test-'): string {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  after(() => {
    rmSync(dir, { recursive: true, force: true });
  });
  return dir;
}

/**
 * Runs a SQL query in an in-memory DuckDB and returns the rows as objects (JSON-friendly values).
 * DuckDB is imported here, not at the top: loading its native library costs ~370 ms of CPU, and
 * this module is also loaded by fixtures that run in every pool thread, subprocess child and
 * grower of the tests, which never query.
 */
export async function duckdb(sql: string): Promise<Record<string, unknown>[]> {
  const { DuckDBInstance } = await import('@duckdb/node-api');
  const instance = await DuckDBInstance.create(':memory:');
  const con = await instance.connect();
  try {
    const reader = await con.runAndReadAll(sql);
    return reader.getRowObjectsJson();
  } finally {
    con.closeSync();
    instance.closeSync();
  }
}

/** Asserts that `fn` throws (or rejects with) a HarvestryError with this code whose message matches. */
export async function assertHarvestryError(fn: () => unknown, code: ErrorCode, message?: RegExp): Promise<HarvestryError> {
  let caught: unknown;
  try {
    await fn();
  } catch (err) {
    caught = err;
  }
  assert.ok(caught instanceof HarvestryError, `expected a HarvestryError ${code}, got ${String(caught)}`);
  assert.equal(caught.code, code, `expected code ${code}, got ${caught.code}: ${caught.message}`);
  if (message !== undefined) assert.match(caught.message, message);
  return caught;
}

/** Numbers 0 to n - 1. */
export function range(n: number, start = 0): number[] {
  return Array.from({ length: n }, (_, i) => start + i);
}

/**
 * A fixture function that checks its own arguments: `a` in [0, 10), `b` in [10, 100). A swapped
 * argument or a mis-mapped dim fails loudly.
 */
export function checkedProduct({ a, b }: { a: number; b: number }): number {
  if (!(a >= 0 && a < 10)) throw new RangeError(`fixture: a must be in [0, 10), got ${a}`);
  if (!(b >= 10 && b < 100)) throw new RangeError(`fixture: b must be in [10, 100), got ${b}`);
  return a * b;
}

/**
 * True when the tests run compiled on plain Node (`npm test`: scripts/test-tree.mjs), false when
 * they run from the TypeScript source under tsx (`node scripts/test.mjs --source`).
 */
export const COMPILED_TESTS = import.meta.url.endsWith('.js');

/**
 * Node arguments that run a TypeScript file from any working directory (tsx resolved from here).
 * From the source, `--conditions=source` makes `harvestry` and `bin/harvestry.js` the TypeScript
 * source too; in the compiled tree they are its compiled modules already (its `dist` is its `src`).
 */
export const TS_NODE_ARGS: readonly string[] = [...(COMPILED_TESTS ? [] : ['--conditions=source']), '--import', import.meta.resolve('tsx')];

/**
 * Node arguments that run this repository's JavaScript as the tests run it (`bin/harvestry.js`, a
 * fixture through {@link runnable}): none in the compiled tree, tsx and the source from the source.
 */
export const REPO_NODE_ARGS: readonly string[] = COMPILED_TESTS ? [] : TS_NODE_ARGS;

/**
 * The file a test runs for a TypeScript file of this repository: in the compiled tree, the
 * JavaScript beside it (so a child runs on plain Node, with the parent's `process.execArgv`).
 *
 * @param url - the .ts file, as `new URL('./fixtures/x.ts', import.meta.url)`
 */
export function runnable(url: URL): string {
  const path = fileURLToPath(url);
  return COMPILED_TESTS ? path.replace(/\.ts$/, '.js') : path;
}

/**
 * Node arguments that run a TypeScript file of this repository: its compiled JavaScript on plain
 * Node in the compiled tree, else the .ts under tsx ({@link TS_NODE_ARGS}).
 *
 * @param url - the .ts file
 */
export function nodeArgsFor(url: URL): string[] {
  return COMPILED_TESTS ? [runnable(url)] : [...TS_NODE_ARGS, fileURLToPath(url)];
}
