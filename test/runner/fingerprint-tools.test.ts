/**
 * The fingerprint under the real tools: one model.ts, in a project set up as a user's (ESM,
 * tsconfig target ES2022 / module NodeNext, harvestry compiled to dist/ in its node_modules), run
 * with the tsx command, with `node --import tsx`, and compiled with tsc (TypeScript 5.9, then 7)
 * and run with node. All give one fingerprint, so the compiled run finds every row present and
 * warns of nothing stale; a change of comments, whitespace or type annotations gives the same
 * fingerprint; a change of the function body gives another, and the rows become stale.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, before, describe, it } from 'node:test';
import { compiledDist } from '../_support/package.js';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
/** The two compilers users install: TypeScript 5.9 and 7 (`npm i -D typescript` today). */
const TSC = { '5.9': join(ROOT, 'node_modules/typescript/bin/tsc'), '7': join(ROOT, 'node_modules/typescript7/bin/tsc') };
const TSX_CLI = join(ROOT, 'node_modules/tsx/dist/cli.mjs');
const TSX_LOADER = new URL('../../node_modules/tsx/dist/loader.mjs', import.meta.url).href;
let dir = '';

const TSCONFIG = {
  compilerOptions: { target: 'ES2022', module: 'NodeNext', moduleResolution: 'NodeNext', strict: true, skipLibCheck: true, rootDir: 'src', outDir: 'out', types: ['node'] },
  include: ['src'],
};

const MODEL = `import { label } from 'harvestry';

interface Params { omega: number; gamma: number }

/** A damped sum. */
export const model = label({ varNames: ['energy', 'tag'] }, ({ omega, gamma }: Params): [number, string] => {
  if (!(omega > 0 && omega < 10 && gamma >= 0 && gamma < 1)) throw new RangeError(\`fixture: omega in (0, 10), gamma in [0, 1), got \${omega}, \${gamma}\`);
  const n: number = 1_000;
  let total = 0.50;
  function term(i: number): number { return Math.sin(omega * i) * gamma / (i + 1) }
  const square = (v: number) => v ** 2;
  for (let i = 0; i < n; i++) total += term(i);
  const parts = { label: 'w', digits: [1, 2, 3,] } as const;
  return [square(total), \`\${parts.label}\${parts.digits.length}\`];
});
`;

// Only comments, whitespace, semicolons, parentheses and type annotations differ.
const MODEL_RESTYLED = `import { label } from 'harvestry';

type Params = { readonly omega: number; readonly gamma: number };

export const model = label({ varNames: ['energy', 'tag'] }, ({ omega, gamma }: Params): readonly [number, string] => {
  // the arguments are checked, so a swapped one fails loudly
  if (!(omega > 0 && omega < 10 && gamma >= 0 && gamma < 1)) throw new RangeError(\`fixture: omega in (0, 10), gamma in [0, 1), got \${omega}, \${gamma}\`)
  const n: number = 1000
  let total: number = 0.5
  function term(i: number): number {
    return (Math.sin(omega * i) * gamma) / (i + 1);
  }
  const square = (v: number): number => v ** 2
  for (let i = 0; i < n; i++) total += term(i)
  const parts = { "label": "w", digits: [1, 2, 3] }
  return [square(total), \`\${parts.label}\${parts.digits.length}\`] as const
});
`;

// A real change: the series has one more term.
const MODEL_CHANGED = MODEL.replace('const n: number = 1_000;', 'const n: number = 1_001;');

const RUN = `import { closePools, Harvester } from 'harvestry';
import { model } from './model.js';

const stale: string[] = [];
process.on('warning', (w) => {
  if ((w as Error & { code?: string }).code === 'HARVESTRY_STALE_RESULTS') stale.push(w.message);
});
const executor = (process.argv[2] ?? 'inline') as 'inline' | 'pool';
const h = new Harvester(model, 'data/model.parquet');
await h.harvestCombos({ omega: [1, 2], gamma: [0.1, 0.5] }, { missingOnly: true, executor, ...(executor === 'pool' ? { numWorkers: 2 } : {}) });
await new Promise((r) => setImmediate(r)); // warnings are emitted on the next tick
console.log(JSON.stringify({ fingerprint: model.fingerprint, ran: h.lastReport?.cases, rows: h.fullDs?.numRows, stale }));
await closePools();
`;

interface Out {
  fingerprint: string;
  ran: number;
  rows: number;
  stale: string[];
}

function node(args: readonly string[]): Out {
  const r = spawnSync(process.execPath, args, { cwd: dir, encoding: 'utf8', timeout: 240_000, env: { ...process.env, NODE_TEST_CONTEXT: undefined, NODE_OPTIONS: '' } });
  assert.equal(r.status, 0, `${args.join(' ')}:\n${r.stderr}`);
  return JSON.parse(r.stdout.trim().split('\n').at(-1)!) as Out;
}
const underTsx = (executor = 'inline'): Out => node([TSX_CLI, 'src/run.ts', executor]);
const underNodeImportTsx = (executor = 'inline'): Out => node(['--import', TSX_LOADER, 'src/run.ts', executor]);
function compiled(version: keyof typeof TSC, executor = 'inline'): Out {
  rmSync(join(dir, 'out'), { recursive: true, force: true });
  const tsc = spawnSync(process.execPath, [TSC[version], '-p', dir], { encoding: 'utf8', timeout: 240_000 });
  assert.equal(tsc.status, 0, tsc.stdout + tsc.stderr);
  return node(['out/run.js', executor]);
}
const setModel = (text: string): void => { writeFileSync(join(dir, 'src/model.ts'), text); };

before(() => {
  mkdirSync(join(ROOT, '.tmp'), { recursive: true });
  // Inside the repository, so harvestry's dependencies resolve from its node_modules.
  dir = mkdtempSync(join(ROOT, '.tmp', 'fingerprint-tools-'));
  const pkg = join(dir, 'node_modules/harvestry');
  mkdirSync(pkg, { recursive: true });
  copyFileSync(join(ROOT, 'package.json'), join(pkg, 'package.json'));
  compiledDist(pkg);
  mkdirSync(join(dir, 'src'));
  writeFileSync(join(dir, 'package.json'), '{ "type": "module" }\n');
  writeFileSync(join(dir, 'tsconfig.json'), JSON.stringify(TSCONFIG, null, 2));
  writeFileSync(join(dir, 'src/run.ts'), RUN);
  setModel(MODEL);
});

after(() => {
  if (dir !== '') rmSync(dir, { recursive: true, force: true });
});

describe('one fingerprint under tsx, node --import tsx and tsc', () => {
  let first: Out;

  it('harvests under the tsx command', () => {
    first = underTsx();
    assert.match(first.fingerprint, /^sha256:[0-9a-f]{64}$/);
    assert.deepEqual([first.ran, first.rows, first.stale], [4, 4, []]);
  });

  it('finds every row present under node --import tsx (on the pool), nothing stale', () => {
    const out = underNodeImportTsx('pool');
    assert.deepEqual(out, { ...first, ran: 0 });
  });

  it('finds every row present when compiled with tsc 5.9 and run with node (on the pool), nothing stale', () => {
    const out = compiled('5.9', 'pool');
    assert.deepEqual(out, { ...first, ran: 0 });
  });

  it('gives the same fingerprint after a change of comments, whitespace, semicolons and types only', () => {
    setModel(MODEL_RESTYLED);
    // TypeScript 7 from here on (users install both; 7 is native and takes a fraction of the
    // CPU): its output of the restyled model has the fingerprint of 5.9's and tsx's of the first
    assert.deepEqual(compiled('7'), { ...first, ran: 0 });
    assert.deepEqual(underTsx(), { ...first, ran: 0 });
  });

  it('gives another fingerprint after a change of the body, under every tool: the rows are stale', () => {
    setModel(MODEL_CHANGED);
    const changed = underTsx();
    assert.notEqual(changed.fingerprint, first.fingerprint);
    assert.equal(changed.ran, 0, 'stale rows count as present');
    assert.equal(changed.stale.length, 1);
    assert.match(changed.stale[0]!, /^4 of the 4 results in data\/model\.parquet were made by another version of the function/);
    assert.deepEqual(compiled('7'), changed);
  });
});
