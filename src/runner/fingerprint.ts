/**
 * A labelled function's fingerprint: a hash of what its source says, not of how it was printed.
 *
 * `Function.prototype.toString` gives the JavaScript that runs, and the same TypeScript runs as
 * different text under tsx (esbuild prints it minified, with `__name()` calls of its keepNames
 * option) and after tsc (formatted as written, comments kept). So the source is parsed (acorn)
 * and the hash is taken of its syntax tree without positions, comments, spelling of literals
 * (quotes, `1_000` or `1e3`, a template without substitutions), redundant parentheses and semicolons, and without esbuild's
 * `__name()` wrappers. Type annotations are gone before the code runs, so they never count.
 */
import { createHash } from 'node:crypto';
import { createRequire } from 'node:module';
import type * as Acorn from 'acorn';

// Loaded on first use: a worker thread that finds its function by the raw source hash never
// needs it.
let acorn: typeof Acorn | undefined;
const load = (): typeof Acorn => (acorn ??= createRequire(import.meta.url)('acorn') as typeof Acorn);

/** The helper esbuild's keepNames option (on under tsx) wraps functions and classes in. */
const KEEP_NAMES = '__name';

/**
 * The fingerprint of a function: `sha256:` and the SHA-256 of its parsed source, the same
 * whichever tool turned its TypeScript into JavaScript. Source that does not parse (a native or
 * bound function) is hashed as text.
 *
 * @param fn - the function
 * @returns the fingerprint
 */
export function fingerprintOf(fn: (...args: never[]) => unknown): string {
  const source = Function.prototype.toString.call(fn);
  const tree = parseFunction(source);
  return `sha256:${createHash('sha256').update(tree === null ? source : JSON.stringify(canonical(tree))).digest('hex')}`;
}

/**
 * The SHA-256 of a function's source text as it runs: cheap, and equal wherever the same
 * loader turned the same file into JavaScript (a worker of the same process).
 *
 * @param fn - the function
 * @returns the hash
 */
export function sourceHashOf(fn: (...args: never[]) => unknown): string {
  return createHash('sha256').update(Function.prototype.toString.call(fn)).digest('hex');
}

/** The function's syntax tree: an expression (function or arrow), or a method in an object. */
function parseFunction(source: string): Acorn.Node | null {
  const { parseExpressionAt } = load();
  const options: Acorn.Options = { ecmaVersion: 'latest', sourceType: 'module' };
  for (const [open, close] of [['(', ')'], ['({', '})'], ['(class{', '})']] as const) {
    try {
      const text = `${open}${source}\n${close}`;
      const node = parseExpressionAt(text, 0, options);
      // The whole text, up to the closing parenthesis (outside the node without preserveParens).
      if (/^\s*\)$/.test(text.slice(node.end))) return node;
    } catch {
      // not this form: try the next one
    }
  }
  return null;
}

const DROPPED = new Set(['start', 'end', 'loc', 'range', 'raw', 'directive']);

/** The tree as plain data: no positions, no spelling, no esbuild `__name()` helpers. */
function canonical(node: unknown): unknown {
  if (Array.isArray(node)) return node.map(canonical).filter((n) => n !== undefined);
  if (typeof node === 'bigint') return { bigint: node.toString() };
  if (typeof node !== 'object' || node === null) return node;
  const n = node as Record<string, unknown> & { type?: string };
  const unwrapped = unwrapKeepNames(n);
  if (unwrapped !== n) return canonical(unwrapped);
  if (isKeepNamesStatement(n)) return undefined;
  if (n.type === 'StaticBlock' && Array.isArray(n.body) && n.body.every(isKeepNamesStatement)) return undefined;
  if (n.type === 'Literal' && 'regex' in n) return { type: 'Literal', regex: n.regex };
  // `\`a\`` (no substitutions) is the string 'a' (esbuild may print it so).
  if (n.type === 'TemplateLiteral' && Array.isArray(n.expressions) && n.expressions.length === 0 && n.quasis !== undefined) {
    const text = (n.quasis as { value: { cooked: string | null } }[])[0]?.value.cooked;
    if (typeof text === 'string') return { type: 'Literal', value: text };
  }
  if ((n.type === 'Property' || n.type === 'MethodDefinition' || n.type === 'PropertyDefinition') && n.computed === false) {
    const key = n.key as { type: string; name?: string; value?: unknown };
    // `{ 'a': 1 }` and `{ a: 1 }` are the same key, however printed.
    const name = key.type === 'Identifier' ? key.name : key.type === 'Literal' ? String(key.value) : null;
    if (name !== null) return canonical({ ...n, key: { type: 'Key', name } });
  }
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(n)) {
    if (DROPPED.has(k)) continue;
    // Template text: its value, not its escapes.
    if (n.type === 'TemplateElement' && k === 'value') out[k] = (v as { cooked: string | null; raw: string }).cooked ?? (v as { raw: string }).raw;
    else out[k] = canonical(v);
  }
  return out;
}

/** `__name(x, "x")` → `x`; anything else as it is. */
function unwrapKeepNames(n: Record<string, unknown>): unknown {
  if (n.type !== 'CallExpression') return n;
  const callee = n.callee as { type: string; name?: string };
  const args = n.arguments as { type: string; value?: unknown }[];
  if (callee.type !== 'Identifier' || callee.name !== KEEP_NAMES || args.length !== 2) return n;
  return args[1]!.type === 'Literal' && typeof args[1]!.value === 'string' ? args[0] : n;
}

/** `__name(inner, "inner");`, a statement of esbuild's keepNames (its value unused). */
function isKeepNamesStatement(n: unknown): boolean {
  const s = n as { type?: string; expression?: Record<string, unknown> };
  return s.type === 'ExpressionStatement' && s.expression !== undefined && unwrapKeepNames(s.expression) !== s.expression;
}
