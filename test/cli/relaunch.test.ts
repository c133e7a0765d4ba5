/**
 * Which Node options `harvestry crop grow|reap` starts itself again with: the crop's recorded
 * preloads (tsx) resolved from the sower's folder; none when this process has them; the tsx of
 * the module's project when the recorded loader is gone.
 */
import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { relaunchArgs } from '../../src/cli/relaunch.js';
import type { CropManifest } from '../../src/crop/manifest.js';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const TSX_LOADER = pathToFileURL(createRequire(join(ROOT, 'x.js')).resolve('tsx')).href;

function manifest(execArgv: string[], module: string | null, cwd = ROOT): CropManifest {
  return { launcher: { node: process.execPath, execArgv, script: join(ROOT, 'bin/harvestry.js') }, cwd, function: { module, ordinal: 0, fingerprint: 'x', enclosing: null, name: null } } as unknown as CropManifest;
}

describe('relaunching a crop command under the crop launcher', () => {
  const module = pathToFileURL(join(ROOT, 'test/crop/fixtures/crop-fns.ts')).href;

  it('adds the recorded preloads, resolved from the sower\'s folder, when this process lacks them', () => {
    assert.deepEqual(relaunchArgs(manifest(['--conditions=source', '--import', 'tsx'], module), [], '/'), ['--conditions=source', '--import', TSX_LOADER]);
    assert.deepEqual(relaunchArgs(manifest(['--import', TSX_LOADER, '--inspect'], module), [], '/'), ['--import', TSX_LOADER], 'options a child cannot share are left out');
  });

  it('does nothing when this process has them, or the crop needs none', () => {
    assert.equal(relaunchArgs(manifest(['--import', 'tsx'], module), ['--import', TSX_LOADER], '/'), null);
    assert.equal(relaunchArgs(manifest([], pathToFileURL(join(ROOT, 'sweep.mjs')).href), [], '/'), null);
  });

  it("uses the tsx of the module's project when the recorded loader is gone", () => {
    const gone = pathToFileURL('/nowhere/node_modules/tsx/dist/loader.mjs').href;
    assert.deepEqual(relaunchArgs(manifest(['--require', '/nowhere/node_modules/tsx/dist/preflight.cjs', '--import', gone], module), [], '/'), ['--import', TSX_LOADER]);
    assert.deepEqual(relaunchArgs(manifest([], module), [], '/'), ['--import', TSX_LOADER], 'also when nothing was recorded (tsx registered in-process)');
  });
});
