/**
 * Runs the docs examples of test/docs/docs.test.ts in one process (one Node start and one load
 * of harvestry for all of them, instead of one per block): each markdown file's blocks in order,
 * from a fresh working directory per file, each block imported as its own module. Writes one JSON
 * line per block to the results file: `{ file, index, ok, error? }`.
 *
 * Usage: node --conditions=source --import tsx test/docs/run-blocks.ts <plan.json> <results.jsonl>
 * where plan.json is `[{ file, cwd, scripts: [path, ...] }, ...]`.
 */
import { appendFileSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { inspect } from 'node:util';

interface PlanEntry {
  readonly file: string;
  readonly cwd: string;
  readonly scripts: readonly string[];
}

const [planPath, resultsPath] = process.argv.slice(2).map((p) => resolve(p)) as [string, string];
const plan = JSON.parse(readFileSync(planPath, 'utf8')) as PlanEntry[];
// A rejection nobody awaits belongs to the block that is running: record it there.
let stray: unknown = null;
process.on('unhandledRejection', (err) => {
  stray ??= err;
});

function show(err: unknown): string {
  return err instanceof Error ? (err.stack ?? err.message) : inspect(err);
}

for (const entry of plan) {
  process.chdir(entry.cwd);
  for (const [index, script] of entry.scripts.entries()) {
    stray = null;
    let error: string | null = null;
    try {
      await import(pathToFileURL(script).href);
      await new Promise((resolve) => setImmediate(resolve));
    } catch (err) {
      error = show(err);
    }
    if (error === null && stray !== null) error = `an unhandled rejection: ${show(stray)}`;
    appendFileSync(resultsPath, JSON.stringify({ file: entry.file, index, ok: error === null, ...(error === null ? {} : { error }) }) + '\n');
  }
}
