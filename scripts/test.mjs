#!/usr/bin/env node
// The one test command (`npm test`): lint, typecheck, then every test file under test/.
// Fails on any failure and when no test ran.
// Usage: node scripts/test.mjs [--only-tests] [file-or-dir-filter ...]
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, relative } from 'node:path';

const root = new URL('..', import.meta.url).pathname;
const args = process.argv.slice(2);
const onlyTests = args.includes('--only-tests');
const filters = args.filter((a) => !a.startsWith('--'));

/** Called before the runner exits, whatever happens (stops the SLURM daemons it started). */
let cleanup = () => {};

function run(label, cmd, cmdArgs, env = process.env) {
  const started = Date.now();
  console.log(`\n▶ ${label}: ${cmd} ${cmdArgs.join(' ')}`);
  const r = spawnSync(cmd, cmdArgs, { cwd: root, stdio: 'inherit', env });
  const secs = ((Date.now() - started) / 1000).toFixed(1);
  if (r.status !== 0) {
    console.error(`✖ ${label} failed (exit ${r.status ?? r.signal}) after ${secs}s`);
    cleanup();
    process.exit(r.status || 1);
  }
  console.log(`✔ ${label} passed in ${secs}s`);
}

/**
 * The crop tests submit real job arrays: start the single-node SLURM (installing it if needed)
 * and return the daemons it started, to stop them (and only them) at the end. It cannot start
 * (not root, no apt): fail loudly. HARVESTRY_SKIP_SLURM=1 skips those tests, never in CI.
 */
function startSlurm(env) {
  if (process.env.HARVESTRY_SKIP_SLURM === '1') {
    if (process.env.CI) {
      console.error('✖ HARVESTRY_SKIP_SLURM=1 is set in CI: the crop tests must run against a real SLURM there. Unset it.');
      process.exit(1);
    }
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
    console.error(
      '✖ could not start the local SLURM cluster that the crop tests submit job arrays to (see above).\n' +
        '  It needs root and Debian packages (slurmctld, slurmd, slurm-client, munge). To run the other\n' +
        '  tests locally without it, set HARVESTRY_SKIP_SLURM=1 (the SLURM tests are then skipped; CI never sets it).',
    );
    process.exit(r.status || 1);
  }
  env.HARVESTRY_SLURM = 'ready';
  const daemons = [...(r.stdout ?? '').matchAll(/^local-slurm: started (munged|slurmctld|slurmd) /gm)].map((m) => m[1]);
  console.log(`✔ local SLURM ready in ${((Date.now() - started) / 1000).toFixed(1)}s${daemons.length > 0 ? ` (started ${daemons.join(', ')}; stopped after the tests)` : ' (already running; left running)'}`);
  return daemons;
}

function stopSlurm(daemons) {
  if (daemons.length === 0) return;
  spawnSync('bash', [join(root, 'scripts/stop-local-slurm.sh'), ...daemons], { cwd: root, stdio: 'inherit' });
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

if (!onlyTests) {
  run('lint', 'npx', ['eslint', '.', '--max-warnings=0']);
  // Both compilers users install: TypeScript 5.9 and 7 (the `typescript7` alias; both packages
  // name their command `tsc`, so each is run by its path, never as `npx tsc`).
  run('typecheck (TypeScript 5.9)', process.execPath, [join(root, 'node_modules/typescript/bin/tsc'), '-p', 'tsconfig.json', '--noEmit']);
  run('typecheck (TypeScript 7)', process.execPath, [join(root, 'node_modules/typescript7/bin/tsc'), '-p', 'tsconfig.json', '--noEmit']);
  run('api docs (TSDoc on every export)', 'npx', ['typedoc', '--emit', 'none']);
}

let files = findTests(join(root, 'test')).map((f) => relative(root, f));
if (filters.length > 0) files = files.filter((f) => filters.some((x) => f.includes(x)));
if (files.length === 0) {
  console.error('✖ no test files found: a test run that runs nothing is a failure');
  process.exit(1);
}

const tapDir = mkdtempSync(join(tmpdir(), 'harvestry-test-'));
const env = { ...process.env, HARVESTRY_PROGRESS: process.env.HARVESTRY_PROGRESS ?? 'off' };
if (files.some((f) => f.startsWith('test/crop/') || f.includes('slurm'))) {
  const daemons = startSlurm(env);
  cleanup = () => stopSlurm(daemons);
}
if (files.some((f) => f.endsWith('.browser.test.ts'))) {
  // Tests that open pages in a real headless browser: Debian's chromium, installed if missing.
  const r = spawnSync('bash', [join(root, 'scripts/ensure-chromium.sh')], { cwd: root, encoding: 'utf8', env: process.env });
  process.stdout.write(r.stdout ?? '');
  process.stderr.write(r.stderr ?? '');
  if (r.status !== 0) {
    console.error('✖ the browser tests (*.browser.test.ts) need chromium, and scripts/ensure-chromium.sh could not provide it (see above)');
    cleanup();
    process.exit(r.status || 1);
  }
  env.HARVESTRY_CHROMIUM = (r.stdout.match(/^chromium: (.+)$/m) ?? [])[1] ?? '';
}
// One build and one pack per run, shared: `npm pack` (its `prepare` builds a fresh dist/) and an
// install of the tarball into a new user project (scripts/user-project.mjs). The tests that need
// compiled harvestry or the installed package read HARVESTRY_DIST, HARVESTRY_PACKAGE_TGZ,
// HARVESTRY_PACK_REPORT and HARVESTRY_USER_PROJECT (test/_support/package.ts).
if (files.some((f) => f.startsWith('test/package/') || f.endsWith('compiled.test.ts'))) {
  const started = Date.now();
  console.log('\n▶ package: npm pack (builds dist/) and install into a fresh user project');
  const r = spawnSync(process.execPath, [join(root, 'scripts/user-project.mjs')], { cwd: root, encoding: 'utf8', env: process.env });
  if (r.status !== 0) {
    process.stdout.write(r.stdout ?? '');
    process.stderr.write(r.stderr ?? '');
    console.error('✖ could not pack harvestry and install it into a user project (see above)');
    cleanup();
    process.exit(r.status || 1);
  }
  const made = JSON.parse(r.stdout.trim().split('\n').at(-1));
  Object.assign(env, made);
  const previous = cleanup;
  cleanup = () => {
    previous();
    for (const dir of [dirname(made.HARVESTRY_PACKAGE_TGZ), made.HARVESTRY_USER_PROJECT]) rmSync(dir, { recursive: true, force: true });
  };
  console.log(`✔ package ready in ${((Date.now() - started) / 1000).toFixed(1)}s: ${made.HARVESTRY_PACKAGE_TGZ}, project ${made.HARVESTRY_USER_PROJECT}`);
}
// The real-SLURM job-array tests run after the others, alone: their tasks are timed by the
// scheduler, and a machine busy with two other test files makes them flaky (see the closing
// note of the stop that added this; the cause is not found yet).
const alone = files.filter((f) => f === 'test/crop/slurm.test.ts');
const together = files.filter((f) => !alone.includes(f));
const tapFiles = [];
for (const [label, group, concurrency] of [['tests', together, process.env.TEST_CONCURRENCY ?? '2'], ['tests on the real SLURM cluster (alone)', alone, '1']]) {
  if (group.length === 0) continue;
  const tap = join(tapDir, `report-${tapFiles.length}.tap`);
  tapFiles.push(tap);
  run(label, process.execPath, [
    '--conditions=source',
    '--import', 'tsx',
    '--test',
    `--test-concurrency=${concurrency}`,
    '--test-reporter=spec', '--test-reporter-destination=stdout',
    '--test-reporter=tap', `--test-reporter-destination=${tap}`,
    ...group,
  ], env);
}

cleanup();

const taps = tapFiles.map((f) => readFileSync(f, 'utf8'));
const count = (key) => taps.reduce((n, tap) => n + Number((tap.match(new RegExp(`^# ${key} ([0-9]+)$`, 'm')) ?? [])[1] ?? 0), 0);
const tests = count('tests');
const pass = count('pass');
console.log(`\n${tests} tests, ${pass} passed, in ${files.length} files`);
if (tests === 0 || pass === 0) {
  console.error('✖ no test ran: a test run that runs nothing is a failure');
  process.exit(1);
}
