// A reporter for `node --test` (used by scripts/test.mjs next to the spec and TAP reporters):
// the time each test file took, summed over its top-level tests, as one JSON object
// { "test/x.test.ts": ms } on its destination. The runner starts the longest files first with
// it (a short file left for the end of a run fills a free slot; a long one holds the run up).
import { relative } from 'node:path';

const root = new URL('..', import.meta.url).pathname;

/** @param {AsyncIterable<{ type: string, data: { nesting: number, file?: string, details?: { duration_ms?: number } } }>} source */
export default async function* durations(source) {
  /** @type {Record<string, number>} */
  const perFile = {};
  for await (const event of source) {
    if (event.type !== 'test:pass' && event.type !== 'test:fail') continue;
    const { nesting, file, details } = event.data;
    if (nesting !== 0 || file === undefined) continue;
    // A file of the compiled tree (scripts/test-tree.mjs) is keyed by its source.
    const key = relative(root, file).replace(/^\.tmp\/test-build-[^/]+\/(.*)\.js$/, '$1.ts');
    perFile[key] = Math.round((perFile[key] ?? 0) + (details?.duration_ms ?? 0));
  }
  yield `${JSON.stringify(perFile)}\n`;
}
