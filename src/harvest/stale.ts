/**
 * The warning a Harvester gives, once, when the file holds results made by another version of
 * the function.
 */
import { showCase } from '../space/values.js';
import type { StaleRows } from './grid-status.js';

/** The code of the stale-results warning (`process.on('warning')` can filter on it). */
export const STALE_WARNING_CODE = 'HARVESTRY_STALE_RESULTS';

/**
 * The text of the warning.
 *
 * @param path - the file
 * @param dims - the file's dims
 * @param stale - the stale rows found
 * @param fileRows - rows in the file
 * @param current - the fingerprint of the function now
 */
export function renderStaleWarning(path: string, dims: readonly string[], stale: StaleRows, fileRows: number, current: string): string {
  const examples = stale.examples.map((k) => showCase(dims, k)).join(', ');
  const more = stale.count > stale.examples.length ? `, … (${stale.count - stale.examples.length} more)` : '';
  const versions = [...stale.fingerprints].map(short).join(', ');
  return (
    `${stale.count} of the ${fileRows} results in ${path} were made by another version of the function ` +
    `(fingerprint ${versions}; the function now is ${short(current)}): ${examples}${more}. ` +
    "They are kept and count as present, so nothing is rerun. Pass rerun: 'stale' to rerun them and replace them with new results. " +
    'The `_fingerprint` column of the file says which version made each row.'
  );
}

function short(fp: string): string {
  return fp.length > 19 ? `${fp.slice(0, 19)}…` : fp;
}
