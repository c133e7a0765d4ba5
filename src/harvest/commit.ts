/**
 * Committing finished rows of a harvest to the dataset file, under the file's lock: re-read the
 * footer, read the keys of row groups written since the last look, then append the new rows as
 * new row groups (the cost grows with the new rows, not the file) or, when rows must be
 * replaced or the schema grows, merge and rewrite the file. Either way the file is replaced
 * atomically, so it is always complete.
 */
import { readFile } from 'node:fs/promises';
import { HarvestryError } from '../errors.js';
import { conformDataset, sameStorage } from '../dataset/conform.js';
import { columnNames, Dataset } from '../dataset/dataset.js';
import { failures, mergeDatasets } from '../dataset/merge.js';
import { FINGERPRINT_COLUMN, type DatasetMeta } from '../dataset/meta.js';
import { reconcileMeta } from '../dataset/reconcile.js';
import { takeRows } from '../execute/columns.js';
import { appendParquet, CannotAppendError } from '../store/append.js';
import { decodeDataset, encodeDataset } from '../store/dataset-file.js';
import { readVerifiedLabels, withBackupHint, type DatasetFileLabels } from '../store/dataset-labels.js';
import type { Spans } from '../store/integrity.js';
import { rememberWritten } from '../store/verify.js';
import { FINGERPRINTS_KEY, parseFingerprintSummary } from '../store/fingerprints.js';
import { withLock, type LockOptions } from '../store/lock.js';
import { loadParquetWasm } from '../store/parquet.js';
import { parseFooter, type FileStamp, type ParquetFooter } from '../store/parquet-footer.js';
import { FileChangedError, replaceFileBytes } from '../store/replace.js';
import { codedFsError } from '../store/writable.js';
import { ABSENT, FAILED, PRESENT, STALE, scanRowGroups, type GridLocator, type GridStatus } from './grid-status.js';
import type { CommitInfo } from './options.js';

/** Everything a commit needs to know about the harvest. */
export interface CommitTarget {
  readonly path: string;
  readonly lock: LockOptions;
  readonly overwrite: boolean | null;
  readonly rerunStale: boolean;
  /** The fingerprint of the function harvesting now. */
  readonly fingerprint: string;
  readonly locator: GridLocator;
  readonly status: GridStatus;
}

/** Row groups below this many rows are small; this many small ones trigger a compacting rewrite. */
const SMALL_GROUP_ROWS = 65536;
const MAX_SMALL_GROUPS = 64;

/**
 * Writes finished rows of a harvest into the file.
 *
 * @param target - the file and the harvest's policy and state
 * @param rows - the rows, as assembled from the run's chunks
 * @param cases - the grid index of each row
 * @returns what was written
 */
export async function commitRows(target: CommitTarget, rows: Dataset, cases: Int32Array): Promise<CommitInfo> {
  const ds = withFingerprintColumn(rows, target.fingerprint);
  await loadParquetWasm(); // not while holding the lock
  for (let attempt = 0; ; attempt++) {
    try {
      return await withLock(target.path, (isCompromised) => commitOnce(target, ds, cases, isCompromised), target.lock);
    } catch (err) {
      // the file changed under us (a writer broke our lock as stale): take the lock again and redo
      if (!(err instanceof FileChangedError)) throw codedFsError(err, target.path, `write ${target.path}`);
      if (attempt >= 5) {
        throw new HarvestryError(
          'E_LOCKED',
          `${target.path} changed under this harvest's lock ${attempt + 1} times while it tried to commit: another program writes it without taking the lock ${target.path}.lock. Stop that program, or harvest into another file.`,
          { cause: err, details: { path: target.path } },
        );
      }
    }
  }
}

/**
 * The labels of a dataset whose rows will carry a `_fingerprint` column.
 *
 * @param meta - the labels
 */
export function harvestMeta(meta: DatasetMeta): DatasetMeta {
  return meta.fingerprintColumn == null ? { ...meta, fingerprintColumn: FINGERPRINT_COLUMN } : meta;
}

function withFingerprintColumn(rows: Dataset, fingerprint: string): Dataset {
  return conformDataset(rows, harvestMeta(rows.meta), { fingerprint });
}

async function commitOnce(target: CommitTarget, ds: Dataset, cases: Int32Array, isCompromised: () => boolean): Promise<CommitInfo> {
  const { path, status } = target;
  // the whole file is verified (once per version) before anything is appended or it becomes the backup
  const file = await readVerifiedLabels(path);
  // This harvest has seen the file (read it at the start, or written it): it must still be there,
  // holding what it held, else something else deleted or replaced it (a script's top-level code
  // clearing its output folder again in a worker, say): stop rather than start a new file.
  if (file === null) {
    if (status.stamp !== null) throw fileReplacedError(path, 'was deleted', status.fileRows);
    return create(target, ds, cases, isCompromised);
  }
  if (status.stamp !== null && file.footer.numRows < status.fileRows) {
    throw fileReplacedError(path, `was replaced by a file of ${file.footer.numRows} rows`, status.fileRows);
  }
  const meta = reconcileMeta(file.meta, ds.meta, { where: path, newAttrsWin: target.overwrite === true });
  const known = status.stamp === null ? null : status.codes;
  await scanRowGroups({ path, footer: file.footer, meta: file.meta, fingerprint: target.fingerprint }, target.locator, status).catch((err: unknown) => {
    throw withBackupHint(err, path);
  });
  // Rewritten since (a merge by another harvest keeps every row): a case that was in it is gone.
  if (known !== null && known !== status.codes && known.some((c, g) => c !== ABSENT && status.codes[g] === ABSENT)) {
    throw fileReplacedError(path, 'was replaced by a file without rows it held', status.fileRows);
  }
  const newFailed = failures(ds);
  const keep: number[] = [];
  let rewrite = false;
  for (let r = 0; r < cases.length; r++) {
    const code = status.codes[cases[r]!]!;
    if (code === ABSENT) keep.push(r);
    else if (code === FAILED || (code === STALE && target.rerunStale && newFailed[r] === 0)) rewrite = true;
    else if (newFailed[r] === 0 && target.overwrite !== false) rewrite = true;
  }
  const small = file.footer.rowGroups.filter((g) => g.numRows < SMALL_GROUP_ROWS).length;
  if (!rewrite && keep.length === 0) return { path, rows: 0, fileRows: file.footer.numRows, mode: 'none' };
  if (!rewrite && small < MAX_SMALL_GROUPS && sameStorage(file.meta, meta)) {
    const part = keep.length === cases.length ? ds : subset(ds, keep);
    try {
      return await append(target, file, conformDataset(part, meta, { fingerprint: target.fingerprint }), cases, keep, newFailed, isCompromised);
    } catch (err) {
      if (!(err instanceof CannotAppendError)) throw err;
    }
  }
  return rewriteFile(target, file, ds, cases, newFailed, isCompromised);
}

async function create(target: CommitTarget, ds: Dataset, cases: Int32Array, isCompromised: () => boolean): Promise<CommitInfo> {
  if (target.status.stamp !== null) target.status.reset();
  const bytes = await encodeDataset(ds, 'parquet');
  checkLock(target.path, isCompromised);
  const stamp = await replaceFileBytes(target.path, bytes, null);
  const footer = parseFooter(bytes, bytes.length, target.path);
  rememberWritten(target.path, stamp, footer);
  afterWrite(target, footer, stamp, cases, null, failures(ds));
  return { path: target.path, rows: ds.numRows, fileRows: ds.numRows, mode: 'create' };
}

async function append(
  target: CommitTarget,
  file: DatasetFileLabels & { readonly spans: Spans },
  part: Dataset,
  cases: Int32Array,
  keep: readonly number[],
  newFailed: Uint8Array,
  isCompromised: () => boolean,
): Promise<CommitInfo> {
  const summary = parseFingerprintSummary(file.footer.keyValue.get(FINGERPRINTS_KEY));
  const keyValue = new Map<string, string>();
  if (summary !== null) {
    const merged = { ...summary };
    merged[target.fingerprint] = (merged[target.fingerprint] ?? 0) + part.numRows;
    keyValue.set(FINGERPRINTS_KEY, JSON.stringify(merged));
  }
  const buffer = await encodeDataset(part, 'parquet', { keyValue, checksums: false });
  checkLock(target.path, isCompromised);
  const { footer, stamp } = await appendParquet(target.path, file.footer, file.stamp, buffer, file.spans);
  rememberWritten(target.path, stamp, footer);
  afterWrite(target, footer, stamp, cases, keep, newFailed);
  return { path: target.path, rows: part.numRows, fileRows: footer.numRows, mode: 'append' };
}

async function rewriteFile(target: CommitTarget, file: DatasetFileLabels & { readonly spans: Spans }, ds: Dataset, cases: Int32Array, newFailed: Uint8Array, isCompromised: () => boolean): Promise<CommitInfo> {
  const { path } = target;
  let old: Dataset;
  try {
    old = await decodeDataset(await readFile(path), path);
  } catch (err) {
    throw withBackupHint(err, path);
  }
  const oldFingerprints = old.meta.fingerprintColumn == null ? null : (old.column(old.meta.fingerprintColumn).values as (string | null)[]);
  const fileFingerprint = old.meta.fingerprint;
  const isStale = (i: number): boolean => {
    const fp = oldFingerprints === null ? fileFingerprint : oldFingerprints[i]!;
    return fp !== null && fp !== target.fingerprint;
  };
  const merged = mergeDatasets(old, ds, { overwrite: target.overwrite, where: path, stale: isStale, ...(target.rerunStale ? { replaceable: isStale } : {}) });
  const compacting = file.footer.rowGroups.filter((g) => g.numRows < SMALL_GROUP_ROWS).length >= MAX_SMALL_GROUPS;
  if (merged.added + merged.replaced === 0 && !compacting) return { path, rows: 0, fileRows: old.numRows, mode: 'none' };
  if (merged.replaced === 0 && !compacting && sameStorage(old.meta, merged.ds.meta)) {
    // every old row stays as it is: add the new keys as row groups instead of rewriting
    const part = conformDataset(subset(ds, merged.addedRows), merged.ds.meta, { fingerprint: target.fingerprint });
    try {
      return await append(target, file, part, cases, merged.addedRows, newFailed, isCompromised);
    } catch (err) {
      if (!(err instanceof CannotAppendError)) throw err;
    }
  }
  const bytes = await encodeDataset(merged.ds, 'parquet');
  checkLock(path, isCompromised);
  const stamp = await replaceFileBytes(path, bytes, file.stamp);
  const footer = parseFooter(bytes, bytes.length, path);
  rememberWritten(path, stamp, footer);
  afterWrite(target, footer, stamp, cases, null, newFailed);
  return { path, rows: merged.added + merged.replaced, fileRows: merged.ds.numRows, mode: 'rewrite' };
}

/** Records what the file holds after a write of ours. */
function afterWrite(target: CommitTarget, footer: ParquetFooter, stamp: FileStamp, cases: Int32Array, rows: readonly number[] | null, newFailed: Uint8Array): void {
  const { status } = target;
  const each = (r: number): void => {
    const g = cases[r]!;
    const code = status.codes[g]!;
    const failed = newFailed[r] === 1;
    if (code === ABSENT || code === FAILED) status.codes[g] = failed ? FAILED : PRESENT;
    else if (code === STALE && !failed && (target.rerunStale || target.overwrite === true)) status.codes[g] = PRESENT;
  };
  if (rows === null) for (let r = 0; r < cases.length; r++) each(r);
  else for (const r of rows) each(r);
  status.seen.clear();
  for (const g of footer.rowGroups) status.seen.add(g.signature);
  status.stamp = stamp;
  status.fileRows = footer.numRows;
}

/**
 * E_FILE_REPLACED: the dataset file was deleted or replaced during the harvest.
 *
 * @param path - the file
 * @param what - what happened to it
 * @param rows - how many rows it held when last seen
 */
function fileReplacedError(path: string, what: string, rows: number): HarvestryError {
  return new HarvestryError(
    'E_FILE_REPLACED',
    `${path} ${what} during this harvest, which last saw it holding ${rows} rows: something other than this Harvester removed or replaced it, often a script's top-level code run again in a worker (clearing its output folder, say). The harvest stopped instead of starting a new file with only the newest rows; nothing more was written. Guard such code with \`if (isMain())\`, then harvest again with missingOnly: true. The rows this harvest finished are in \`err.details.partial\` (and \`lastDs\`).`,
    { details: { path } },
  );
}

function subset(ds: Dataset, rows: readonly number[]): Dataset {
  const columns = Object.fromEntries(columnNames(ds.meta).map((name) => [name, takeRows(ds.column(name), rows)]));
  return Dataset.fromColumns(ds.meta, columns);
}

function checkLock(path: string, isCompromised: () => boolean): void {
  if (isCompromised()) throw new FileChangedError(path);
}
