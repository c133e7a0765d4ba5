/**
 * Every error harvestry throws on purpose is a {@link HarvestryError} with a stable `code`.
 * The codes, with what each means, are listed in {@link ERROR_CODES} and in `docs/errors.md`.
 */

/**
 * Every error code harvestry uses, with a one-line description. Codes are stable: code that
 * handles errors may switch on them.
 */
export const ERROR_CODES = {
  E_BAD_OPTION: 'An option has a value outside what it accepts (wrong type, out of range, unknown name).',
  E_BAD_SPEC: 'The spec given to `label()` is inconsistent (for example a `varDims` key that is not a var name).',
  E_UNKNOWN_ARG: 'A combo, case, constant or resource names an argument the function does not take.',
  E_MISSING_ARG: 'The function needs an argument that no combo, case, constant or resource supplies.',
  E_CONSTANT_CLASH: 'A name is given twice: as a constant and a combo/case, as a constant and a resource, or in both combos and cases.',
  E_COMBO_NOT_ARRAY: 'A combo value is not an array of values (a string is refused, not split into characters).',
  E_EMPTY_COMBO: 'A combo has no values, so the run would have no cases.',
  E_DUPLICATE_VALUE: 'A dim has the same value twice, so two cases would share one key.',
  E_CASE_KEYS: 'The cases do not all name the same arguments, or a case is not an object (or tuple with `fnArgs`).',
  E_MIXED_TYPES: 'The values of one dim or variable mix kinds (for example numbers and strings).',
  E_UNSUPPORTED_VALUE: 'A value cannot be stored (a function, a symbol, an object where a scalar was expected, a bigint out of the int64 range).',
  E_RESULT_SHAPE: 'A result does not fit `varNames` / `varDims` / `varCoords` (tuple length, record keys, array shape).',
  E_RESULT_TYPE: 'A variable changed kind between cases (for example a number in one case and a string in another).',
  E_CASE_FAILED: 'The labelled function threw (or rejected) for a case; the original error is the `cause`.',
  E_ABORTED: 'The run was stopped by its AbortSignal (or SIGINT); finished results are in `details.partial`.',
  E_CASE_TIMEOUT: 'A case ran longer than `timeoutMs`; it counts as failed under `onError` (its thread or child process was ended).',
  E_CASE_STALLED: 'An inline run waited for a case whose promise can never settle (nothing else was left to run, so Node was about to exit); finished results were kept.',
  E_UNKNOWN_VAR: 'A variable name that the dataset does not have.',
  E_UNKNOWN_DIM: 'A dim name that the dataset does not have.',
  E_NOT_FOUND: 'A selected coordinate value is not in the dataset, or a dataset file does not exist.',
  E_FOREIGN_FILE: 'The file is valid Parquet / Arrow but harvestry did not write it (no `harvestry` metadata).',
  E_CORRUPT_FILE: 'The file cannot be read as a dataset (truncated, garbled, or metadata that does not parse).',
  E_FORMAT_VERSION: 'The file was written by a newer harvestry whose format this version cannot read.',
  E_UNSUPPORTED_FORMAT: 'A file format or extension harvestry does not read or write.',
  E_NOT_EXPORTED: 'A pool or subprocess run needs the labelled function exported from a module (not a closure, not from a REPL), so workers can import it.',
  E_WORKER_IMPORT: 'A worker thread or child process could not import the module that exports the labelled function.',
  E_WORKER_DIED: 'The worker thread or child process running a case died (process.exit, out of memory, a signal); the case counts as failed.',
  E_SKIPPED_IN_WORKER: "Top-level code of a module used the result of a run that a worker importing the module skipped (workers run a module's top level only down to the label() calls they need).",
  E_DANFO_MISSING: '`toDataFrame()` needs danfo: neither `danfojs-node` nor `danfojs` is installed.',
  E_ZIP_LENGTHS: 'The lists and spaces given to `zip()` do not all have the same length.',
  E_SPACE_DIMS: 'The dims of spaces do not fit together: a dim named twice in `product()` / `zip()` / `repeat()`, or parts of `concat()` / `mixture()` naming different dims.',
  E_SPACE_TOO_BIG: 'A space has more points than one run can index (2^31 - 1).',
  E_FILTER_FAILED: 'The predicate given to `filter()` threw for a point; the original error is the `cause`.',
  E_SCHEMA_MISMATCH: "A harvest's dims or variables (or their types) differ from those of the dataset file; the file is left as it was.",
  E_MERGE_CONFLICT: 'Under `overwrite: null`, a case already in the dataset got a different result; nothing of that commit is written.',
  E_LOCKED: "The dataset file's lock could not be had: held by another live process past the lock timeout, or the file kept changing under it.",
  E_FILE_REPLACED: 'During a harvest, the dataset file was deleted or replaced by something the Harvester did not write; the harvest stopped instead of starting a new file.',
  E_NOT_WRITABLE: 'A file or folder harvestry must write cannot be written (read-only file system, immutable or append-only file, no permission, no space); checked before a run starts where it can be.',
  E_PATH_KIND: 'A path harvestry writes is the wrong kind: a folder where a file belongs (the file, its `.bak`, its labels), or a file where a folder belongs (a parent folder).',
  E_BAD_LOCK: "A file's lock `<file>.lock` is not a lock harvestry made (a file, or a folder with files in it) or cannot be examined, so whether another process writes the file cannot be told.",
  E_DRAW_FAILED: "A Sampler's draw (a function `(rng) => value` or a space's or mixture's `draw`) threw; the original error is the `cause`.",
  E_FILE_EXISTS: '`writeDataset()` found a file at its path and was not given `overwrite: true`; the file is left as it was.',
  E_FILE_KIND: "The file is a harvestry file of another kind: a Harvester's dataset where a Sampler's table was expected, or the reverse.",
  E_CROP_NOT_SOWN: 'A crop operation (grow, status, reap, submit) found no crop in the folder: it was never sown, or was reaped and removed.',
  E_CROP_EXISTS: 'A crop of that name is already sown (or its folder exists): grow and reap it, delete it, or use another name.',
  E_CROP_MISMATCH: 'The crop on disk was sown for another dataset than the Harvester opening it.',
  E_CROP_INCOMPLETE: 'A reap found batches without results; reap with `allowIncomplete: true` to merge only the finished ones.',
  E_BATCH_FAILED: 'Batches of a crop failed while `cultivate()` grew them (a case threw, a task was killed); the crop is kept for a retry.',
  E_SUBMIT_FAILED: 'The cluster scheduler refused a job script (its own message is included), or its commands (`sbatch`, `squeue`, `qsub`) are not available.',
  E_TIMEOUT: '`crop.wait()` gave up: batches were still queued or running after `timeoutMs`.',
  E_PLOT_UNMAPPED: 'A chart would put several rows on one point: a dim is on no encoding (x, color, column, row), not fixed with `sel` and not reduced.',
  E_PLOT_TYPE: 'A column of the wrong kind for where a chart puts it: strings on a numeric axis, a dim where a variable is drawn, a list column of a sample table.',
  E_PLOT_EMPTY: 'A chart has nothing to draw: the selection leaves no rows with a value of the variable.',
  E_PLOT_SPEC: 'vega-lite could not compile the chart built from the options.',
} as const;

/** A stable error code; see {@link ERROR_CODES}. */
export type ErrorCode = keyof typeof ERROR_CODES;

/** Options for {@link HarvestryError}. */
export interface HarvestryErrorOptions {
  /** The underlying error, kept as the standard `cause`. */
  cause?: unknown;
  /** Structured facts about the failure (the case, the keys, the path...), for programs. */
  details?: Readonly<Record<string, unknown>>;
}

/**
 * The error harvestry throws on purpose. Its message names the thing, the rule, the value
 * received and the fix; `code` is stable; `cause` keeps the original error where there is one.
 *
 * @example
 * ```ts
 * try {
 *   await runner.runCombos({ a: 'abc' as never });
 * } catch (err) {
 *   if (err instanceof HarvestryError && err.code === 'E_COMBO_NOT_ARRAY') console.error(err.message);
 * }
 * ```
 */
export class HarvestryError extends Error {
  /** The stable code of this kind of error. */
  readonly code: ErrorCode;
  /** Structured facts about the failure. */
  readonly details: Readonly<Record<string, unknown>>;

  /**
   * Makes an error with a stable code.
   *
   * @param code - the stable code
   * @param message - what went wrong and how to fix it
   * @param options - the `cause` and structured `details`
   */
  constructor(code: ErrorCode, message: string, options: HarvestryErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'HarvestryError';
    this.code = code;
    this.details = options.details ?? {};
  }
}
