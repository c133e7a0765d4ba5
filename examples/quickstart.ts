/**
 * harvestry's quick start (`npm run demo`): label a function, run it over a small grid, write
 * the results to one Parquet file, and print what is in it.
 */
import { label, readDataset, writeDataset } from 'harvestry';

/** A damped oscillator: its trace over time, and its energy at the end. */
export const oscillator = label(
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

const ds = await oscillator.runCombos({ omega: [0.5, 1, 2], gamma: [0, 0.1, 0.5] });
const path = 'harvestry-demo/quickstart.parquet';
await writeDataset(ds, path);

const back = await readDataset(path);
console.log(String(back));
console.log(`energy at omega = 2: ${Array.from(back.sel({ omega: 2 }).get('energy').data as Float64Array, (e) => e.toFixed(4)).join(', ')}`);
console.log(`wrote ${path}`);
