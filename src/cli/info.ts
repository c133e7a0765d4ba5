/**
 * `harvestry info <dataset>`: the dataset's summary (rows, dims and coords, variables, attrs,
 * provenance) and which versions of the function made its rows (rows of an older version are
 * stale).
 */
import { readDataset } from '../store/dataset-file.js';
import { fingerprintSummary, parseFingerprintSummary } from '../store/fingerprints.js';

/**
 * The text `harvestry info` prints.
 *
 * @param path - the dataset file
 */
export async function renderInfo(path: string): Promise<string> {
  const ds = await readDataset(path);
  const lines = [path, String(ds)];
  const counts = parseFingerprintSummary(fingerprintSummary(ds)[0]?.[1]);
  const entries = Object.entries(counts ?? {}).sort(([, a], [, b]) => b - a);
  if (entries.length === 1) lines.push(`  function versions: 1 (${short(entries[0]![0])}, every row)`);
  else if (entries.length > 1) {
    lines.push(`  function versions: ${entries.length} (rows by fingerprint: ${entries.map(([fp, n]) => `${short(fp)} ${n}`).join(', ')})`);
    lines.push("  rows made by an older version are stale: a Harvester with the current function names them, and redoes them with rerun: 'stale'");
  } else if (ds.meta.fingerprint !== null) lines.push(`  function version: ${short(ds.meta.fingerprint)}`);
  return lines.join('\n');
}

function short(fingerprint: string): string {
  return fingerprint.replace(/^sha256:/, '').slice(0, 12);
}
