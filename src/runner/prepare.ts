/**
 * Preparing one run: checking combos, cases and per-run constants against the labelled
 * function, and building the plans the executor and the assembly follow.
 */
import { HarvestryError } from '../errors.js';
import type { AssemblyPlan } from '../dataset/assemble.js';
import { encodeAttrs, type InternalCoords } from '../dataset/meta.js';
import type { CaseRngSpec, EvalPlan } from '../execute/evaluate.js';
import type { Grid, GridSpec } from '../space/grid.js';
import { permutation } from '../space/rng.js';
import { runGrid } from '../space/run-space.js';
import { showNames } from '../space/values.js';
import { resolveRunSpec, type RunOptions, type RunSpec } from './options.js';
import { currentProvenance } from './provenance.js';
import { checkKnownArgs, collectVarCoords, type RunnerSpec } from './spec.js';

/** The swept arguments of a run. */
export interface RunInput {
  /** A combos object or a space. */
  readonly combos?: unknown;
  /** A list of cases or a space. */
  readonly cases?: unknown;
  /** Extra constants for this run only. */
  readonly constants?: unknown;
}

/** A checked run, ready to execute and assemble. */
export interface PreparedRun {
  readonly grid: Grid;
  readonly plan: EvalPlan;
  readonly assembly: AssemblyPlan;
  readonly run: RunSpec;
  /** The execution order (a seeded shuffle), or null for canonical order. */
  readonly order: Int32Array | null;
}

/**
 * Checks a run and builds its plans.
 *
 * @param spec - the labelled function's spec
 * @param input - combos, cases and per-run constants
 * @param options - run options of this call
 * @param where - the call, for messages
 */
export function prepareRun(spec: RunnerSpec, input: RunInput, options: RunOptions, where: string): PreparedRun {
  const grid = runGrid(input.combos, input.cases, spec.fnArgs, where);
  const call = checkCall(spec, grid.dims, input.constants, options, where);
  const plan = evalPlanOf(spec, grid.spec, call, 'key');
  const { run } = call;
  const assembly: AssemblyPlan = {
    grid,
    dims: grid.dimInfo(),
    varNames: spec.varNames,
    varDims: spec.varDims,
    varCoords: call.varCoords,
    attrs: call.attrs,
    fingerprint: spec.fingerprint,
    provenance: currentProvenance(),
    onError: run.onError,
    timings: run.timings,
  };
  const order = run.shuffle === null ? null : permutation(grid.size, run.shuffle);
  return { grid, plan, assembly, run, order };
}

/** A call of a labelled function checked against its swept names (before any space is built). */
export interface CheckedCall {
  /** The label's constants and this run's, merged. */
  readonly constants: Readonly<Record<string, unknown>>;
  /** Coords of internal dims, from the label and this run's constants. */
  readonly varCoords: Readonly<Record<string, InternalCoords>>;
  /** The attrs to save: the label's attrs and the constants that are not internal dims' coords. */
  readonly attrs: Readonly<Record<string, unknown>>;
  readonly run: RunSpec;
  /** True when the function takes an `rng` that nothing else supplies: harvestry gives it one. */
  readonly givesRng: boolean;
}

/**
 * Checks a run's swept names, per-run constants and options against the labelled function.
 *
 * @param spec - the labelled function's spec
 * @param dims - the names the run sweeps
 * @param rawConstants - the per-run constants, as given
 * @param options - run options of this call
 * @param where - the call, for messages
 */
export function checkCall(spec: RunnerSpec, dims: readonly string[], rawConstants: unknown, options: RunOptions, where: string): CheckedCall {
  checkKnownArgs(spec.params, dims, where);
  const runConstants = runConstantsOf(rawConstants, where);
  checkKnownArgs(spec.params, Object.keys(runConstants), `\`constants\` in ${where}`);
  const constants = { ...spec.constants, ...runConstants };
  checkClashes(dims, constants, spec.resources);
  const givesRng = takesRng(spec) && !dims.includes('rng') && !('rng' in constants) && !('rng' in spec.resources);
  checkMissing(spec, givesRng ? [...dims, 'rng'] : dims, constants);
  const varCoords = { ...spec.varCoords, ...collectVarCoords(undefined, runConstants, spec.varDims) };
  checkInternalDims(spec, dims);
  const attrs = { ...spec.attrs, ...Object.fromEntries(Object.entries(constants).filter(([k]) => !(k in varCoords))) };
  encodeAttrs(attrs);
  const run = resolveRunSpec(spec.defaults, options, where);
  return { constants, varCoords, attrs, run, givesRng };
}

/**
 * The evaluation plan of a checked call over a space: what executors and workers follow.
 *
 * @param spec - the labelled function's spec
 * @param grid - the space, in plain data
 * @param call - the checked call
 * @param rngFrom - how a function taking `rng` gets it: from each case's key, or its index (samples)
 */
export function evalPlanOf(spec: RunnerSpec, grid: GridSpec, call: CheckedCall, rngFrom: CaseRngSpec['from']): EvalPlan {
  const dimSizes = Object.fromEntries(Object.entries(call.varCoords).map(([k, c]) => [k, c.coords.length]));
  return {
    grid,
    fixed: { ...spec.resources, ...call.constants },
    resourceNames: Object.keys(spec.resources),
    fnArgs: spec.fnArgs,
    outputs: { varNames: spec.varNames, varDims: spec.varDims, dimSizes },
    onError: call.run.onError,
    retries: call.run.retries,
    timings: call.run.timings,
    timeoutMs: call.run.timeoutMs,
    rng: call.givesRng ? { seed: call.run.seed, from: rngFrom } : null,
  };
}

/** True when the function names an `rng` parameter (destructured, or in `fnArgs`). */
function takesRng(spec: RunnerSpec): boolean {
  return spec.params.names?.includes('rng') === true;
}

function runConstantsOf(raw: unknown, where: string): Record<string, unknown> {
  if (raw === undefined || raw === null) return {};
  if (typeof raw !== 'object' || Array.isArray(raw)) {
    throw new HarvestryError('E_BAD_OPTION', `Expected \`constants\` in ${where} to be an object of named values.`);
  }
  return { ...(raw as Record<string, unknown>) };
}

function checkClashes(dims: readonly string[], constants: Readonly<Record<string, unknown>>, resources: Readonly<Record<string, unknown>>): void {
  const asConstant = dims.filter((d) => d in constants);
  if (asConstant.length > 0) {
    throw new HarvestryError(
      'E_CONSTANT_CLASH',
      `${showNames(asConstant)} ${asConstant.length === 1 ? 'is' : 'are'} both swept (in combos or cases) and given as a constant. harvestry does not let one silently win: drop the constant, or sweep a single value.`,
      { details: { names: asConstant } },
    );
  }
  const asResource = [...dims, ...Object.keys(constants)].filter((d) => d in resources);
  if (asResource.length > 0) {
    throw new HarvestryError(
      'E_CONSTANT_CLASH',
      `${showNames(asResource)} ${asResource.length === 1 ? 'is' : 'are'} given both as a resource and as a combo, case or constant. Give each argument in one place.`,
      { details: { names: asResource } },
    );
  }
}

function checkMissing(spec: RunnerSpec, dims: readonly string[], constants: Readonly<Record<string, unknown>>): void {
  const missing = spec.params.required.filter((n) => !dims.includes(n) && !(n in constants) && !(n in spec.resources));
  if (missing.length > 0) {
    throw new HarvestryError(
      'E_MISSING_ARG',
      `The function needs ${showNames(missing)}, but no combo, case, constant or resource gives ${missing.length === 1 ? 'it' : 'them'}. Add ${missing.length === 1 ? 'it' : 'them'} to the combos (to sweep) or to \`constants\` (one value for every case).`,
      { details: { missing } },
    );
  }
}

function checkInternalDims(spec: RunnerSpec, dims: readonly string[]): void {
  const internal = [...new Set(Object.values(spec.varDims).flat())];
  const clash = internal.filter((d) => dims.includes(d));
  if (clash.length > 0) {
    throw new HarvestryError(
      'E_BAD_SPEC',
      `${showNames(clash)} ${clash.length === 1 ? 'is' : 'are'} both an internal dim (in \`varDims\`) and swept in combos or cases. A dim is either an argument that varies or an axis of an output: rename one.`,
    );
  }
}
