/**
 * The logistic map x → r x (1 - x), sampled at random: each sample draws a growth rate r in
 * [2.8, 4) and a start x0, iterates 600 times, and keeps where it lands. Plotted as a scatter of
 * x against r, the samples draw the bifurcation diagram: one fixed point, period doubling, chaos
 * with its windows. The figure is in docs/guide/plot.md.
 */
import { writeFile } from 'node:fs/promises';
import { label, plot, Sampler } from 'harvestry';

/** Where the logistic map lands after 600 steps from x0. */
export const logistic = label({ varNames: 'x', attrs: { model: 'x → r x (1 - x)' } }, ({ r, x0 }: { r: number; x0: number }) => {
  let x = x0;
  for (let i = 0; i < 600; i++) x = r * x * (1 - x);
  return x;
});

const sampler = new Sampler(logistic, 'harvestry-demo/logistic.parquet', {
  defaultCombos: { r: (rng) => 2.8 + 1.2 * rng(), x0: (rng) => 0.05 + 0.9 * rng() },
});
if (sampler.fullTable === null) await sampler.sampleCombos(12_000, { seed: 1 });

const figure = await plot(sampler.fullTable!, { x: 'r', y: 'x', title: 'Logistic map: where 12,000 random orbits land', width: 520, height: 300 });
await figure.write('harvestry-demo/bifurcation.png');
await writeFile('harvestry-demo/bifurcation.vl.json', `${JSON.stringify(figure.toSpec(), null, 1)}\n`);
console.log('wrote harvestry-demo/bifurcation.png');
