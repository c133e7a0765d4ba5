/**
 * Checks each result of the labelled function against the declared outputs and gathers it into
 * columns: one {@link ColumnData} per variable.
 */
import { HarvestryError } from '../errors.js';
import { isPlainObject } from '../space/combos.js';
import { isWellFormed, kindOf, loneSurrogate, loneSurrogateRule, showNames, showValue } from '../space/values.js';
import { allocValues, describe, type ColumnData, type Container, type ElemType, type Values } from './columns.js';

/** What the function's results must look like. */
export interface OutputSpec {
  /** The output names; `null` when the function returns a record of named outputs. */
  readonly varNames: readonly string[] | null;
  /** The internal dims of each variable (missing = none). */
  readonly varDims: Readonly<Record<string, readonly string[]>>;
  /** The size of each internal dim whose coords are known. */
  readonly dimSizes: Readonly<Record<string, number>>;
}

/** The hint of messages about a result that is undefined. */
const MISSING_RETURN = ' (undefined most often means the function, or one of its branches, ends without `return`.)';

const INT64_MIN = -(2n ** 63n);
const INT64_MAX = 2n ** 63n - 1n;

const TYPED: ReadonlyMap<unknown, [ElemType, Container]> = new Map<unknown, [ElemType, Container]>([
  [Float64Array, ['float64', 'Float64Array']],
  [Float32Array, ['float32', 'Float32Array']],
  [Int8Array, ['int8', 'Int8Array']],
  [Int16Array, ['int16', 'Int16Array']],
  [Int32Array, ['int32', 'Int32Array']],
  [Uint8Array, ['uint8', 'Uint8Array']],
  [Uint8ClampedArray, ['uint8', 'Uint8ClampedArray']],
  [Uint16Array, ['uint16', 'Uint16Array']],
  [Uint32Array, ['uint32', 'Uint32Array']],
  [BigInt64Array, ['int64', 'BigInt64Array']],
  [BigUint64Array, ['uint64', 'BigUint64Array']],
]);

/**
 * Gathers the results of up to `capacity` cases into columns. Row `r` is the r-th case of
 * the chunk; rows never given a result (failed cases) are null.
 */
export class ResultCollector {
  private readonly spec: OutputSpec;
  private readonly capacity: number;
  private readonly records: boolean;
  private names: readonly string[] | null;
  private vars: VarCollector[] | null;

  /**
   * @param spec - the declared outputs
   * @param capacity - the most rows this collector will hold
   */
  constructor(spec: OutputSpec, capacity: number) {
    this.spec = spec;
    this.capacity = capacity;
    this.records = spec.varNames === null;
    this.names = spec.varNames;
    this.vars = spec.varNames === null ? null : spec.varNames.map((n) => this.varCollector(n));
  }

  /** The output names (known once the first record result arrived, for `varNames: null`). */
  get varNames(): readonly string[] | null {
    return this.names;
  }

  /**
   * Checks one result and stores it as row `row`.
   *
   * @param row - the row within this collector
   * @param result - what the function returned (awaited)
   * @param showCase - describes the case, for messages
   */
  add(row: number, result: unknown, showCase: () => string): void {
    if (this.records) {
      this.addRecord(row, result, showCase);
      return;
    }
    const names = this.names!;
    const vars = this.vars!;
    if (vars.length === 1) {
      vars[0]!.add(row, result, showCase);
      return;
    }
    if (!Array.isArray(result) || result.length !== vars.length) {
      const got = Array.isArray(result) ? `a tuple of ${result.length}` : showValue(result);
      throw new HarvestryError(
        'E_RESULT_SHAPE',
        `The case ${showCase()} returned ${got}, but \`varNames\` declares ${vars.length} outputs (${showNames(names)}). Return a tuple with one value per var name, in that order.${result === undefined ? MISSING_RETURN : ''}`,
      );
    }
    for (let i = 0; i < vars.length; i++) vars[i]!.add(row, result[i], showCase);
  }

  private addRecord(row: number, result: unknown, showCase: () => string): void {
    if (!isPlainObject(result)) {
      throw new HarvestryError(
        'E_RESULT_SHAPE',
        `The case ${showCase()} returned ${showValue(result)}, but \`varNames: null\` means the function returns a record of named outputs, like { energy: 1.5, steps: 10 }.${result === undefined ? MISSING_RETURN : ''}`,
      );
    }
    if (this.vars === null) {
      const keys = Object.keys(result);
      if (keys.length === 0) {
        throw new HarvestryError('E_RESULT_SHAPE', `The case ${showCase()} returned an empty record; with \`varNames: null\` it must name at least one output.`);
      }
      const unknownDims = Object.keys(this.spec.varDims).filter((k) => !keys.includes(k));
      if (unknownDims.length > 0) {
        throw new HarvestryError(
          'E_RESULT_SHAPE',
          `\`varDims\` names ${showNames(unknownDims)}, but the case ${showCase()} returned a record without ${unknownDims.length === 1 ? 'it' : 'them'} (keys: ${keys.join(', ')}). Make the names agree.`,
        );
      }
      this.names = keys;
      this.vars = keys.map((k) => this.varCollector(k));
    }
    const names = this.names!;
    const keys = Object.keys(result);
    if (keys.length !== names.length || keys.some((k) => !names.includes(k))) {
      throw new HarvestryError(
        'E_RESULT_SHAPE',
        `The case ${showCase()} returned a record with keys ${keys.join(', ')}, but earlier cases returned ${names.join(', ')}. Every case must return the same outputs.`,
      );
    }
    const vars = this.vars;
    for (let i = 0; i < vars.length; i++) vars[i]!.add(row, result[names[i]!], showCase);
  }

  /**
   * Returns the columns of the first `length` rows, by variable name (an empty record when
   * no result ever arrived for `varNames: null`).
   */
  finish(length: number): Record<string, ColumnData> {
    const out: Record<string, ColumnData> = {};
    for (const v of this.vars ?? []) out[v.name] = v.finish(length);
    return out;
  }

  private varCollector(name: string): VarCollector {
    const dims = this.spec.varDims[name] ?? [];
    return new VarCollector(name, dims, dims.map((d) => this.spec.dimSizes[d] ?? null), this.capacity);
  }
}

/** Collects one variable. */
class VarCollector {
  readonly name: string;
  private readonly dims: readonly string[];
  private readonly shape: readonly (number | null)[];
  private readonly capacity: number;
  private type: ElemType = 'null';
  private container: Container;
  private values: Values | null = null;
  private readonly valid: Uint8Array;
  private readonly rows: unknown[] | null;

  constructor(name: string, dims: readonly string[], shape: readonly (number | null)[], capacity: number) {
    this.name = name;
    this.dims = dims;
    this.shape = shape;
    this.capacity = capacity;
    this.container = dims.length === 0 ? 'scalar' : 'array';
    this.valid = new Uint8Array(capacity);
    this.rows = dims.length === 0 ? null : new Array<unknown>(capacity);
  }

  add(row: number, v: unknown, showCase: () => string): void {
    if (this.rows === null) this.addScalar(row, v, showCase);
    else this.addList(row, v, showCase);
  }

  private addScalar(row: number, v: unknown, showCase: () => string): void {
    if (typeof v === 'number' && this.type === 'float64') {
      (this.values as Float64Array)[row] = v;
      this.valid[row] = 1;
      return;
    }
    if (v === null) return;
    if (v === undefined) throw this.undefinedResult(showCase);
    const type = scalarType(v);
    if (type === undefined) throw this.unsupported(v, showCase);
    this.settle(type, 'scalar', showCase, v);
    this.values ??= allocValues(this.type, this.capacity);
    storeScalar(this.values, row, v, type);
    this.valid[row] = 1;
  }

  private addList(row: number, v: unknown, showCase: () => string): void {
    if (v === null) return;
    if (v === undefined) throw this.undefinedResult(showCase);
    const seen = { type: 'null' as ElemType, container: 'array' as Container };
    this.walk(v, 0, seen, showCase);
    if (seen.type !== 'null' || seen.container !== 'array') this.settle(seen.type, seen.container, showCase, v);
    this.rows![row] = v;
    this.valid[row] = 1;
  }

  private walk(v: unknown, level: number, seen: { type: ElemType; container: Container }, showCase: () => string): void {
    const want = this.shape[level] ?? null;
    const inner = level === this.dims.length - 1;
    const typed = ArrayBuffer.isView(v) ? TYPED.get(v.constructor) : undefined;
    if (!Array.isArray(v) && typed === undefined) {
      throw new HarvestryError(
        'E_RESULT_SHAPE',
        `The case ${showCase()} returned ${showValue(v)} for \`${this.name}\` at dim \`${this.dims[level]!}\`, but \`${this.name}\` has internal dims ${showNames(this.dims)}: it must be ${this.dims.length > 1 ? 'a nested array' : 'an array or typed array'}, one level per dim.`,
      );
    }
    const len = (v as ArrayLike<unknown>).length;
    if (want !== null && len !== want) {
      throw new HarvestryError(
        'E_RESULT_SHAPE',
        `The case ${showCase()} returned ${len} values for \`${this.name}\` along \`${this.dims[level]!}\`, but \`${this.dims[level]!}\` has ${want} coords. Return ${want} values, or change the coords.`,
      );
    }
    if (!inner) {
      if (typed !== undefined) {
        throw new HarvestryError(
          'E_RESULT_SHAPE',
          `The case ${showCase()} returned a typed array for \`${this.name}\` at dim \`${this.dims[level]!}\`, but ${this.dims.length - level} more dims follow: nest one array per dim.`,
        );
      }
      for (const item of v as unknown[]) this.walk(item, level + 1, seen, showCase);
      return;
    }
    if (typed !== undefined) {
      this.mergeSeen(seen, typed[0], typed[1], showCase);
      return;
    }
    for (const x of v as unknown[]) {
      if (x === null) continue;
      const t = scalarType(x);
      if (t === undefined) throw this.unsupported(x, showCase);
      this.mergeSeen(seen, t, 'array', showCase);
    }
  }

  private mergeSeen(seen: { type: ElemType; container: Container }, type: ElemType, container: Container, showCase: () => string): void {
    if (seen.type === 'null' && seen.container === 'array') {
      seen.type = type;
      seen.container = container;
    } else if (seen.type !== type || seen.container !== container) {
      throw new HarvestryError(
        'E_RESULT_TYPE',
        `The case ${showCase()} returned \`${this.name}\` with ${type} elements (${container}) beside ${seen.type} elements (${seen.container}). All elements of a variable must have one type.`,
      );
    }
  }

  private settle(type: ElemType, container: Container, showCase: () => string, v: unknown): void {
    if (this.type === type && this.container === container) return;
    if (this.type === 'null' && (this.container === 'scalar' || this.container === 'array')) {
      this.type = type;
      this.container = container;
      return;
    }
    const was = describe({ type: this.type, container: this.container, size: null, depth: this.dims.length });
    throw new HarvestryError(
      'E_RESULT_TYPE',
      `The case ${showCase()} returned ${showValue(v)} for \`${this.name}\`, but earlier cases returned ${was}. A variable must have one type in every case.`,
    );
  }

  /** A result that is undefined: most often a function that ends without `return`. */
  private undefinedResult(showCase: () => string): HarvestryError {
    return new HarvestryError(
      'E_RESULT_SHAPE',
      `The case ${showCase()} returned undefined for \`${this.name}\`: undefined is not a value (most often the function, or one of its branches, ends without \`return\`). Return the result, or null to say "no value".`,
    );
  }

  private unsupported(v: unknown, showCase: () => string): HarvestryError {
    if (v === undefined) return this.undefinedResult(showCase);
    const unit = typeof v === 'string' ? loneSurrogate(v) : null;
    if (unit !== null) return new HarvestryError('E_UNSUPPORTED_VALUE', `The case ${showCase()} returned ${showValue(v)} for \`${this.name}\`, ${loneSurrogateRule(unit)}.`);
    const hint =
      Array.isArray(v) || ArrayBuffer.isView(v)
        ? ` \`${this.name}\` has no internal dims: declare them in \`varDims\` (for example varDims: { ${this.name}: ['t'] }), or if the function returns several outputs, list them all in \`varNames\`.`
        : ' Outputs must be numbers, bigints (int64), booleans, strings, Dates or null, or arrays of them for variables with internal dims.';
    return new HarvestryError('E_UNSUPPORTED_VALUE', `The case ${showCase()} returned ${showValue(v)} for \`${this.name}\`, which cannot be stored.${hint}`);
  }

  finish(length: number): ColumnData {
    const depth = this.dims.length;
    const valid = allValid(this.valid, length) ? null : this.valid.slice(0, length);
    if (depth === 0) {
      const values = this.values === null ? allocValues(this.type, length) : sliceValues(this.values, length);
      return { type: this.type, container: 'scalar', length, valid, values, elemValid: null, size: null, offsets: null, depth };
    }
    const fixed = this.shape.every((s) => s !== null);
    return fixed ? this.finishFixed(length, valid) : this.finishRagged(length, valid);
  }

  private finishFixed(length: number, valid: Uint8Array | null): ColumnData {
    const size = (this.shape as number[]).reduce((a, b) => a * b, 1);
    const out = new LeafWriter(this.type, length * size);
    for (let r = 0; r < length; r++) {
      if (this.valid[r] === 0) continue;
      let at = r * size;
      forEachLeaf(this.rows![r], this.dims.length, (leaf) => (at = out.write(leaf, at)));
    }
    const { values, elemValid } = out;
    return { type: this.type, container: this.container, length, valid, values, elemValid, size, offsets: null, depth: this.dims.length };
  }

  private finishRagged(length: number, valid: Uint8Array | null): ColumnData {
    const depth = this.dims.length;
    const offsets: number[][] = Array.from({ length: depth }, () => [0]);
    const leaves: unknown[] = [];
    for (let r = 0; r < length; r++) {
      if (this.valid[r] === 0) {
        offsets[0]!.push(offsets[0]![offsets[0]!.length - 1]!);
        continue;
      }
      pushRagged(this.rows![r], 0, depth, offsets, leaves);
    }
    const total = offsets[depth - 1]![offsets[depth - 1]!.length - 1]!;
    const out = new LeafWriter(this.type, total);
    let at = 0;
    for (const leaf of leaves) at = out.write(leaf, at);
    const { values, elemValid } = out;
    return {
      type: this.type,
      container: this.container,
      length,
      valid,
      values,
      elemValid,
      size: null,
      offsets: offsets.map((o) => Int32Array.from(o)),
      depth,
    };
  }
}

/** Writes the innermost arrays of list values into flat storage, noting null elements. */
class LeafWriter {
  readonly values: Values;
  elemValid: Uint8Array | null = null;
  private readonly type: ElemType;

  constructor(type: ElemType, total: number) {
    this.type = type;
    this.values = allocValues(type, total);
  }

  /** Writes one leaf (a typed array or an array of scalars) at `at`; returns the next position. */
  write(leaf: unknown, at: number): number {
    if (ArrayBuffer.isView(leaf)) {
      (this.values as Float64Array).set(leaf as unknown as Float64Array, at);
      return at + (leaf as unknown as ArrayLike<unknown>).length;
    }
    for (const x of leaf as unknown[]) {
      if (x === null) {
        this.elemValid ??= new Uint8Array(this.values.length).fill(1);
        this.elemValid[at] = 0;
      } else storeScalar(this.values, at, x, this.type);
      at++;
    }
    return at;
  }
}

/** The storage type of a scalar output value, or undefined when it cannot be stored. */
function scalarType(v: unknown): ElemType | undefined {
  switch (kindOf(v)) {
    case 'number':
      return 'float64';
    case 'bigint':
      return (v as bigint) >= INT64_MIN && (v as bigint) <= INT64_MAX ? 'int64' : undefined;
    case 'boolean':
      return 'bool';
    case 'string':
      return isWellFormed(v as string) ? 'utf8' : undefined;
    case 'date':
      return Number.isNaN((v as Date).getTime()) ? undefined : 'date';
    default:
      return undefined;
  }
}

function storeScalar(values: Values, at: number, v: unknown, type: ElemType): void {
  if (type === 'date') (values as Float64Array)[at] = (v as Date).getTime();
  else if (type === 'bool') (values as Uint8Array)[at] = v === true ? 1 : 0;
  else (values as unknown[])[at] = v;
}

function forEachLeaf(v: unknown, depth: number, fn: (leaf: unknown) => void): void {
  if (depth === 1) fn(v);
  else for (const item of v as unknown[]) forEachLeaf(item, depth - 1, fn);
}

function pushRagged(v: unknown, level: number, depth: number, offsets: number[][], leaves: unknown[]): void {
  const off = offsets[level]!;
  const len = (v as ArrayLike<unknown>).length;
  off.push(off[off.length - 1]! + len);
  if (level === depth - 1) leaves.push(v);
  else for (const item of v as unknown[]) pushRagged(item, level + 1, depth, offsets, leaves);
}

function allValid(valid: Uint8Array, length: number): boolean {
  for (let i = 0; i < length; i++) if (valid[i] === 0) return false;
  return true;
}

function sliceValues(values: Values, length: number): Values {
  return values.length === length ? values : values.slice(0, length);
}
