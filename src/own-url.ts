/**
 * The URLs of harvestry's own files, for what is loaded by URL (pool threads, subprocess
 * children, the CLI a crop's growers run). This module sits at the top of the modules' tree, so
 * `./` is that top: `src/` run from the TypeScript source, the output folder of a file-by-file
 * build, and `dist/` in the package, whose bundle keeps each entry module at its source path
 * (`dist/execute/pool-worker.js`) and puts the shared code at its top (scripts/build.mjs).
 */

/** The top of harvestry's modules: `src/`, or `dist/` in the package. */
export const OWN_ROOT: string = new URL('./', import.meta.url).href;

/** True when harvestry runs from its TypeScript source (the tests, `--conditions=source`). */
export const FROM_SOURCE: boolean = import.meta.url.endsWith('.ts');

/**
 * The URL of one of harvestry's entry modules, by its path under `src/` with a `.js` extension
 * (`'execute/pool-worker.js'`): the `.ts` file when running from the source.
 *
 * @param path - the module's path under `src/`
 */
export function ownModule(path: string): URL {
  return new URL(FROM_SOURCE ? path.replace(/\.js$/, '.ts') : path, OWN_ROOT);
}
