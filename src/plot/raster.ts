/**
 * A heatmap of a big regular grid as one picture instead of one rectangle per cell: the cells
 * coloured through the scheme's ramp into an RGB image, encoded as a PNG data URL that an image
 * mark stretches over the grid's extent (vega draws tens of thousands of rectangles slowly; one
 * image is instant, in SVG, PNG and the browser alike).
 */
import { deflateSync } from 'node:zlib';

/** A grid to draw: its sorted coords and a value per cell (NaN for none). */
export interface RasterGrid {
  readonly xs: readonly number[];
  readonly ys: readonly number[];
  /** Row-major from the lowest y: `values[j * xs.length + i]` is at (xs[i], ys[j]). */
  readonly values: Float64Array;
}

/**
 * True when coords are evenly spaced (on a log scale when `log`), so that equal pixels map to
 * equal steps.
 *
 * @param coords - sorted coords
 * @param log - a log axis
 */
export function isEven(coords: readonly number[], log: boolean): boolean {
  if (coords.length < 2) return false;
  const t = log ? coords.map(Math.log) : coords;
  if (t.some((v) => !Number.isFinite(v))) return false;
  const step = (t[t.length - 1]! - t[0]!) / (t.length - 1);
  return step > 0 && t.every((v, i) => Math.abs(v - (t[0]! + i * step)) <= 1e-6 * Math.abs(step) * t.length);
}

/**
 * The grid as a PNG data URL: one pixel per cell, top row the highest y; cells without a value
 * are white.
 *
 * @param grid - the grid
 * @param ramp - 256 RGB triples
 * @param min - the value drawn with the ramp's first colour
 * @param max - the value drawn with its last colour
 */
export function rasterDataUrl(grid: RasterGrid, ramp: Uint8Array, min: number, max: number): string {
  const w = grid.xs.length;
  const h = grid.ys.length;
  const raw = Buffer.alloc(h * (w * 3 + 1));
  const span = max > min ? max - min : 1;
  for (let row = 0; row < h; row++) {
    const j = h - 1 - row;
    let at = row * (w * 3 + 1) + 1;
    for (let i = 0; i < w; i++, at += 3) {
      const v = grid.values[j * w + i]!;
      if (Number.isNaN(v)) {
        raw.fill(255, at, at + 3);
        continue;
      }
      const k = Math.max(0, Math.min(255, Math.round(((v - min) / span) * 255))) * 3;
      raw[at] = ramp[k]!;
      raw[at + 1] = ramp[k + 1]!;
      raw[at + 2] = ramp[k + 2]!;
    }
  }
  const header = Buffer.alloc(13);
  header.writeUInt32BE(w, 0);
  header.writeUInt32BE(h, 4);
  header[8] = 8; // bit depth
  header[9] = 2; // RGB
  const png = Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), chunk('IHDR', header), chunk('IDAT', deflateSync(raw)), chunk('IEND', Buffer.alloc(0))]);
  return `data:image/png;base64,${png.toString('base64')}`;
}

function chunk(type: string, data: Buffer): Buffer {
  const length = Buffer.alloc(4);
  length.writeUInt32BE(data.length);
  const body = Buffer.concat([Buffer.from(type, 'latin1'), data]);
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(body));
  return Buffer.concat([length, body, crc]);
}

let table: Uint32Array | undefined;

function crc32(buf: Uint8Array): number {
  table ??= Uint32Array.from({ length: 256 }, (_, n) => {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    return c >>> 0;
  });
  let crc = 0xffffffff;
  for (const b of buf) crc = table[(crc ^ b) & 0xff]! ^ (crc >>> 8);
  return (crc ^ 0xffffffff) >>> 0;
}
