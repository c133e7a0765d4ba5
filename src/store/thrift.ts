/**
 * The Thrift compact protocol as generic, type-preserving trees of field ids: enough to read a
 * Parquet footer, change a few fields and write it back byte for byte the same elsewhere.
 * Every value keeps its wire type (i16 stays i16, an empty list keeps its element type), so
 * `encodeThrift(decodeThrift(bytes))` returns the same bytes. hyparquet's codec was weighed and
 * not used: it reads i8/i16/i32 into plain numbers and writes them all back as i32, which strict
 * readers skip as a type mismatch.
 */

/** Compact protocol wire types. */
export const TType = {
  TRUE: 1,
  FALSE: 2,
  BYTE: 3,
  I16: 4,
  I32: 5,
  I64: 6,
  DOUBLE: 7,
  BINARY: 8,
  LIST: 9,
  SET: 10,
  MAP: 11,
  STRUCT: 12,
} as const;

/** A Thrift value with its wire type. */
export type ThriftValue =
  | { readonly t: 'bool'; v: boolean }
  | { readonly t: 'i8' | 'i16' | 'i32'; v: number }
  | { readonly t: 'i64'; v: bigint }
  | { readonly t: 'double'; v: number }
  | { readonly t: 'binary'; v: Uint8Array }
  | { readonly t: 'list' | 'set'; elem: number; items: ThriftValue[] }
  | { readonly t: 'map'; key: number; val: number; entries: [ThriftValue, ThriftValue][] }
  | ThriftStruct;

/** A struct: its fields in wire order, each with its id. */
export interface ThriftStruct {
  readonly t: 'struct';
  fields: { id: number; value: ThriftValue }[];
}

/**
 * Decodes one struct from `bytes` at `offset`.
 *
 * @param bytes - the buffer
 * @param offset - where the struct starts
 * @returns the struct and the offset after it
 */
export function decodeThrift(bytes: Uint8Array, offset = 0): { value: ThriftStruct; end: number } {
  const r = new Reader(bytes, offset);
  const value = r.struct();
  return { value, end: r.pos };
}

/**
 * Encodes a struct.
 *
 * @param value - the struct
 * @returns its bytes
 */
export function encodeThrift(value: ThriftStruct): Uint8Array {
  const w = new Writer();
  w.struct(value);
  return w.finish();
}

/** The value of field `id` of a struct, or undefined. */
export function field(s: ThriftStruct, id: number): ThriftValue | undefined {
  for (const f of s.fields) if (f.id === id) return f.value;
  return undefined;
}

/** Sets field `id` of a struct (kept in ascending id order), or removes it when `value` is undefined. */
export function setField(s: ThriftStruct, id: number, value: ThriftValue | undefined): void {
  const at = s.fields.findIndex((f) => f.id === id);
  if (value === undefined) {
    if (at >= 0) s.fields.splice(at, 1);
    return;
  }
  if (at >= 0) {
    s.fields[at] = { id, value };
    return;
  }
  const before = s.fields.findIndex((f) => f.id > id);
  s.fields.splice(before < 0 ? s.fields.length : before, 0, { id, value });
}

/** A deep copy of a value (byte arrays are shared: they are never changed in place). */
export function cloneThrift<T extends ThriftValue>(v: T): T {
  switch (v.t) {
    case 'struct':
      return { t: 'struct', fields: v.fields.map((f) => ({ id: f.id, value: cloneThrift(f.value) })) } as T;
    case 'list':
    case 'set':
      return { t: v.t, elem: v.elem, items: v.items.map(cloneThrift) } as T;
    case 'map':
      return { t: 'map', key: v.key, val: v.val, entries: v.entries.map(([a, b]) => [cloneThrift(a), cloneThrift(b)]) } as T;
    default:
      return { ...v };
  }
}

class Reader {
  pos: number;
  private readonly view: DataView;

  constructor(
    private readonly bytes: Uint8Array,
    offset: number,
  ) {
    this.pos = offset;
    this.view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  }

  struct(): ThriftStruct {
    const fields: { id: number; value: ThriftValue }[] = [];
    let last = 0;
    for (;;) {
      const head = this.byte();
      const type = head & 0x0f;
      if (type === 0) break;
      const delta = head >> 4;
      const id = delta === 0 ? this.zigzag32() : last + delta;
      last = id;
      fields.push({ id, value: type === TType.TRUE || type === TType.FALSE ? { t: 'bool', v: type === TType.TRUE } : this.value(type) });
    }
    return { t: 'struct', fields };
  }

  private value(type: number): ThriftValue {
    switch (type) {
      case TType.TRUE:
      case TType.FALSE:
        return { t: 'bool', v: this.byte() === TType.TRUE };
      case TType.BYTE:
        return { t: 'i8', v: (this.byte() << 24) >> 24 };
      case TType.I16:
        return { t: 'i16', v: this.zigzag32() };
      case TType.I32:
        return { t: 'i32', v: this.zigzag32() };
      case TType.I64:
        return { t: 'i64', v: this.zigzag64() };
      case TType.DOUBLE: {
        this.need(8);
        const v = this.view.getFloat64(this.pos, true);
        this.pos += 8;
        return { t: 'double', v };
      }
      case TType.BINARY: {
        const n = this.varint();
        this.need(n);
        const v = this.bytes.subarray(this.pos, this.pos + n);
        this.pos += n;
        return { t: 'binary', v };
      }
      case TType.LIST:
      case TType.SET: {
        const head = this.byte();
        const elem = head & 0x0f;
        const n = head >> 4 === 15 ? this.varint() : head >> 4;
        const items: ThriftValue[] = [];
        for (let i = 0; i < n; i++) items.push(this.value(elem));
        return { t: type === TType.LIST ? 'list' : 'set', elem, items };
      }
      case TType.MAP: {
        const n = this.varint();
        const kinds = n === 0 ? 0 : this.byte();
        const key = kinds >> 4;
        const val = kinds & 0x0f;
        const entries: [ThriftValue, ThriftValue][] = [];
        for (let i = 0; i < n; i++) entries.push([this.value(key), this.value(val)]);
        return { t: 'map', key, val, entries };
      }
      case TType.STRUCT:
        return this.struct();
      default:
        throw new Error(`unknown Thrift compact type ${type} at byte ${this.pos}`);
    }
  }

  private need(n: number): void {
    if (this.pos + n > this.bytes.length) throw new Error(`Thrift data ends early: needs ${n} more bytes at byte ${this.pos} of ${this.bytes.length}`);
  }

  private byte(): number {
    this.need(1);
    return this.bytes[this.pos++]!;
  }

  private varint(): number {
    let out = 0;
    let mul = 1;
    for (;;) {
      const b = this.byte();
      out += (b & 0x7f) * mul;
      if ((b & 0x80) === 0) return out;
      mul *= 128;
      if (mul > 2 ** 49) throw new Error(`Thrift varint too long at byte ${this.pos}`);
    }
  }

  private zigzag32(): number {
    const n = this.varint();
    return n % 2 === 0 ? n / 2 : -(n + 1) / 2;
  }

  private zigzag64(): bigint {
    let out = 0n;
    let shift = 0n;
    for (;;) {
      const b = this.byte();
      out |= BigInt(b & 0x7f) << shift;
      if ((b & 0x80) === 0) break;
      shift += 7n;
      if (shift > 70n) throw new Error(`Thrift varint too long at byte ${this.pos}`);
    }
    return (out >> 1n) ^ -(out & 1n);
  }
}

class Writer {
  private buf = new Uint8Array(1024);
  private pos = 0;

  finish(): Uint8Array {
    return this.buf.slice(0, this.pos);
  }

  struct(s: ThriftStruct): void {
    let last = 0;
    for (const { id, value } of s.fields) {
      const type = value.t === 'bool' ? (value.v ? TType.TRUE : TType.FALSE) : wireType(value);
      const delta = id - last;
      if (delta > 0 && delta <= 15) this.byte((delta << 4) | type);
      else {
        this.byte(type);
        this.zigzag32(id);
      }
      last = id;
      if (value.t !== 'bool') this.value(value);
    }
    this.byte(0);
  }

  private value(v: ThriftValue): void {
    switch (v.t) {
      case 'bool':
        this.byte(v.v ? TType.TRUE : TType.FALSE);
        return;
      case 'i8':
        this.byte(v.v & 0xff);
        return;
      case 'i16':
      case 'i32':
        this.zigzag32(v.v);
        return;
      case 'i64':
        this.zigzag64(v.v);
        return;
      case 'double': {
        this.room(8);
        new DataView(this.buf.buffer).setFloat64(this.pos, v.v, true);
        this.pos += 8;
        return;
      }
      case 'binary':
        this.varint(v.v.length);
        this.room(v.v.length);
        this.buf.set(v.v, this.pos);
        this.pos += v.v.length;
        return;
      case 'list':
      case 'set':
        if (v.items.length < 15) this.byte((v.items.length << 4) | v.elem);
        else {
          this.byte(0xf0 | v.elem);
          this.varint(v.items.length);
        }
        for (const item of v.items) this.value(item);
        return;
      case 'map':
        this.varint(v.entries.length);
        if (v.entries.length > 0) this.byte((v.key << 4) | v.val);
        for (const [k, x] of v.entries) {
          this.value(k);
          this.value(x);
        }
        return;
      case 'struct':
        this.struct(v);
        return;
    }
  }

  private room(n: number): void {
    if (this.pos + n <= this.buf.length) return;
    const next = new Uint8Array(Math.max(this.buf.length * 2, this.pos + n));
    next.set(this.buf.subarray(0, this.pos));
    this.buf = next;
  }

  private byte(b: number): void {
    this.room(1);
    this.buf[this.pos++] = b;
  }

  private varint(n: number): void {
    let x = n;
    while (x >= 0x80) {
      this.byte((x % 128) | 0x80);
      x = Math.floor(x / 128);
    }
    this.byte(x);
  }

  private zigzag32(n: number): void {
    this.varint(n >= 0 ? n * 2 : -n * 2 - 1);
  }

  private zigzag64(n: bigint): void {
    let x = n >= 0n ? n << 1n : (-n << 1n) - 1n;
    while (x >= 0x80n) {
      this.byte(Number(x & 0x7fn) | 0x80);
      x >>= 7n;
    }
    this.byte(Number(x));
  }
}

function wireType(v: Exclude<ThriftValue, { t: 'bool' }>): number {
  switch (v.t) {
    case 'i8':
      return TType.BYTE;
    case 'i16':
      return TType.I16;
    case 'i32':
      return TType.I32;
    case 'i64':
      return TType.I64;
    case 'double':
      return TType.DOUBLE;
    case 'binary':
      return TType.BINARY;
    case 'list':
      return TType.LIST;
    case 'set':
      return TType.SET;
    case 'map':
      return TType.MAP;
    case 'struct':
      return TType.STRUCT;
  }
}
