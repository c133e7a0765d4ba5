/**
 * `harvestry demo`: a small sweep written to one Parquet file, then summarized.
 */
import { join } from 'node:path';
import { label } from '../runner/label.js';
import { readDataset, writeDataset } from '../store/dataset-file.js';

/** A projectile on flat ground: its height along the way, its range and its flight time. */
export const demoProjectile = label(
  {
    varNames: ['height', 'range', 'flightTime'],
    varDims: { height: ['x'] },
    constants: { x: [0, 10, 20, 30, 40, 50], g: 9.81 },
    attrs: { units: 'SI' },
  },
  ({ speed, angle, x, g }: { speed: number; angle: number; x: number[]; g: number }) => {
    const rad = (angle * Math.PI) / 180;
    const vx = speed * Math.cos(rad);
    const vy = speed * Math.sin(rad);
    const height = Float64Array.from(x, (d) => Math.max(0, d * Math.tan(rad) - (g * d * d) / (2 * vx * vx)));
    return [height, (2 * vx * vy) / g, (2 * vy) / g];
  },
);

/**
 * Runs the demo sweep, writes it under `dir` and returns the summary and the file's path.
 *
 * @param dir - the folder to write into
 */
export async function runDemo(dir: string): Promise<{ path: string; summary: string }> {
  const ds = await demoProjectile.runCombos({ speed: [10, 20, 30], angle: [15, 30, 45, 60] });
  const path = join(dir, 'demo.parquet');
  await writeDataset(ds, path, { overwrite: true }); // the demo's own file, from an earlier demo (kept as .bak)
  return { path, summary: String(await readDataset(path)) };
}
