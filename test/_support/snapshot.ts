/**
 * Snapshot files for generated text (help, job scripts): test/__snapshots__/<name>.txt.
 * Run with UPDATE_SNAPSHOTS=1 to write them; otherwise a difference fails the test.
 */
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

const dir = new URL('../__snapshots__/', import.meta.url).pathname;

/** Compares text with its stored snapshot (or stores it with UPDATE_SNAPSHOTS=1 or when missing). */
export function assertSnapshot(name: string, text: string): void {
  const file = join(dir, `${name}.txt`);
  if (process.env.UPDATE_SNAPSHOTS === '1' || !existsSync(file)) {
    if (process.env.CI !== undefined && !existsSync(file)) assert.fail(`snapshot ${name} is missing; run the tests with UPDATE_SNAPSHOTS=1 and commit it`);
    mkdirSync(dir, { recursive: true });
    writeFileSync(file, text);
    return;
  }
  assert.equal(text, readFileSync(file, 'utf8'), `snapshot ${name} differs; if the change is intended, run with UPDATE_SNAPSHOTS=1`);
}
