/**
 * What a Sampler draws from, checked once (`parseSampleCombos`), and the draws themselves
 * (`drawColumns`): each key's values for sample `i` come from a generator that depends only on
 * the seed, the key and `i`, so a larger `n` keeps the first draws and another key leaves the
 * others' draws as they were.
 */
import { HarvestryError } from '../errors.js';
import { Mixture, type Drawable } from '../space/mixture.js';
import { parseCombos, checkOneKind } from '../space/combos.js';
import { releaseRngCursor, rngCursor, type Rng, type RngCursor } from '../space/rng.js';
import { Space, type NumberList } from '../space/space.js';
import { kindOf, loneSurrogate, loneSurrogateRule, showNames, showValue, type Scalar, type ScalarKind } from '../space/values.js';

/**
 * How to draw one parameter: an array (a value chosen uniformly; repeat a value to weight it),
 * or a function of a seeded generator returning a value (any distribution).
 *
 * @typeParam V - the parameter's type
 */
export type SampleValue<V> = readonly V[] | (V extends number ? NumberList : never) | ((rng: Rng) => V);

/**
 * What a Sampler draws from: for each parameter an array (uniform choice) or a function
 * `(rng) => value`; or, under any one key, a space or `mixture()` that draws several parameters
 * at once (its dims become columns).
 *
 * @typeParam P - the function's parameter object
 */
export type SampleCombos<P> = { readonly [K in keyof P]?: SampleValue<P[K]> | Drawable<Partial<P>> };

/** One key of the combos, checked. */
export interface SampleSource {
  /** The key: it names the generator family, and is what `combos` overrides in `defaultCombos`. */
  readonly key: string;
  /** The columns it fills (the key itself, or a space's or mixture's dims). */
  readonly dims: readonly string[];
  readonly list: readonly Scalar[] | null;
  readonly fn: ((rng: Rng) => unknown) | null;
  readonly drawable: Drawable | null;
}

/**
 * Checks combos (after merging the call's over the defaults).
 *
 * @param combos - the combos
 * @param where - the call, for messages
 */
export function parseSampleCombos(combos: Readonly<Record<string, unknown>>, where: string): SampleSource[] {
  const sources: SampleSource[] = [];
  const owner = new Map<string, string>();
  for (const [key, raw] of Object.entries(combos)) {
    if (raw === undefined) continue;
    const source = parseSource(key, raw, where);
    for (const d of source.dims) {
      const other = owner.get(d);
      if (other !== undefined) {
        throw new HarvestryError(
          'E_SPACE_DIMS',
          `In ${where}, \`combos.${other}\` and \`combos.${key}\` both draw \`${d}\`. Each parameter is drawn in one place: drop it from one of them.`,
          { details: { dim: d } },
        );
      }
      owner.set(d, key);
    }
    sources.push(source);
  }
  return sources;
}

function parseSource(key: string, raw: unknown, where: string): SampleSource {
  if (typeof raw === 'function') return { key, dims: [key], list: null, fn: raw as (rng: Rng) => unknown, drawable: null };
  if (isDrawable(raw)) {
    if (raw.dims.length === 0) throw new HarvestryError('E_SPACE_DIMS', `\`combos.${key}\` in ${where} is a space or mixture with no dims, so it draws nothing.`);
    return { key, dims: [...raw.dims], list: null, fn: null, drawable: raw };
  }
  if (Array.isArray(raw) || typeof raw === 'string' || (ArrayBuffer.isView(raw) && !(raw instanceof DataView))) {
    const list = parseCombos({ [key]: raw }, 'combos', false).values[0]!;
    return { key, dims: [key], list, fn: null, drawable: null };
  }
  throw new HarvestryError(
    'E_COMBO_NOT_ARRAY',
    `Expected \`combos.${key}\` in ${where} to be an array of values (one is chosen uniformly), a function (rng) => value, or a space or mixture() drawing several parameters, got ${showValue(raw)}.`,
  );
}

function isDrawable(v: unknown): v is Drawable {
  return v instanceof Space || v instanceof Mixture || (typeof v === 'object' && v !== null && typeof (v as { draw?: unknown }).draw === 'function' && Array.isArray((v as { dims?: unknown }).dims));
}

/** The values drawn for one parameter: numbers in a Float64Array when they all are, else scalars. */
export type DrawnColumn = Scalar[] | Float64Array;

/** The drawn values: one column per parameter, one value per sample. */
export interface DrawnColumns {
  readonly names: readonly string[];
  readonly columns: readonly DrawnColumn[];
  readonly kinds: readonly (ScalarKind | 'null')[];
}

/**
 * Draws `n` samples. The generator given to a draw function is valid during that call only.
 *
 * @param sources - the checked combos
 * @param n - how many
 * @param seed - the seed
 * @param where - the call, for messages
 */
export function drawColumns(sources: readonly SampleSource[], n: number, seed: number, where: string): DrawnColumns {
  const names: string[] = [];
  const columns: DrawnColumn[] = [];
  const kinds: (ScalarKind | 'null')[] = [];
  for (const s of sources) {
    const cursor = rngCursor('harvestry-sample', seed, s.key);
    try {
      drawSource(s, n, cursor, where, columns, kinds);
    } finally {
      releaseRngCursor(cursor);
    }
    names.push(...s.dims);
  }
  return { names, columns, kinds };
}

function drawSource(s: SampleSource, n: number, cursor: RngCursor, where: string, columns: DrawnColumn[], kinds: (ScalarKind | 'null')[]): void {
  if (s.list !== null) {
    const kind = checkOneKind(s.list, `\`combos.${s.key}\``);
    columns.push(drawList(s.list, kind, n, cursor));
    kinds.push(kind);
  } else if (s.fn !== null) {
    const col = drawFn(s.fn, s.key, n, cursor, where);
    columns.push(col);
    kinds.push(col instanceof Float64Array ? 'number' : checkOneKind(col, `Column \`${s.key}\` drawn in ${where}`));
  } else {
    const d = s.drawable!;
    const cols = s.dims.map(() => new Array<Scalar>(n));
    for (let i = 0; i < n; i++) {
      cursor.seek(i);
      const point = callDraw(() => d.draw(cursor.rng), s.key, i, where) as Record<string, unknown>;
      s.dims.forEach((dim, k) => (cols[k]![i] = drawnValue(point[dim] ?? null, s.key, dim, i, where)));
    }
    cols.forEach((col, k) => {
      columns.push(col);
      kinds.push(checkOneKind(col, `Column \`${s.dims[k]!}\` drawn in ${where}`));
    });
  }
}

function drawList(list: readonly Scalar[], kind: ScalarKind | 'null', n: number, cursor: RngCursor): DrawnColumn {
  const len = list.length;
  const col = kind === 'number' && !list.includes(null) ? new Float64Array(n) : new Array<Scalar>(n);
  for (let i = 0; i < n; i++) col[i] = list[cursor.pick(i, len)] as number;
  return col;
}

function drawFn(fn: (rng: Rng) => unknown, key: string, n: number, cursor: RngCursor, where: string): DrawnColumn {
  const { rng } = cursor;
  const numbers = new Float64Array(n);
  let i = 0;
  for (; i < n; i++) {
    cursor.seek(i);
    const v = callDraw(() => fn(rng), key, i, where);
    if (typeof v !== 'number') break;
    numbers[i] = v;
  }
  if (i === n) return numbers;
  const col = Array.from(numbers.subarray(0, i)) as Scalar[];
  col.length = n;
  for (; i < n; i++) {
    cursor.seek(i);
    col[i] = drawnValue(
      callDraw(() => fn(rng), key, i, where),
      key,
      key,
      i,
      where,
    );
  }
  return col;
}

/** Runs one draw; a draw that throws becomes E_DRAW_FAILED naming the key and the sample. */
function callDraw(draw: () => unknown, key: string, i: number, where: string): unknown {
  try {
    return draw();
  } catch (err) {
    const message = err instanceof Error ? err.message : String(err);
    throw new HarvestryError(
      'E_DRAW_FAILED',
      `Drawing \`combos.${key}\` in ${where} threw for sample ${i}: ${message}. Nothing was run or written. Fix the draw function (it gets a seeded generator \`rng\` and returns one value).`,
      { cause: err, details: { key, sample: i } },
    );
  }
}

function drawnValue(v: unknown, key: string, dim: string, i: number, where: string): Scalar {
  const unit = typeof v === 'string' ? loneSurrogate(v) : null;
  if (unit !== null) {
    throw new HarvestryError('E_UNSUPPORTED_VALUE', `\`combos.${key}\` in ${where} gave ${showValue(v)} for \`${dim}\` (sample ${i}), ${loneSurrogateRule(unit)}.`, {
      details: { key, dim, sample: i },
    });
  }
  if (kindOf(v) !== undefined) return v as Scalar;
  const promise = typeof v === 'object' && v !== null && typeof (v as { then?: unknown }).then === 'function';
  throw new HarvestryError(
    'E_UNSUPPORTED_VALUE',
    `\`combos.${key}\` in ${where} gave ${promise ? 'a Promise' : showValue(v)} for \`${dim}\` (sample ${i}). A drawn value is a number, bigint, boolean, string, Date or null, returned synchronously${promise ? ': draw without await' : ''}.`,
    { details: { key, dim, sample: i } },
  );
}

/**
 * Merges the call's combos over the defaults: the defaults' keys first, then new ones (a key
 * given in both is drawn as the call says; a parameter a call's space or mixture draws is no
 * longer drawn by the defaults).
 *
 * @param defaults - the Sampler's `defaultCombos`
 * @param combos - the call's `combos`
 * @param where - the call, for messages
 */
export function mergeSampleCombos(defaults: unknown, combos: unknown, where: string): Record<string, unknown> {
  for (const [what, v] of [['defaultCombos', defaults], ['combos', combos]] as const) {
    if (v !== undefined && v !== null && (typeof v !== 'object' || Array.isArray(v) || v instanceof Space || v instanceof Mixture)) {
      throw new HarvestryError(
        'E_BAD_OPTION',
        `Expected \`${what}\` in ${where} to be an object mapping parameter names to arrays, functions (rng) => value, or spaces, got ${showValue(v)}.${v instanceof Space || v instanceof Mixture ? ` Put it under a key: { ${showNames([...(v as Drawable).dims]).replace(/`/g, '') || 'name'}: ... }.` : ''}`,
      );
    }
  }
  const merged: Record<string, unknown> = { ...(defaults as Record<string, unknown> | undefined) };
  const call = (combos ?? {}) as Record<string, unknown>;
  // a call's space or mixture also replaces the defaults of the parameters it draws
  for (const [key, v] of Object.entries(call)) if (isDrawable(v)) for (const d of v.dims) if (d !== key && !(d in call)) delete merged[d];
  return Object.assign(merged, call);
}
