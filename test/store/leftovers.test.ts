/**
 * Temporaries of killed writers: every temporary is named `.<name>.<host>.<pid>.<hex>.<kind>`,
 * and the next writer of that file (or crop) removes those whose owner died on this machine,
 * leaving those of live processes and of other machines. Killed writers are real processes
 * (SIGKILL in the middle of a write), and their names are checked against the scheme.
 */
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { describe, it } from 'node:test';
import { Harvester, label, Sampler } from '../../src/index.js';
import { tempOwner } from '../../src/store/temporaries.js';
import { REPO_NODE_ARGS, runnable, tempDir } from '../_support/helpers.js';

const HOST = hostname().replace(/[^A-Za-z0-9_-]/g, '_');
const deadPid = (): number => spawnSync(process.execPath, ['-e', '0']).pid;

/** `x * 2`. */
export const twice = label({ varNames: 'p' }, ({ x }: { x: number }) => x * 2);
/** `a + b`. */
export const sum = label({ varNames: 's' }, ({ a, b }: { a: number; b: number }) => a + b);

const dotted = (dir: string): string[] => readdirSync(dir).filter((n) => n.startsWith('.')).sort();

describe('store: temporaries of dead writers', () => {
  const root = tempDir('harvestry-leftovers-');
  let n = 0;
  const fresh = (): string => {
    const d = join(root, `d${n++}`);
    mkdirSync(d);
    return d;
  };

  it("the Sampler's .parquet temporaries and CSV labels' temporaries (now with the host) are removed by the next Sampler of that file", async () => {
    for (const file of ['s.parquet', 's.csv']) {
      const dir = fresh();
      const dead = deadPid();
      const companions = file === 's.csv' ? [file, `${file}.meta.json`] : [file];
      const left = companions.flatMap((f) => [`.${f}.${HOST}.${dead}.0badf00d.tmp`, `.${f}.${HOST}.${dead}.0badf00e.bak`, `.${f}.${HOST}.${dead}.0badf00f.probe`]);
      const kept = companions.flatMap((f) => [`.${f}.${HOST}.${process.pid}.0000000a.tmp`, `.${f}.otherhost.${dead}.0000000b.tmp`]);
      for (const name of [...left, ...kept]) writeFileSync(join(dir, name), 'half-written');
      await new Sampler(twice, join(dir, file)).sampleCombos(3, { combos: { x: (rng) => rng() }, seed: 1 });
      assert.deepEqual(dotted(dir), kept.sort(), file);
    }
  });

  it("a sower's folder is removed by the next sow of that crop; a Harvester's by its next harvest", async () => {
    const dir = fresh();
    const dead = deadPid();
    const sowing = `.sweep.crop.${HOST}.${dead}.0badf00d.sowing`;
    mkdirSync(join(dir, sowing, 'results'), { recursive: true });
    writeFileSync(join(dir, sowing, 'plan.bin'), 'half');
    const live = `.sweep.crop.${HOST}.${process.pid}.0000000a.sowing`;
    mkdirSync(join(dir, live));
    const h = new Harvester(sum, join(dir, 'sweep.parquet'));
    await h.crop({ numBatches: 1 }).sowCombos({ a: [1, 2], b: [3] });
    assert.deepEqual(dotted(dir), [live]);
    writeFileSync(join(dir, `.sweep.parquet.${HOST}.${dead}.0badf00d.tmp`), 'x');
    await h.harvestCombos({ a: [5], b: [3] });
    assert.deepEqual(dotted(dir), [live]);
  });

  it('a Sampler killed while it writes leaves only temporaries named by the scheme, which the next Sampler removes', async () => {
    const dir = fresh();
    const path = join(dir, 's.parquet');
    // a child that appends small row groups forever (every commit copies the file to a temporary and renames it)
    const script = `
      import { Sampler, label } from ${JSON.stringify(pathToFileURL(runnable(new URL('../../src/index.ts', import.meta.url))).href)};
      const f = label({ varNames: 'p' }, ({ x }) => x * 2);
      const s = new Sampler(f, ${JSON.stringify(path)}, { commitEvery: { rows: 1, ms: 0 } });
      for (let k = 1; ; k++) { await s.sampleCombos(50, { combos: { x: (rng) => rng() }, seed: k }); if (k === 1) console.log('go'); }
    `;
    const seen = new Set<string>();
    for (let t = 0; t < 12 && seen.size === 0; t++) {
      const child = spawn(process.execPath, [...REPO_NODE_ARGS, '--input-type=module', '-e', script], { stdio: ['ignore', 'pipe', 'inherit'] });
      await new Promise<void>((r) => {
        child.stdout.once('data', () => {
          r();
        });
      });
      // kill it the moment a temporary shows up (or after 2 s): a kill at a random moment mostly
      // lands between writes, and each try costs a child's start
      const until = Date.now() + 2000;
      while (Date.now() < until && dotted(dir).length === 0) await new Promise((r) => setImmediate(r));
      child.kill('SIGKILL');
      await new Promise((r) => child.once('close', r));
      for (const name of dotted(dir)) {
        seen.add(name);
        const owner = tempOwner(path, name);
        assert.ok(owner !== null && owner.host === HOST && owner.pid === child.pid, `a temporary not named by the scheme: ${name}`);
      }
    }
    assert.ok(seen.size > 0, 'no kill landed in the middle of a write: the test saw nothing to clean');
    await new Sampler(twice, path).sampleCombos(2, { combos: { x: (rng) => rng() }, seed: 9 });
    assert.deepEqual(dotted(dir), [], `left after the next Sampler (seen while killing: ${[...seen].join(', ') || 'none'})`);
  });
});
