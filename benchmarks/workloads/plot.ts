/**
 * The plotting workloads. W10: W2's 300 × 300 grid as a heatmap, and W5's traces at y = 0 as
 * 50 lines of 100 points coloured by x, each drawn to an SVG file and to a PNG file (xyzpy with
 * matplotlib, same machine: heatmap 198 ms SVG / 219 ms PNG, lines 464 ms / 361 ms, 210 MiB
 * peak). W11: a one-slice line plot (a = 5000, 1,000 points) from W9's 10,000,000-row file,
 * read in part (target: under 1 s and 300 MiB).
 */
import { execFile } from 'node:child_process';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { Harvester, label, plot, type Dataset } from '../../src/index.js';
import type { Workload } from '../workload.js';

function range(n: number, start = 0): number[] {
  return Array.from({ length: n }, (_, i) => start + i);
}

const product = label({ varNames: 'p' }, ({ a, b }: { a: number; b: number }) => a * b);
const trace = label({ varNames: 'out', varDims: { out: ['t'] }, varCoords: { t: range(100) } }, ({ x, y }: { x: number; y: number }) => {
  const out = new Float64Array(100);
  for (let i = 0; i < 100; i++) out[i] = x * i + y;
  return out;
});

type Format = 'svg' | 'png';

function heatmap(name: string, format: Format): Workload<Dataset> {
  return {
    name,
    description: `heatmap of W2's 300 × 300 grid (p over a, b) from the dataset in memory to a ${format.toUpperCase()} file`,
    cases: 90_000,
    runs: 10,
    warmup: 3,
    prepare: () => product.runCombos({ a: range(300), b: range(300) }),
    async run(ds, dir) {
      const p = await plot(ds, { kind: 'heatmap', x: 'a', y: 'b', color: 'p' });
      await p.write(join(dir, `heatmap.${format}`), { scale: 1 });
    },
  };
}

function lines(name: string, format: Format): Workload<Dataset> {
  return {
    name,
    description: `line plot of W5's traces at y = 0: 50 lines of 100 points, colour by x, from the dataset in memory to a ${format.toUpperCase()} file`,
    cases: 5000,
    runs: 10,
    warmup: 3,
    prepare: () => trace.runCombos({ x: range(50), y: range(50) }),
    async run(ds, dir) {
      const p = await plot(ds, { x: 't', y: 'out', color: 'x', sel: { y: 0 } });
      await p.write(join(dir, `lines.${format}`), { scale: 1 });
    },
  };
}

/**
 * W9's file: 10,000 × 1,000 rows, 10 row groups of 1,000,000 (a harvest of 1,000 values of a each).
 *
 * @param dir - the folder to write `w9.parquet` in
 */
export async function makeW9File(dir: string): Promise<string> {
  const path = join(dir, 'w9.parquet');
  const h = new Harvester(product, path);
  for (let a0 = 0; a0 < 10_000; a0 += 1000) await h.harvestCombos({ a: range(1000, a0), b: range(1000) });
  return path;
}

/** W10 (four lines: heatmap and lines, SVG and PNG) and W11. */
export const plotWorkloads: readonly Workload[] = [
  heatmap('W10-heatmap-svg', 'svg'),
  heatmap('W10-heatmap-png', 'png'),
  lines('W10-lines-svg', 'svg'),
  lines('W10-lines-png', 'png'),
  w11(),
];

function w11(): Workload<string> {
  return {
    name: 'W11',
    description: "one-slice line plot (p over b at a = 5000: 1,000 points) from W9's 10,000,000-row Parquet file, read in part, to an SVG file",
    cases: 1000,
    runs: 5,
    warmup: 2,
    // made in a child process (make-w9.ts): harvesting 10,000,000 rows takes more memory than
    // plotting a slice of them, and the peak RSS measured is the whole process's
    async prepare(dir) {
      const script = fileURLToPath(new URL('../make-w9.js', import.meta.url));
      const { stdout } = await promisify(execFile)(process.execPath, [script, dir], { encoding: 'utf8' });
      return stdout.trim();
    },
    async run(path, dir) {
      const p = await plot(path, { x: 'b', y: 'p', sel: { a: 5000 } });
      await writeFile(join(dir, 'slice.svg'), await p.toSVG());
    },
  };
}
