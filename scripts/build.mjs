#!/usr/bin/env node
// `npm run build` (and `prepare`, which npm runs before `npm pack` / `npm publish` and when
// installing from a folder or a git URL): a fresh dist/, so no file of an older build (a renamed
// or removed module) is ever packed.
//
// - TypeScript writes the type declarations (dist/**/*.d.ts) and checks the types;
// - esbuild bundles the JavaScript: each module loaded by URL (the package entry, the pool's
//   worker, the subprocess child, the CLI) at its source path (dist/execute/pool-worker.js), the
//   code they share in chunks at the top of dist/, which src/own-url.ts relies on. A pool thread
//   or a child process then loads a few files instead of ~140 modules: a pool thread's start
//   took ~100 ms less CPU (benchmarks/README.md). Source maps embed the TypeScript they map to.
//
// `node scripts/build.mjs --out <dir>` builds into <dir> instead of dist/ (tests that need a
// build of their own when npm test's is not there); `--bundle-into <dir>` bundles src/ into <dir>
// only (the benchmarks' build, `npm run bench`, over the file-by-file build tsconfig.bench.json
// made there).
import { spawnSync } from 'node:child_process';
import { readdirSync, readFileSync, realpathSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join, relative, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { build } from 'esbuild';

const root = new URL('..', import.meta.url).pathname;

/** The modules loaded by URL, by path under src/ (see src/own-url.ts). */
export const ENTRIES = ['index.ts', 'execute/pool-worker.ts', 'execute/subprocess-child.ts', 'cli/main.ts', 'cli/run.ts'];

/**
 * Bundles src/ into `outdir`.
 *
 * @param {string} outdir - the output folder (dist/)
 */
export async function bundle(outdir) {
  await build({
    entryPoints: ENTRIES.map((e) => join(root, 'src', e)),
    outdir,
    outbase: join(root, 'src'),
    entryNames: '[dir]/[name]',
    chunkNames: 'chunk-[hash]',
    bundle: true,
    splitting: true,
    format: 'esm',
    platform: 'node',
    target: 'node20',
    packages: 'external',
    // Top-level names that two modules share are renamed in a bundle; keep every function's and
    // class's `name` as written (error messages and `constructor.name` show them).
    keepNames: true,
    sourcemap: true,
    sourcesContent: true,
    logLevel: 'warning',
    tsconfig: join(root, 'tsconfig.build.json'),
  });
  // src/own-url.ts finds the other entries from `./`: its code must sit at the top of outdir.
  for (const file of readdirSync(outdir, { recursive: true })) {
    if (!String(file).endsWith('.js')) continue;
    const text = readFileSync(join(outdir, String(file)), 'utf8');
    if (text.includes('OWN_ROOT = new URL("./", import.meta.url)') && String(file).includes('/')) {
      throw new Error(`build: src/own-url.ts was bundled into ${relative(root, join(outdir, String(file)))}, not at the top of ${relative(root, outdir)}: the paths it gives would be wrong`);
    }
  }
}

const args = process.argv.slice(2);
if (args[0] === '--bundle-into') {
  await bundle(args[1]);
} else if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(realpathSync(process.argv[1])).href) {
  // (run as a script, also through a symlink: the compiled test tree links scripts/)
  const out = args[0] === '--out' ? resolve(args[1]) : join(root, 'dist');
  rmSync(out, { recursive: true, force: true });
  const tsc = createRequire(import.meta.url).resolve('typescript/bin/tsc');
  const r = spawnSync(process.execPath, [tsc, '-p', 'tsconfig.build.json', '--emitDeclarationOnly', '--outDir', out], { cwd: root, stdio: 'inherit' });
  if (r.status !== 0) process.exit(r.status ?? 1);
  await bundle(out);
}
