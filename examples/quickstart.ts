/**
 * harvestry's quick start (`npm run demo`): label a function, harvest a small grid into one
 * Parquet file, extend it with new values (only the missing cases run), and print what the
 * file holds. Run it again: everything is already there, so nothing runs.
 */
import { Harvester, isMain, label } from 'harvestry';

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

// Workers (pool threads, child processes, crop growers) import this module to find
// `oscillator`; the sweep below runs only in the process that was started.
if (isMain()) {
  const path = 'harvestry-demo/quickstart.parquet';
  const harvester = new Harvester(oscillator, path);
  await harvester.harvestCombos({ omega: [0.5, 1, 2], gamma: [0, 0.1, 0.5] }, { missingOnly: true });
  // '...' means every gamma already in the file: only the 3 new cases run
  await harvester.harvestCombos({ omega: [4], gamma: '...' }, { missingOnly: true });

  const ds = harvester.fullDs!;
  console.log(String(ds));
  console.log(`energy at omega = 2: ${Array.from(ds.sel({ omega: 2 }).get('energy').data as Float64Array, (e) => e.toFixed(4)).join(', ')}`);
  console.log(`wrote ${path}`);
}
