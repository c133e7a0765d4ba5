#!/usr/bin/env node
// The one test command (`npm test`): lint, typecheck, then every test file under test/.
// Fails on any failure and when no test ran.
// Usage: node scripts/test.mjs [--only-tests] [file-or-dir-filter ...]
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';

const root = new URL('..', import.meta.url).pathname;
const args = process.argv.slice(2);
const onlyTests = args.includes('--only-tests');
const filters = args.filter((a) => !a.startsWith('--'));

function run(label, cmd, cmdArgs, env = process.env) {
  const started = Date.now();
  console.log(`\n▶ ${label}: ${cmd} ${cmdArgs.join(' ')}`);
  const r = spawnSync(cmd, cmdArgs, { cwd: root, stdio: 'inherit', env });
  const secs = ((Date.now() - started) / 1000).toFixed(1);
  if (r.status !== 0) {
    console.error(`✖ ${label} failed (exit ${r.status ?? r.signal}) after ${secs}s`);
    process.exit(r.status || 1);
  }
  console.log(`✔ ${label} passed in ${secs}s`);
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
  run('typecheck', 'npx', ['tsc', '-p', 'tsconfig.json', '--noEmit']);
  run('api docs (TSDoc on every export)', 'npx', ['typedoc', '--emit', 'none']);
}

let files = findTests(join(root, 'test')).map((f) => relative(root, f));
if (filters.length > 0) files = files.filter((f) => filters.some((x) => f.includes(x)));
if (files.length === 0) {
  console.error('✖ no test files found: a test run that runs nothing is a failure');
  process.exit(1);
}

const tapDir = mkdtempSync(join(tmpdir(), 'harvestry-test-'));
const tapFile = join(tapDir, 'report.tap');
const env = { ...process.env, HARVESTRY_PROGRESS: process.env.HARVESTRY_PROGRESS ?? 'off' };
run('tests', process.execPath, [
  '--conditions=source',
  '--import', 'tsx',
  '--test',
  `--test-concurrency=${process.env.TEST_CONCURRENCY ?? '2'}`,
  '--test-reporter=spec', '--test-reporter-destination=stdout',
  '--test-reporter=tap', `--test-reporter-destination=${tapFile}`,
  ...files,
], env);

const tap = readFileSync(tapFile, 'utf8');
const count = (key) => Number((tap.match(new RegExp(`^# ${key} ([0-9]+)$`, 'm')) ?? [])[1] ?? 0);
const tests = count('tests');
const pass = count('pass');
console.log(`\n${tests} tests, ${pass} passed, in ${files.length} files`);
if (tests === 0 || pass === 0) {
  console.error('✖ no test ran: a test run that runs nothing is a failure');
  process.exit(1);
}
