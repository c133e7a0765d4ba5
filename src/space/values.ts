/**
 * The scalar values harvestry can key cases by and store: what each kind is, how to tell them
 * apart, compare them and show them in messages.
 */

/** A value a function argument (a dim) may take: number, bigint, boolean, string, Date or null. */
export type Scalar = number | bigint | boolean | string | Date | null;

/** The kind of a non-null {@link Scalar}. */
export type ScalarKind = 'number' | 'bigint' | 'boolean' | 'string' | 'date';

/** Returns the kind of a scalar, `'null'` for null, or `undefined` when `v` is not a scalar. */
export function kindOf(v: unknown): ScalarKind | 'null' | undefined {
  switch (typeof v) {
    case 'number':
      return 'number';
    case 'bigint':
      return 'bigint';
    case 'boolean':
      return 'boolean';
    case 'string':
      return 'string';
    case 'object':
      if (v === null) return 'null';
      if (v instanceof Date) return 'date';
      return undefined;
    default:
      return undefined;
  }
}

/**
 * The first lone surrogate of a string (a UTF-16 half with no partner), or null when the string
 * is well-formed. UTF-8 cannot hold a lone surrogate: it would be written as U+FFFD, so the value
 * read back would differ from the one given.
 *
 * @param s - the string
 * @returns the code unit, like `U+D800`, or null
 */
export function loneSurrogate(s: string): string | null {
  if (isWellFormed(s)) return null;
  const m = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/.exec(s)!;
  return `U+${m[0].charCodeAt(0).toString(16).toUpperCase()}`;
}

/**
 * True when a string has no lone surrogate, so UTF-8 holds it exactly.
 *
 * @param s - the string
 */
export function isWellFormed(s: string): boolean {
  return (s as unknown as { isWellFormed(): boolean }).isWellFormed();
}

/**
 * The sentence of messages about a string that cannot be stored.
 *
 * @param unit - the lone surrogate, as {@link loneSurrogate} names it
 */
export function loneSurrogateRule(unit: string): string {
  return `a string with a lone surrogate (${unit} without its other half), which UTF-8 cannot hold: it would be stored as U+FFFD and read back as another string. Give well-formed text (str.toWellFormed() replaces lone surrogates)`;
}

/** A primitive standing for a scalar in a `Map` of one kind: a Date by its time, others as they are. */
export function keyOf(v: Scalar): number | bigint | boolean | string | null {
  return v instanceof Date ? v.getTime() : v;
}

/** Equality of two scalars: NaN equals NaN, Dates by time, others strictly. */
export function sameScalar(a: Scalar, b: Scalar): boolean {
  if (a instanceof Date || b instanceof Date) {
    return a instanceof Date && b instanceof Date && sameNumber(a.getTime(), b.getTime());
  }
  if (typeof a === 'number' && typeof b === 'number') return sameNumber(a, b);
  return a === b;
}

function sameNumber(a: number, b: number): boolean {
  return a === b || (Number.isNaN(a) && Number.isNaN(b));
}

/** Orders two scalars of one kind ascending; nulls last, NaN after other numbers. */
export function compareScalars(a: Scalar, b: Scalar): number {
  if (a === null || b === null) return a === null ? (b === null ? 0 : 1) : -1;
  const x = keyOf(a);
  const y = keyOf(b);
  if (typeof x === 'number' && typeof y === 'number') {
    if (Number.isNaN(x) || Number.isNaN(y)) return Number.isNaN(x) ? (Number.isNaN(y) ? 0 : 1) : -1;
    return x - y;
  }
  if (x === y) return 0;
  return (x as string) < (y as string) ? -1 : 1;
}

/** Shows a value in an error message: strings quoted, bigints with `n`, Dates as ISO text. */
export function showValue(v: unknown): string {
  if (typeof v === 'string') return JSON.stringify(v);
  if (typeof v === 'bigint') return `${v}n`;
  if (v instanceof Date) return Number.isNaN(v.getTime()) ? 'Invalid Date' : v.toISOString();
  if (typeof v === 'function') return `a function${v.name ? ` (${v.name})` : ''}`;
  if (typeof v === 'symbol') return String(v);
  if (Array.isArray(v)) {
    const items = v.slice(0, 5).map(showValue).join(', ');
    return `[${items}${v.length > 5 ? `, … (${v.length} values)` : ''}]`;
  }
  if (ArrayBuffer.isView(v)) return `a ${v.constructor.name} of length ${(v as unknown as ArrayLike<unknown>).length}`;
  if (typeof v === 'object' && v !== null) {
    const ctor = (v as { constructor?: { name: string } }).constructor;
    const name = ctor === undefined || ctor === Object ? 'an object' : `a ${ctor.name}`;
    const keys = Object.keys(v).slice(0, 5);
    return `${name}${keys.length > 0 ? ` with keys ${keys.join(', ')}` : ''}`;
  }
  return String(v);
}

/** Shows a case as `{a: 1, b: "x"}` for messages. */
export function showCase(names: readonly string[], values: readonly Scalar[]): string {
  return `{${names.map((n, i) => `${n}: ${showValue(values[i])}`).join(', ')}}`;
}

/** Shows a list of names as `` `a`, `b` and `c` ``. */
export function showNames(names: readonly string[]): string {
  const q = names.map((n) => `\`${n}\``);
  if (q.length <= 1) return q.join('');
  return `${q.slice(0, -1).join(', ')} and ${q[q.length - 1]!}`;
}

