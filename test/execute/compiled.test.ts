/**
 * The compiled path: harvestry built with tsc, a user's plain JavaScript modules, and Node with
 * no TypeScript loader. Pool threads and child processes must find the function there too, both
 * in a module without top-level runs and in one that runs its own sweep at the top level.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, before, describe, it } from 'node:test';
import { compiledDist } from '../_support/package.js';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
let dir = '';

const LIB = `import { label } from './dist/index.js';
export const square = label({ varNames: 'y' }, ({ x }) => {
  if (!(Number.isInteger(x) && x >= 0 && x < 100)) throw new RangeError('fixture: x must be in [0, 100), got ' + x);
  return x * x;
});
`;

const MAIN = `import { label } from './dist/index.js';
import { square } from './lib.mjs';
export const cube = label({ varNames: 'z' }, ({ x }) => x * x * x);
const executor = process.argv[2];
const a = await square.runCombos({ x: [1, 2, 3] }, { executor, numWorkers: 2 });
const b = await cube.runCombos({ x: [4, 5] }, { executor, numWorkers: 2 });
console.log(JSON.stringify([...a.toRecords(), ...b.toRecords()]));
`;

before(() => {
  mkdirSync(join(ROOT, '.tmp'), { recursive: true });
  // Inside the repository, so the build finds harvestry's dependencies in its node_modules.
  dir = mkdtempSync(join(ROOT, '.tmp', 'compiled-'));
  compiledDist(dir);
  writeFileSync(join(dir, 'package.json'), '{"type": "module"}\n');
  writeFileSync(join(dir, 'lib.mjs'), LIB);
  writeFileSync(join(dir, 'main.mjs'), MAIN);
});

after(() => {
  if (dir !== '') rmSync(dir, { recursive: true, force: true });
});

describe('compiled harvestry and JavaScript modules, no TypeScript loader', () => {
  for (const executor of ['pool', 'subprocess']) {
    it(`runs on the ${executor} executor`, () => {
      const r = spawnSync(process.execPath, [join(dir, 'main.mjs'), executor], { encoding: 'utf8', timeout: 120_000, env: { ...process.env, NODE_OPTIONS: '' } });
      assert.equal(r.status, 0, r.stderr);
      assert.deepEqual(JSON.parse(r.stdout.trim().split('\n').at(-1)!), [
        { x: 1, y: 1 },
        { x: 2, y: 4 },
        { x: 3, y: 9 },
        { x: 4, z: 64 },
        { x: 5, z: 125 },
      ]);
    });
  }
});
