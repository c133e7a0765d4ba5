/**
 * A small PNG decoder for tests (8-bit RGB / RGBA, not interlaced, as resvg writes): the size
 * and the pixels, so a test can check an image is not blank.
 */
import { inflateSync } from 'node:zlib';

/** A decoded image: RGBA pixels, row by row. */
export interface DecodedPng {
  width: number;
  height: number;
  rgba: Uint8Array;
}

/** Decodes a PNG. */
export function decodePng(png: Uint8Array): DecodedPng {
  const buf = Buffer.from(png.buffer, png.byteOffset, png.byteLength);
  if (buf.readUInt32BE(0) !== 0x89504e47) throw new Error('not a PNG');
  let at = 8;
  let width = 0;
  let height = 0;
  let channels = 0;
  const idat: Buffer[] = [];
  while (at < buf.length) {
    const len = buf.readUInt32BE(at);
    const type = buf.toString('latin1', at + 4, at + 8);
    const data = buf.subarray(at + 8, at + 8 + len);
    if (type === 'IHDR') {
      width = data.readUInt32BE(0);
      height = data.readUInt32BE(4);
      if (data[8] !== 8 || data[12] !== 0) throw new Error('only 8-bit, non-interlaced PNGs');
      channels = data[9] === 6 ? 4 : data[9] === 2 ? 3 : data[9] === 4 ? 2 : 1;
    } else if (type === 'IDAT') idat.push(data);
    at += 12 + len;
  }
  const raw = inflateSync(Buffer.concat(idat));
  const stride = width * channels;
  const out = new Uint8Array(height * stride);
  for (let y = 0; y < height; y++) {
    const filter = raw[y * (stride + 1)]!;
    const line = raw.subarray(y * (stride + 1) + 1, (y + 1) * (stride + 1));
    for (let x = 0; x < stride; x++) {
      const a = x >= channels ? out[y * stride + x - channels]! : 0;
      const b = y > 0 ? out[(y - 1) * stride + x]! : 0;
      const c = x >= channels && y > 0 ? out[(y - 1) * stride + x - channels]! : 0;
      const p = a + b - c;
      const pred = filter === 0 ? 0 : filter === 1 ? a : filter === 2 ? b : filter === 3 ? (a + b) >> 1 : Math.abs(p - a) <= Math.abs(p - b) && Math.abs(p - a) <= Math.abs(p - c) ? a : Math.abs(p - b) <= Math.abs(p - c) ? b : c;
      out[y * stride + x] = (line[x]! + pred) & 0xff;
    }
  }
  const rgba = new Uint8Array(width * height * 4);
  for (let i = 0; i < width * height; i++) {
    const s = i * channels;
    const gray = channels <= 2;
    rgba[i * 4] = out[s]!;
    rgba[i * 4 + 1] = gray ? out[s]! : out[s + 1]!;
    rgba[i * 4 + 2] = gray ? out[s]! : out[s + 2]!;
    rgba[i * 4 + 3] = channels === 4 ? out[s + 3]! : channels === 2 ? out[s + 1]! : 255;
  }
  return { width, height, rgba };
}

/** The share of pixels that are not (near) white. */
export function inkShare(img: DecodedPng): number {
  let ink = 0;
  for (let i = 0; i < img.width * img.height; i++) {
    if (img.rgba[i * 4]! < 240 || img.rgba[i * 4 + 1]! < 240 || img.rgba[i * 4 + 2]! < 240) ink++;
  }
  return ink / (img.width * img.height);
}

/** The count of distinct colours (a rough measure of what is drawn). */
export function colourCount(img: DecodedPng): number {
  const seen = new Set<number>();
  for (let i = 0; i < img.width * img.height; i++) seen.add((img.rgba[i * 4]! << 16) | (img.rgba[i * 4 + 1]! << 8) | img.rgba[i * 4 + 2]!);
  return seen.size;
}
