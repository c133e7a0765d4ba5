#!/usr/bin/env node
// The one test command (`npm test`): lint, typecheck, the API docs check and every test file
// under test/. Fails on any failure and when no test ran.
// Usage: node scripts/test.mjs [--only-tests] [--source] [file-or-dir-filter ...]
//
// The tests run compiled, on plain Node (scripts/test-tree.mjs: the TypeScript of src/, test/,
// examples/ and benchmarks/ transpiled file by file into .tmp/test-build-*/); `--source` runs them
// from the TypeScript source under tsx instead (slower: see that script for why).
//
// On 2 cores the time goes to CPU, so nothing waits that need not:
// - the checks (lint, the typecheck, typedoc) run one after another in the background, next
//   to the tests; the first check that fails stops everything;
// - the tests start once what they need is there (SLURM, chromium, the packed package);
// - the longest test files start first (their times from the last full run, else
//   scripts/test-durations.json), so no long file is left to run alone at the end.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, relative } from 'node:path';
import { buildTestTree } from './test-tree.mjs';

const root = new URL('..', import.meta.url).pathname;
const args = process.argv.slice(2);
const onlyTests = args.includes('--only-tests');
const fromSource = args.includes('--source');
const filters = args.filter((a) => !a.startsWith('--'));
const runStarted = Date.now();
const secsSince = (t) => ((Date.now() - t) / 1000).toFixed(1);

/** Called before the runner exits, whatever happens (stops the SLURM daemons it started, removes the user project). */
const cleanups = [];
function cleanup() {
  while (cleanups.length > 0) cleanups.pop()();
}
/** Processes to end when the runner fails early (a failed check ends the tests). */
const running = new Set();
function fail(message, status = 1) {
  console.error(message);
  for (const child of running) {
    try {
      process.kill(-child.pid, 'SIGKILL');
    } catch {
      // already gone
    }
  }
  cleanup();
  process.exit(status);
}
process.on('SIGINT', () => fail('\n✖ interrupted', 130));

/**
 * Runs a command in a process group of its own (so a failure elsewhere can end it with its
 * children). `quiet` buffers its output, printed only when it fails.
 */
function run(label, cmd, cmdArgs, { env = process.env, quiet = false } = {}) {
  const started = Date.now();
  if (!quiet) console.log(`\n▶ ${label}: ${cmd} ${cmdArgs.join(' ')}`);
  const child = spawn(cmd, cmdArgs, { cwd: root, env, detached: true, stdio: quiet ? ['ignore', 'pipe', 'pipe'] : 'inherit' });
  running.add(child);
  let output = '';
  if (quiet) {
    child.stdout.on('data', (d) => (output += d));
    child.stderr.on('data', (d) => (output += d));
  }
  return new Promise((resolve) => {
    child.on('close', (status, signal) => {
      running.delete(child);
      if (status !== 0) fail(`${output}\n✖ ${label} failed (exit ${status ?? signal}) after ${secsSince(started)}s`, status || 1);
      console.log(`✔ ${label} passed in ${secsSince(started)}s`);
      resolve(output);
    });
  });
}

/**
 * The crop tests submit real job arrays: start the single-node SLURM (installing it if needed)
 * and return the daemons it started, to stop them (and only them) at the end. It cannot start
 * (not root, no apt): fail loudly. HARVESTRY_SKIP_SLURM=1 skips those tests, never in CI.
 */
function startSlurm(env) {
  if (process.env.HARVESTRY_SKIP_SLURM === '1') {
    if (process.env.CI) fail('✖ HARVESTRY_SKIP_SLURM=1 is set in CI: the crop tests must run against a real SLURM there. Unset it.');
    console.log('\n⚠ HARVESTRY_SKIP_SLURM=1: the tests against a real SLURM cluster are SKIPPED (never in CI)');
    env.HARVESTRY_SLURM = 'skip';
    return [];
  }
  const started = Date.now();
  console.log('\n▶ local SLURM: bash scripts/start-local-slurm.sh');
  const r = spawnSync('bash', [join(root, 'scripts/start-local-slurm.sh')], { cwd: root, encoding: 'utf8', env: process.env });
  process.stdout.write(r.stdout ?? '');
  process.stderr.write(r.stderr ?? '');
  if (r.status !== 0) {
    fail(
      '✖ could not start the local SLURM cluster that the crop tests submit job arrays to (see above).\n' +
        '  It needs root and Debian packages (slurmctld, slurmd, slurm-client, munge). To run the other\n' +
        '  tests locally without it, set HARVESTRY_SKIP_SLURM=1 (the SLURM tests are then skipped; CI never sets it).',
      r.status || 1,
    );
  }
  env.HARVESTRY_SLURM = 'ready';
  const daemons = [...(r.stdout ?? '').matchAll(/^local-slurm: started (munged|slurmctld|slurmd) /gm)].map((m) => m[1]);
  console.log(`✔ local SLURM ready in ${secsSince(started)}s${daemons.length > 0 ? ` (started ${daemons.join(', ')}; stopped after the tests)` : ' (already running; left running)'}`);
  return daemons;
}

function findTests(dir) {
  const out = [];
  for (const name of readdirSync(dir)) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) {
      if (name === 'stress' || name === 'fixtures' || name.startsWith('_')) continue;
      out.push(...findTests(p));
    } else if (name.endsWith('.test.ts')) out.push(p);
  }
  return out.sort();
}

const tapDir = mkdtempSync(join(tmpdir(), 'harvestry-test-'));
cleanups.push(() => rmSync(tapDir, { recursive: true, force: true }));
const env = { ...process.env, HARVESTRY_PROGRESS: process.env.HARVESTRY_PROGRESS ?? 'off' };

// The checks, in the background, one after another. typedoc runs with the docs site's options:
// the same TSDoc check (warnings are errors) and the API pages the docs-site test renders, which
// it takes from here (HARVESTRY_API_READY names a file written once they are there).
let checks = Promise.resolve();
if (!onlyTests) {
  const apiReady = join(tapDir, 'api-ready');
  env.HARVESTRY_API_READY = apiReady;
  console.log('\n▶ checks, in the background: lint, typecheck (TypeScript 7), api docs (TSDoc on every export)');
  checks = (async () => {
    await run('lint', 'npx', ['eslint', '.', '--max-warnings=0'], { quiet: true });
    // The whole repository under TypeScript 7 (the `typescript7` alias; both compilers name their
    // command `tsc`, so it is run by its path, never as `npx tsc`): native, 5 s where 5.9 takes
    // 20 s of CPU. TypeScript 5.9 checks src/ in the build (`npm pack` runs it, and fails on a
    // type error), and the type tests of the public API run under both in test/package/.
    // `npm run typecheck` runs both over everything.
    await run('typecheck (TypeScript 7)', process.execPath, [join(root, 'node_modules/typescript7/bin/tsc'), '-p', 'tsconfig.json', '--noEmit'], { quiet: true });
    await run('api docs (TSDoc on every export)', 'npx', ['typedoc', '--options', 'typedoc.site.json'], { quiet: true });
    writeFileSync(apiReady, 'docs/api\n');
  })();
}

let files = findTests(join(root, 'test')).map((f) => relative(root, f));
if (filters.length > 0) files = files.filter((f) => filters.some((x) => f.includes(x)));
if (files.length === 0) fail('✖ no test files found: a test run that runs nothing is a failure');

// The compiled tree the tests run in (unless --source).
let tree = root;
if (!fromSource) {
  const started = Date.now();
  tree = await buildTestTree(root);
  cleanups.push(() => rmSync(tree, { recursive: true, force: true }));
  console.log(`\n✔ compiled tree ${relative(root, tree)} in ${secsSince(started)}s`);
}
/** Where a test file (`test/x.test.ts`) runs from. */
const runPath = (f) => (f.startsWith(tapDir) ? f : fromSource ? join(root, f) : join(tree, f).replace(/\.ts$/, '.js'));

if (files.some((f) => f.startsWith('test/crop/') || f.includes('slurm'))) {
  const daemons = startSlurm(env);
  if (daemons.length > 0) cleanups.push(() => spawnSync('bash', [join(root, 'scripts/stop-local-slurm.sh'), ...daemons], { cwd: root, stdio: 'inherit' }));
}
if (files.some((f) => f.endsWith('.browser.test.ts'))) {
  // Tests that open pages in a real headless browser: Debian's chromium, installed if missing.
  const r = spawnSync('bash', [join(root, 'scripts/ensure-chromium.sh')], { cwd: root, encoding: 'utf8', env: process.env });
  process.stdout.write(r.stdout ?? '');
  process.stderr.write(r.stderr ?? '');
  if (r.status !== 0) fail('✖ the browser tests (*.browser.test.ts) need chromium, and scripts/ensure-chromium.sh could not provide it (see above)', r.status || 1);
  env.HARVESTRY_CHROMIUM = (r.stdout.match(/^chromium: (.+)$/m) ?? [])[1] ?? '';
}
// One build and one pack per run, shared: `npm pack` (its `prepare` builds a fresh dist/), made
// before the tests start (the build replaces dist/, which the `harvestry` bin runs), then an
// install of the tarball into a new user project (scripts/user-project.mjs), in the background
// while the first tests run. The tests that need compiled harvestry or the installed package read
// HARVESTRY_DIST, HARVESTRY_PACKAGE_TGZ and HARVESTRY_PACK_REPORT, and wait for the file named by
// HARVESTRY_USER_PROJECT_READY (test/_support/package.ts).
let installed = Promise.resolve();
if (files.some((f) => f.startsWith('test/package/') || f.endsWith('compiled.test.ts'))) {
  const started = Date.now();
  console.log('\n▶ package: npm pack (builds dist/), then an install into a fresh user project (in the background)');
  const made = JSON.parse((await run('npm pack', process.execPath, [join(root, 'scripts/user-project.mjs'), '--pack'], { quiet: true })).trim().split('\n').at(-1));
  Object.assign(env, made);
  cleanups.push(() => rmSync(dirname(made.HARVESTRY_PACKAGE_TGZ), { recursive: true, force: true }));
  const ready = join(tapDir, 'user-project.json');
  env.HARVESTRY_USER_PROJECT_READY = ready;
  installed = run('user project', process.execPath, [join(root, 'scripts/user-project.mjs'), '--install', made.HARVESTRY_PACKAGE_TGZ], { quiet: true }).then((out) => {
    const line = out.trim().split('\n').at(-1);
    cleanups.push(() => rmSync(JSON.parse(line).HARVESTRY_USER_PROJECT, { recursive: true, force: true }));
    writeFileSync(ready, line);
    console.log(`  user project ready ${secsSince(started)}s after the pack started`);
  });
}

// The longest files first: times of the last full run here, else the ones committed.
const durationsFile = join(root, '.tmp/test-durations.json');
const committedDurations = JSON.parse(readFileSync(join(root, 'scripts/test-durations.json'), 'utf8'));
const knownDurations = { ...committedDurations, ...(existsSync(durationsFile) ? JSON.parse(readFileSync(durationsFile, 'utf8')) : {}) };
const expected = (f) => knownDurations[f] ?? 5000;

// The real-SLURM job-array tests run with the others. (They ran alone, after the others, while
// one of them failed now and then; the cause was a status message that depended on whether
// squeue still listed a cancelled pending task, not the load.)
let together = [...files];

// Each test file is a process of its own, and starting one (Node, the test runner, harvestry,
// apache-arrow: ~0.7 s of CPU) costs more than many files' tests: the files under 5.5 s of tests
// run together, in three processes that import them, one file after another. Their tests and
// assertions are the same; a file run alone or by a filter still runs in its own process. Not
// shared: the browser tests, and the files below, which need a process of their own.
const LIGHT_MS = 5500;
const OWN_PROCESS = new Set([
  'test/execute/cold-pool.test.ts', // times the first pool of its process: it must be cold
]);
const light = filters.length === 0 ? together.filter((f) => expected(f) <= LIGHT_MS && !f.endsWith('.browser.test.ts') && !OWN_PROCESS.has(f)) : [];
if (light.length >= 6) {
  const groups = [[], [], []];
  const load = [0, 0, 0];
  for (const f of [...light].sort((a, b) => expected(b) - expected(a) || a.localeCompare(b))) {
    const g = load.indexOf(Math.min(...load));
    groups[g].push(f);
    load[g] += expected(f) + 300;
  }
  together = together.filter((f) => !light.includes(f));
  for (const [i, group] of groups.entries()) {
    const entry = join(tapDir, `short-files-${i + 1}.test.mjs`);
    writeFileSync(entry, `// ${group.length} short test files, run in one process by scripts/test.mjs\n${group.map((f) => `import ${JSON.stringify(runPath(f))};`).join('\n')}\n`);
    knownDurations[entry] = load[i];
    together.push(entry);
  }
}
together.sort((a, b) => expected(b) - expected(a) || a.localeCompare(b));
const report = { tap: join(tapDir, 'report.tap'), durations: join(tapDir, 'durations.json') };
// Three test files at a time on 2 cores: many of them wait on children, timers or a browser, and
// with two the cores idled (399 s against 369 s for the whole run here).
await run('tests', process.execPath, [
  ...(fromSource ? ['--conditions=source', '--import', 'tsx'] : []),
  '--test',
  `--test-concurrency=${process.env.TEST_CONCURRENCY ?? '3'}`,
  '--test-reporter=spec', '--test-reporter-destination=stdout',
  '--test-reporter=tap', `--test-reporter-destination=${report.tap}`,
  `--test-reporter=${join(root, 'scripts/test-durations.mjs')}`, `--test-reporter-destination=${report.durations}`,
  ...together.map(runPath),
], { env });

{
  const waited = Date.now();
  await Promise.all([checks, installed]);
  if (Date.now() - waited > 1000) console.log(`(waited ${secsSince(waited)}s for the checks)`);
}
const tap = readFileSync(report.tap, 'utf8');
if (filters.length === 0) {
  // Files of their own are timed; the short ones, run together, keep their earlier times.
  const measured = JSON.parse(readFileSync(report.durations, 'utf8'));
  const kept = Object.fromEntries(files.map((f) => [f, measured[f] ?? knownDurations[f] ?? LIGHT_MS]));
  mkdirSync(dirname(durationsFile), { recursive: true });
  writeFileSync(durationsFile, `${JSON.stringify(Object.fromEntries(Object.entries(kept).sort((a, b) => b[1] - a[1])), null, 2)}\n`);
}
cleanup();

const count = (key) => Number((tap.match(new RegExp(`^# ${key} ([0-9]+)$`, 'm')) ?? [])[1] ?? 0);
const tests = count('tests');
const pass = count('pass');
console.log(`\n${tests} tests, ${pass} passed, in ${files.length} files, ${secsSince(runStarted)}s in all`);
if (tests === 0 || pass === 0) fail('✖ no test ran: a test run that runs nothing is a failure');
