/**
 * A Parquet dataset file's labels, footer and stamp, read from the footer alone (two small
 * reads, whatever the file's size). A file harvestry did not write, or a damaged one, is
 * refused with an error that names the file and its backup.
 */
import { HarvestryError } from '../errors.js';
import { decodeMeta, type DatasetMeta } from '../dataset/meta.js';
import { SAMPLES_META_KEY } from '../dataset/sample-meta.js';
import { META_KEY, sampleTableError } from './dataset-file.js';
import { readFooter, type FileStamp, type ParquetFooter } from './parquet-footer.js';
import type { Spans } from './integrity.js';
import { backupHint, FileChangedError } from './replace.js';
import { verifyDatasetFile, withVerifiedBackup } from './verify.js';

/** What the footer of a dataset file tells. */
export interface DatasetFileLabels {
  readonly meta: DatasetMeta;
  readonly footer: ParquetFooter;
  readonly stamp: FileStamp;
}

/**
 * Reads the labels of a Parquet dataset file, or returns null when there is no file.
 *
 * @param path - the file
 */
export async function readDatasetLabels(path: string): Promise<DatasetFileLabels | null> {
  let read: Awaited<ReturnType<typeof readFooter>>;
  try {
    read = await readFooter(path);
  } catch (err) {
    throw withBackupHint(err, path);
  }
  if (read === null) return null;
  const text = read.footer.keyValue.get(META_KEY);
  if (text === undefined && read.footer.keyValue.has(SAMPLES_META_KEY)) throw sampleTableError(path);
  if (text === undefined) {
    throw new HarvestryError(
      'E_FOREIGN_FILE',
      `${path} is a Parquet file that harvestry did not write (its footer has no \`${META_KEY}\` metadata), so harvestry will not add rows to it or write over it. Harvest into a new file. ${backupHint(path)}`,
      { details: { path } },
    );
  }
  try {
    return { meta: decodeMeta(text, path), footer: read.footer, stamp: read.stamp };
  } catch (err) {
    throw withBackupHint(err, path);
  }
}

/**
 * Reads the labels of a Parquet dataset file and verifies the whole file (once per version: see
 * {@link verifyDatasetFile}), or returns null when there is no file. A file that changes while
 * it is verified (another writer committed) is read again.
 *
 * @param path - the file
 * @returns the labels, footer and stamp of a verified file, and the checksums of its data
 */
export async function readVerifiedLabels(path: string): Promise<(DatasetFileLabels & { readonly spans: Spans }) | null> {
  for (let attempt = 0; ; attempt++) {
    const file = await readDatasetLabels(path);
    if (file === null) return null;
    try {
      return { ...file, spans: await verifyDatasetFile(path, file.footer, file.stamp) };
    } catch (err) {
      if (!(err instanceof FileChangedError) || attempt >= 20) throw err;
    }
  }
}

/**
 * The error with a sentence naming the file's backup added, for errors about a damaged or
 * foreign file; other errors as they are. For a damaged file, the sentence says whether the
 * backup is good.
 *
 * @param err - the error
 * @param path - the file
 */
export function withBackupHint(err: unknown, path: string): unknown {
  if (err instanceof HarvestryError && err.code === 'E_CORRUPT_FILE') return withVerifiedBackup(err, path);
  if (!(err instanceof HarvestryError) || err.code !== 'E_FOREIGN_FILE') return err;
  if (err.message.includes('.bak')) return err;
  return new HarvestryError(err.code, `${err.message} harvestry will not write over it. ${backupHint(path)}`, { cause: err.cause ?? err, details: { ...err.details, path } });
}
