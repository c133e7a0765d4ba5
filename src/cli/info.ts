/**
 * `harvestry info <file>`: a dataset's summary (rows, dims and coords, variables, attrs,
 * provenance) and which versions of the function made its rows (rows of an older version are
 * stale); or a Sampler's table: its rows, its columns by role (parameters, constants, outputs),
 * the range of each parameter, attrs and provenance.
 */
import { extname } from 'node:path';
import { loadArrow } from '../dataset/_arrow-lib.js';
import type { SampleBatch } from '../dataset/sample-table.js';
import { HarvestryError } from '../errors.js';
import type { ColumnData } from '../execute/columns.js';
import { showValue } from '../space/values.js';
import { readDataset } from '../store/dataset-file.js';
import { fingerprintSummary, parseFingerprintSummary } from '../store/fingerprints.js';
import { loadParquetWasm } from '../store/parquet.js';
import { readSampleFile, sampleFormatFor } from '../store/sample-file.js';

const TEXT_SAMPLES = new Set(['.csv', '.json', '.jsonl', '.ndjson']);

/**
 * The text `harvestry info` prints.
 *
 * @param path - the dataset file, or a Sampler's table
 */
export async function renderInfo(path: string): Promise<string> {
  if (TEXT_SAMPLES.has(extname(path).toLowerCase())) return renderSampleInfo(path);
  let ds;
  try {
    ds = await readDataset(path);
  } catch (err) {
    if (err instanceof HarvestryError && err.code === 'E_FILE_KIND') return renderSampleInfo(path);
    throw err;
  }
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

/** The text `harvestry info` prints for a Sampler's table. */
async function renderSampleInfo(path: string): Promise<string> {
  const format = sampleFormatFor(path);
  await loadArrow();
  if (format === 'parquet') await loadParquetWasm();
  const batch = await readSampleFile(path, format);
  if (batch === null) throw new HarvestryError('E_NOT_FOUND', `There is no file at ${path}. Give the path of a dataset or a sample table.`, { details: { path } });
  return [path, ...describeSamples(batch)].join('\n');
}

/** The lines describing a sample table. */
function describeSamples(batch: SampleBatch): string[] {
  const { meta } = batch;
  const lines = [`Sample table: ${batch.numRows} row${batch.numRows === 1 ? '' : 's'} (random samples, one per row, not keyed by case)`];
  const roles: [string, string[]][] = [
    ['params', ['param']],
    ['constants', ['constant']],
    ['vars', ['var']],
    ['other', ['seed', 'index', 'error', 'duration']],
  ];
  const width = Math.max(4, ...meta.columns.map((c) => c.name.length));
  for (const [title, which] of roles) {
    const cols = meta.columns.filter((c) => which.includes(c.role));
    if (cols.length === 0) continue;
    lines.push(`  ${title}:`);
    for (const c of cols) {
      const dims = c.dims.length === 0 ? '' : ` (${c.dims.join(', ')})`;
      const range = c.role === 'param' || c.role === 'constant' ? rangeOf(batch.columns[c.name]) : '';
      lines.push(`    ${c.name.padEnd(width)}  ${c.type}${dims}${range === '' ? '' : `  ${range}`}`);
    }
  }
  const attrs = Object.entries(meta.attrs);
  if (attrs.length > 0) lines.push(`  attrs: ${attrs.map(([k, v]) => `${k}=${showValue(v)}`).join(', ')}`);
  const p = meta.provenance;
  if (p !== null) lines.push(`  made by ${p.library} ${p.version} on ${p.host}, Node ${p.node}, ${p.time}${p.gitCommit === null ? '' : `, git ${p.gitCommit.slice(0, 12)}`}`);
  if (meta.fingerprint !== null) lines.push(`  function version (last rows): ${short(meta.fingerprint)}`);
  return lines;
}

/** The smallest and largest value of a scalar numeric column, or its distinct values when few. */
function rangeOf(col: ColumnData | undefined): string {
  if (col?.depth !== 0 || col.length === 0) return '';
  const values = col.values as ArrayLike<unknown>;
  const seen = new Set<unknown>();
  let lo: number | bigint | null = null;
  let hi: number | bigint | null = null;
  for (let i = 0; i < col.length; i++) {
    if (col.valid !== null && col.valid[i] === 0) continue;
    const v = values[i];
    if (seen.size <= 5) seen.add(v);
    if (typeof v === 'number' || typeof v === 'bigint') {
      if (lo === null || v < lo) lo = v;
      if (hi === null || v > hi) hi = v;
    }
  }
  if (seen.size <= 5 && col.type !== 'date') return `values: ${[...seen].map((v) => showValue(col.type === 'bool' ? v === 1 : v)).join(', ')}`;
  if (lo === null || hi === null || col.type === 'date') return '';
  return `from ${showValue(lo)} to ${showValue(hi)}`;
}
