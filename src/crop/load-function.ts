/**
 * Finding a crop's labelled function in a process that did not sow it (a scheduler's task, the
 * CLI): import the module that labelled it, as worker threads do (a sweep the module runs at its
 * top level is held back), and take the export made by the same `label()` call. The function
 * may have been edited since sowing (to fix a failing case, say): then the edited version grows
 * the batches and its fingerprint is recorded with their results.
 */
import { HarvestryError } from '../errors.js';
import type { AnyFunction } from '../execute/evaluate.js';
import type { FunctionSite } from '../execute/site.js';
import { loadLabelled } from '../execute/worker-import.js';
import type { CropManifest } from './manifest.js';

/** The function that grows a crop's batches here. */
export interface CropFunction {
  readonly fn: AnyFunction;
  readonly resources: Readonly<Record<string, unknown>>;
  readonly fingerprint: string;
  /** Where workers (pool, subprocess) find it. */
  readonly site: FunctionSite;
}

/**
 * Imports the labelled function of a crop.
 *
 * @param manifest - the crop's manifest
 * @param dir - the crop's folder, for messages
 */
export async function loadCropFunction(manifest: CropManifest, dir: string): Promise<CropFunction> {
  const ref = manifest.function;
  if (ref.module === null || ref.enclosing !== null) {
    const where = ref.module === null ? 'outside a module file (in a REPL or eval)' : `inside the function \`${ref.enclosing}\` of ${ref.module}`;
    throw new HarvestryError(
      'E_NOT_EXPORTED',
      `The crop ${dir} was sown with a function labelled ${where}, so another process cannot import it. Grow it in the process that sowed it (crop.grow()), or label the function at the top level of a module, export it (export const sweep = label(...)), and sow again.`,
      { details: { dir, module: ref.module } },
    );
  }
  const asked: FunctionSite & { url: string } = { url: ref.module, ordinal: ref.ordinal, fingerprint: ref.fingerprint, enclosing: null };
  let found: Awaited<ReturnType<typeof loadLabelled>>;
  try {
    found = await loadLabelled(asked, { anyVersion: true });
  } catch (err) {
    throw withLoaderFix(err, manifest);
  }
  const site = found.site ?? asked;
  return { fn: found.fn, resources: found.resources, fingerprint: site.fingerprint, site };
}

/** E_WORKER_IMPORT of a TypeScript module in a process without a loader, with the fix that works. */
function withLoaderFix(err: unknown, manifest: CropManifest): unknown {
  let cause: unknown = err;
  for (let i = 0; i < 4 && cause instanceof Error; i++) {
    if ((cause as NodeJS.ErrnoException).code === 'ERR_UNKNOWN_FILE_EXTENSION') break;
    cause = cause.cause;
  }
  if (!(err instanceof HarvestryError) || (cause as NodeJS.ErrnoException | null)?.code !== 'ERR_UNKNOWN_FILE_EXTENSION') return err;
  const sower = [...manifest.launcher.execArgv].join(' ');
  return new HarvestryError(
    'E_WORKER_IMPORT',
    `${err.message}. This process has no TypeScript loader (the crop was sown with \`node ${sower}\`). Grow it with \`npx harvestry crop grow <dir>\`, which starts itself under the crop's recorded launcher (or the tsx of the module's project), or run your script under the loader: \`node --import tsx script.ts\` or \`npx tsx script.ts\`.`,
    { cause: err, details: err.details },
  );
}
