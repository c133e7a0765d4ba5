/**
 * The adapter for @resvg/resvg-js (the only importer of it): SVG text to PNG bytes. resvg draws
 * text only with fonts it loads, so it gets the DejaVu Sans files harvestry ships (the
 * `dejavu-fonts-ttf` package) and no system fonts: a PNG has the same text on every machine,
 * in the family the chart's config asks for ({@link CHART_FONT}).
 */
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';

/** The font family charts ask for, and the one resvg is given. */
export const CHART_FONT = 'DejaVu Sans';

let fontFiles: string[] | undefined;

/**
 * Renders SVG text to a PNG.
 *
 * @param svg - the SVG text
 * @param scale - the zoom (2 gives twice the SVG's pixel size)
 */
export async function renderPng(svg: string, scale: number): Promise<Uint8Array> {
  const { Resvg } = await import('@resvg/resvg-js');
  fontFiles ??= ['DejaVuSans.ttf', 'DejaVuSans-Bold.ttf', 'DejaVuSans-Oblique.ttf'].map((f) => join(fontDir(), f));
  const resvg = new Resvg(svg, {
    fitTo: { mode: 'zoom', value: scale },
    background: 'white',
    font: { fontFiles, loadSystemFonts: false, defaultFontFamily: CHART_FONT, sansSerifFamily: CHART_FONT },
  });
  return new Uint8Array(resvg.render().asPng());
}

/** The `ttf/` folder of the dejavu-fonts-ttf package (which has no exports map). */
function fontDir(): string {
  return join(dirname(createRequire(import.meta.url).resolve('dejavu-fonts-ttf/package.json')), 'ttf');
}

/** Reads a PNG's width and height from its header. */
export function pngSize(png: Uint8Array): { width: number; height: number } {
  const view = new DataView(png.buffer, png.byteOffset, png.byteLength);
  return { width: view.getUint32(16), height: view.getUint32(20) };
}
