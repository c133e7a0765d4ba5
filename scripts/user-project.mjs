#!/usr/bin/env node
// The package as a user gets it: `npm pack` this checkout (npm runs `prepare`, which builds a
// fresh dist/), then install the tarball into a new "type": "module" project in a temp folder,
// with the tools a user adds (tsx, TypeScript 5.9 and 7, DuckDB, polars), from npm's cache
// (`--prefer-offline`: the registry only for what the cache lacks, nothing else on the net).
//
// scripts/test.mjs does this once per `npm test` run and passes the results to the tests in
// HARVESTRY_PACKAGE_TGZ (the tarball), HARVESTRY_USER_PROJECT (the project folder) and
// HARVESTRY_DIST (the dist/ the pack built). Run alone it prints them as JSON:
//   node scripts/user-project.mjs            pack, then install into a new project
//   node scripts/user-project.mjs --pack     pack only
//   node scripts/user-project.mjs --install <tgz>   a new project with that tarball
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, realpathSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const require = createRequire(join(root, 'package.json'));
const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';

function sh(cmd, args, cwd) {
  const r = spawnSync(cmd, args, { cwd, encoding: 'utf8', env: { ...process.env, npm_config_update_notifier: 'false', npm_config_fund: 'false', npm_config_audit: 'false' } });
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')} failed in ${cwd} (exit ${r.status ?? r.signal}):\n${r.stdout}\n${r.stderr}`);
  return r.stdout;
}

/** The version of a devDependency installed in this checkout (so the user project hits npm's cache). */
function installed(name) {
  return JSON.parse(readFileSync(require.resolve(`${name}/package.json`), 'utf8')).version;
}

/** `npm pack` into a new temp folder: the tarball's path and npm's JSON report of its files. */
export function pack() {
  const dest = mkdtempSync(join(tmpdir(), 'harvestry-pack-'));
  const out = sh(npm, ['pack', '--json', '--pack-destination', dest], root);
  // npm prints the build's output (prepare) before the JSON report.
  const report = JSON.parse(out.slice(out.indexOf('[\n')))[0];
  return { tgz: join(dest, report.filename), report, reportFile: writeReport(dest, report) };
}

function writeReport(dest, report) {
  const file = join(dest, 'pack-report.json');
  writeFileSync(file, JSON.stringify(report, null, 2));
  return file;
}

/** A fresh "type": "module" project with the tarball and a user's tools installed. */
export function userProject(tgz) {
  const dir = realpathSync(mkdtempSync(join(tmpdir(), 'harvestry-user-')));
  writeFileSync(join(dir, 'package.json'), JSON.stringify({ name: 'my-sweeps', version: '1.0.0', private: true, type: 'module' }, null, 2) + '\n');
  writeFileSync(
    join(dir, 'tsconfig.json'),
    JSON.stringify(
      { compilerOptions: { target: 'ES2022', module: 'NodeNext', moduleResolution: 'NodeNext', strict: true, skipLibCheck: true, outDir: 'build', rootDir: '.', types: ['node'] }, include: ['*.ts'] },
      null,
      2,
    ) + '\n',
  );
  sh(
    npm,
    [
      'install', '--prefer-offline', '--no-audit', '--no-fund', '--loglevel=error',
      tgz,
      `tsx@${installed('tsx')}`,
      `typescript@${installed('typescript')}`,
      `typescript7@npm:typescript@${installed('typescript7')}`,
      `@types/node@${installed('@types/node')}`,
      `@duckdb/node-api@${installed('@duckdb/node-api')}`,
      `nodejs-polars@${installed('nodejs-polars')}`,
    ],
    dir,
  );
  return dir;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  // `--pack`: only the tarball (and the fresh dist/); `--install <tgz>`: only the user project.
  const at = process.argv.indexOf('--install');
  if (at > 0) {
    console.log(JSON.stringify({ HARVESTRY_USER_PROJECT: userProject(process.argv[at + 1]) }));
  } else {
    const { tgz, reportFile } = pack();
    const made = { HARVESTRY_PACKAGE_TGZ: tgz, HARVESTRY_PACK_REPORT: reportFile, HARVESTRY_DIST: join(root, 'dist') };
    console.log(JSON.stringify(process.argv.includes('--pack') ? made : { ...made, HARVESTRY_USER_PROJECT: userProject(tgz) }));
  }
}
