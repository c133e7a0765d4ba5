/**
 * The fixture a test starts many child processes of (kill trials, writers racing for one file),
 * as plain JavaScript. `npm test` runs the compiled tree (scripts/test-tree.mjs), where the
 * fixture's .js is beside its .ts and imports the same compiled modules the test does: a child
 * then starts in ~0.5 s of CPU instead of the 1.5–2 s it spends under tsx (tsx's hooks on every
 * module it loads). From the source (`node scripts/test.mjs --source`) there is none: `null`,
 * and the test starts its children under tsx.
 */
import { COMPILED_TESTS, runnable } from './helpers.js';
import { pathToFileURL } from 'node:url';

/**
 * The path of the JavaScript of `files[0]` in the compiled tree, or `null` when the tests run
 * from the source.
 *
 * @param files - absolute paths of the fixture and of every fixture it imports
 */
export function compiledFixture(files: readonly string[]): string | null {
  return COMPILED_TESTS ? runnable(pathToFileURL(files[0]!)) : null;
}
