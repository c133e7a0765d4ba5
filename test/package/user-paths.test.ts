/**
 * The paths users take, in a fresh project with the packed harvestry installed (not src/):
 * scripts run with `npx tsx` stopped by one Ctrl-C (SIGINT to the process group, as a terminal
 * sends it); a notebook-style module (label, run on the pool, label again, run again); a crop
 * sown from a .ts module, grown by two `npx harvestry crop grow` at once, then reaped; the same
 * model under tsx and then compiled with tsc.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { duckdb } from '../_support/helpers.js';
import { inProject, ok, projectDir, projectEnv } from '../_support/package.js';

const CASES = 120;

const HARVEST = `import { Harvester, label } from 'harvestry';

/** A slow square: about 25 ms of CPU a case (CASE_MS; the reruns below need no time to stop in). */
const MS = Number(process.env['CASE_MS'] ?? 25);
export const slow = label({ varNames: 'y' }, ({ x }: { x: number }) => {
  const until = Date.now() + MS;
  while (Date.now() < until);
  return x * x;
});

// harvest.ts <executor> [folder ...]: harvests out-<executor>.parquet in each folder (the current
// one when none is named), one after another in this process, printing a line for each.
const executor = process.argv[2] as 'inline' | 'pool';
const folders = process.argv.length > 3 ? process.argv.slice(3) : ['.'];
console.log('running');
let told = false;
for (const folder of folders) {
  const h = new Harvester(slow, \`\${folder}/out-\${executor}.parquet\`);
  try {
    await h.harvestCombos(
      { x: Array.from({ length: ${CASES} }, (_, i) => i) },
      {
        executor,
        ...(executor === 'pool' ? { numWorkers: 2 } : {}),
        missingOnly: true,
        commitEvery: { ms: 200 },
        onCommit: (info) => {
          if (!told && info.rows > 0) {
            told = true;
            console.log('committed');
          }
        },
      },
    );
    console.log(JSON.stringify({ code: null, cases: h.lastReport?.cases ?? null }));
  } catch (err) {
    const e = err as { code?: string; message?: string };
    console.log(JSON.stringify({ code: e.code ?? String(err), message: e.message, cases: h.lastReport?.cases ?? null }));
  }
}
`;

interface Stopped {
  status: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

/** When the Ctrl-C comes: before the harvest, at its first commit, 0.6 s later. */
type Moment = 'start' | 'commit' | 'later';

const MOMENTS: Record<Moment, string> = {
  start: 'its start',
  commit: 'its first commit',
  later: '0.6 s after its first commit',
};

/** Runs `npx tsx harvest.ts <executor>` in its own process group and sends the group one SIGINT at `moment`. */
function interrupted(dir: string, executor: string, moment: Moment): Promise<Stopped> {
  return new Promise((resolve) => {
    const child = spawn('npx', ['tsx', 'harvest.ts', executor], { cwd: dir, env: projectEnv(), detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    let sent = false;
    const ctrlC = (): void => {
      if (sent) return;
      sent = true;
      try {
        process.kill(-child.pid!, 'SIGINT');
      } catch {
        // the group is gone already
      }
    };
    child.stdout.on('data', (d: Buffer) => {
      stdout += d.toString();
      if (moment === 'start' && stdout.includes('running')) ctrlC();
      if (moment === 'commit' && stdout.includes('committed')) ctrlC();
      if (moment === 'later' && stdout.includes('committed')) setTimeout(ctrlC, 600);
    });
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const timer = setTimeout(() => {
      try {
        process.kill(-child.pid!, 'SIGKILL');
      } catch {
        // gone
      }
    }, 120_000);
    child.on('close', (status, signal) => {
      clearTimeout(timer);
      resolve({ status, signal, stdout, stderr });
    });
  });
}

async function fileRows(path: string): Promise<{ n: number; keys: number; wrong: number }> {
  const [row] = await duckdb(`SELECT count(*)::INT AS n, count(DISTINCT x)::INT AS keys, count(*) FILTER (WHERE y <> x * x)::INT AS wrong FROM '${path}'`);
  return row as { n: number; keys: number; wrong: number };
}

describe('one Ctrl-C under npx tsx', () => {
  for (const executor of ['inline', 'pool']) {
    // Not tested: a Ctrl-C while a pool's threads start under tsx. tsx's CLI kills its child when
    // the child's main thread does not answer within ~60 ms, and with the threads compiling on a
    // loaded 2-core machine it does not always (see "Ctrl-C under npx tsx" in docs/guide/execute.md).
    describe(`on the ${executor} executor`, () => {
      /** The folder of each stopped harvest and the rows it left on disk, for the rerun below. */
      const stopped = new Map<Moment, { dir: string; kept: { n: number; keys: number; wrong: number } }>();
      for (const moment of ['start', 'commit', 'later'] as const) {
        it(`stops the harvest at ${MOMENTS[moment]} with E_ABORTED and keeps the finished rows`, async () => {
          // npx itself got the SIGINT too: it waits for the script, then ends by that signal, so its
          // exit status is not the script's. What the script printed last tells how it ended.
          // tsx's CLI kills the script when its main thread does not answer within ~60 ms, which a
          // machine loaded far past its cores can cause at any moment (docs/guide/execute.md): a
          // script ended silently is tried again, up to 3 times; a harvest that never catches the
          // Ctrl-C still fails every time.
          const silent: string[] = [];
          let dir = '';
          let what = '';
          let last = '';
          for (let attempt = 1; attempt <= 3; attempt++) {
            dir = projectDir(`sigint-${executor}-${moment}`);
            writeFileSync(join(dir, 'harvest.ts'), HARVEST);
            const run = await interrupted(dir, executor, moment);
            what = `npx tsx harvest.ts ${executor} stopped at ${moment}:\n--- stdout:\n${run.stdout}\n--- stderr:\n${run.stderr}`;
            last = run.stdout.trim().split('\n').at(-1)!;
            if (last.startsWith('{')) break;
            silent.push(`attempt ${attempt}: npx ended by ${run.status ?? run.signal}; ${what}`);
          }
          assert.ok(last.startsWith('{'), `the script's catch did not run, 3 times:\n${silent.join('\n')}`);
          if (silent.length > 0) console.log(`# ${executor} at ${moment}: ${silent.length} attempt(s) ended silently before this one (tsx's 60 ms limit)`);
          const ended = JSON.parse(last) as { code: string | null; cases: number | null };
          assert.equal(ended.code, 'E_ABORTED', what);
          const file = join(dir, `out-${executor}.parquet`);
          const kept = existsSync(file) ? await fileRows(file) : { n: 0, keys: 0, wrong: 0 };
          if (moment === 'commit' || moment === 'later') assert.ok(kept.n > 0 && kept.n < CASES, `${kept.n} rows on disk after the Ctrl-C; ${what}`);
          assert.equal(kept.keys, kept.n);
          assert.equal(kept.wrong, 0);
          // lastReport is set after E_ABORTED: the cases it ran are the rows it committed
          if (moment !== 'start') assert.equal(ended.cases, kept.n, what);
          stopped.set(moment, { dir, kept });
        });
      }

      // One `npx tsx` process reruns the three stopped harvests, one folder after another: each
      // runs only its missing cases and completes its grid.
      it(`a rerun of the three stopped harvests runs only the missing cases and completes the grid, each key once`, async () => {
        assert.equal(stopped.size, 3, 'a stopped harvest above failed: nothing to rerun for it');
        const runs = [...stopped.values()];
        // Its cases busy-wait no more (CASE_MS=0): nothing stops it, and ~300 cases of 25 ms were
        // 7.5 s of CPU. The function's source is the same, so is its fingerprint.
        const out = ok(inProject('npx', ['tsx', 'harvest.ts', executor, ...runs.map((r) => r.dir)], runs[0]!.dir, { CASE_MS: '0' }), 'the rerun');
        const lines = out.trim().split('\n').filter((line) => line.startsWith('{'));
        assert.deepEqual(
          lines.map((line) => JSON.parse(line) as unknown),
          runs.map((r) => ({ code: null, cases: CASES - r.kept.n })),
          'the rerun runs only the missing cases',
        );
        for (const r of runs) assert.deepEqual(await fileRows(join(r.dir, `out-${executor}.parquet`)), { n: CASES, keys: CASES, wrong: 0 }, `the rerun completes the grid in ${r.dir}, each key once`);
      });
    });
  }
});

describe('a notebook-style module', () => {
  it('labels a function, runs it on the pool at top level, labels others, runs them and the first again; top-level code under isMain() runs once', () => {
    const dir = projectDir('notebook');
    writeFileSync(
      join(dir, 'notebook.ts'),
      `import { closePools, isMain, label } from 'harvestry';

const POOL = { executor: 'pool', numWorkers: 2 } as const;

export const first = label({ varNames: 'y' }, ({ x }: { x: number }) => x * 2);
const a = await first.runCombos({ x: [1, 2, 3] }, POOL);
if (isMain()) console.log(\`first: \${a.numRows} rows\`);

export const second = label({ varNames: 'z' }, ({ x }: { x: number }) => x * 3);
const b = await second.runCombos({ x: [4, 5] }, POOL);

export const third = label({ varNames: 'w' }, ({ x, k }: { x: number; k: number }) => x * k);
const c = await third.runCombos({ x: [6] }, { ...POOL, constants: { k: 7 } });
// \`first\` again, after the workers went on to \`third\`.
const again = await first.runCombos({ x: [8, 9] }, POOL);

if (isMain()) console.log(JSON.stringify([a, b, c, again].map((ds) => ds.toRecords())));
await closePools();
`,
    );
    const lines = ok(inProject('npx', ['tsx', 'notebook.ts'], dir), 'npx tsx notebook.ts').trim().split('\n');
    assert.deepEqual(lines.slice(0, -1), ['first: 3 rows'], 'top-level code under isMain() ran once, in the main process');
    assert.deepEqual(JSON.parse(lines.at(-1)!), [
      [1, 2, 3].map((x) => ({ x, y: 2 * x })),
      [4, 5].map((x) => ({ x, z: 3 * x })),
      [{ x: 6, w: 42 }],
      [8, 9].map((x) => ({ x, y: 2 * x })),
    ]);
  });
});

describe('a crop sown from TypeScript, grown from the command line', () => {
  it('two `npx harvestry crop grow` at once share the batches, each case runs once, `crop reap` merges them', async () => {
    const dir = projectDir('crop');
    writeFileSync(
      join(dir, 'sweep.ts'),
      `import { appendFileSync, existsSync, writeFileSync } from 'node:fs';
import { Harvester, label } from 'harvestry';

// A grower imports this module before it claims a batch: it says it is up, and its cases wait
// (up to a minute) until both growers are, so a machine slow to start the second grower cannot
// let the first grow every batch before the second claims one.
const up = (g: string): string => ${JSON.stringify(join(dir, 'up-'))} + g;
if (process.env['GROWER'] !== undefined) writeFileSync(up(process.env['GROWER']), '');
const pause = new Int32Array(new SharedArrayBuffer(4));

/** a * b, slowly; records which grower ran it and logs every call. */
export const product = label({ varNames: ['p', 'grower'] }, ({ a, b }: { a: number; b: number }) => {
  const latest = Date.now() + 60_000;
  while (!(existsSync(up('A')) && existsSync(up('B'))) && Date.now() < latest) Atomics.wait(pause, 0, 0, 20);
  appendFileSync(${JSON.stringify(join(dir, 'calls.log'))}, \`\${a},\${b}\\n\`);
  const until = Date.now() + 40;
  while (Date.now() < until);
  return [a * b, process.env['GROWER'] ?? 'none'] as const;
});

const crop = new Harvester(product, 'data/sweep.parquet').crop({ numBatches: 8 });
if (process.argv[2] === 'sow') {
  const sown = await crop.sowCombos({ a: [1, 2, 3, 4], b: [10, 20, 30, 40, 50, 60] });
  console.log(JSON.stringify({ dir: crop.dir, batches: sown.batches }));
}
`,
    );
    const sown = JSON.parse(ok(inProject('npx', ['tsx', 'sweep.ts', 'sow'], dir), 'npx tsx sweep.ts sow').trim().split('\n').at(-1)!) as { dir: string; batches: number };
    assert.equal(sown.batches, 8);
    const grow = (grower: string): Promise<Stopped> =>
      new Promise((resolve) => {
        const child = spawn('npx', ['harvestry', 'crop', 'grow', sown.dir], { cwd: dir, env: projectEnv({ GROWER: grower }), stdio: ['ignore', 'pipe', 'pipe'] });
        let stdout = '';
        let stderr = '';
        child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
        child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
        child.on('close', (status, signal) => { resolve({ status, signal, stdout, stderr }); });
      });
    const growers = await Promise.all([grow('A'), grow('B')]);
    growers.forEach((g, i) => { assert.equal(g.status, 0, `grower ${'AB'[i]} exited with ${g.status ?? g.signal}:\n${g.stdout}\n${g.stderr}`); });
    const calls = readFileSync(join(dir, 'calls.log'), 'utf8').trim().split('\n');
    assert.equal(calls.length, 24, 'every case ran exactly once');
    assert.equal(new Set(calls).size, 24);
    ok(inProject('npx', ['harvestry', 'crop', 'reap', sown.dir], dir), 'npx harvestry crop reap');
    const rows = await duckdb(`SELECT count(*)::INT AS n, count(DISTINCT (a, b))::INT AS keys, count(*) FILTER (WHERE p <> a * b)::INT AS wrong, list(DISTINCT grower ORDER BY grower) AS growers FROM '${join(dir, 'data/sweep.parquet')}'`);
    assert.deepEqual(rows, [{ n: 24, keys: 24, wrong: 0, growers: ['A', 'B'] }], 'both growers grew batches');
  });
});

describe('the same model under tsx, then compiled with tsc', () => {
  it('the compiled run finds the rows made under tsx current: no stale warning, one function version', async () => {
    const dir = projectDir('compiled');
    writeFileSync(
      join(dir, 'model.ts'),
      `import { Harvester, label } from 'harvestry';

/** A damped oscillator's energy. */
export const energy = label({ varNames: 'e' }, ({ omega, gamma }: { omega: number; gamma: number }) => {
  const decay = Math.exp(-2 * gamma);
  return 0.5 * omega ** 2 * decay;
});

const h = new Harvester(energy, 'model.parquet');
const omegas = process.argv[2] === 'more' ? [1, 2, 3] : [1, 2];
await h.harvestCombos({ omega: omegas, gamma: [0, 0.5] }, { missingOnly: true, rerun: 'stale' });
console.log(JSON.stringify({ rows: h.fullDs!.numRows, ran: h.lastReport?.cases ?? null }));
`,
    );
    writeFileSync(
      join(dir, 'tsconfig.json'),
      JSON.stringify({ compilerOptions: { target: 'ES2022', module: 'NodeNext', moduleResolution: 'NodeNext', strict: true, skipLibCheck: true, outDir: 'build', types: ['node'] }, include: ['model.ts'] }),
    );
    const first = inProject('npx', ['tsx', 'model.ts'], dir);
    ok(first, 'npx tsx model.ts');
    ok(inProject('npx', ['tsc', '-p', '.'], dir), 'npx tsc -p .');
    const compiled = inProject(process.execPath, ['build/model.js', 'more'], dir);
    ok(compiled, 'node build/model.js more');
    assert.doesNotMatch(compiled.stderr, /stale|HARVESTRY_STALE_RESULTS/i, `the compiled run called the rows made under tsx stale:\n${compiled.stderr}`);
    assert.deepEqual(JSON.parse(compiled.stdout.trim().split('\n').at(-1)!), { rows: 6, ran: 2 });
    const [row] = await duckdb(`SELECT count(*)::INT AS n, count(DISTINCT _fingerprint)::INT AS versions FROM '${join(dir, 'model.parquet')}'`);
    assert.deepEqual(row, { n: 6, versions: 1 });
  });
});
