/**
 * Reading a function's parameter names from its source, so that a misspelled or missing
 * argument is caught before anything runs. Parsing uses acorn (a real JavaScript parser), so
 * defaults, renames and nested patterns are read correctly.
 */
import { createRequire } from 'node:module';
import { isMainThread } from 'node:worker_threads';
import type { Expression, Node, Pattern } from 'acorn';
import type * as Acorn from 'acorn';

// Loaded on first use, and only where names are checked: a worker thread re-importing the
// user's module to run cases skips the checks the main thread already made.
let acorn: typeof Acorn | undefined;
const load = (): typeof Acorn => (acorn ??= createRequire(import.meta.url)('acorn') as typeof Acorn);

/** What the source says about the function's arguments. */
export interface ParamInfo {
  /** The names it can take, or `null` when they cannot be known (a rest element, an un-destructured object). */
  readonly names: readonly string[] | null;
  /** The names it needs (no default). */
  readonly required: readonly string[];
}

/**
 * Reads the names of a function's arguments: the keys of its destructured first parameter, or,
 * with `fnArgs` (positional arguments), those names with the ones that have defaults optional.
 *
 * @param fn - the function
 * @param fnArgs - the positional argument names, when the function takes positional arguments
 */
export function readParams(fn: (...args: never[]) => unknown, fnArgs: readonly string[] | null): ParamInfo {
  if (!isMainThread) return { names: fnArgs, required: [] };
  const params = parseParams(Function.prototype.toString.call(fn));
  if (fnArgs !== null) {
    if (params === null) return { names: fnArgs, required: [] };
    const required = fnArgs.filter((_, i) => {
      const p = params[i];
      return p !== undefined && p.type !== 'AssignmentPattern' && p.type !== 'RestElement';
    });
    return { names: fnArgs, required };
  }
  if (params === null) return { names: null, required: [] };
  const first = params[0];
  if (first === undefined) return { names: [], required: [] };
  if (first.type === 'ObjectPattern') return objectNames(first, true);
  if (first.type === 'AssignmentPattern' && first.left.type === 'ObjectPattern') return objectNames(first.left, false);
  return { names: null, required: [] };
}

function objectNames(pattern: Extract<Pattern, { type: 'ObjectPattern' }>, requiredAllowed: boolean): ParamInfo {
  const names: string[] = [];
  const required: string[] = [];
  for (const prop of pattern.properties) {
    if (prop.type === 'RestElement') return { names: null, required };
    if (prop.computed) return { names: null, required };
    const key = prop.key.type === 'Identifier' ? prop.key.name : prop.key.type === 'Literal' ? String(prop.key.value) : null;
    if (key === null) return { names: null, required };
    names.push(key);
    if (requiredAllowed && prop.value.type !== 'AssignmentPattern') required.push(key);
  }
  return { names, required };
}

function parseParams(src: string): Pattern[] | null {
  for (const wrap of [(s: string) => `(${s})`, (s: string) => `({${s}})`]) {
    let expr: Expression;
    try {
      expr = load().parseExpressionAt(wrap(src), 0, { ecmaVersion: 'latest' });
    } catch {
      continue;
    }
    const fnNode = functionNode(expr);
    if (fnNode !== null) return fnNode;
  }
  return null;
}

function functionNode(expr: Node): Pattern[] | null {
  if (expr.type === 'ArrowFunctionExpression' || expr.type === 'FunctionExpression') {
    return (expr as Extract<Expression, { type: 'FunctionExpression' }>).params;
  }
  if (expr.type === 'ObjectExpression') {
    const prop = (expr as Extract<Expression, { type: 'ObjectExpression' }>).properties[0];
    if (prop?.type === 'Property' && prop.value.type === 'FunctionExpression') return prop.value.params;
  }
  return null;
}
