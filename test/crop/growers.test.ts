/**
 * A crop sown from a TypeScript module (run with the tsx CLI, as `npx tsx sweep.ts`) and grown
 * by `harvestry crop grow` started with plain Node (as `npx harvestry` starts it): the command
 * starts itself again under the crop's recorded launcher, so the `.ts` module imports. Two
 * growers started together and a third started late split the batches between them (each
 * batch is claimed just before it runs), no case runs twice, and `crop reap` merges them.
 * harvestry is the compiled build with its `bin/`, as installed from a package.
 */
import assert from 'node:assert/strict';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { after, before, describe, it } from 'node:test';
import { duckdb } from '../_support/helpers.js';
import { compiledDist } from '../_support/package.js';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const TSX = join(ROOT, 'node_modules/tsx/dist/cli.mjs');
let dir = '';

// Cases of batches 5 to 8 wait for the file `open`, so the test decides when they may finish.
const SWEEP = `import { appendFileSync, existsSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import { Harvester, label } from './dist/index.js';

export const product = label({ varNames: 'p' }, async ({ a, b }: { a: number; b: number }): Promise<number> => {
  while (a >= 5 && !existsSync(new URL('./open', import.meta.url))) await sleep(50);
  appendFileSync(new URL('./calls.log', import.meta.url), \`\${a},\${b},\${process.pid}\\n\`);
  return a * b;
});

const crop = new Harvester(product, 'data/sweep.parquet').crop({ numBatches: 8 });
const sown = await crop.sowCombos({ a: [1, 2, 3, 4, 5, 6, 7, 8], b: [10, 20] });
console.log(JSON.stringify({ dir: crop.dir, batches: sown.batches }));
`;

before(() => {
  mkdirSync(join(ROOT, '.tmp'), { recursive: true });
  // Inside the repository, so the project finds tsx and harvestry's dependencies in its node_modules.
  dir = mkdtempSync(join(ROOT, '.tmp', 'ts-crop-'));
  compiledDist(dir);
  writeFileSync(join(dir, 'package.json'), '{"name": "harvestry", "type": "module"}\n');
  mkdirSync(join(dir, 'bin'));
  copyFileSync(join(ROOT, 'bin/harvestry.js'), join(dir, 'bin/harvestry.js'));
  writeFileSync(join(dir, 'sweep.ts'), SWEEP);
});

after(() => {
  if (dir !== '') rmSync(dir, { recursive: true, force: true });
});

const ENV = { ...process.env, NODE_OPTIONS: '', NODE_TEST_CONTEXT: undefined, HARVESTRY_RELAUNCHED: undefined };

function run(args: string[], env: NodeJS.ProcessEnv = ENV): { status: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, args, { cwd: dir, encoding: 'utf8', timeout: 120_000, env });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

interface Grower {
  readonly child: ChildProcess;
  readonly done: Promise<{ status: number | null; stdout: string; stderr: string }>;
}

function startGrower(cropDir: string): Grower {
  const child = spawn(process.execPath, [join(dir, 'bin/harvestry.js'), 'crop', 'grow', cropDir], { cwd: dir, env: ENV });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  const done = new Promise<{ status: number | null; stdout: string; stderr: string }>((resolve) => child.on('close', (status) => { resolve({ status, stdout, stderr }); }));
  return { child, done };
}

async function until(what: string, test: () => boolean): Promise<void> {
  for (let i = 0; i < 1200; i++) {
    if (test()) return;
    await sleep(50);
  }
  throw new Error(`timed out waiting until ${what}`);
}

/** The batches a grower's output says it grew (`grew batches 1,3-5`). */
function grewBatches(stdout: string): number[] {
  const list = /grew batch(?:es)? ([\d,-]+) in/.exec(stdout)?.[1];
  if (list === undefined) return [];
  return list.split(',').flatMap((item) => {
    const [from, to = from] = item.split('-').map(Number) as [number, number?];
    return Array.from({ length: to - from + 1 }, (_, i) => from + i);
  });
}

describe('a crop sown from TypeScript, grown by several `harvestry crop grow` under plain Node', () => {
  it('is grown under the recorded launcher, the batches split between growers, and reaped', async () => {
    const sow = run([TSX, 'sweep.ts']);
    assert.equal(sow.status, 0, sow.stderr);
    const { dir: cropDir, batches } = JSON.parse(sow.stdout) as { dir: string; batches: number };
    assert.equal(batches, 8);
    const manifest = JSON.parse(readFileSync(join(cropDir, 'crop.json'), 'utf8')) as { launcher: { execArgv: string[] } };
    assert.ok(manifest.launcher.execArgv.some((a) => a.includes('tsx')), `the sower's tsx loader is recorded: ${manifest.launcher.execArgv.join(' ')}`);

    // Without starting itself again (as before), plain Node cannot import the .ts module; the error says what fixes it.
    const bare = run([join(dir, 'bin/harvestry.js'), 'crop', 'grow', cropDir, '--batch', '1'], { ...ENV, HARVESTRY_RELAUNCHED: '1' });
    assert.equal(bare.status, 1);
    assert.match(bare.stderr, /Unknown file extension "\.ts".*no TypeScript loader.*npx harvestry crop grow <dir>.*node --import tsx script\.ts.* \[E_WORKER_IMPORT\]/s);
    assert.deepEqual(readdirSync(join(cropDir, 'results')), []);

    const results = join(cropDir, 'results');
    const running = join(cropDir, 'running');
    const first = startGrower(cropDir);
    const second = startGrower(cropDir);
    // batches 1-4 grow at once; then each grower holds one of 5 and 6, waiting for `open`
    await until('batches 1-4 are grown and 5, 6 claimed', () => ['1', '2', '3', '4'].every((k) => existsSync(join(results, `${k}.bin`))) && ['5', '6'].every((k) => existsSync(join(running, `batch-${k}.json`))));
    const late = startGrower(cropDir);
    await until('the late grower claims batch 7', () => existsSync(join(running, 'batch-7.json')));
    writeFileSync(join(dir, 'open'), '');
    const outs = await Promise.all([first.done, second.done, late.done]);
    for (const o of outs) assert.equal(o.status, 0, o.stderr);
    const grown = outs.map((o) => grewBatches(o.stdout));
    for (const [i, g] of grown.entries()) assert.ok(g.length > 0, `grower ${i + 1} grew something: ${outs[i]!.stdout}`);
    assert.ok(grown[2]!.includes(7), `the late grower grew batch 7: ${outs[2].stdout}`);
    assert.deepEqual(grown.flat().sort((a, b) => a - b), [1, 2, 3, 4, 5, 6, 7, 8], 'every batch grown once, by one grower');
    const calls = readFileSync(join(dir, 'calls.log'), 'utf8').trim().split('\n');
    assert.equal(calls.length, 16, 'no case ran twice');
    assert.equal(new Set(calls.map((c) => c.split(',').slice(0, 2).join())).size, 16);
    assert.equal(new Set(calls.map((c) => c.split(',')[2])).size, 3, 'cases ran in three grower processes');
    assert.deepEqual(readdirSync(running), [], 'every claim was dropped');

    const reap = run([join(dir, 'bin/harvestry.js'), 'crop', 'reap', cropDir]);
    assert.equal(reap.status, 0, reap.stderr);
    assert.match(reap.stdout, /reaped 8 batches .*\(16 rows written\); crop removed/);
    assert.deepEqual(await duckdb(`SELECT a, b, p FROM '${join(dir, 'data/sweep.parquet')}' ORDER BY a, b`), [1, 2, 3, 4, 5, 6, 7, 8].flatMap((a) => [10, 20].map((b) => ({ a, b, p: a * b }))));
  });
});
