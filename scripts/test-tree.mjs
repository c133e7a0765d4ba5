// The compiled tree `npm test` runs (scripts/test.mjs): src/, test/, examples/ and benchmarks/
// copied into a folder of .tmp/ with each TypeScript file transpiled by esbuild to the .js beside
// it (one module per file, imports unchanged: they already name .js files), and the rest of the
// checkout linked in. The tests then run on plain Node, as compiled code runs for users.
//
// Why: a TypeScript loader (tsx, or any module.register() hooks) costs every module a round trip
// to its hooks thread. A test process or a child it starts (subprocess workers, growers, CLI runs)
// spent ~1.4 s of CPU importing harvestry under tsx and ~0.5 s compiled; npm test starts ~200 of
// them. Compiled, test/execute/executors.test.ts took 27 s of CPU instead of 52.
//
// In the tree, `dist` links to its `src` and `bin/` is a copy, so `bin/harvestry.js` (and the
// launcher a crop records) runs the same compiled modules the tests import: one copy of harvestry.
// The .ts files are there too, for the tests that read sources or run a file under tsx on purpose.
import { build } from 'esbuild';
import { copyFileSync, cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, statSync, symlinkSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';

/** The folders copied and compiled; every other top-level entry is linked. */
const COMPILED = ['src', 'test', 'examples', 'benchmarks'];
/** Copied, not linked: bin/harvestry.js finds `../dist` (here: the compiled src) beside itself. */
const COPIED = ['bin'];
const SKIPPED = new Set(['.git', '.tmp', 'dist', 'coverage', 'site']);

function walk(dir, out) {
  for (const name of readdirSync(dir)) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) walk(p, out);
    else out.push(p);
  }
  return out;
}

/**
 * Builds the tree under `<root>/.tmp/` and returns its folder.
 *
 * @param {string} root - the checkout
 */
export async function buildTestTree(root) {
  mkdirSync(join(root, '.tmp'), { recursive: true });
  const tree = mkdtempSync(join(root, '.tmp', 'test-build-'));
  const sources = [];
  for (const top of COMPILED) {
    for (const file of walk(join(root, top), [])) {
      const to = join(tree, relative(root, file));
      mkdirSync(dirname(to), { recursive: true });
      copyFileSync(file, to);
      if (/\.m?ts$/.test(file) && !file.endsWith('.d.ts')) {
        if (existsSync(file.replace(/ts$/, 'js'))) throw new Error(`${relative(root, file)} has a .js twin: the compiled tree would overwrite it`);
        sources.push(file);
      }
    }
  }
  await build({
    entryPoints: sources,
    outdir: tree,
    outbase: root,
    format: 'esm',
    platform: 'node',
    target: 'node20',
    sourcemap: true,
    logLevel: 'warning',
    tsconfig: join(root, 'tsconfig.json'),
  });
  for (const top of COPIED) cpSync(join(root, top), join(tree, top), { recursive: true });
  for (const name of readdirSync(root)) {
    if (SKIPPED.has(name) || COMPILED.includes(name) || COPIED.includes(name)) continue;
    symlinkSync(join(root, name), join(tree, name));
  }
  symlinkSync('src', join(tree, 'dist'));
  return tree;
}
