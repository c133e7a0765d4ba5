/**
 * The stress campaign (`npm run stress`; not part of `npm test`): SIGKILL at random moments of a
 * harvest on each executor, a Sampler append, a crop's sow, grow and reap; 4 and 8 processes
 * writing one file; and every bad input of issue 10 (items 2 to 12). Prints one line per
 * category: trials, failures and rows lost (rows a writer reported committed, or that a crop
 * had grown, that are not in the file afterwards), then the first failures of each. Categories
 * run in rounds (one batch of each per round) and the table is printed after every round, so a
 * run cut short still has figures for every category.
 *
 * Usage: npm run stress -- [--trials=N] [--only=name,name] [--parallel=P]
 *   --trials=N   kill trials per category (default 50; concurrent categories get max(N/2.5, 1))
 *   --only=...   categories whose name contains one of these words
 *   --parallel=P kill trials run at once (default 2)
 * Exits 1 when a trial failed.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, unlinkSync, utimesSync, writeFileSync } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { closePools, Harvester, HarvestryError, label, readDataset, readSamples, Sampler, writeDataset, type ErrorCode } from '../../src/index.js';
import { withLock } from '../../src/store/lock.js';
import { duckdb, TS_NODE_ARGS } from '../_support/helpers.js';
import type { ChildJob } from './child.js';
import { double, expected, slow, text } from './fns.js';

const arg = (name: string): string | undefined => process.argv.find((a) => a.startsWith(`--${name}=`))?.slice(name.length + 3);
const TRIALS = Number(arg('trials') ?? 50);
const CONCURRENT_TRIALS = Math.max(1, Math.ceil(TRIALS / 2.5));
const PARALLEL = Number(arg('parallel') ?? 2);
const ONLY = arg('only')?.split(',') ?? null;
const CHILD = fileURLToPath(new URL('./child.ts', import.meta.url));
const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const HOST = hostname().replace(/[^A-Za-z0-9_-]/g, '_');
const work = mkdtempSync(join(tmpdir(), 'harvestry-stress-'));

/** What a trial found. */
interface Outcome {
  readonly ok: boolean;
  /** Rows reported written (or grown) and not in the file afterwards. */
  readonly lost: number;
  readonly note?: string;
}
const pass = (lost = 0): Outcome => ({ ok: lost === 0, lost, ...(lost > 0 ? { note: `${lost} rows lost` } : {}) });
const fail = (note: string, lost = 0): Outcome => ({ ok: false, lost, note });

type Event = { start: number } | { ready: number } | { commit: number | null } | { done: number } | { error: { code: string; message: string } };

interface Child {
  readonly proc: ChildProcess;
  readonly events: Event[];
  readonly exit: Promise<{ code: number | null; signal: NodeJS.Signals | null; stderr: string }>;
  started(): Promise<void>;
  ready(): Promise<void>;
}

function startChild(job: ChildJob): Child {
  const proc = spawn(process.execPath, [...TS_NODE_ARGS, CHILD, JSON.stringify(job)], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
  const events: Event[] = [];
  let buf = '';
  let stderr = '';
  let onStart: (() => void) | null = null;
  let onReady: (() => void) | null = null;
  proc.stdout.setEncoding('utf8');
  proc.stdout.on('data', (chunk: string) => {
    buf += chunk;
    let nl: number;
    while ((nl = buf.indexOf('\n')) >= 0) {
      const line = buf.slice(0, nl).trim();
      buf = buf.slice(nl + 1);
      if (line === '' || !line.startsWith('{')) continue;
      const e = JSON.parse(line) as Event;
      events.push(e);
      if ('start' in e || 'error' in e) onStart?.();
      if ('ready' in e || 'error' in e) onReady?.();
    }
  });
  proc.stderr.setEncoding('utf8');
  proc.stderr.on('data', (c: string) => (stderr += c));
  const exit = new Promise<{ code: number | null; signal: NodeJS.Signals | null; stderr: string }>((resolve) => {
    proc.on('close', (code, signal) => {
      onStart?.();
      onReady?.();
      resolve({ code, signal, stderr });
    });
  });
  return {
    proc,
    events,
    exit,
    started: () => (events.some((e) => 'start' in e || 'error' in e) ? Promise.resolve() : new Promise<void>((r) => (onStart = r))),
    ready: () => (events.some((e) => 'ready' in e || 'error' in e) ? Promise.resolve() : new Promise<void>((r) => (onReady = r))),
  };
}

/** Starts `job`, kills it with SIGKILL `ms` after it starts its work; the highest file row count it reported committing. */
async function killAfter(job: ChildJob, ms: number): Promise<{ committed: number; child: Child }> {
  const child = startChild(job);
  await child.started();
  await new Promise((r) => setTimeout(r, ms));
  child.proc.kill('SIGKILL');
  await child.exit;
  const committed = Math.max(0, ...child.events.flatMap((e) => ('commit' in e && e.commit !== null ? [e.commit] : [])));
  return { committed, child };
}

const range = (n: number): number[] => Array.from({ length: n }, (_, i) => i);
const A = range(8);
const B = range(25);
const ALL = A.length * B.length;
let trialNo = 0;
const freshDir = (): string => {
  const d = join(work, `t${trialNo++}`);
  mkdirSync(d);
  return d;
};
const dotted = (dir: string, prefix: string): string[] => readdirSync(dir).filter((n) => n.startsWith(prefix));

/** Checks a harvested file: readable, unique keys, right values; its row count. */
async function checkHarvested(path: string): Promise<{ rows: number; problem: string | null }> {
  if (!existsSync(path)) return { rows: 0, problem: null };
  const ds = await readDataset(path);
  const recs = ds.toRecords();
  const keys = new Set(recs.map((r) => `${String(r.a)},${String(r.b)}`));
  if (keys.size !== recs.length) return { rows: recs.length, problem: `${recs.length - keys.size} duplicate keys` };
  const wrong = recs.find((r) => r.p !== expected(r.a as number, r.b as number));
  if (wrong !== undefined) return { rows: recs.length, problem: `wrong value ${JSON.stringify(wrong)}` };
  return { rows: recs.length, problem: null };
}

// ---------------------------------------------------------------- kill trials

function killHarvest(executor: 'inline' | 'pool' | 'subprocess', maxMs: number) {
  return async (): Promise<Outcome> => {
    const dir = freshDir();
    const path = join(dir, 'kill.parquet');
    const { committed } = await killAfter({ mode: 'harvest', path, a: A, b: B, executor, commitMs: 15, commitRows: 40, goFile: null }, Math.random() * maxMs);
    const seen = await checkHarvested(path);
    if (seen.problem !== null) return fail(`after the kill: ${seen.problem}`);
    const lost = Math.max(0, committed - seen.rows);
    const h = new Harvester(slow, path, { lock: { staleMs: 2000 } });
    await h.harvestCombos({ a: A, b: B }, { missingOnly: true });
    if (h.lastReport!.cases !== ALL - seen.rows) return fail(`the missing-only rerun ran ${h.lastReport!.cases} cases, not ${ALL - seen.rows}`, lost);
    const after = await checkHarvested(path);
    if (after.problem !== null || after.rows !== ALL) return fail(`after the rerun: ${after.problem ?? `${after.rows} rows`}`, lost);
    const left = dotted(dir, '.kill.parquet.');
    if (left.length > 0) return fail(`temporaries left: ${left.join(', ')}`, lost);
    return pass(lost);
  };
}

async function killSample(): Promise<Outcome> {
  const dir = freshDir();
  const path = join(dir, 's.parquet');
  const { committed } = await killAfter({ mode: 'sample', path, n: 300, seed: 7 }, Math.random() * 1500);
  let rows = 0;
  if (existsSync(path)) {
    const t = await readSamples(path);
    const recs = t.toArray().map((r: { toJSON(): Record<string, unknown> }) => r.toJSON());
    rows = recs.length;
    const idx = new Set(recs.map((r) => Number(r._sample)));
    if (idx.size !== rows) return fail(`${rows - idx.size} samples twice`);
    const wrong = recs.find((r) => r.p !== (r.x as number) * 2);
    if (wrong !== undefined) return fail(`wrong value ${JSON.stringify(wrong)}`);
  }
  const lost = Math.max(0, committed - rows);
  await new Sampler(double, path).sampleCombos(10, { seed: 8, combos: { x: (rng) => rng() } });
  const left = dotted(dir, '.s.parquet.');
  if (left.length > 0) return fail(`temporaries left after the next Sampler: ${left.join(', ')}`, lost);
  return pass(lost);
}

/** Sows, grows and reaps what is left of a crop in `dir` after a kill; checks the dataset is complete. */
async function finishCrop(dir: string, grownBefore: number): Promise<Outcome> {
  const path = join(dir, 'c.parquet');
  const crop = new Harvester(slow, path, { lock: { staleMs: 2000 } }).crop({ numBatches: 10 });
  let status;
  try {
    status = await crop.status();
  } catch (err) {
    if (!(err instanceof HarvestryError) || err.code !== 'E_CROP_NOT_SOWN') return fail(`status after the kill: ${String(err)}`);
    status = null;
  }
  try {
    if (status === null) {
      const before = await checkHarvested(path);
      if (before.rows < ALL) await crop.sowCombos({ a: A, b: B }, { missingOnly: true });
    }
    if (existsSync(crop.dir)) {
      await crop.grow();
      await crop.reap();
    }
  } catch (err) {
    return fail(`finishing the crop: ${err instanceof HarvestryError ? err.code : ''} ${(err as Error).message}`);
  }
  const after = await checkHarvested(path);
  const lost = Math.max(0, grownBefore - after.rows);
  if (after.problem !== null || after.rows !== ALL) return fail(`after finishing: ${after.problem ?? `${after.rows} of ${ALL} rows`}`, lost);
  const left = readdirSync(dir).filter((n) => n.startsWith('.'));
  if (left.length > 0) return fail(`left behind: ${left.join(', ')}`, lost);
  return pass(lost);
}

async function sowIn(dir: string): Promise<void> {
  await new Harvester(slow, join(dir, 'c.parquet')).crop({ numBatches: 10 }).sowCombos({ a: A, b: B });
}

async function killSow(): Promise<Outcome> {
  const dir = freshDir();
  await killAfter({ mode: 'sow', path: join(dir, 'c.parquet'), a: A, b: B, numBatches: 10 }, Math.random() * 600);
  return finishCrop(dir, 0);
}

async function killGrow(): Promise<Outcome> {
  const dir = freshDir();
  await sowIn(dir);
  await killAfter({ mode: 'grow', path: join(dir, 'c.parquet'), a: A, b: B, numBatches: 10 }, Math.random() * 1500);
  return finishCrop(dir, 0);
}

async function killReap(): Promise<Outcome> {
  const dir = freshDir();
  await sowIn(dir);
  const crop = new Harvester(slow, join(dir, 'c.parquet')).crop({ numBatches: 10 });
  await crop.grow();
  await killAfter({ mode: 'reap', path: join(dir, 'c.parquet'), a: A, b: B, numBatches: 10 }, Math.random() * 800);
  return finishCrop(dir, ALL);
}

function concurrent(n: number) {
  return async (): Promise<Outcome> => {
    const dir = freshDir();
    const path = join(dir, 'shared.parquet');
    const go = join(dir, 'go');
    const b = range(30);
    const children = range(n).map((k) => startChild({ mode: 'harvest', path, a: [k, (k + 1) % n], b, executor: 'inline', commitMs: 5, commitRows: 10, goFile: go }));
    await Promise.all(children.map((c) => c.ready()));
    writeFileSync(go, '');
    const exits = await Promise.all(children.map((c) => c.exit));
    const seen = await checkHarvested(path);
    const lost = Math.max(0, n * b.length - seen.rows);
    const bad = exits.findIndex((e, k) => e.code !== 0 || !children[k]!.events.some((ev) => 'done' in ev));
    if (bad >= 0) {
      const err = children[bad]!.events.find((e) => 'error' in e);
      return fail(`writer ${bad} exited ${exits[bad]!.code ?? exits[bad]!.signal}: ${err !== undefined && 'error' in err ? `${err.error.code} ${err.error.message}` : exits[bad]!.stderr.slice(-300)}`, lost);
    }
    if (seen.problem !== null) return fail(seen.problem, lost);
    const left = dotted(dir, '.shared.parquet.');
    if (left.length > 0) return fail(`temporaries left: ${left.join(', ')}`, lost);
    return pass(lost);
  };
}

// ---------------------------------------------------------------- bad inputs (issue 10, items 2 to 12)

/** Every entry under `dir` with its bytes, to compare before and after a refusal. */
function snapshot(dir: string): string {
  const out: string[] = [];
  const walk = (d: string, rel: string): void => {
    for (const e of readdirSync(d, { withFileTypes: true }).sort((x, y) => (x.name < y.name ? -1 : 1))) {
      const r = `${rel}/${e.name}`;
      if (e.isDirectory()) {
        out.push(`${r}/`);
        walk(join(d, e.name), r);
      } else out.push(`${r} ${readFileSync(join(d, e.name)).toString('base64')}`);
    }
  };
  walk(dir, '');
  return out.join('\n');
}

/** `attempt` must throw a HarvestryError with one of `codes` (top level, or its cause's) and leave every byte under `dir` as it was. */
async function refused(dir: string, attempt: () => Promise<unknown>, codes: readonly ErrorCode[]): Promise<Outcome> {
  const before = snapshot(dir);
  try {
    await attempt();
    return fail('not refused');
  } catch (err) {
    const code = err instanceof HarvestryError ? err.code : null;
    const causeCode = err instanceof HarvestryError && err.cause instanceof HarvestryError ? err.cause.code : null;
    if (code === null) return fail(`a raw error: ${(err as Error).message}`);
    if (!codes.includes(code) && (causeCode === null || !codes.includes(causeCode))) return fail(`${code}, not ${codes.join(' or ')}: ${(err as Error).message.slice(0, 200)}`);
    if (snapshot(dir) !== before) return fail(`${code}, but the files changed`);
    return pass();
  }
}

const chattr = (path: string, on: boolean): boolean => spawnSync('chattr', [on ? '+i' : '-i', path]).status === 0;
async function withImmutable(path: string, fn: () => Promise<Outcome>): Promise<Outcome> {
  if (!chattr(path, true)) return fail('chattr +i is not available here');
  try {
    return await fn();
  } finally {
    chattr(path, false);
  }
}

const byS = label({ varNames: 'p' }, ({ s }: { s: string }) => s.length);
const echo = label({ varNames: 'p' }, ({ s }: { s: string }) => s);
const ident = label({ varNames: 'p' }, ({ x }: { x: number }) => x);
const noReturn = label({ varNames: 'p' }, ({ x }: { x: number }): number => {
  if (x < 0) return x;
  return undefined as unknown as number; // a missing return
});

/** A dataset file of `slow` with 200 rows (and a backup) in a fresh folder. */
async function harvested(): Promise<{ dir: string; path: string; h: Harvester<{ a: number; b: number }, number> }> {
  const dir = freshDir();
  const path = join(dir, 'h.parquet');
  const h = new Harvester(slow, path);
  await h.harvestCombos({ a: A.slice(0, 4), b: B });
  await h.harvestCombos({ a: A.slice(4), b: B });
  return { dir, path, h };
}

async function grownCrop(numBatches = 2): Promise<{ dir: string; path: string; crop: ReturnType<Harvester<{ a: number; b: number }, number>['crop']> }> {
  const dir = freshDir();
  const path = join(dir, 'c.parquet');
  const crop = new Harvester(slow, path).crop({ numBatches });
  await crop.sowCombos({ a: [1, 2], b: [3, 4] });
  await crop.grow();
  return { dir, path, crop };
}

const deadPid = (): number => spawnSync(process.execPath, ['-e', '0']).pid;

const BAD_INPUTS: Record<string, () => Promise<Outcome>> = {
  '2 BOM key round-trips (missingOnly reruns nothing)': async () => {
    const path = join(freshDir(), 'bom.parquet');
    const h = new Harvester(byS, path);
    await h.harvestCombos({ s: ['\uFEFFa', 'b'] });
    await h.harvestCombos({ s: ['\uFEFFa', 'b'] }, { missingOnly: true });
    return h.lastReport!.cases === 0 && h.fullDs!.numRows === 2 ? pass() : fail(`the rerun ran ${h.lastReport!.cases} cases; ${h.fullDs!.numRows} rows`);
  },
  '2 lone surrogate key refused': async () => {
    const dir = freshDir();
    const h = new Harvester(byS, join(dir, 'sur.parquet'));
    await h.harvestCombos({ s: ['a'] });
    return refused(dir, () => h.harvestCombos({ s: ['\uD800'] }), ['E_UNSUPPORTED_VALUE']);
  },
  '2 lone surrogate result refused': async () => {
    const dir = freshDir();
    const h = new Harvester(echo, join(dir, 'sur.parquet'));
    await h.harvestCombos({ s: ['a'] });
    return refused(dir, () => h.harvestCombos({ s: ['\uDC00'] }), ['E_UNSUPPORTED_VALUE']);
  },
  '3 -0 coord: labels and rows agree': async () => {
    const path = join(freshDir(), 'z.parquet');
    await new Harvester(ident, path).harvestCombos({ x: [-0] });
    const ds = await readDataset(path);
    const coord = ds.coords.x![0];
    const row = ds.toRecords()[0]!.x;
    return Object.is(coord, row) ? pass() : fail(`coord ${Object.is(coord, -0) ? '-0' : String(coord)}, row ${Object.is(row, -0) ? '-0' : String(row)}`);
  },
  '4 a missing return is a coded error': async () => {
    const dir = freshDir();
    const h = new Harvester(noReturn, join(dir, 'u.parquet'));
    return refused(dir, () => h.harvestCombos({ x: [2] }), ['E_RESULT_SHAPE', 'E_RESULT_TYPE', 'E_UNSUPPORTED_VALUE', 'E_CASE_FAILED']);
  },
  "5 writeDataset over a Harvester's dataset": async () => {
    const { dir, path } = await harvested();
    const other = await readDataset(path);
    return refused(dir, () => writeDataset(other.sel({ a: 1 }), path), ['E_BAD_OPTION', 'E_FOREIGN_FILE', 'E_FILE_KIND', 'E_NOT_WRITABLE', 'E_PATH_KIND']);
  },
  '5 writeDataset over a DuckDB Parquet file': async () => {
    const dir = freshDir();
    const path = join(dir, 'duck.parquet');
    await duckdb(`COPY (SELECT 1 AS x) TO '${path}' (FORMAT parquet)`);
    const { path: src } = await harvested();
    return refused(dir, async () => writeDataset(await readDataset(src), path), ['E_BAD_OPTION', 'E_FOREIGN_FILE', 'E_FILE_KIND', 'E_NOT_WRITABLE']);
  },
  '5 writeDataset over a damaged file': async () => {
    const dir = freshDir();
    const path = join(dir, 'bad.parquet');
    writeFileSync(path, 'PAR1 garbage');
    const { path: src } = await harvested();
    return refused(dir, async () => writeDataset(await readDataset(src), path), ['E_BAD_OPTION', 'E_CORRUPT_FILE', 'E_FOREIGN_FILE', 'E_NOT_WRITABLE']);
  },
  '5 writeDataset over a sample table': async () => {
    const dir = freshDir();
    const path = join(dir, 's.parquet');
    await new Sampler(double, path).sampleCombos(5, { seed: 1, combos: { x: (rng) => rng() } });
    const { path: src } = await harvested();
    return refused(dir, async () => writeDataset(await readDataset(src), path), ['E_BAD_OPTION', 'E_FILE_KIND', 'E_FOREIGN_FILE', 'E_NOT_WRITABLE']);
  },
  '6 damaged data pages found before an append': async () => {
    const { dir, path, h } = await harvested();
    const bytes = readFileSync(path);
    for (let i = 200; i < 260; i++) bytes[i] = bytes[i]! ^ 0x5a; // inside the first row group's pages, far from the footer
    writeFileSync(path, bytes);
    return refused(dir, () => h.harvestCombos({ a: [9], b: B }), ['E_CORRUPT_FILE']);
  },
  '7 crop.status() does not count a damaged result as done': async () => {
    const { crop } = await grownCrop();
    const file = join(crop.dir, 'results', '1.bin');
    const bytes = readFileSync(file);
    for (let i = Math.floor(bytes.length / 2); i < Math.floor(bytes.length / 2) + 16; i++) bytes[i] = bytes[i]! ^ 0x5a;
    writeFileSync(file, bytes);
    const status = await crop.status();
    return status.done.includes(1) ? fail('batch 1 reported done') : pass();
  },
  '8 read-only (immutable) folder': async () => {
    const { dir, h } = await harvested();
    return withImmutable(dir, () => refused(dir, () => h.harvestCombos({ a: [9], b: B }), ['E_NOT_WRITABLE']));
  },
  '8 immutable dataset file': async () => {
    const { dir, path, h } = await harvested();
    return withImmutable(path, () => refused(dir, () => h.harvestCombos({ a: [9], b: B }), ['E_NOT_WRITABLE']));
  },
  '8 path that is a folder': async () => {
    const dir = freshDir();
    mkdirSync(join(dir, 'x.parquet'));
    return refused(dir, () => new Harvester(slow, join(dir, 'x.parquet')).harvestCombos({ a: [1], b: [1] }), ['E_PATH_KIND']);
  },
  '8 parent that is a file': async () => {
    const dir = freshDir();
    writeFileSync(join(dir, 'f'), 'x');
    return refused(dir, () => new Harvester(slow, join(dir, 'f', 'x.parquet')).harvestCombos({ a: [1], b: [1] }), ['E_PATH_KIND']);
  },
  '8 .bak that is a folder': async () => {
    const { dir, path, h } = await harvested();
    unlinkSync(`${path}.bak`);
    mkdirSync(`${path}.bak`);
    return refused(dir, () => h.harvestCombos({ a: [9], b: B }), ['E_PATH_KIND']);
  },
  '8 lock that is a file': async () => {
    const { dir, path, h } = await harvested();
    writeFileSync(`${path}.lock`, '');
    utimesSync(`${path}.lock`, new Date(2000, 0, 1), new Date(2000, 0, 1));
    return refused(dir, () => h.harvestCombos({ a: [9], b: B }), ['E_BAD_LOCK']);
  },
  '8 lock that is a non-empty folder': async () => {
    const { dir, path, h } = await harvested();
    mkdirSync(`${path}.lock`);
    writeFileSync(join(`${path}.lock`, 'x'), '');
    utimesSync(`${path}.lock`, new Date(2000, 0, 1), new Date(2000, 0, 1));
    return refused(dir, () => h.harvestCombos({ a: [9], b: B }), ['E_BAD_LOCK']);
  },
  '8 crop whose plan.bin is missing': async () => {
    const { crop } = await grownCrop();
    unlinkSync(join(crop.dir, 'plan.bin'));
    const outcomes = [await refused(crop.dir, () => crop.grow({ batches: [1] }), ['E_CORRUPT_FILE', 'E_CROP_NOT_SOWN', 'E_CROP_INCOMPLETE']), await refused(crop.dir, () => crop.reap(), ['E_CORRUPT_FILE', 'E_CROP_NOT_SOWN', 'E_CROP_INCOMPLETE'])];
    return outcomes.find((o) => !o.ok) ?? pass();
  },
  '8 two concurrent reapers': async () => {
    const { path, crop } = await grownCrop();
    const other = new Harvester(slow, path).crop({ numBatches: 2 });
    const results = await Promise.allSettled([crop.reap(), other.reap()]);
    const raw = results.find((r) => r.status === 'rejected' && !(r.reason instanceof HarvestryError));
    if (raw?.status === 'rejected') return fail(`a raw error: ${(raw.reason as Error).message}`);
    const seen = await checkHarvested(path);
    return seen.rows === 4 && seen.problem === null ? pass() : fail(`${seen.rows} rows; ${seen.problem ?? ''}`);
  },
  '8 Sampler draw that throws': async () => {
    const dir = freshDir();
    const s = new Sampler(double, join(dir, 's.parquet'));
    await s.sampleCombos(5, { seed: 1, combos: { x: (rng) => rng() } });
    const o = await refused(
      dir,
      () =>
        s.sampleCombos(5, {
          combos: {
            x: () => {
              throw new Error('no');
            },
          },
        }),
      ['E_DRAW_FAILED'],
    );
    return o;
  },
  '9 lock stamped in the future is broken': async () => {
    const dir = freshDir();
    const path = join(dir, 'f.parquet');
    mkdirSync(`${path}.lock`);
    const t = new Date(Date.now() + 24 * 3600_000);
    utimesSync(`${path}.lock`, t, t);
    try {
      await withLock(path, () => Promise.resolve(), { staleMs: 2000, timeoutMs: 30_000 });
      return pass();
    } catch (err) {
      return fail(`${err instanceof HarvestryError ? err.code : 'raw'}: ${(err as Error).message}`);
    }
  },
  '10 leftovers of dead writers removed (Sampler, CSV labels, sowing)': async () => {
    const dir = freshDir();
    const dead = deadPid();
    const names = [`.s.parquet.${HOST}.${dead}.0badf00d.tmp`, `.t.csv.meta.json.${HOST}.${dead}.0badf00d.tmp`];
    for (const n of names) writeFileSync(join(dir, n), 'x');
    mkdirSync(join(dir, `.c.crop.${HOST}.${dead}.0badf00d.sowing`));
    await new Sampler(double, join(dir, 's.parquet')).sampleCombos(3, { seed: 1, combos: { x: (rng) => rng() } });
    await new Sampler(double, join(dir, 't.csv')).sampleCombos(3, { seed: 1, combos: { x: (rng) => rng() } });
    await new Harvester(slow, join(dir, 'c.parquet')).crop({ numBatches: 1 }).sowCombos({ a: [1], b: [1] });
    const left = readdirSync(dir).filter((n) => n.startsWith('.'));
    return left.length === 0 ? pass() : fail(`left: ${left.join(', ')}`);
  },
  '11 a crop half-deleted (no crop.json) can be sown again': async () => {
    const { crop } = await grownCrop();
    unlinkSync(join(crop.dir, 'crop.json'));
    try {
      await crop.sowCombos({ a: [1, 2], b: [3, 4] });
      return pass();
    } catch (err) {
      return fail(`${err instanceof HarvestryError ? err.code : 'raw'}: ${(err as Error).message.slice(0, 200)}`);
    }
  },
  '12 an output type that clashes with the file is refused before every batch grew': async () => {
    const dir = freshDir();
    const path = join(dir, 'n.parquet');
    await new Harvester(slow, path).harvestCombos({ a: [1], b: [1] });
    const crop = new Harvester(text, path).crop({ numBatches: 4 });
    try {
      await crop.sowCombos({ a: [2, 3], b: [3, 4] });
      const grown = await crop.grow();
      if (grown.grown.length === 4) return fail('every batch grew; refused only at reap');
      return pass();
    } catch (err) {
      return err instanceof HarvestryError ? pass() : fail(`a raw error: ${(err as Error).message}`);
    }
  },
};

// ---------------------------------------------------------------- the campaign

/** A category of the campaign and its tally so far. */
interface Category {
  readonly name: string;
  readonly trials: number;
  readonly parallel: number;
  readonly trial: () => Promise<Outcome>;
  done: number;
  failures: number;
  lost: number;
  ms: number;
  readonly notes: string[];
}

const categories: Category[] = [];
function category(name: string, trials: number, parallel: number, trial: () => Promise<Outcome>): void {
  if (ONLY !== null && !ONLY.some((w) => name.includes(w))) return;
  categories.push({ name, trials, parallel, trial, done: 0, failures: 0, lost: 0, ms: 0, notes: [] });
}

/** Runs one batch of a category's trials (up to `parallel` at once). */
async function runBatch(c: Category): Promise<void> {
  const started = Date.now();
  const batch = Array.from({ length: Math.min(c.parallel, c.trials - c.done) }, () =>
    c.trial().catch((err: unknown) => fail(`threw: ${err instanceof HarvestryError ? err.code : ''} ${(err as Error).message.slice(0, 300)}`)),
  );
  for (const o of await Promise.all(batch)) {
    c.done++;
    c.lost += o.lost;
    if (!o.ok) {
      c.failures++;
      if (c.notes.length < 3) c.notes.push(o.note ?? 'failed');
    }
  }
  c.ms += Date.now() - started;
}

function printSummary(title: string): void {
  console.log(`\n${title}`);
  for (const c of categories) {
    const partial = c.done < c.trials ? ` of ${c.trials}` : '';
    console.log(`${c.name.padEnd(40)} trials ${String(c.done).padStart(3)}${partial}  failures ${String(c.failures).padStart(3)}  rows lost ${String(c.lost).padStart(4)}  (${(c.ms / 1000).toFixed(0)} s)`);
    for (const n of c.notes) console.log(`    ${n}`);
  }
}

for (const [name, check] of Object.entries(BAD_INPUTS)) category(`bad input ${name}`, 1, 1, check);
category('kill -9: inline harvest', TRIALS, PARALLEL, killHarvest('inline', 700));
category('kill -9: pool harvest', TRIALS, PARALLEL, killHarvest('pool', 2000));
category('kill -9: subprocess harvest', TRIALS, PARALLEL, killHarvest('subprocess', 3000));
category('kill -9: Sampler append', TRIALS, PARALLEL, killSample);
category('kill -9: crop sow', TRIALS, PARALLEL, killSow);
category('kill -9: crop grow', TRIALS, PARALLEL, killGrow);
category('kill -9: crop reap', TRIALS, PARALLEL, killReap);
category('4 processes, one file', CONCURRENT_TRIALS, 1, concurrent(4));
category('8 processes, one file', CONCURRENT_TRIALS, 1, concurrent(8));

// rounds: one batch of every unfinished category per round, so a run cut short has figures for every category
const t0 = Date.now();
try {
  for (let round = 1; categories.some((c) => c.done < c.trials); round++) {
    for (const c of categories) if (c.done < c.trials) await runBatch(c);
    if (categories.some((c) => c.done < c.trials)) printSummary(`after round ${round} (${((Date.now() - t0) / 60000).toFixed(1)} min)`);
  }
  printSummary(`final (${((Date.now() - t0) / 60000).toFixed(1)} min)`);
} finally {
  await closePools();
  spawnSync('chattr', ['-R', '-i', work]);
  rmSync(work, { recursive: true, force: true });
}
process.exitCode = categories.every((c) => c.failures === 0) ? 0 : 1;
