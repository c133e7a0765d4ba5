/**
 * `'...'` in a harvest's combos: every value of that dim already in the dataset file.
 */
import { HarvestryError } from '../errors.js';
import type { DatasetMeta } from '../dataset/meta.js';
import { ALL_EXISTING, isPlainObject } from '../space/combos.js';
import { showNames } from '../space/values.js';

/**
 * Replaces each `'...'` value of the combos by the coords of that dim in the file's labels.
 *
 * @param combos - the combos as given
 * @param meta - the file's labels, or null when there is no file
 * @param path - the file, for messages
 * @param where - the call, for messages
 * @returns the combos with every `'...'` replaced (the same object when there is none)
 */
export function expandEllipsis(combos: unknown, meta: DatasetMeta | null, path: string, where: string): unknown {
  if (!isPlainObject(combos)) return combos;
  const names = Object.keys(combos).filter((k) => combos[k] === ALL_EXISTING);
  if (names.length === 0) return combos;
  const out: Record<string, unknown> = { ...combos };
  for (const name of names) {
    if (meta === null) {
      throw new HarvestryError(
        'E_NOT_FOUND',
        `\`combos.${name}\` in ${where} is '...' (every value of \`${name}\` already in the dataset), but there is no dataset at ${path} yet. Give the values of \`${name}\` for the first harvest.`,
        { details: { path, dim: name } },
      );
    }
    const dim = meta.dims.find((d) => d.name === name);
    if (dim === undefined) {
      throw new HarvestryError(
        'E_UNKNOWN_DIM',
        `\`combos.${name}\` in ${where} is '...' (every value of \`${name}\` already in the dataset), but ${path} has no dim \`${name}\`; its dims are ${showNames(meta.dims.map((d) => d.name))}.`,
        { details: { path, dim: name } },
      );
    }
    out[name] = [...dim.coords];
  }
  return out;
}
