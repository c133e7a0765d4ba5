/**
 * How messages name the next step: as JavaScript calls (`crop.grow({ batches: 'failed' })`,
 * `allowIncomplete: true`) for a crop used from code, or as the CLI's commands and flags
 * (`harvestry crop grow <dir> --failed`, `--allow-incomplete`) for a crop looked after with
 * `harvestry crop ...`.
 */

/** The words a crop's messages use for the calls and options a user can reach for. */
export interface CropHints {
  /** The call a message starts with (`crop.reap()` / `harvestry crop reap`). */
  readonly where: (method: 'grow' | 'reap' | 'status' | 'submit') => string;
  /** How to look at every batch's state. */
  readonly status: string;
  /** How to grow the missing batches. */
  readonly grow: string;
  /** How to grow the failed batches again. */
  readonly growFailed: string;
  /** How to reap what is done, leaving out unfinished batches. */
  readonly allowIncomplete: string;
  /** How to replace conflicting old results, and how to keep them. */
  readonly overwrite: { readonly replace: string; readonly keep: string };
}

/** Hints for a crop used from JavaScript. */
export const API_HINTS: CropHints = {
  where: (method) => `crop.${method}()`,
  status: 'crop.status()',
  grow: 'crop.grow()',
  growFailed: "crop.grow({ batches: 'failed' })",
  allowIncomplete: 'allowIncomplete: true',
  overwrite: { replace: 'overwrite: true', keep: 'overwrite: false' },
};

/**
 * Hints for a crop looked after with the CLI.
 *
 * @param dir - the crop's folder, as the user gave it
 */
export function cliHints(dir: string): CropHints {
  const arg = /^[\w./@%+=:,-]+$/.test(dir) ? dir : `'${dir.replace(/'/g, `'\\''`)}'`;
  return {
    where: (method) => `harvestry crop ${method}`,
    status: `harvestry crop status ${arg}`,
    grow: `harvestry crop grow ${arg}`,
    growFailed: `harvestry crop grow ${arg} --failed`,
    allowIncomplete: `harvestry crop reap ${arg} --allow-incomplete`,
    overwrite: { replace: '--overwrite', keep: '--keep-old' },
  };
}
