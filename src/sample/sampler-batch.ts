/**
 * The rows of a Sampler's run: chunks of results (in any order) and the drawn values become a
 * {@link SampleBatch}, in sample order, with its labels. Columns: the drawn parameters, the
 * scalar constants, the outputs, `_error` / `_duration_ms` when asked for, `_seed`, `_sample`.
 */
import { HarvestryError } from '../errors.js';
import { shapeOf } from '../dataset/assemble.js';
import { columnFromScalars } from '../dataset/cell.js';
import { DURATION_COLUMN, ERROR_COLUMN, dimType, type InternalCoords, type Provenance } from '../dataset/meta.js';
import { SAMPLE_COLUMN, SAMPLES_FORMAT, SAMPLES_VERSION, SEED_COLUMN, type SampleColumnMeta, type SampleMeta } from '../dataset/sample-meta.js';
import type { SampleBatch } from '../dataset/sample-table.js';
import { concatColumns, concatTyped, nullColumn, takeRows, type ColumnData, type ElemType } from '../execute/columns.js';
import type { ChunkResult, OnError } from '../execute/evaluate.js';
import { kindOf, showNames, type Scalar, type ScalarKind } from '../space/values.js';
import type { DrawnColumn, DrawnColumns } from './sampler-combos.js';

/** What the rows of a Sampler's run are made of, besides the chunks. */
export interface SampleLayout {
  readonly drawn: DrawnColumns;
  readonly seed: number;
  /** Constants saved as columns (scalars), in order. */
  readonly constants: readonly (readonly [string, Scalar])[];
  readonly varNames: readonly string[] | null;
  readonly varDims: Readonly<Record<string, readonly string[]>>;
  readonly varCoords: Readonly<Record<string, InternalCoords>>;
  readonly attrs: Readonly<Record<string, unknown>>;
  readonly fingerprint: string;
  readonly provenance: Provenance;
  readonly onError: OnError;
  readonly timings: boolean;
}

/**
 * Splits the constants of a run into columns (scalars, one value in every row, as xyzpy's
 * Sampler keeps them) and attrs (arrays, objects); constants that are an internal dim's coords
 * are neither.
 *
 * @param constants - the run's constants
 * @param varCoords - the coords of internal dims
 * @param attrs - the runner's attrs
 */
export function splitConstants(
  constants: Readonly<Record<string, unknown>>,
  varCoords: Readonly<Record<string, InternalCoords>>,
  attrs: Readonly<Record<string, unknown>>,
): { columns: [string, Scalar][]; attrs: Record<string, unknown> } {
  const columns: [string, Scalar][] = [];
  const rest: Record<string, unknown> = { ...attrs };
  for (const [k, v] of Object.entries(constants)) {
    if (k in varCoords) continue;
    if (kindOf(v) !== undefined) columns.push([k, v as Scalar]);
    else rest[k] = v;
  }
  return { columns, attrs: rest };
}

/**
 * Builds the rows of some chunks of a Sampler's run, in sample order.
 *
 * @param layout - the draws and labels of the run
 * @param chunks - the results
 */
export function batchFromChunks(layout: SampleLayout, chunks: readonly ChunkResult[]): SampleBatch {
  const failed = new Map<number, string>();
  for (const c of chunks) for (const f of c.failures) failed.set(f.index, f.message);
  const caseOf = concatTyped(chunks.map((c) => c.cases));
  const rows = rowsToTake(caseOf, layout.onError === 'record' ? null : failed);
  const index = rows === null ? caseOf : Int32Array.from(rows, (r) => caseOf[r]!);
  const n = index.length;
  const columns: Record<string, ColumnData> = {};
  const metas: SampleColumnMeta[] = [];
  const add = (role: SampleColumnMeta['role'], name: string, col: ColumnData, dims: readonly string[] = []): void => {
    columns[name] = col;
    metas.push({ name, role, type: col.type, container: col.container, dims });
  };
  const { drawn } = layout;
  drawn.names.forEach((name, k) => {
    add('param', name, drawnColumn(drawn.columns[k]!, drawn.kinds[k]!, index));
  });
  for (const [name, v] of layout.constants) add('constant', name, columnFromScalars(dimType(kindOf(v)!), new Array<Scalar>(n).fill(v)));
  const varNames = layout.varNames ?? chunks.find((c) => c.varNames !== null)?.varNames ?? [];
  checkVarNames(varNames, metas.map((m) => m.name));
  for (const name of varNames) {
    const dims = layout.varDims[name] ?? [];
    const like = shapeOf(dims, layout.varCoords);
    const col = concatColumns(name, chunks.map((c) => c.columns[name] ?? nullColumn(like, c.cases.length)));
    add('var', name, rows === null ? col : takeRows(col, rows), dims);
  }
  if (layout.onError === 'record') add('error', ERROR_COLUMN, columnFromScalars('utf8', Array.from(index, (i) => failed.get(i) ?? null)));
  if (layout.timings) {
    const d = concatTyped(chunks.map((c) => c.durations ?? new Float64Array(c.cases.length)));
    add('duration', DURATION_COLUMN, plainColumn('float64', rows === null ? d : Float64Array.from(rows, (r) => d[r]!)));
  }
  add('seed', SEED_COLUMN, plainColumn('uint32', new Uint32Array(n).fill(layout.seed)));
  add('index', SAMPLE_COLUMN, plainColumn('int32', rows === null ? index.slice() : index));
  const usedDims = new Set(metas.flatMap((m) => m.dims));
  const meta: SampleMeta = {
    format: SAMPLES_FORMAT,
    version: SAMPLES_VERSION,
    columns: metas,
    varCoords: Object.fromEntries(Object.entries(layout.varCoords).filter(([k]) => usedDims.has(k))),
    attrs: layout.attrs,
    fingerprint: layout.fingerprint,
    provenance: layout.provenance,
  };
  return { meta, columns, numRows: n };
}

/** The rows to take, in sample order, leaving out failures; null when every row stays in order. */
function rowsToTake(caseOf: Int32Array, drop: ReadonlyMap<number, string> | null): number[] | null {
  let sorted = true;
  for (let r = 1; r < caseOf.length && sorted; r++) sorted = caseOf[r]! > caseOf[r - 1]!;
  if (sorted && (drop === null || drop.size === 0)) return null;
  const rows: number[] = [];
  for (let r = 0; r < caseOf.length; r++) if (!drop?.has(caseOf[r]!)) rows.push(r);
  if (!sorted) rows.sort((a, b) => caseOf[a]! - caseOf[b]!);
  return rows;
}

/** The drawn values of the samples at `index`, as a column. */
function drawnColumn(values: DrawnColumn, kind: ScalarKind | 'null', index: Int32Array): ColumnData {
  const n = index.length;
  if (values instanceof Float64Array) {
    const lo = index[0] ?? 0;
    const contiguous = n === 0 || index[n - 1]! - lo === n - 1;
    return plainColumn('float64', contiguous ? values.slice(lo, lo + n) : Float64Array.from(index, (i) => values[i]!));
  }
  return columnFromScalars(dimType(kind), Array.from(index, (i) => values[i]!));
}

/** A scalar column without nulls. */
function plainColumn(type: ElemType, values: Float64Array | Uint32Array | Int32Array): ColumnData {
  return { type, container: 'scalar', length: values.length, valid: null, values, elemValid: null, size: null, offsets: null, depth: 0 };
}

const RESERVED = [ERROR_COLUMN, DURATION_COLUMN, SEED_COLUMN, SAMPLE_COLUMN];

function checkVarNames(varNames: readonly string[], taken: readonly string[]): void {
  const clash = varNames.filter((v) => taken.includes(v) || RESERVED.includes(v));
  if (clash.length > 0) {
    throw new HarvestryError(
      'E_BAD_SPEC',
      `The output ${showNames(clash)} has the name of a drawn parameter, a constant, or a column harvestry adds (${RESERVED.join(', ')}). Rename the output in \`varNames\`.`,
    );
  }
}
