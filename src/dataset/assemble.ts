/**
 * Turning the chunks of a run into a {@link Dataset}: rows in canonical case order, failed cases
 * dropped or recorded, key columns from the grid, and the labels.
 */
import { HarvestryError } from '../errors.js';
import { concatColumns, concatTyped, nullColumn, takeRows, type ColumnData } from '../execute/columns.js';
import type { ChunkResult, OnError } from '../execute/evaluate.js';
import type { DimInfo, Grid } from '../space/grid.js';
import { showNames, type Scalar } from '../space/values.js';
import { columnFromCoords, columnFromScalars } from './cell.js';
import { Dataset } from './dataset.js';
import { DURATION_COLUMN, ERROR_COLUMN, FINGERPRINT_COLUMN, FORMAT_VERSION, dimType, type DatasetMeta, type InternalCoords, type Provenance, type VarMeta } from './meta.js';

/** What assembly needs besides the chunks. */
export interface AssemblyPlan {
  readonly grid: Grid;
  readonly dims: readonly DimInfo[];
  /** Declared output names, or null when they come from the results. */
  readonly varNames: readonly string[] | null;
  readonly varDims: Readonly<Record<string, readonly string[]>>;
  readonly varCoords: Readonly<Record<string, InternalCoords>>;
  readonly attrs: Readonly<Record<string, unknown>>;
  readonly fingerprint: string | null;
  readonly provenance: Provenance | null;
  readonly onError: OnError;
  readonly timings: boolean;
}

/**
 * Builds the dataset of a run from its chunks.
 *
 * @param plan - the labels and policies of the run
 * @param chunks - the results, in any order
 */
export function assembleDataset(plan: AssemblyPlan, chunks: readonly ChunkResult[]): Dataset {
  const varNames = plan.varNames ?? chunks.find((c) => c.varNames !== null)?.varNames ?? [];
  checkVarNames(plan, varNames);
  const failed = new Map<number, string>();
  for (const c of chunks) for (const f of c.failures) failed.set(f.index, f.message);
  const caseOf = concatTyped(chunks.map((c) => c.cases));
  const keep = rowsToKeep(caseOf, failed, plan.onError === 'record');
  const kept = keep === null ? caseOf : Int32Array.from(keep, (r) => caseOf[r]!);
  const columns: Record<string, ColumnData> = {};
  const vars: VarMeta[] = [];
  for (const name of varNames) {
    const dims = plan.varDims[name] ?? [];
    const like = shapeOf(dims, plan.varCoords);
    const col = concatColumns(name, chunks.map((c) => c.columns[name] ?? nullColumn(like, c.cases.length)));
    columns[name] = keep === null ? col : takeRows(col, keep);
    vars.push({ name, type: col.type, container: col.container, dims });
  }
  Object.assign(columns, keyColumns(plan, kept));
  if (plan.onError === 'record') {
    const all = concatTyped(chunks.map((c) => c.cases));
    const messages: Scalar[] = Array.from(keep ?? all.keys(), (r) => failed.get(all[r]!) ?? null);
    columns[ERROR_COLUMN] = columnFromScalars('utf8', messages);
  }
  if (plan.timings) {
    const d = concatTyped(chunks.map((c) => c.durations ?? new Float64Array(c.cases.length)));
    columns[DURATION_COLUMN] = columnFromScalars('float64', Array.from(keep ?? d.keys(), (r) => d[r]!));
  }
  const usedDims = new Set(vars.flatMap((v) => v.dims));
  const meta: DatasetMeta = {
    format: 'harvestry',
    version: FORMAT_VERSION,
    dims: plan.dims.map((d) => ({ name: d.name, type: dimType(d.kind), coords: d.coords })),
    vars,
    varCoords: Object.fromEntries(Object.entries(plan.varCoords).filter(([k]) => usedDims.has(k))),
    attrs: plan.attrs,
    fingerprint: plan.fingerprint,
    provenance: plan.provenance,
    errorColumn: plan.onError === 'record' ? ERROR_COLUMN : null,
    durationColumn: plan.timings ? DURATION_COLUMN : null,
  };
  return Dataset.fromColumns(meta, columns);
}

function checkVarNames(plan: AssemblyPlan, varNames: readonly string[]): void {
  const dims = plan.dims.map((d) => d.name);
  const clash = varNames.filter((v) => dims.includes(v) || v === ERROR_COLUMN || v === DURATION_COLUMN || v === FINGERPRINT_COLUMN);
  if (clash.length > 0) {
    throw new HarvestryError(
      'E_BAD_SPEC',
      `The output ${showNames(clash)} has the name of a dim (an argument that varies) or of a column harvestry adds (${ERROR_COLUMN}, ${DURATION_COLUMN}, ${FINGERPRINT_COLUMN}). Rename the output in \`varNames\`.`,
    );
  }
}

/** Row positions to keep, sorted by case index; null when every row stays in order. */
function rowsToKeep(caseOf: Int32Array, failed: ReadonlyMap<number, string>, keepFailed: boolean): number[] | null {
  let sorted = true;
  for (let r = 1; r < caseOf.length; r++) {
    if (caseOf[r]! < caseOf[r - 1]!) {
      sorted = false;
      break;
    }
  }
  if (sorted && (keepFailed || failed.size === 0)) return null;
  const rows: number[] = [];
  for (let r = 0; r < caseOf.length; r++) if (keepFailed || !failed.has(caseOf[r]!)) rows.push(r);
  if (!sorted) rows.sort((a, b) => caseOf[a]! - caseOf[b]!);
  return rows;
}

function keyColumns(plan: AssemblyPlan, cases: Int32Array): Record<string, ColumnData> {
  const indices = plan.grid.coordIndices(cases);
  const out: Record<string, ColumnData> = {};
  plan.dims.forEach((d, j) => (out[d.name] = columnFromCoords(dimType(d.kind), d.coords, indices[j]!)));
  return out;
}

/**
 * The shape of a variable's column before any result arrived (untyped): scalar, or a list along
 * its internal dims (fixed-size when all of them have coords).
 *
 * @param dims - the variable's internal dims
 * @param varCoords - the coords of internal dims
 */
export function shapeOf(dims: readonly string[], varCoords: Readonly<Record<string, InternalCoords>>): Pick<ColumnData, 'type' | 'container' | 'size' | 'depth'> {
  const sizes = dims.map((d) => varCoords[d]?.coords.length ?? null);
  const fixed = dims.length > 0 && sizes.every((s) => s !== null);
  return { type: 'null', container: dims.length === 0 ? 'scalar' : 'array', size: fixed ? (sizes).reduce((a, b) => a * b, 1) : null, depth: dims.length };
}
