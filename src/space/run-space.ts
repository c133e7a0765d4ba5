/**
 * The space of a run, from what `runCombos` / `runCases` (and the Harvester, Sampler and Crop)
 * were given: combos objects, lists of cases, spaces, or a mix.
 */
import { HarvestryError } from '../errors.js';
import { parseCases, parseCombos } from './combos.js';
import { checkIndexable } from './derive.js';
import { Grid, makeGridSpec } from './grid.js';
import { productSpec } from './product.js';
import type { GridSpec } from './space-spec.js';
import { Space, toSpace } from './space.js';
import { showNames } from './values.js';

/**
 * The grid a run covers: its cases (a list or a space) combined with its combos (an object or a
 * space), case-major. Without spaces, exactly the cases × combos grid of `makeGridSpec`.
 *
 * @param combos - a combos object, a space, or nothing
 * @param cases - a list of cases, a space, or nothing
 * @param fnArgs - the positional argument names (cases may then be tuples)
 * @param where - the call, for messages
 */
export function runGrid(combos: unknown, cases: unknown, fnArgs: readonly string[] | null, where: string): Grid {
  const grid = new Grid(runSpec(combos, cases, fnArgs, where));
  checkIndexable(grid.size, `The space of ${where}`);
  return grid;
}

function runSpec(combos: unknown, cases: unknown, fnArgs: readonly string[] | null, where: string): GridSpec {
  const hasCases = cases !== undefined && cases !== null;
  if (!(combos instanceof Space) && !(cases instanceof Space)) {
    const parsed = hasCases ? parseCases(cases, fnArgs) : null;
    if (parsed?.rows.length === 0) {
      throw new HarvestryError('E_CASE_KEYS', `\`cases\` is an empty array in ${where}, so there is nothing to run. Give at least one case.`);
    }
    return makeGridSpec(parseCombos(combos), parsed);
  }
  const parts: Space<object>[] = [];
  if (hasCases) parts.push(cases instanceof Space ? (cases as Space<object>) : casesSpace(cases, fnArgs, where));
  if (combos !== undefined && combos !== null) parts.push(toSpace(combos, where));
  const both = parts.length === 2 ? parts[0]!.dims.filter((d) => parts[1]!.dims.includes(d)) : [];
  if (both.length > 0) {
    throw new HarvestryError(
      'E_CONSTANT_CLASH',
      `${showNames(both)} ${both.length === 1 ? 'is' : 'are'} given both in \`combos\` and in \`cases\`. Give each argument in one place only.`,
    );
  }
  return productSpec(parts.map((p) => p.spec));
}

function casesSpace(cases: unknown, fnArgs: readonly string[] | null, where: string): Space<object> {
  const parsed = parseCases(cases, fnArgs);
  if (parsed.rows.length === 0) {
    throw new HarvestryError('E_CASE_KEYS', `\`cases\` is an empty array in ${where}, so there is nothing to run. Give at least one case.`);
  }
  return new Space(parsed.names, parsed.rows.length, { caseNames: parsed.names, cases: parsed.rows, comboNames: [], comboValues: [] });
}
