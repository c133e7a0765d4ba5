/**
 * The adapter for vega and vega-lite (the only importer of them): a Vega-Lite spec compiled to
 * Vega and rendered headless to SVG (no canvas, no browser), and the browser bundles of vega,
 * vega-lite and vega-embed, read from their packages for self-contained HTML. Both packages
 * are loaded on first use, so importing harvestry does not load them.
 */
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import type * as vegaTypes from 'vega';
import type * as vegaLiteTypes from 'vega-lite';
import { HarvestryError } from '../errors.js';

/** A Vega-Lite spec as plain JSON. */
export type VegaLiteSpec = Record<string, unknown>;

type VegaModule = typeof vegaTypes;
type VegaLiteModule = typeof vegaLiteTypes;

let loaded: Promise<{ vega: VegaModule; vl: VegaLiteModule }> | undefined;

function load(): Promise<{ vega: VegaModule; vl: VegaLiteModule }> {
  loaded ??= Promise.all([import('vega'), import('vega-lite')]).then(([vega, vl]) => ({ vega, vl }));
  return loaded;
}

/**
 * Renders a Vega-Lite spec to SVG text.
 *
 * @param spec - the Vega-Lite spec
 */
export async function renderVegaLiteSvg(spec: VegaLiteSpec): Promise<string> {
  const { vega, vl } = await load();
  let compiled: ReturnType<VegaLiteModule['compile']>;
  try {
    compiled = vl.compile(spec as never);
  } catch (err) {
    throw new HarvestryError('E_PLOT_SPEC', `vega-lite cannot compile the chart's spec: ${(err as Error).message}. Check the options given to plot().`, { cause: err });
  }
  const view = new vega.View(vega.parse(compiled.spec), { renderer: 'none', logLevel: vega.Error });
  try {
    return await view.toSVG();
  } finally {
    view.finalize();
  }
}

const BUNDLES = { vega: 'build/vega.min.js', 'vega-lite': 'build/vega-lite.min.js', 'vega-embed': 'build/vega-embed.min.js' } as const;
const bundleCache = new Map<string, string>();

/**
 * The browser bundle of vega, vega-lite or vega-embed, as JavaScript text (read once). The
 * bundles are files, not package exports, so they are found beside each package's
 * `package.json`.
 *
 * @param name - the package
 */
export function browserBundle(name: keyof typeof BUNDLES): string {
  let text = bundleCache.get(name);
  if (text === undefined) {
    text = readFileSync(join(packageDir(name), BUNDLES[name]), 'utf8');
    bundleCache.set(name, text);
  }
  return text;
}

/** The folder of an installed package: up from its main file to its package.json. */
function packageDir(name: string): string {
  let dir = dirname(createRequire(import.meta.url).resolve(name));
  for (;;) {
    const manifest = join(dir, 'package.json');
    if (existsSync(manifest) && (JSON.parse(readFileSync(manifest, 'utf8')) as { name?: string }).name === name) return dir;
    const up = dirname(dir);
    if (up === dir) throw new Error(`cannot find the folder of the package ${name}`);
    dir = up;
  }
}
