/**
 * A damped driven pendulum, θ'' + θ'/Q + sin θ = F cos(2t/3) (Q = 2), swept over the drive F and
 * two starting angles 0.01 rad apart. Weak drives settle onto the same periodic orbit; strong
 * ones are chaotic and the two starts part ways. The figure shows the angular velocity over time,
 * one panel per drive: docs/guide/plot.md.
 */
import { writeFile } from 'node:fs/promises';
import { Harvester, label, linspace, plot } from 'harvestry';

const T = linspace(0, 60, 241);

/** The angular velocity ω(t) at the times `t`, integrated by RK4 with 20 steps per sample. */
export const pendulum = label(
  {
    varNames: 'omega',
    varDims: { omega: ['t'] },
    constants: { t: T },
    attrs: { model: "θ'' + θ'/Q + sin θ = F cos(2t/3), Q = 2", units: { t: 's', omega: 'rad/s', theta0: 'rad' } },
  },
  ({ F, theta0, t }: { F: number; theta0: number; t: number[] }) => {
    const accel = (time: number, th: number, w: number): number => -w / 2 - Math.sin(th) + F * Math.cos((2 * time) / 3);
    const out = new Float64Array(t.length);
    let th = theta0;
    let w = 0;
    let time = 0;
    for (let i = 0; i < t.length; i++) {
      const h = (t[i]! - time) / 20;
      for (let k = 0; k < 20 && h > 0; k++) {
        const k1 = [w, accel(time, th, w)];
        const k2 = [w + (h / 2) * k1[1]!, accel(time + h / 2, th + (h / 2) * k1[0]!, w + (h / 2) * k1[1]!)];
        const k3 = [w + (h / 2) * k2[1]!, accel(time + h / 2, th + (h / 2) * k2[0]!, w + (h / 2) * k2[1]!)];
        const k4 = [w + h * k3[1]!, accel(time + h, th + h * k3[0]!, w + h * k3[1]!)];
        th += (h / 6) * (k1[0]! + 2 * k2[0]! + 2 * k3[0]! + k4[0]!);
        w += (h / 6) * (k1[1]! + 2 * k2[1]! + 2 * k3[1]! + k4[1]!);
        time += h;
      }
      out[i] = w;
    }
    return out;
  },
);

const harvester = new Harvester(pendulum, 'harvestry-demo/pendulum.parquet');
await harvester.harvestCombos({ F: [0.9, 1.07, 1.15, 1.5], theta0: [0.2, 0.21] }, { missingOnly: true });

const figure = await plot(harvester.fullDs!, { x: 't', y: 'omega', color: 'theta0', column: 'F', width: 300, height: 150, title: 'Damped driven pendulum: two starts 0.01 rad apart' });
await figure.write('harvestry-demo/pendulum.png');
await writeFile('harvestry-demo/pendulum.vl.json', `${JSON.stringify(figure.toSpec(), null, 1)}\n`);
console.log('wrote harvestry-demo/pendulum.png');
