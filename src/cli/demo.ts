/**
 * `harvestry demo`: a small sweep written to one Parquet file, then summarized.
 */
import { join } from 'node:path';
import { label } from '../runner/label.js';
import { readDataset, writeDataset } from '../store/dataset-file.js';

/** A damped oscillator: its trace over time and its energy at the end. */
export const demoOscillator = label(
  {
    varNames: ['trace', 'energy'],
    varDims: { trace: ['t'] },
    constants: { t: Array.from({ length: 11 }, (_, i) => i / 2) },
    attrs: { model: 'damped oscillator' },
  },
  ({ omega, gamma, t }: { omega: number; gamma: number; t: number[] }) => {
    const trace = Float64Array.from(t, (x) => Math.exp(-gamma * x) * Math.cos(omega * x));
    return [trace, 0.5 * omega ** 2 * Math.exp(-2 * gamma * t[t.length - 1]!)];
  },
);

/**
 * Runs the demo sweep, writes it under `dir` and returns the summary and the file's path.
 *
 * @param dir - the folder to write into
 */
export async function runDemo(dir: string): Promise<{ path: string; summary: string }> {
  const ds = await demoOscillator.runCombos({ omega: [0.5, 1, 2], gamma: [0, 0.1, 0.5] });
  const path = join(dir, 'demo.parquet');
  await writeDataset(ds, path);
  return { path, summary: String(await readDataset(path)) };
}
