#!/usr/bin/env node
// `npm run bench:compare -- <ref> [W1 W4 ...] [--rounds N]`: the workloads of `npm run bench`
// for a git ref (built in a temporary git worktree under .tmp/bench-compare/) and for the working
// tree, their runs interleaved (ref, work, ref, work, ...: a slow minute of a shared machine hits
// both), a fresh process per run as `npm run bench` makes them (benchmarks/one.ts). Prints one
// JSON line per workload: both medians, work/ref, both peak RSS. See benchmarks/README.md.
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, rmSync, symlinkSync, mkdirSync } from 'node:fs';
import { loadavg } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const USAGE = 'usage: npm run bench:compare -- <git ref> [workload ...] [--rounds N]\n' + '  e.g. npm run bench:compare -- main W1 W2 --rounds 3   (default: every workload, 3 rounds)';

/** A usage error: the script stops with its message and exit code 2, nothing run. */
class Refusal extends Error {}

function refuse(message) {
  throw new Refusal(message);
}

/** The command line: the ref, the workloads asked for, the rounds. */
function parseArgs(argv) {
  let rounds = 3;
  const positional = [];
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '--help' || a === '-h') {
      console.log(USAGE);
      process.exit(0);
    }
    if (a === '--rounds' || a.startsWith('--rounds=')) {
      const v = a === '--rounds' ? argv[++i] : a.slice('--rounds='.length);
      if (v === undefined || !/^[1-9][0-9]*$/.test(v)) refuse(`--rounds takes a whole number of rounds ≥ 1; got ${v === undefined ? 'nothing' : `'${v}'`}`);
      rounds = Number(v);
    } else if (a.startsWith('-')) refuse(`unknown option '${a}'`);
    else positional.push(a);
  }
  if (positional.length === 0) refuse('name the git ref to compare the working tree with (a branch, tag or commit)');
  const [ref, ...names] = positional;
  return { ref, names, rounds };
}

function git(args, opts = {}) {
  return spawnSync('git', args, { cwd: root, encoding: 'utf8', ...opts });
}

/** The commit a ref names, or a refusal naming the ref. */
function resolveRef(ref) {
  const r = git(['rev-parse', '--verify', '--quiet', '--end-of-options', `${ref}^{commit}`]);
  if (r.status !== 0) refuse(`unknown git ref '${ref}': git rev-parse finds no commit by that name in ${root} (try a branch, a tag, a commit or HEAD~1)`);
  const commit = r.stdout.trim();
  for (const path of ['tsconfig.bench.json', 'benchmarks/one.ts']) {
    if (git(['cat-file', '-e', `${commit}:${path}`]).status !== 0) {
      refuse(`${ref} (${commit.slice(0, 12)}) has no ${path}: bench:compare runs each workload through the ref's benchmarks/one.ts built with its tsconfig.bench.json, as \`npm run bench\` does since they exist`);
    }
  }
  return commit;
}

/** Runs a command to completion with its output shown; throws when it fails. */
function step(what, cmd, args, cwd) {
  console.error(`bench:compare: ${what}`);
  const r = spawnSync(cmd, args, { cwd, stdio: ['ignore', 'inherit', 'inherit'] });
  if (r.status !== 0) throw new Error(`${what} failed (exit ${r.status ?? r.signal})`);
}

/** Compiles the benchmarks of a checkout as `npm run bench` does (into its .tmp/bench-build). */
function build(dir, what) {
  step(`building ${what}`, process.execPath, [join(dir, 'node_modules/typescript/bin/tsc'), '-p', join(dir, 'tsconfig.bench.json')], dir);
  // Since harvestry ships bundled (scripts/build.mjs), the benchmarks run the bundle, as users do.
  const buildScript = join(dir, 'scripts/build.mjs');
  if (existsSync(buildScript) && readFileSync(buildScript, 'utf8').includes('--bundle-into')) {
    step(`bundling ${what}`, process.execPath, [buildScript, '--bundle-into', join(dir, '.tmp/bench-build/src')], dir);
  }
}

/** The workload names a build knows, in `npm run bench` order. */
async function workloadNames(dir) {
  const mod = await import(pathToFileURL(join(dir, '.tmp/bench-build/benchmarks/workloads/index.js')).href);
  return mod.workloads.map((w) => w.name);
}

/** One run of one.js (a fresh process, as `npm run bench` makes it): its JSON line, or null. */
function one(dir, name, mode) {
  const r = spawnSync(process.execPath, ['--expose-gc', join(dir, '.tmp/bench-build/benchmarks/one.js'), name, mode], { cwd: dir, stdio: ['ignore', 'pipe', 'inherit'], encoding: 'utf8' });
  const line = r.stdout.trim().split('\n').pop() ?? '';
  if (r.status !== 0 || !line.startsWith('{')) {
    console.error(`bench:compare: ${name} (${mode}) in ${dir} failed (exit ${r.status ?? r.signal})${r.stdout === '' ? '' : `:\n${r.stdout}`}`);
    return null;
  }
  return JSON.parse(line);
}

function median(xs) {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length === 0 ? null : s.length % 2 === 1 ? s[m] : (s[m - 1] + s[m]) / 2;
}

const round3 = (x) => (x === null ? null : Math.round(x * 1000) / 1000);
const NOT_EXTRA = new Set(['workload', 'median_ms', 'min_ms', 'max_ms', 'peak_rss_timed_mib', 'cases', 'runs']);

/** One side's figures over the rounds: the median of the per-process medians, and of each numeric extra (a speedup, ...). */
function summarize(prefix, timed, memory) {
  const ok = timed.filter((t) => t !== null);
  const out = { [`${prefix}_median_ms`]: round3(median(ok.map((t) => t.median_ms))), [`${prefix}_peak_rss_mib`]: memory?.peak_rss_mib ?? null, [`${prefix}_medians_ms`]: ok.map((t) => t.median_ms) };
  for (const key of Object.keys(ok[0] ?? {})) {
    if (NOT_EXTRA.has(key) || typeof ok[0][key] !== 'number') continue;
    out[`${prefix}_${key}`] = round3(median(ok.map((t) => t[key])));
  }
  return out;
}

let ref, names, rounds, commit;
try {
  ({ ref, names, rounds } = parseArgs(process.argv.slice(2)));
  commit = resolveRef(ref);
} catch (e) {
  if (!(e instanceof Refusal)) throw e;
  console.error(`bench:compare: ${e.message}\n${USAGE}`);
  process.exit(2);
}
const refDir = join(root, '.tmp/bench-compare', commit.slice(0, 12));
let interrupted = false;
process.on('SIGINT', () => {
  interrupted = true;
});
let failed = 0;
try {
  build(root, 'the working tree');
  if (existsSync(refDir)) {
    git(['worktree', 'remove', '--force', refDir]);
    rmSync(refDir, { recursive: true, force: true });
    git(['worktree', 'prune']);
  }
  mkdirSync(join(root, '.tmp/bench-compare'), { recursive: true });
  step(`checking out ${ref} (${commit.slice(0, 12)}) in ${refDir}`, 'git', ['worktree', 'add', '--detach', refDir, commit], root);
  const refLock = git(['show', `${commit}:package-lock.json`]);
  const sameLock = refLock.status === 0 && refLock.stdout === readFileSync(join(root, 'package-lock.json'), 'utf8');
  if (sameLock) symlinkSync(join(root, 'node_modules'), join(refDir, 'node_modules'), 'dir');
  else step(`installing ${ref}'s dependencies (its package-lock.json differs from the working tree's)`, 'npm', ['ci', '--no-audit', '--no-fund'], refDir);
  build(refDir, `${ref} (${commit.slice(0, 12)})`);

  const workNames = await workloadNames(root);
  const refNames = await workloadNames(refDir);
  const all = [...workNames, ...refNames.filter((n) => !workNames.includes(n))];
  const unknown = names.filter((n) => !all.includes(n));
  if (unknown.length > 0) refuse(`unknown workload(s): ${unknown.join(', ')}; known: ${all.join(', ')}`);
  const chosen = names.length === 0 ? all : all.filter((n) => names.includes(n));

  for (const name of chosen) {
    if (interrupted) break;
    const sides = [
      { prefix: 'ref', dir: refDir, has: refNames.includes(name), timed: [] },
      { prefix: 'work', dir: root, has: workNames.includes(name), timed: [] },
    ];
    const load = loadavg()[0];
    for (let r = 0; r < rounds && !interrupted; r++) for (const s of sides) if (s.has && !interrupted) s.timed.push(one(s.dir, name, 'time'));
    for (const s of sides) s.memory = s.has && !interrupted ? one(s.dir, name, 'memory') : null;
    if (interrupted) break;
    const [a, b] = sides.map((s) => summarize(s.prefix, s.timed, s.memory));
    const ratio = a.ref_median_ms === null || b.work_median_ms === null ? null : round3(b.work_median_ms / a.ref_median_ms);
    const missing = sides.filter((s) => !s.has).map((s) => s.prefix);
    const broken = sides.some((s) => s.has && (s.timed.includes(null) || s.memory === null));
    if (broken) failed++;
    console.log(
      JSON.stringify({
        workload: name,
        ref,
        ref_commit: commit.slice(0, 12),
        ref_median_ms: a.ref_median_ms,
        work_median_ms: b.work_median_ms,
        ratio,
        ref_peak_rss_mib: a.ref_peak_rss_mib,
        work_peak_rss_mib: b.work_peak_rss_mib,
        rounds,
        loadavg_1m: [round3(load), round3(loadavg()[0])],
        ...(missing.length > 0 ? { missing_in: missing } : {}),
        ...(broken ? { failed: true } : {}),
        ...a,
        ...b,
      }),
    );
  }
} catch (e) {
  console.error(`bench:compare: ${e instanceof Error ? e.message : String(e)}${e instanceof Refusal ? `\n${USAGE}` : ''}`);
  process.exitCode = e instanceof Refusal ? 2 : 1;
} finally {
  if (existsSync(refDir)) {
    git(['worktree', 'remove', '--force', refDir]);
    rmSync(refDir, { recursive: true, force: true });
    git(['worktree', 'prune']);
  }
}
if (interrupted) {
  console.error('bench:compare: interrupted');
  process.exit(130);
}
process.exit(process.exitCode ?? (failed === 0 ? 0 : 1));
