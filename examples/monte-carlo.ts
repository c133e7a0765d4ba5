/**
 * A Monte Carlo estimate of π (the share of random points of the unit square inside the quarter
 * circle, times 4) for growing sample sizes n, repeated over 20 seeds. The figure draws the mean
 * over seeds with its 95% confidence interval, which narrows as 1/√n: docs/guide/plot.md.
 */
import { writeFile } from 'node:fs/promises';
import { arange, Harvester, label, logspace, plot } from 'harvestry';

/**
 * π estimated from n random points. `seed` only labels the repeat: the generator `rng` is seeded
 * from the case (n and seed), so each seed draws other points.
 */
// eslint-disable-next-line @typescript-eslint/no-unused-vars -- seed only labels the repeat
export const estimatePi = label({ varNames: 'pi_hat', attrs: { method: 'quarter circle' } }, ({ n, seed, rng }: { n: number; seed: number; rng: () => number }) => {
  let inside = 0;
  for (let i = 0; i < n; i++) {
    const x = rng();
    const y = rng();
    if (x * x + y * y < 1) inside++;
  }
  return (4 * inside) / n;
});

const harvester = new Harvester(estimatePi, 'harvestry-demo/monte-carlo.parquet');
await harvester.harvestCombos({ n: logspace(1, 4, 7), seed: arange(0, 20) }, { missingOnly: true });

const figure = await plot(harvester.fullDs!, { x: 'n', y: 'pi_hat', reduce: { dim: 'seed', band: 'ci95' }, log: { x: true }, title: 'Monte Carlo estimate of π' });
await figure.write('harvestry-demo/monte-carlo.png');
await writeFile('harvestry-demo/monte-carlo.vl.json', `${JSON.stringify(figure.toSpec(), null, 1)}\n`);
console.log('wrote harvestry-demo/monte-carlo.png');
