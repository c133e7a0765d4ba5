/**
 * Reading a few flat columns of one row group of a Parquet file without reading the rest of
 * the file: their column chunks are read at their offsets and framed as a small Parquet file
 * of their own (the chunks, and a footer listing only them), which is then decoded. Memory and
 * time grow with the chunks read, not with the file.
 */
import { open, type FileHandle } from 'node:fs/promises';
import type * as arrow from 'apache-arrow';
import { HarvestryError } from '../errors.js';
import { decodeParquetSync, type RowRange } from './parquet.js';
import { asStruct, i64, listItems, type ParquetFooter } from './parquet-footer.js';
import { cloneThrift, encodeThrift, field, setField, type ThriftStruct, type ThriftValue } from './thrift.js';

/** An open Parquet file to read column chunks from. */
export interface ChunkReader {
  /**
   * Reads some flat top-level columns of one row group.
   *
   * @param rowGroup - the row group's index
   * @param columns - the column names
   * @param rows - only these rows of the row group (counted from its first), when given
   */
  read(rowGroup: number, columns: readonly string[], rows?: RowRange): Promise<arrow.Table>;
  /** Closes the file. */
  close(): Promise<void>;
}

/**
 * Opens a Parquet file for reading column chunks.
 *
 * @param path - the file
 * @param footer - its footer
 */
export async function openChunkReader(path: string, footer: ParquetFooter): Promise<ChunkReader> {
  const fh = await open(path, 'r');
  return {
    async read(rowGroup, columns, rows) {
      const bytes = await frameChunks(fh, footer, rowGroup, columns, path);
      try {
        return decodeParquetSync(bytes, undefined, rows);
      } catch (err) {
        throw new HarvestryError('E_CORRUPT_FILE', `${path} cannot be read as a dataset: row group ${rowGroup} does not decode (${(err as Error).message}).`, { cause: err, details: { path } });
      }
    },
    async close() {
      await fh.close();
    },
  };
}

/** The chunks of `columns` in row group `g`, framed as a Parquet file of their own. */
async function frameChunks(fh: FileHandle, footer: ParquetFooter, g: number, columns: readonly string[], path: string): Promise<Uint8Array> {
  const rg = asStruct(listItems(field(footer.meta, 4))[g]);
  const chunks = listItems(field(rg, 1)).map(asStruct);
  const picked: { chunk: ThriftStruct; start: number; length: number }[] = [];
  for (const name of columns) {
    const chunk = chunks.find((c) => {
      const names = listItems(field(asStruct(field(c, 3)), 3));
      return names.length === 1 && names[0]?.t === 'binary' && new TextDecoder().decode(names[0].v) === name;
    });
    if (chunk === undefined) throw new HarvestryError('E_CORRUPT_FILE', `${path} has no flat column \`${name}\` in row group ${g}, though its labels list it.`, { details: { path } });
    const md = asStruct(field(chunk, 3));
    const start = Number(i64(field(md, 11) ?? field(md, 9)));
    picked.push({ chunk, start, length: Number(i64(field(md, 7))) });
  }
  const parts: Uint8Array[] = [new Uint8Array([0x50, 0x41, 0x52, 0x31])];
  let at = 4;
  const newChunks: ThriftValue[] = [];
  for (const p of picked) {
    const data = new Uint8Array(p.length);
    const { bytesRead } = await fh.read(data, 0, p.length, p.start);
    if (bytesRead !== p.length) throw new HarvestryError('E_CORRUPT_FILE', `${path} ends inside a column chunk of row group ${g}: it was cut short.`, { details: { path } });
    parts.push(data);
    const chunk = cloneThrift(p.chunk);
    for (const id of [4, 5, 6, 7]) setField(chunk, id, undefined);
    const md = asStruct(field(chunk, 3));
    const shift = BigInt(at - p.start);
    for (const id of [9, 11]) {
      const v = field(md, id);
      if (v !== undefined) setField(md, id, { t: 'i64', v: i64(v) + shift });
    }
    for (const id of [10, 14, 15]) setField(md, id, undefined);
    newChunks.push(chunk);
    at += p.length;
  }
  const group: ThriftStruct = { t: 'struct', fields: [] };
  setField(group, 1, { t: 'list', elem: 12, items: newChunks });
  setField(group, 2, field(rg, 2) ?? { t: 'i64', v: 0n });
  setField(group, 3, field(rg, 3) ?? { t: 'i64', v: 0n });
  const meta: ThriftStruct = { t: 'struct', fields: [] };
  setField(meta, 1, field(footer.meta, 1) ?? { t: 'i32', v: 1 });
  setField(meta, 2, { t: 'list', elem: 12, items: pickSchema(listItems(field(footer.meta, 2)), columns) });
  setField(meta, 3, field(rg, 3) ?? { t: 'i64', v: 0n });
  setField(meta, 4, { t: 'list', elem: 12, items: [group] });
  const footerBytes = encodeThrift(meta);
  const trailer = new Uint8Array(8);
  new DataView(trailer.buffer).setUint32(0, footerBytes.length, true);
  trailer.set([0x50, 0x41, 0x52, 0x31], 4);
  parts.push(footerBytes, trailer);
  const out = new Uint8Array(parts.reduce((s, p) => s + p.length, 0));
  let pos = 0;
  for (const p of parts) {
    out.set(p, pos);
    pos += p.length;
  }
  return out;
}

/** The schema elements of a root with only the named flat top-level columns, in that order. */
function pickSchema(elements: readonly ThriftValue[], columns: readonly string[]): ThriftValue[] {
  const root = cloneThrift(asStruct(elements[0]));
  const top = new Map<string, ThriftStruct>();
  let i = 1;
  while (i < elements.length) {
    const el = asStruct(elements[i]);
    const name = field(el, 4);
    if (name?.t === 'binary') top.set(new TextDecoder().decode(name.v), el);
    i += 1 + descendants(elements, i);
  }
  setField(root, 5, { t: 'i32', v: columns.length });
  return [root, ...columns.map((c) => top.get(c)!)];
}

/** How many elements below element `i` of a flattened schema tree. */
function descendants(elements: readonly ThriftValue[], i: number): number {
  const n = Number(i64(field(asStruct(elements[i]), 5)));
  let count = 0;
  let at = i + 1;
  for (let k = 0; k < n; k++) {
    const below = descendants(elements, at);
    count += 1 + below;
    at += 1 + below;
  }
  return count;
}
