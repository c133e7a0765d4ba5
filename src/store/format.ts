/**
 * Which file format a path or a file's bytes are.
 */
import { extname } from 'node:path';
import { HarvestryError } from '../errors.js';

/** A file format harvestry reads and writes datasets in. */
export type DatasetFormat = 'parquet' | 'arrow';

/** Dataset formats by file extension. */
export const DATASET_EXTENSIONS: Readonly<Record<string, DatasetFormat>> = {
  '.parquet': 'parquet',
  '.pq': 'parquet',
  '.parq': 'parquet',
  '.arrow': 'arrow',
  '.feather': 'arrow',
  '.ipc': 'arrow',
};

/**
 * The format to write a path in: given explicitly, or from the extension.
 *
 * @param path - the file
 * @param format - the format, when given
 */
export function formatForPath(path: string, format?: DatasetFormat): DatasetFormat {
  if (format !== undefined) {
    const given: string = format;
    if (given !== 'parquet' && given !== 'arrow') {
      throw new HarvestryError('E_UNSUPPORTED_FORMAT', `Expected \`format\` to be 'parquet' or 'arrow', got ${JSON.stringify(format)}.`);
    }
    return format;
  }
  const ext = extname(path).toLowerCase();
  const found = DATASET_EXTENSIONS[ext];
  if (found === undefined) {
    throw new HarvestryError(
      'E_UNSUPPORTED_FORMAT',
      `Cannot tell the format of ${path} from its extension ${ext === '' ? '(none)' : JSON.stringify(ext)}. Name it .parquet (or .arrow for Arrow IPC), or pass { format: 'parquet' }.`,
    );
  }
  return found;
}

/**
 * The format of a file from its first and last bytes, or null when it is neither.
 *
 * @param bytes - the file's bytes
 */
export function sniffFormat(bytes: Uint8Array): DatasetFormat | 'truncated-parquet' | null {
  const head = new TextDecoder().decode(bytes.subarray(0, 6));
  if (head.startsWith('PAR1')) {
    const tail = new TextDecoder().decode(bytes.subarray(bytes.length - 4));
    return bytes.length >= 12 && tail === 'PAR1' ? 'parquet' : 'truncated-parquet';
  }
  if (head === 'ARROW1') return 'arrow';
  return null;
}
