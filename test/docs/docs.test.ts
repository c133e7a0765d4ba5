/**
 * The docs are tested: every ```ts block in README.md and docs/ runs (in its own module, from a
 * temporary working directory), and a `console.log(...)` line ending in a value-like comment
 * (`// [1, 2]`, `// { a: 1 }`, `// 40`) must print that value (whitespace ignored). docs/errors.md
 * lists exactly the codes in ERROR_CODES, and the version matches package.json.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdirSync, readdirSync, readFileSync, realpathSync, writeFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { describe, it } from 'node:test';
import { promisify } from 'node:util';
import { ERROR_CODES, VERSION } from '../../src/index.js';
import { transformSync } from 'esbuild';
import { COMPILED_TESTS, nodeArgsFor, tempDir } from '../_support/helpers.js';

const run = promisify(execFile);
const root = new URL('../../', import.meta.url).pathname;

function markdownFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const p = join(dir, e.name);
    if (e.isDirectory()) return e.name === 'api' ? [] : markdownFiles(p);
    return e.name.endsWith('.md') ? [p] : [];
  });
}

/** The ```ts blocks of a markdown file. */
export function tsBlocks(text: string): string[] {
  return [...text.matchAll(/^```ts\n([\s\S]*?)^```$/gm)].map((m) => m[1]!);
}

const VALUE_START = /^(\[|\{|'|"|-?\d|Float|Int|Uint|Big|true|false|null|NaN|undefined)/;

/** Turns `console.log(args); // expected` lines into checks. */
function instrument(block: string): string {
  const lines = block.split('\n').map((line) => {
    const m = /^(\s*)console\.log\((.*)\);\s*\/\/ (.+)$/.exec(line);
    if (m === null || !VALUE_START.test(m[3]!)) return line;
    return `${m[1]!}__check(${JSON.stringify(m[3]!)}, ${m[2]!});`;
  });
  const check = [
    "import { format as __format } from 'node:util';",
    'function __check(expected: string, ...args: unknown[]): void {',
    "  const norm = (s: string): string => s.replace(/\\(\\d+\\)/g, '').replace(/\\s+/g, '');",
    '  const got = __format(...args);',
    "  if (norm(got) !== norm(expected)) throw new Error(`docs example printed ${got}\\n  but its comment says ${expected}`);",
    '  console.log(got);',
    '}',
  ].join('\n');
  return `${lines.join('\n')}\n${check}\n`;
}

const files = [join(root, 'README.md'), ...markdownFiles(join(root, 'docs'))];

describe('docs examples run and print what they say', () => {
  const out = join(root, '.tmp', 'docs-examples');
  mkdirSync(out, { recursive: true });
  // Every block of every file runs in ONE process (test/docs/run-blocks.ts), in order, each
  // file's blocks from their own fresh working directory; each file's test reads its results.
  const plan = files.flatMap((file) => {
    const blocks = tsBlocks(readFileSync(file, 'utf8'));
    if (blocks.length === 0) return [];
    const name = relative(root, file);
    // In the compiled tree (npm test) each block is transpiled as the tree is (esbuild, one module
    // each) and runs on plain Node; from the source, as TypeScript under tsx.
    const scripts = blocks.map((block, i) => {
      const script = join(out, `${name.replace(/[/.]/g, '_')}_${i}.${COMPILED_TESTS ? 'mjs' : 'ts'}`);
      const code = instrument(block);
      writeFileSync(script, COMPILED_TESTS ? transformSync(code, { loader: 'ts', format: 'esm', target: 'node20', sourcefile: script.replace(/mjs$/, 'ts'), tsconfigRaw: { compilerOptions: { verbatimModuleSyntax: true } } }).code : code);
      return script;
    });
    return [{ file: name, cwd: tempDir('harvestry-docs-'), scripts, blocks }];
  });
  let results: Promise<{ byBlock: Map<string, { ok: boolean; error?: string }>; stdout: string; stderr: string }> | null = null;
  const runAll = (): NonNullable<typeof results> => {
    results ??= (async () => {
      const dir = tempDir('harvestry-docs-run-');
      const planFile = join(dir, 'plan.json');
      const resultsFile = join(dir, 'results.jsonl');
      writeFileSync(planFile, JSON.stringify(plan.map(({ file, cwd, scripts }) => ({ file, cwd, scripts }))));
      writeFileSync(resultsFile, '');
      let stdout = '';
      let stderr = '';
      try {
        ({ stdout, stderr } = await run(process.execPath, [...nodeArgsFor(new URL('./run-blocks.ts', import.meta.url)), planFile, resultsFile], { timeout: 600_000, maxBuffer: 64 * 1024 * 1024 }));
      } catch (err) {
        const e = err as { stderr?: string; stdout?: string };
        stdout = e.stdout ?? '';
        stderr = `the docs runner failed: ${String(err)}\n${e.stderr ?? ''}`;
      }
      const byBlock = new Map<string, { ok: boolean; error?: string }>();
      for (const line of readFileSync(resultsFile, 'utf8').split('\n').filter((l) => l !== '')) {
        const r = JSON.parse(line) as { file: string; index: number; ok: boolean; error?: string };
        byBlock.set(`${r.file}#${r.index}`, r);
      }
      return { byBlock, stdout, stderr };
    })();
    return results;
  };
  for (const { file, blocks } of plan) {
    it(`${file}: ${blocks.length} example(s)`, async () => {
      const { byBlock, stdout, stderr } = await runAll();
      for (const [i, block] of blocks.entries()) {
        const r = byBlock.get(`${file}#${i}`);
        if (r === undefined) assert.fail(`example ${i + 1} of ${file} did not run (the runner stopped before it):\n${block}\n--- stderr:\n${stderr}\n--- stdout:\n${stdout.slice(-4000)}`);
        if (!r.ok) assert.fail(`example ${i + 1} of ${file} failed:\n${block}\n--- error:\n${r.error ?? ''}`);
      }
    });
  }
});

describe('docs stay in step with the code', () => {
  it('docs/errors.md lists exactly the codes in ERROR_CODES', () => {
    const text = readFileSync(join(root, 'docs/errors.md'), 'utf8');
    const documented = new Set([...text.matchAll(/^\| `(E_[A-Z_]+)` \|/gm)].map((m) => m[1]!));
    assert.deepEqual([...documented].sort(), Object.keys(ERROR_CODES).sort());
  });

  it('VERSION matches package.json', () => {
    const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { version: string };
    assert.equal(VERSION, pkg.version);
  });

  it('docs/architecture.md names every file under src/', () => {
    const text = readFileSync(join(root, 'docs/architecture.md'), 'utf8');
    // The checkout's src/ (the compiled tree has a .js beside each .ts).
    const src = join(dirname(realpathSync(join(root, 'package.json'))), 'src');
    const walk = (dir: string): string[] =>
      readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? walk(join(dir, e.name)) : [relative(src, join(dir, e.name))]));
    const missing = walk(src).filter((f) => !text.includes(`\`${f.split('/').pop()!}\``));
    assert.deepEqual(missing, [], 'add a line for each new file to docs/architecture.md');
  });
});
