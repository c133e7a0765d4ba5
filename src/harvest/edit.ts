/**
 * Changing a dataset file as a whole, under its lock: adding a dim (`expandDims`), dropping
 * coordinate values (`dropSel`), deleting it (`deleteDs`). Each rewrite replaces the file
 * atomically and keeps the previous version as `<file>.bak`.
 */
import { readFile, rename, rm } from 'node:fs/promises';
import { HarvestryError } from '../errors.js';
import { columnNames, Dataset } from '../dataset/dataset.js';
import { dimType, type DatasetMeta } from '../dataset/meta.js';
import type { Selection } from '../dataset/select.js';
import { takeRows, type ColumnData } from '../execute/columns.js';
import { columnFromScalars } from '../dataset/cell.js';
import { CoordIndex } from '../dataset/keys.js';
import { checkScalar } from '../space/combos.js';
import { kindOf, showNames, showValue, type Scalar } from '../space/values.js';
import { decodeDataset, encodeDataset } from '../store/dataset-file.js';
import { withBackupHint } from '../store/dataset-labels.js';
import { withLock, type LockOptions } from '../store/lock.js';
import { backupPathOf, replaceFileBytes, stampOf } from '../store/replace.js';

/**
 * Adds a dim to the dataset file: every row gets `value` for it. The new dim comes first. An
 * attr of the same name (a former constant) is dropped: its value now lives in the dim.
 *
 * @param path - the file
 * @param name - the new dim
 * @param value - its value for every existing row
 * @param lock - lock options
 */
export async function expandDimsInFile(path: string, name: string, value: unknown, lock: LockOptions): Promise<void> {
  const v = checkScalar(value, `The value of the new dim \`${name}\``);
  await editFile(path, lock, 'expandDims()', (ds) => {
    if (typeof name !== 'string' || name === '') throw new HarvestryError('E_BAD_OPTION', `Expected the name of the new dim in expandDims() to be a non-empty string, got ${showValue(name)}.`);
    if (columnNames(ds.meta).includes(name)) {
      throw new HarvestryError('E_BAD_OPTION', `${path} already has a column \`${name}\` (its dims are ${showNames(ds.dims)}, its variables ${showNames(ds.varNames)}). Choose another name for the new dim.`);
    }
    const type = dimType(kindOf(v)!);
    const attrs = { ...ds.meta.attrs };
    delete attrs[name];
    const meta: DatasetMeta = { ...ds.meta, dims: [{ name, type, coords: [v] }, ...ds.meta.dims], attrs };
    const columns: Record<string, ColumnData> = { [name]: columnFromScalars(type, new Array<Scalar>(ds.numRows).fill(v)) };
    for (const c of columnNames(ds.meta)) columns[c] = ds.column(c);
    return Dataset.fromColumns(meta, columns);
  });
}

/**
 * Removes from the dataset file every row whose value of a named dim is one of the given
 * values; those values leave the dim's coords (as xarray's `drop_sel`).
 *
 * @param path - the file
 * @param selection - for each dim, a value or values to drop
 * @param lock - lock options
 * @returns the number of rows removed
 */
export async function dropSelInFile(path: string, selection: Selection, lock: LockOptions): Promise<number> {
  let dropped = 0;
  await editFile(path, lock, 'dropSel()', (ds) => {
    const drop = new Uint8Array(ds.numRows);
    let meta = ds.meta;
    for (const [name, want] of Object.entries(selection)) {
      const dim = meta.dims.find((d) => d.name === name);
      if (dim === undefined) throw new HarvestryError('E_UNKNOWN_DIM', `dropSel() got \`${name}\`, which is not a dim of ${path}; its dims are ${showNames(ds.dims)}.`);
      const values: readonly Scalar[] = Array.isArray(want) ? want : [want as Scalar];
      const index = new CoordIndex(dim.type, dim.coords);
      const gone = new Uint8Array(dim.coords.length);
      for (const x of values) {
        const at = index.indexOf(x);
        if (at < 0) throw new HarvestryError('E_NOT_FOUND', `dropSel() got ${showValue(x)} for \`${name}\`, but ${path} has no such value; its values are ${showValue(dim.coords)}.`, { details: { dim: name, value: x } });
        gone[at] = 1;
      }
      const pos = index.mapColumn(ds.column(name));
      for (let r = 0; r < ds.numRows; r++) if (pos[r]! >= 0 && gone[pos[r]!] === 1) drop[r] = 1;
      meta = { ...meta, dims: meta.dims.map((d) => (d === dim ? { ...d, coords: d.coords.filter((_, i) => gone[i] === 0) } : d)) };
    }
    const keep: number[] = [];
    for (let r = 0; r < ds.numRows; r++) if (drop[r] === 0) keep.push(r);
    dropped = ds.numRows - keep.length;
    const columns = Object.fromEntries(columnNames(meta).map((c) => [c, takeRows(ds.column(c), keep)]));
    return Dataset.fromColumns(meta, columns);
  });
  return dropped;
}

/**
 * Deletes the dataset file (and its `.bak`), or with `backup` moves it aside to
 * `<file>.BAK-YYYYmmdd-HHMMSS` first.
 *
 * @param path - the file
 * @param backup - keep a dated copy
 * @param lock - lock options
 * @returns the path of the dated copy, or null
 */
export async function deleteDataset(path: string, backup: boolean, lock: LockOptions): Promise<string | null> {
  return withLock(
    path,
    async () => {
      if ((await stampOf(path)) === null) return null;
      let kept: string | null = null;
      if (backup) {
        kept = `${path}.BAK-${stamp(new Date())}`;
        await rename(path, kept);
      } else await rm(path, { force: true });
      await rm(backupPathOf(path), { force: true });
      return kept;
    },
    lock,
  );
}

async function editFile(path: string, lock: LockOptions, where: string, change: (ds: Dataset) => Dataset): Promise<void> {
  await withLock(
    path,
    async () => {
      const before = await stampOf(path);
      if (before === null) throw new HarvestryError('E_NOT_FOUND', `${where} changes the dataset at ${path}, but there is no file there yet. Harvest into it first.`, { details: { path } });
      let ds: Dataset;
      try {
        ds = await decodeDataset(await readFile(path), path);
      } catch (err) {
        throw withBackupHint(err, path);
      }
      const next = change(ds);
      await replaceFileBytes(path, await encodeDataset(next, 'parquet'), before);
    },
    lock,
  );
}

function stamp(d: Date): string {
  const p = (n: number): string => String(n).padStart(2, '0');
  return `${d.getFullYear()}${p(d.getMonth() + 1)}${p(d.getDate())}-${p(d.getHours())}${p(d.getMinutes())}${p(d.getSeconds())}`;
}
