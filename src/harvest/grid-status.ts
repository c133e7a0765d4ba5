/**
 * What the file holds for each case of a harvest's grid: nothing, a result, a recorded failure,
 * or a stale result (made by another version of the function). Built by reading only the key
 * columns (plus `_error` and `_fingerprint` where the footer says they matter), row group by row
 * group, and mapping each row to its grid index by name, through per-dim coordinate maps.
 */
import type * as Arrow from 'apache-arrow';
import { arrow } from '../dataset/_arrow-lib.js';
import { CoordIndex, strideOf } from '../dataset/keys.js';
import { fromArrowData, unpackBits } from '../dataset/arrow.js';
import { dimType, type DatasetMeta } from '../dataset/meta.js';
import type { ColumnData, ElemType } from '../execute/columns.js';
import type { Grid } from '../space/grid.js';
import { isCombosGrid } from '../space/space-spec.js';
import { scalarAt } from '../dataset/cell.js';
import type { Scalar } from '../space/values.js';
import { FINGERPRINTS_KEY, parseFingerprintSummary } from '../store/fingerprints.js';
import { openChunkReader } from '../store/column-chunks.js';
import type { FileStamp, ParquetFooter } from '../store/parquet-footer.js';

/** No row for the case. */
export const ABSENT = 0;
/** A result (whatever its values: NaN and null are results). */
export const PRESENT = 1;
/** A recorded failure (`onError: 'record'`): counts as missing. */
export const FAILED = 2;
/** A result made by another version of the function. */
export const STALE = 3;

/** Rows of the file made by another version of the function. */
export interface StaleRows {
  /** How many (in the whole file). */
  count: number;
  /** The keys of the first few, aligned with the file's dims. */
  readonly examples: Scalar[][];
  /** The fingerprints they carry. */
  readonly fingerprints: Set<string>;
}

/** The status of every case of a grid, and which row groups of the file it reflects. */
export class GridStatus {
  /** One code per case: ABSENT, PRESENT, FAILED or STALE. */
  codes: Uint8Array;
  /** Signatures of the row groups already read. */
  readonly seen = new Set<string>();
  /** The file as last read or written (null: no file). */
  stamp: FileStamp | null = null;
  /** The number of rows of the file as last read or written. */
  fileRows = 0;
  /** Stale rows met so far. */
  readonly stale: StaleRows = { count: 0, examples: [], fingerprints: new Set() };

  /** @param size - the number of cases in the grid */
  constructor(readonly size: number) {
    this.codes = new Uint8Array(size);
  }

  /** Forgets everything (the file was deleted). */
  reset(): void {
    this.codes = new Uint8Array(this.size);
    this.seen.clear();
    this.stale.count = 0;
    this.stale.examples.length = 0;
    this.stale.fingerprints.clear();
  }

  /** How many cases have each code. */
  counts(): Record<'absent' | 'present' | 'failed' | 'stale', number> {
    const c = [0, 0, 0, 0];
    for (const x of this.codes) c[x]!++;
    return { absent: c[ABSENT]!, present: c[PRESENT]!, failed: c[FAILED]!, stale: c[STALE]! };
  }
}

/**
 * Maps rows (by their dim values, by name) to indices of a grid. A cases × combos grid maps
 * through per-dim coordinate tables; any other space looks each row up by value.
 */
export class GridLocator {
  private readonly combo: { name: string; index: CoordIndex; radix: number }[] = [];
  private readonly caseDims: { name: string; index: CoordIndex }[] = [];
  private readonly caseStrides: number[] = [];
  private readonly caseRow = new Map<number, number>();
  private readonly comboSize: number = 1;
  private readonly general: Grid | null = null;

  /** @param grid - the grid of the harvest */
  constructor(grid: Grid) {
    const spec = grid.spec;
    if (!isCombosGrid(spec)) {
      this.general = grid;
      return;
    }
    const info = grid.dimInfo();
    const typeOf = (name: string): ElemType => dimType(info.find((d) => d.name === name)!.kind);
    const radix = strideOf(spec.comboValues.map((v) => v.length));
    spec.comboNames.forEach((name, j) => this.combo.push({ name, index: new CoordIndex(typeOf(name), spec.comboValues[j]!), radix: radix[j]! }));
    this.comboSize = spec.comboValues.reduce((s, v) => s * v.length, 1);
    if (spec.cases !== null) {
      spec.caseNames.forEach((name, k) => this.caseDims.push({ name, index: new CoordIndex(typeOf(name), info[k]!.coords) }));
      this.caseStrides.push(...strideOf(this.caseDims.map((c) => c.index.size)));
      spec.cases.forEach((row, i) => {
        let key = 0;
        row.forEach((v, k) => (key += this.caseDims[k]!.index.indexOf(v) * this.caseStrides[k]!));
        this.caseRow.set(key, i);
      });
    }
  }

  /**
   * The grid index of every row, -1 for rows outside the grid.
   *
   * @param columns - the dim columns, by name
   * @param n - the number of rows
   */
  locate(columns: ReadonlyMap<string, ColumnData>, n: number): Int32Array {
    if (this.general !== null) return locateByValue(this.general, columns, n);
    const out = new Int32Array(n);
    const part = new Int32Array(n);
    for (const c of this.combo) {
      c.index.mapColumn(columns.get(c.name)!, part);
      const radix = c.radix;
      for (let r = 0; r < n; r++) {
        const p = part[r]!;
        const g = out[r]!;
        out[r] = p < 0 || g < 0 ? -1 : g + p * radix;
      }
    }
    if (this.caseDims.length === 0) return out;
    const key = new Float64Array(n);
    this.caseDims.forEach((c, k) => {
      c.index.mapColumn(columns.get(c.name)!, part);
      const stride = this.caseStrides[k]!;
      for (let r = 0; r < n; r++) {
        const p = part[r]!;
        key[r] = p < 0 || key[r]! < 0 ? -1 : key[r]! + p * stride;
      }
    });
    for (let r = 0; r < n; r++) {
      const row = out[r]! < 0 || key[r]! < 0 ? undefined : this.caseRow.get(key[r]!);
      out[r] = row === undefined ? -1 : out[r]! + row * this.comboSize;
    }
    return out;
  }
}

/** The grid index of every row, looking each up by its values (any space). */
function locateByValue(grid: Grid, columns: ReadonlyMap<string, ColumnData>, n: number): Int32Array {
  const cols = grid.dims.map((d) => columns.get(d)!);
  const values = new Array<Scalar>(cols.length);
  const out = new Int32Array(n);
  for (let r = 0; r < n; r++) {
    for (let k = 0; k < cols.length; k++) {
      const c = cols[k]!;
      values[k] = c.valid !== null && c.valid[r] === 0 ? null : scalarAt(c.values, c.type, r);
    }
    out[r] = grid.indexOf(values);
  }
  return out;
}

/** What the scan needs to know about the file and the function. */
export interface ScanInput {
  readonly path: string;
  readonly footer: ParquetFooter;
  readonly meta: DatasetMeta;
  /** The fingerprint of the function harvesting now. */
  readonly fingerprint: string;
}

/**
 * Reads the row groups of the file not yet seen and records, for each case of the grid, what
 * the file holds.
 *
 * @param input - the file and the current fingerprint
 * @param locator - maps rows to grid indices
 * @param status - updated in place
 */
export async function scanRowGroups(input: ScanInput, locator: GridLocator, status: GridStatus): Promise<void> {
  const { footer, meta } = input;
  const groups = new Set(footer.rowGroups.map((g) => g.signature));
  // a row group read before is gone: the file was rewritten (rows may have been removed), so read it all again
  if ([...status.seen].some((sig) => !groups.has(sig))) status.reset();
  const todo = footer.rowGroups.map((rg, g) => ({ rg, g })).filter(({ rg }) => !status.seen.has(rg.signature));
  if (todo.length === 0) return;
  const staleWhole = meta.fingerprintColumn == null && meta.fingerprint !== null && meta.fingerprint !== input.fingerprint;
  const summary = parseFingerprintSummary(footer.keyValue.get(FINGERPRINTS_KEY));
  const fpColumn = meta.fingerprintColumn ?? null;
  const readFingerprints = fpColumn !== null && (summary === null || Object.keys(summary).some((k) => k !== input.fingerprint && summary[k]! > 0));
  const reader = await openChunkReader(input.path, footer);
  try {
    for (const { rg, g } of todo) {
      const columns = meta.dims.map((d) => d.name);
      const errCol = meta.errorColumn;
      const errChunk = errCol === null ? undefined : rg.columns.get(errCol);
      const readErrors = errCol !== null && (errChunk?.nullCount ?? -1) !== rg.numRows;
      if (readErrors) columns.push(errCol);
      if (readFingerprints) columns.push(fpColumn);
      const table = await reader.read(g, columns);
      const n = table.numRows;
      const dimCols = meta.dims.map((d) => fromArrowData(table.getChild(d.name)!.data as Arrow.Data[], d.type, 'scalar', 0));
      const at = locator.locate(new Map(meta.dims.map((d, k) => [d.name, dimCols[k]!])), n);
      const failed = readErrors ? validity(table.getChild(errCol)!) : null;
      const stale = readFingerprints ? staleRows(table.getChild(fpColumn)!, input.fingerprint) : null;
      const codes = status.codes;
      if (failed === null && stale === null && !staleWhole) {
        for (let r = 0; r < n; r++) {
          const gi = at[r]!;
          if (gi >= 0) codes[gi] = PRESENT;
        }
        status.seen.add(rg.signature);
        continue;
      }
      for (let r = 0; r < n; r++) {
        const isStale = staleWhole || (stale !== null && stale.flags[r] === 1);
        if (isStale && (failed === null || failed[r] === 0)) noteStale(status.stale, dimCols, r, staleWhole ? meta.fingerprint : stale!.names[r]!);
        const gi = at[r]!;
        if (gi < 0) continue;
        codes[gi] = failed !== null && failed[r] === 1 ? FAILED : isStale ? STALE : PRESENT;
      }
      status.seen.add(rg.signature);
    }
  } finally {
    await reader.close();
  }
}

/** Per row, 1 where the column holds a value (for `_error`: a failure). */
function validity(vec: Arrow.Vector): Uint8Array {
  const out = new Uint8Array(vec.length);
  let at = 0;
  for (const d of vec.data as Arrow.Data[]) {
    if (d.nullCount === 0) out.fill(1, at, at + d.length);
    else if (d.nullCount < d.length) out.set(unpackBits(d.nullBitmap, d.offset, d.length), at);
    at += d.length;
  }
  return out;
}

/** Per row, 1 where the row's fingerprint is set and differs from the current one. */
function staleRows(vec: Arrow.Vector, current: string): { flags: Uint8Array; names: (string | null)[] } {
  const flags = new Uint8Array(vec.length);
  const names = new Array<string | null>(vec.length).fill(null);
  const valid = validity(vec);
  let at = 0;
  for (const d of vec.data as Arrow.Data[]) {
    if (d.type instanceof arrow.Dictionary) {
      const dict = d.dictionary!;
      const words = Array.from({ length: dict.length }, (_, k) => dict.get(k) as string | null);
      const indices = d.values as Int32Array;
      for (let r = 0; r < d.length; r++) {
        const w = words[indices[d.offset + r]!] ?? null;
        if (valid[at + r] === 1 && w !== null && w !== current) {
          flags[at + r] = 1;
          names[at + r] = w;
        }
      }
    } else textDiffers(d, current, valid.subarray(at, at + d.length), flags.subarray(at, at + d.length), names, at);
    at += d.length;
  }
  return { flags, names };
}

/**
 * For plain utf8 data: flags rows whose text differs from `current`, comparing bytes (no string
 * is made for rows equal to it, and one per run of equal stale values).
 */
function textDiffers(d: Arrow.Data, current: string, valid: Uint8Array, flags: Uint8Array, names: (string | null)[], at: number): void {
  const want = new TextEncoder().encode(current);
  const offsets = d.valueOffsets as Int32Array;
  const bytes = d.values as Uint8Array;
  let lastFrom = -1;
  let lastTo = -1;
  let lastName: string | null = null;
  for (let r = 0; r < d.length; r++) {
    if (valid[r] === 0) continue;
    const from = offsets[d.offset + r]!;
    const to = offsets[d.offset + r + 1]!;
    if (sameBytes(bytes, from, to, want, 0, want.length)) continue;
    flags[r] = 1;
    if (lastName === null || !sameBytes(bytes, from, to, bytes, lastFrom, lastTo)) {
      lastName = new TextDecoder().decode(bytes.subarray(from, to));
      lastFrom = from;
      lastTo = to;
    }
    names[at + r] = lastName;
  }
}

function sameBytes(a: Uint8Array, aFrom: number, aTo: number, b: Uint8Array, bFrom: number, bTo: number): boolean {
  if (aTo - aFrom !== bTo - bFrom) return false;
  for (let k = 0; k < aTo - aFrom; k++) if (a[aFrom + k] !== b[bFrom + k]) return false;
  return true;
}

function noteStale(stale: StaleRows, dimCols: readonly ColumnData[], r: number, fingerprint: string): void {
  stale.count++;
  stale.fingerprints.add(fingerprint);
  if (stale.examples.length < 3) stale.examples.push(dimCols.map((c) => (c.valid !== null && c.valid[r] === 0 ? null : scalarAt(c.values, c.type, r))));
}
