/**
 * The files of a crop besides its manifest: the sown plan (`plan.bin`), batch results
 * (`results/<k>.bin`), failure records (`failed/<k>.json`) and growers' claims
 * (`running/batch-<k>.json`). Binary files are framed: a magic line, a JSON header, then the payload
 * in Node's structured-clone format (`node:v8`), which keeps typed arrays, bigints, Dates and
 * NaN as they are. Results are written atomically (beside, fsync, rename): a batch killed
 * mid-way leaves no result, so it is simply not done.
 */
import { createHash, randomBytes } from 'node:crypto';
import { existsSync, linkSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { basename, dirname, join } from 'node:path';
import { deserialize, serialize } from 'node:v8';
import { HarvestryError } from '../errors.js';
import type { InternalCoords, Provenance } from '../dataset/meta.js';
import type { ChunkResult, EvalPlan } from '../execute/evaluate.js';
import { chunkFromWire, chunkToWire } from '../execute/wire.js';
import { writeFileAtomic } from '../store/atomic.js';
import { removeLeftovers, tempPathOf } from '../store/temporaries.js';
import { failurePath, resultPath, type CropPaths } from './manifest.js';

const MAGIC = 'harvestry-crop\n';

/** What was sown besides the manifest: the plan to evaluate, the labels to assemble, the case order. */
export interface SownPlan {
  /** The evaluation plan, without resources (each grower takes its own). */
  readonly plan: EvalPlan;
  /** The labels of the datasets reaped from the crop. */
  readonly labels: {
    readonly varNames: readonly string[] | null;
    readonly varDims: Readonly<Record<string, readonly string[]>>;
    readonly varCoords: Readonly<Record<string, InternalCoords>>;
    readonly attrs: Readonly<Record<string, unknown>>;
    readonly provenance: Provenance | null;
  };
  /** The grid indices of the cases sown, batch after batch. */
  readonly order: Int32Array;
}

/** Who grew a batch, or is growing it. */
export interface GrowerInfo {
  readonly host: string;
  readonly pid: number;
  /** The scheduler's job and array task, when grown by a job (`123_4`). */
  readonly job: string | null;
}

/** The header of a batch's result file. */
export interface ResultHeader {
  readonly kind: 'result';
  readonly batch: number;
  /** Rows in the file (cases of the batch, failed ones included). */
  readonly cases: number;
  /** Cases that failed (kept as failed rows under `onError` 'skip' or 'record'). */
  readonly failures: number;
  /** The fingerprint of the function that grew it. */
  readonly fingerprint: string;
  readonly grownBy: GrowerInfo;
  readonly finishedAt: string;
  readonly elapsedMs: number;
  /** The payload's length and SHA-256 (hex), checked before the batch counts as done (absent in files of older versions). */
  readonly payloadBytes?: number;
  readonly sha256?: string;
}

/** Why a batch failed, as `failed/<k>.json` says. */
export interface FailureRecord {
  readonly batch: number;
  readonly message: string;
  /** The case that failed, by dim, when one did. */
  readonly case: Readonly<Record<string, unknown>> | null;
  readonly code: string | null;
  readonly at: string;
  readonly grownBy: GrowerInfo;
}

/** A grower's claim on batches, as `running/batch-<k>.json` says (older versions wrote one file per grower listing several). */
export interface Claim {
  readonly batches: readonly number[];
  readonly startedAt: string;
  readonly grownBy: GrowerInfo;
}

/**
 * Frames a header and a payload as the bytes of a crop file.
 *
 * @param header - JSON-able facts readable without the payload
 * @param payload - anything structured clone takes
 */
export function encodeFramed(header: object, payload: unknown): Buffer {
  const head = Buffer.from(`${MAGIC}${JSON.stringify(header)}\n`);
  return Buffer.concat([head, serialize(payload)]);
}

/**
 * Reads a framed crop file's header and payload.
 *
 * @param bytes - the file's bytes
 * @param path - the file, for messages
 */
export function decodeFramed(bytes: Buffer, path: string): { header: unknown; payload: unknown } {
  const end = bytes.indexOf(10, MAGIC.length);
  if (bytes.subarray(0, MAGIC.length).toString() !== MAGIC || end < 0) {
    throw new HarvestryError('E_CORRUPT_FILE', `${path} is not a harvestry crop file (it does not start with the crop header). Delete it; a missing result is grown again.`);
  }
  try {
    const header = JSON.parse(bytes.subarray(MAGIC.length, end).toString()) as unknown;
    const payload = deserialize(bytes.subarray(end + 1)) as unknown;
    return { header, payload };
  } catch (err) {
    throw new HarvestryError('E_CORRUPT_FILE', `${path} is damaged (${(err as Error).message}). Delete it; a missing result is grown again.`, { cause: err });
  }
}

/**
 * Reads the sown plan.
 *
 * @param paths - the crop's paths
 */
export function readSownPlan(paths: CropPaths): SownPlan {
  let bytes: Buffer;
  try {
    bytes = readFileSync(paths.plan);
  } catch (err) {
    throw cropFileGone(paths, paths.plan, err);
  }
  return decodeFramed(bytes, paths.plan).payload as SownPlan;
}

/**
 * The error for a crop file that cannot be read: the crop was removed meanwhile (another reaper,
 * `crop.delete()`), or lacks that file (half deleted, or damaged).
 *
 * @param paths - the crop's paths
 * @param file - the file
 * @param err - the error reading it
 */
export function cropFileGone(paths: CropPaths, file: string, err: unknown): HarvestryError {
  const code = (err as NodeJS.ErrnoException).code;
  if (code !== 'ENOENT' && code !== 'ENOTDIR') {
    return new HarvestryError('E_CORRUPT_FILE', `Cannot read ${file} of the crop at ${paths.dir} (${(err as Error).message}). Check its permissions; if it is damaged, delete the crop (crop.delete()) and sow again.`, { cause: err, details: { dir: paths.dir, path: file } });
  }
  if (!existsSync(paths.manifest)) {
    return new HarvestryError(
      'E_CROP_NOT_SOWN',
      `The crop at ${paths.dir} was removed while this process read it (${file} is gone): another reaper or crop.delete() removed it. A reap removes a crop only after merging its results, so look in the dataset (harvestry info <dataset>); reap a crop from one process at a time.`,
      { cause: err, details: { dir: paths.dir, path: file } },
    );
  }
  return new HarvestryError(
    'E_CORRUPT_FILE',
    `The crop at ${paths.dir} has its crop.json but no ${basename(file)}: it was half deleted (a removal killed in the middle, by an older harvestry) or damaged, so its batches can be neither grown nor reaped. Delete it (crop.delete(), or remove the folder) and sow again; sowing or cultivating under its name finishes removing it.`,
    { cause: err, details: { dir: paths.dir, path: file } },
  );
}

/** This process as a grower (with the scheduler's job and task, when run by one). */
export function thisGrower(): GrowerInfo {
  const env = process.env;
  const array = env.SLURM_ARRAY_JOB_ID ?? null;
  const sge = env.JOB_ID !== undefined && env.SGE_TASK_ID !== undefined && env.SGE_TASK_ID !== 'undefined' ? `${env.JOB_ID}_${env.SGE_TASK_ID}` : null;
  const job = array !== null ? `${array}_${env.SLURM_ARRAY_TASK_ID ?? ''}` : (env.SLURM_JOB_ID ?? env.PBS_JOBID ?? sge ?? env.JOB_ID ?? null);
  return { host: hostname(), pid: process.pid, job };
}

/**
 * Writes batch `k`'s results atomically, and removes an earlier failure record of it.
 *
 * @param paths - the crop's paths
 * @param header - the facts about the batch
 * @param chunks - its results
 */
export async function writeResult(paths: CropPaths, header: Omit<ResultHeader, 'kind' | 'payloadBytes' | 'sha256'>, chunks: readonly ChunkResult[]): Promise<void> {
  const payload = serialize(chunks.map(chunkToWire));
  const full: ResultHeader = { kind: 'result', ...header, payloadBytes: payload.length, sha256: createHash('sha256').update(payload).digest('hex') };
  const bytes = Buffer.concat([Buffer.from(`${MAGIC}${JSON.stringify(full)}\n`), payload]);
  if (!existsSync(paths.manifest)) throw cropFileGone(paths, resultPath(paths, header.batch), Object.assign(new Error('the crop is gone'), { code: 'ENOENT' }));
  mkdirSync(paths.results, { recursive: true });
  await writeFileAtomic(resultPath(paths, header.batch), bytes);
  rmSync(failurePath(paths, header.batch), { force: true });
}

/**
 * Reads batch `k`'s results, checked against the number of cases it should hold.
 *
 * @param paths - the crop's paths
 * @param k - the batch
 * @param cases - the cases batch `k` holds
 */
export function readResult(paths: CropPaths, k: number, cases: number): { header: ResultHeader; chunks: ChunkResult[] } {
  const path = resultPath(paths, k);
  const framed = decodeFramed(readFileSync(path), path);
  const header = framed.header as Partial<ResultHeader> | null;
  const payload = framed.payload as ChunkResult[];
  const rows = Array.isArray(payload) ? payload.reduce((s, c) => s + c.cases.length, 0) : -1;
  if (header?.kind !== 'result' || header.batch !== k || rows !== cases) {
    throw new HarvestryError('E_CORRUPT_FILE', `${path} does not hold batch ${k}'s ${cases} results (it says batch ${String(header?.batch)}, ${rows} rows). Delete it and grow batch ${k} again.`);
  }
  return { header: header as ResultHeader, chunks: payload.map(chunkFromWire) };
}

const verified = new Map<string, string | null>();

/**
 * Checks batch `k`'s result file whole: its header, and its payload against the length and
 * SHA-256 the header records (files of older versions: the payload decoded and its rows
 * counted). Each version of a file (by size, time and inode) is checked once per process.
 *
 * @param paths - the crop's paths
 * @param k - the batch
 * @param cases - the cases batch `k` holds
 * @returns null when the file is sound, else why it is not
 */
export function resultDamage(paths: CropPaths, k: number, cases: number): string | null {
  const path = resultPath(paths, k);
  let key: string;
  try {
    const st = statSync(path);
    key = `${path}\0${st.size}\0${st.mtimeMs}\0${st.ino}`;
  } catch (err) {
    return `it cannot be read (${(err as Error).message})`;
  }
  const known = verified.get(key);
  if (known !== undefined) return known;
  let why: string | null = null;
  try {
    const bytes = readFileSync(path);
    const end = bytes.indexOf(10, MAGIC.length);
    if (bytes.subarray(0, MAGIC.length).toString() !== MAGIC || end < 0) why = 'it does not start with the crop header';
    else {
      const header = JSON.parse(bytes.subarray(MAGIC.length, end).toString()) as Partial<ResultHeader> | null;
      const payload = bytes.subarray(end + 1);
      if (header?.kind !== 'result' || header.batch !== k || header.cases !== cases) why = `its header says batch ${String(header?.batch)} with ${String(header?.cases)} cases, not batch ${k} with ${cases}`;
      else if (typeof header.sha256 === 'string') {
        if (payload.length !== header.payloadBytes) why = `it holds ${payload.length} bytes of results where ${String(header.payloadBytes)} were written`;
        else if (createHash('sha256').update(payload).digest('hex') !== header.sha256) why = 'its results do not match the checksum written with them';
      } else {
        readResult(paths, k, cases);
      }
    }
  } catch (err) {
    why = err instanceof HarvestryError ? err.message : `it cannot be read (${(err as Error).message})`;
  }
  verified.set(key, why);
  return why;
}

/**
 * The batches with a sound result file, and those whose result file is damaged (with why).
 *
 * @param paths - the crop's paths
 * @param casesOf - the cases batch `k` holds
 */
export function verifiedBatches(paths: CropPaths, casesOf: (k: number) => number): { done: Set<number>; damaged: Map<number, string> } {
  const done = new Set<number>();
  const damaged = new Map<number, string>();
  for (const k of doneBatches(paths)) {
    const why = resultDamage(paths, k, casesOf(k));
    if (why === null) done.add(k);
    else damaged.set(k, why);
  }
  return { done, damaged };
}

/**
 * Records why batch `k` failed (replacing an earlier record).
 *
 * @param paths - the crop's paths
 * @param record - the failure
 */
export function writeFailure(paths: CropPaths, record: FailureRecord): void {
  writeJsonAtomic(failurePath(paths, record.batch), record);
}

/**
 * The failure records of a crop, by batch.
 *
 * @param paths - the crop's paths
 */
export function readFailures(paths: CropPaths): Map<number, FailureRecord> {
  const out = new Map<number, FailureRecord>();
  for (const name of listDir(paths.failed)) {
    const k = Number(/^(\d+)\.json$/.exec(name)?.[1]);
    if (!Number.isInteger(k)) continue;
    const record = readJson(join(paths.failed, name)) as FailureRecord | null;
    if (record !== null) out.set(k, record);
  }
  return out;
}

/**
 * The batches with a result file.
 *
 * @param paths - the crop's paths
 */
export function doneBatches(paths: CropPaths): Set<number> {
  const out = new Set<number>();
  for (const name of listDir(paths.results)) {
    const m = /^(\d+)\.bin$/.exec(name);
    if (m !== null) out.add(Number(m[1]));
  }
  return out;
}

/** The file of a grower's claim on batch `k` (one file per batch: only one grower creates it). */
export function batchClaimPath(paths: CropPaths, k: number): string {
  return join(paths.running, `batch-${k}.json`);
}

/**
 * Claims batch `k` for this grower, if no live grower holds it: creates `running/batch-<k>.json`
 * exclusively (written beside, then linked into place, so it never appears half written). The
 * claim of a grower that died on this machine is taken over (its batch recorded as failed, as
 * before). Returns a function that drops the claim, or null when another grower holds it.
 *
 * @param paths - the crop's paths
 * @param k - the batch
 * @param startedAt - when this grower started (ISO time)
 */
export function claimBatch(paths: CropPaths, k: number, startedAt: string): (() => void) | null {
  const grownBy = thisGrower();
  const file = batchClaimPath(paths, k);
  const here = hostname();
  // (a crop reaped and removed meanwhile: not recreated as a stray folder)
  if (!existsSync(paths.manifest)) throw cropFileGone(paths, file, Object.assign(new Error('the crop is gone'), { code: 'ENOENT' }));
  mkdirSync(paths.running, { recursive: true });
  const tmp = join(paths.running, `.batch-${k}.json.${here}.${process.pid}.${randomBytes(3).toString('hex')}.tmp`);
  writeFileSync(tmp, `${JSON.stringify({ batches: [k], startedAt, grownBy } satisfies Claim, null, 2)}\n`);
  try {
    for (let attempt = 0; attempt < 3; attempt++) {
      try {
        linkSync(tmp, file);
        return () => {
          rmSync(file, { force: true });
        };
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
      }
      const held = readJson(file) as Claim | null;
      const g = held?.grownBy;
      // unreadable (being replaced), on another machine, or alive: taken
      if (held === null || g?.host !== here || isAlive(g.pid)) return null;
      // dead: move it away (only one grower succeeds), check it is the claim judged dead, settle it
      const away = join(paths.running, `.batch-${k}.json.${here}.${process.pid}.${randomBytes(3).toString('hex')}.dead`);
      try {
        renameSync(file, away);
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code === 'ENOENT') continue;
        throw err;
      }
      const moved = readJson(away) as Claim | null;
      if (moved !== null && (moved.grownBy.pid !== g.pid || moved.startedAt !== held.startedAt)) {
        // another grower's fresh claim was moved: put it back and leave the batch to it
        try {
          linkSync(away, file);
        } catch {
          // taken again meanwhile: that grower has it
        }
        rmSync(away, { force: true });
        return null;
      }
      settleClaim(paths, moved ?? held);
      rmSync(away, { force: true });
    }
    return null;
  } finally {
    rmSync(tmp, { force: true });
  }
}

/**
 * The claims of growers, with their files.
 *
 * @param paths - the crop's paths
 */
export function readClaims(paths: CropPaths): { file: string; claim: Claim }[] {
  const out: { file: string; claim: Claim }[] = [];
  for (const name of listDir(paths.running)) {
    if (!name.endsWith('.json')) continue;
    const file = join(paths.running, name);
    const claim = readJson(file) as Claim | null;
    if (claim !== null && Array.isArray(claim.batches)) out.push({ file, claim });
  }
  return out;
}

/**
 * Turns the claims of growers that died on this machine into failure records of the batches
 * they left unfinished (so the reason stays when the claim goes), and removes those claims.
 *
 * @param paths - the crop's paths
 */
export function settleDeadClaims(paths: CropPaths): void {
  const here = hostname();
  const done = doneBatches(paths);
  const failed = readFailures(paths);
  for (const { file, claim } of readClaims(paths)) {
    const g = claim.grownBy;
    // per-batch claims are taken over one by one (claimBatch)
    if (g.host !== here || isAlive(g.pid) || /^batch-\d+\.json$/.test(basename(file))) continue;
    settleClaim(paths, claim, done, failed);
    rmSync(file, { force: true });
  }
}

/** Records the batches of a dead grower's claim that it left unfinished as failed. */
function settleClaim(paths: CropPaths, claim: Claim, done = doneBatches(paths), failed = readFailures(paths)): void {
  const g = claim.grownBy;
  for (const batch of claim.batches) {
    if (done.has(batch) || (failed.get(batch)?.at ?? '') > claim.startedAt) continue;
    const who = `pid ${g.pid} on ${g.host}${g.job === null ? '' : `, job ${g.job}`}`;
    writeFailure(paths, { batch, message: `its grower (${who}) ended without finishing it`, case: null, code: null, at: claim.startedAt, grownBy: g });
  }
}

/**
 * True when a process of this machine is alive.
 *
 * @param pid - its id
 */
export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * Writes JSON atomically (beside, then rename) without fsync: for small records that a crash
 * may lose without harm (claims, failures, submissions).
 *
 * @param path - the file
 * @param value - the JSON-able value
 */
export function writeJsonAtomic(path: string, value: unknown): void {
  mkdirSync(dirname(path), { recursive: true });
  removeLeftovers(path); // temporaries of writers of this record that were killed
  const tmp = tempPathOf(path, 'tmp');
  writeFileSync(tmp, `${JSON.stringify(value, null, 2)}\n`);
  renameSync(tmp, path);
}

/**
 * Reads a JSON file, or null when it is gone or unreadable (a record being replaced).
 *
 * @param path - the file
 */
export function readJson(path: string): unknown {
  try {
    return JSON.parse(readFileSync(path, 'utf8')) as unknown;
  } catch {
    return null;
  }
}

/**
 * The names in a folder, or none when it does not exist.
 *
 * @param dir - the folder
 */
export function listDir(dir: string): string[] {
  try {
    return readdirSync(dir);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw err;
  }
}
