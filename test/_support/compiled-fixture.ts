/**
 * Test fixtures compiled to JavaScript against compiled harvestry, for the tests that start many
 * child processes (kill trials, writers racing for one file). A child under tsx spends 1.5–2 s of
 * CPU before its first case (tsx's hooks on every module it loads); the same child as plain
 * JavaScript, importing the dist/ that `npm test` builds once (HARVESTRY_DIST), about 0.5 s. What
 * the children do is the same: the fixtures are compiled with TypeScript's own emit, as users
 * compile for a cluster, and their imports of `src/` point at the build of that same `src/`.
 * A test file run alone (no HARVESTRY_DIST) gets `null` and starts its children under tsx.
 */
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, relative } from 'node:path';
import { pathToFileURL } from 'node:url';
import ts from 'typescript';
import { ROOT } from './package.js';

const made = new Map<string, string | null>();

/**
 * Compiles `files` (TypeScript fixtures of this repository that import each other relatively and
 * harvestry from `src/`) into one temporary folder, and returns the path of the JavaScript made
 * from `files[0]`, or `null` when no compiled harvestry is there.
 *
 * @param files - absolute paths of the fixture and of every fixture it imports
 */
export function compiledFixture(files: readonly string[]): string | null {
  const key = files.join('\n');
  if (made.has(key)) return made.get(key)!;
  const dist = process.env.HARVESTRY_DIST;
  if (dist === undefined || !existsSync(join(dist, 'index.js'))) {
    made.set(key, null);
    return null;
  }
  const src = join(ROOT, 'src');
  const out = mkdtempSync(join(tmpdir(), 'harvestry-fixtures-'));
  process.once('exit', () => {
    rmSync(out, { recursive: true, force: true });
  });
  for (const file of files) {
    const { outputText } = ts.transpileModule(readFileSync(file, 'utf8'), {
      fileName: file,
      compilerOptions: { target: ts.ScriptTarget.ES2022, module: ts.ModuleKind.ESNext, verbatimModuleSyntax: false },
    });
    // `../../src/x.js` (from the fixture's own folder) → the same module in the build
    const js = outputText.replace(/(from\s+|import\s*\(\s*)(['"])(\.[^'"]*)\2/g, (whole: string, lead: string, quote: string, spec: string) => {
      const target = join(dirname(file), spec);
      if (!target.startsWith(`${src}/`)) return whole;
      return `${lead}${quote}${pathToFileURL(join(dist, relative(src, target))).href}${quote}`;
    });
    const to = join(out, relative(ROOT, file)).replace(/\.ts$/, '.js');
    mkdirSync(dirname(to), { recursive: true });
    writeFileSync(to, js);
  }
  writeFileSync(join(out, 'package.json'), '{ "type": "module" }\n');
  const entry = join(out, relative(ROOT, files[0]!)).replace(/\.ts$/, '.js');
  made.set(key, entry);
  return entry;
}
