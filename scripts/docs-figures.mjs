/**
 * `npm run docs:figures`: runs the plotting examples (each in a fresh folder, as a reader would)
 * and puts the figures they make into docs/guide/figures/ (or the folder given as argument): the
 * PNG shown in docs/guide/plot.md and `<figure>.spec.sha256`, a digest of the Vega-Lite spec it
 * was drawn from (numbers to 9 significant digits, so float noise across machines does not count).
 * test/docs/figures.test.ts runs this into a temporary folder and checks the committed figures
 * are still what the examples make: the digests equal, the pixels within a tolerance.
 */
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The examples that draw a figure, and the figure's name. */
const FIGURES = [
  { example: 'pendulum.ts', figure: 'pendulum' },
  { example: 'bifurcation.ts', figure: 'bifurcation' },
  { example: 'monte-carlo.ts', figure: 'monte-carlo' },
];

const root = fileURLToPath(new URL('../', import.meta.url));
const out = resolve(process.argv[2] ?? join(root, 'docs/guide/figures'));

mkdirSync(out, { recursive: true });
for (const { example, figure } of FIGURES) {
  const cwd = mkdtempSync(join(tmpdir(), 'harvestry-figure-'));
  try {
    execFileSync(process.execPath, ['--conditions=source', '--import', import.meta.resolve('tsx'), join(root, 'examples', example)], { cwd, stdio: ['ignore', 'ignore', 'inherit'] });
    copyFileSync(join(cwd, 'harvestry-demo', `${figure}.png`), join(out, `${figure}.png`));
    const spec = JSON.parse(readFileSync(join(cwd, 'harvestry-demo', `${figure}.vl.json`), 'utf8'));
    const rounded = JSON.stringify(spec, (_k, v) => (typeof v === 'number' && !Number.isInteger(v) ? Number(v.toPrecision(9)) : v));
    writeFileSync(join(out, `${figure}.spec.sha256`), `${createHash('sha256').update(rounded).digest('hex')}\n`);
    console.log(join(out, `${figure}.png`));
  } finally {
    rmSync(cwd, { recursive: true, force: true });
  }
}
