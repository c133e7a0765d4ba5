/**
 * `Runner`: a labelled function and the runs over its parameter space.
 */
import { HarvestryError } from '../errors.js';
import { loadArrow } from '../dataset/_arrow-lib.js';
import { assembleDataset } from '../dataset/assemble.js';
import type { Dataset } from '../dataset/dataset.js';
import type { CaseFailure } from '../execute/evaluate.js';
import { executePlan, type PlanOptions } from '../execute/run.js';
import { inWorkerImport, stallWorkerImport } from '../execute/worker-import.js';
import { showCase, type Scalar } from '../space/values.js';
import type { CheckedPoint, Space } from '../space/space.js';
import { checkOptionNames, RUN_OPTION_NAMES, type RunOptions } from './options.js';
import { prepareRun, type PreparedRun, type RunInput } from './prepare.js';
import type { RunnerSpec } from './spec.js';
import type { Cases, CheckedCombos, Combos, GivenByCases, GivenByConstants, RunCasesOptions, RunCombosOptions } from './types.js';

/**
 * The type of a labelled function as given to `label()`: one parameter object, or positional
 * arguments when labelled with `fnArgs`.
 */
export type LabelledFunction<P, R, T extends readonly unknown[]> = [T] extends [never] ? (params: P) => R | Promise<R> : (...args: T) => R | Promise<R>;

/** What the last run reported besides its dataset. */
export interface RunReport {
  /** Cases run (including failed ones). */
  readonly cases: number;
  /** Cases that failed, with their values and messages. */
  readonly failures: readonly CaseFailure[];
  /** Wall time of the run in ms. */
  readonly elapsedMs: number;
}

/** The key of the type-only marker of the parameters a label gives. */
declare const GIVEN: unique symbol;

/**
 * A labelled function: the function plus the names and shapes of its outputs, what to pass it
 * besides the swept arguments, and default run options. Made by {@link label}.
 *
 * @typeParam P - the function's parameter object
 * @typeParam R - what the function returns (awaited)
 * @typeParam T - the positional argument tuple, for functions labelled with `fnArgs`
 * @typeParam G - the parameters the label gives (its `constants` and `resources`), not needed in combos
 * @example
 * ```ts
 * const r = label({ varNames: 'p' }, ({ a, b }: { a: number; b: number }) => a * b);
 * const ds = await r.runCombos({ a: [1, 2, 3], b: [10, 20] });
 * ```
 */
export class Runner<P extends object = Record<string, unknown>, R = unknown, T extends readonly unknown[] = never, G extends PropertyKey = never> {
  /**
   * Type only, never set: the parameters the label gives, kept where a Harvester or Crop made
   * from this Runner can infer them.
   *
   * @internal
   */
  declare readonly [GIVEN]?: (given: G) => void;
  /** The original function, callable as before. */
  readonly fn: LabelledFunction<P, R, T>;
  /**
   * The checked spec (used by the Harvester, Sampler and Crop).
   *
   * @internal
   */
  readonly spec: RunnerSpec;
  private last: Dataset | null = null;
  private report: RunReport | null = null;

  /**
   * Use {@link label} to make a Runner.
   *
   * @param fn - the function
   * @param spec - its checked spec
   * @internal
   */
  constructor(fn: LabelledFunction<P, R, T>, spec: RunnerSpec) {
    this.fn = fn;
    this.spec = spec;
  }

  /** The output names, or null when the function returns a record of named outputs. */
  get varNames(): readonly string[] | null {
    return this.spec.varNames;
  }

  /** The positional argument names, or null for a function taking one object. */
  get fnArgs(): readonly string[] | null {
    return this.spec.fnArgs;
  }

  /** The internal dims of each output. */
  get varDims(): Readonly<Record<string, readonly string[]>> {
    return this.spec.varDims;
  }

  /** The coords of internal dims (from `varCoords` and from constants named as internal dims). */
  get varCoords(): Readonly<Record<string, readonly Scalar[]>> {
    return Object.fromEntries(Object.entries(this.spec.varCoords).map(([k, c]) => [k, c.coords]));
  }

  /** Arguments passed to every call and saved (as coords of internal dims, or as attrs). */
  get constants(): Readonly<Record<string, unknown>> {
    return this.spec.constants;
  }

  /** Arguments passed to every call and never saved. */
  get resources(): Readonly<Record<string, unknown>> {
    return this.spec.resources;
  }

  /** Extra attrs saved with every dataset. */
  get attrs(): Readonly<Record<string, unknown>> {
    return this.spec.attrs;
  }

  /** Default run options, overridden per call. */
  get defaults(): RunOptions {
    return this.spec.defaults;
  }

  /** The fingerprint of the function (SHA-256 of its source). */
  get fingerprint(): string {
    return this.spec.fingerprint;
  }

  /** The dataset of the last run, or null before the first. */
  get lastDs(): Dataset | null {
    return this.last;
  }

  /** What the last run reported: cases, failures, time. */
  get lastReport(): RunReport | null {
    return this.report;
  }

  /**
   * Runs the cartesian product of the combos (first varying slowest), or every point of a space
   * (see `docs/guide/space.md`), and returns its dataset, one row per case. With `cases`, every
   * case is combined with every combo point.
   *
   * The combos are checked at compile time against the function's parameters: a key that is not
   * one, a value of the wrong type and a required parameter that nothing gives are errors that
   * name the key. A combos object held in a variable is checked too.
   *
   * @param combos - for each swept argument, its values; or a space built with `product`, `zip`, `concat`, `repeat`, `filter`, `points`
   * @param options - run options, `cases` and per-run `constants`
   * @returns the dataset of this run (also kept as `lastDs`)
   * @example
   * ```ts
   * await r.runCombos({ a: [1, 2], b: [10, 20, 30] }, { onError: 'record' });
   * ```
   */
  runCombos<const C extends object, K extends Partial<P> = never, Cs extends Cases<P, T> = readonly []>(
    combos: CheckedCombos<P, C, never, G | GivenByConstants<K> | GivenByCases<P, Cs>>,
    options?: RunCombosOptions<P, T> & { readonly constants?: K; readonly cases?: Cs },
  ): Promise<Dataset>;
  async runCombos(combos: Combos<P> | Space<object>, options: RunCombosOptions<P, T> = {}): Promise<Dataset> {
    checkOptionNames(options, [...RUN_OPTION_NAMES, 'cases', 'constants'], 'runCombos()');
    const { cases, constants, ...run } = options;
    return this.run({ combos, cases, constants }, run, 'runCombos()');
  }

  /**
   * Runs every point of a space, as {@link Runner.runCombos} does (a space means the same in both).
   *
   * @param space - a space built with `points`, `zip`, `concat`, `product`, `repeat`, `filter`
   * @param options - run options, `combos` to combine with every point, per-run `constants`
   * @returns the dataset of this run (also kept as `lastDs`)
   */
  runCases<Q extends CheckedPoint<P, Q>>(space: Space<Q>, options?: RunCasesOptions<P>): Promise<Dataset>;
  /**
   * Runs explicit cases and returns their dataset, one row per case. Case dims get the sorted
   * distinct values of the cases as coords.
   *
   * @param cases - objects of argument values (tuples, with `fnArgs`)
   * @param options - run options, `combos` to combine with every case, per-run `constants`
   * @returns the dataset of this run (also kept as `lastDs`)
   * @example
   * ```ts
   * await r.runCases([{ a: 1, b: 10 }, { a: 5, b: 50 }]);
   * ```
   */
  runCases(cases: Cases<P, T>, options?: RunCasesOptions<P>): Promise<Dataset>;
  async runCases(cases: Cases<P, T> | Space<object>, options: RunCasesOptions<P> = {}): Promise<Dataset> {
    checkOptionNames(options, [...RUN_OPTION_NAMES, 'combos', 'constants'], 'runCases()');
    const { combos, constants, ...run } = options;
    return this.run({ combos, cases, constants }, run, 'runCases()');
  }

  /**
   * Checks a run without running it: the plans an executor and the assembly follow. Used by
   * the Harvester, Sampler and Crop.
   *
   * @param input - combos, cases, per-run constants
   * @param options - run options
   * @param where - the call, for messages
   * @internal
   */
  prepare(input: RunInput, options: RunOptions, where: string): PreparedRun {
    return prepareRun(this.spec, input, options, where);
  }

  private async run(input: RunInput, options: RunOptions, where: string): Promise<Dataset> {
    // A worker importing the module that calls this: skip it (see stallWorkerImport).
    if (inWorkerImport()) return stallWorkerImport();
    const started = performance.now();
    const prep = this.prepare(input, options, where);
    const { run } = prep;
    const result = await executePlan(this.fn, prep.plan, planOptions(prep));
    await loadArrow();
    const ds = assembleDataset(prep.assembly, result.chunks);
    this.last = ds;
    this.report = { cases: result.chunks.reduce((s, c) => s + c.cases.length, 0), failures: result.failures, elapsedMs: performance.now() - started };
    if (result.stop === 'error') throw caseFailedError(prep, result.failures[0]!, ds);
    if (result.stop === 'abort') {
      throw new HarvestryError('E_ABORTED', `The run was aborted after ${ds.numRows} of ${result.total} cases; the finished results are in \`err.details.partial\` (and \`lastDs\`).`, {
        details: { partial: ds },
      });
    }
    if (run.onError === 'skip' && result.failures.length > 0) warnSkipped(prep, result.failures, result.total);
    return ds;
  }
}

/**
 * The options of {@link executePlan} for a prepared run: its order, executor, signal and
 * progress. Add `onChunk` to receive results as they finish.
 *
 * @param prep - the run
 * @example
 * ```ts
 * const result = await executePlan(runner.fn, prep.plan, { ...planOptions(prep), onChunk: commit });
 * ```
 */
export function planOptions(prep: PreparedRun): PlanOptions {
  const { run } = prep;
  return { order: prep.order, signal: run.signal, executor: run.executor, progress: run.progress };
}

/**
 * The error of a failed case under `onError: 'raise'`.
 *
 * @param prep - the run
 * @param failure - the failed case
 * @param partial - the results finished before it
 */
export function caseFailedError(prep: PreparedRun, failure: CaseFailure, partial: Dataset | null): HarvestryError {
  const c = showCase(prep.grid.dims, failure.values);
  const died = failure.error instanceof HarvestryError && (failure.error.code === 'E_WORKER_DIED' || failure.error.code === 'E_CASE_TIMEOUT');
  return new HarvestryError(
    'E_CASE_FAILED',
    `${died ? 'The case' : 'The function threw for the case'} ${c}${died ? ' failed' : ''}: ${failure.message.replace(/\.$/, '')}. Finished results were kept. Fix the function, or run with onError: 'skip' (leave failed cases out) or 'record' (keep them as rows with the error message).`,
    { cause: failure.error, details: { case: Object.fromEntries(prep.grid.dims.map((d, i) => [d, failure.values[i]])), index: failure.index, partial } },
  );
}

/** Emits a warning listing skipped cases (count and the first few with their messages). */
export function warnSkipped(prep: PreparedRun, failures: readonly CaseFailure[], total: number): void {
  const first = failures
    .slice(0, 3)
    .map((f) => `  ${showCase(prep.grid.dims, f.values)}: ${f.message}`)
    .join('\n');
  process.emitWarning(`${failures.length} of ${total} cases failed and were skipped (onError: 'skip'):\n${first}${failures.length > 3 ? `\n  … and ${failures.length - 3} more` : ''}`, {
    code: 'HARVESTRY_SKIPPED_CASES',
  });
}
