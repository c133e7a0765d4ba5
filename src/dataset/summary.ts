/**
 * A short text summary of a dataset: rows, dims with their coords, variables with their types
 * and internal dims, attrs and provenance. Printed by the quick start and `harvestry info`.
 */
import { showValue, type Scalar } from '../space/values.js';
import type { Dataset } from './dataset.js';

/**
 * Renders a dataset's summary.
 *
 * @param ds - the dataset
 * @returns lines of text
 */
export function renderSummary(ds: Dataset): string {
  const meta = ds.meta;
  const lines = [`Dataset: ${ds.numRows} row${ds.numRows === 1 ? '' : 's'} (one per case)`];
  const width = Math.max(4, ...meta.dims.map((d) => d.name.length), ...meta.vars.map((v) => v.name.length), ...Object.keys(meta.varCoords).map((k) => k.length));
  if (meta.dims.length > 0) lines.push('  dims:');
  for (const d of meta.dims) lines.push(`    ${d.name.padEnd(width)}  ${d.type.padEnd(7)}  ${showCoords(d.coords)}`);
  if (meta.vars.length > 0) lines.push('  vars:');
  for (const v of meta.vars) {
    const shape = v.dims.length === 0 ? '' : `  over ${v.dims.join(', ')}${v.container === 'array' ? '' : ` (${v.container})`}`;
    lines.push(`    ${v.name.padEnd(width)}  ${v.type}${shape}`);
  }
  const internal = Object.entries(meta.varCoords);
  if (internal.length > 0) lines.push('  internal dims:');
  for (const [k, c] of internal) lines.push(`    ${k.padEnd(width)}  ${c.type.padEnd(7)}  ${showCoords(c.coords)}`);
  const attrs = Object.entries(meta.attrs);
  if (attrs.length > 0) lines.push(`  attrs: ${attrs.map(([k, v]) => `${k}=${showValue(v)}`).join(', ')}`);
  if (meta.errorColumn !== null) {
    const col = ds.column(meta.errorColumn);
    const failed = (col.values as (string | null)[]).filter((m) => m !== null).length;
    lines.push(`  failed cases (in ${meta.errorColumn}): ${failed}`);
  }
  const p = meta.provenance;
  if (p !== null) lines.push(`  made by harvestry ${p.version} on ${p.host}, Node ${p.node}, ${p.time}${p.gitCommit === null ? '' : `, git ${p.gitCommit.slice(0, 12)}`}`);
  return lines.join('\n');
}

function showCoords(coords: readonly Scalar[]): string {
  const n = coords.length;
  if (n <= 6) return `${n}: ${coords.map(showValue).join(', ')}`;
  return `${n}: ${coords.slice(0, 3).map(showValue).join(', ')} … ${coords.slice(-2).map(showValue).join(', ')}`;
}
