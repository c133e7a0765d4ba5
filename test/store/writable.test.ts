/**
 * Files harvestry cannot write, found before anything runs: a folder that takes no new files, an
 * immutable file, a path that is a folder, a parent that is a file, a backup that is a folder,
 * a lock that is not a lock, and a Sampler draw that throws. Each is a coded error naming the
 * path, no case runs, and every file in the folder keeps its bytes (no temporary left behind).
 *
 * Tests run as root, and root ignores permission bits, so "cannot be written" is made with the
 * immutable attribute (`chattr +i`), which binds root too; the tests that need it are skipped
 * on a file system without it.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { Harvester, label, Sampler } from '../../src/index.js';
import { withLock } from '../../src/store/lock.js';
import { replaceFile, replaceFileBytes } from '../../src/store/replace.js';
import { assertHarvestryError, tempDir } from '../_support/helpers.js';

/** Every entry under `dir` with its bytes ('<dir>' for folders), to compare before and after a refusal. */
function snapshot(dir: string): Map<string, string> {
  const out = new Map<string, string>();
  const walk = (d: string, rel: string): void => {
    for (const e of readdirSync(d, { withFileTypes: true })) {
      const p = join(d, e.name);
      const r = rel === '' ? e.name : `${rel}/${e.name}`;
      if (e.isDirectory()) {
        out.set(r, '<dir>');
        walk(p, r);
      } else out.set(r, readFileSync(p).toString('base64'));
    }
  };
  walk(dir, '');
  return out;
}

/** Sets or clears the immutable attribute; false when this file system has none. */
function immutable(path: string, on: boolean): boolean {
  return spawnSync('chattr', [on ? '+i' : '-i', path]).status === 0;
}

const canChattr = ((): boolean => {
  const d = mkdtempSync(join(tempDir(), 'probe-'));
  const ok = immutable(d, true);
  if (ok) immutable(d, false);
  return ok;
})();

let calls = 0;
/** `a * 10 + b`, counting its calls (so a test can tell that nothing ran). */
export const counted = label({ varNames: 'p' }, ({ a, b }: { a: number; b: number }) => {
  calls++;
  return a * 10 + b;
});

/** `x * 2`, counting its calls, for Samplers. */
export const twice = label({ varNames: 'p' }, ({ x }: { x: number }) => {
  calls++;
  return x * 2;
});

/** Runs `attempt`, which must fail with `code` (message matching `message`) having run no case and changed no byte under `dir`. */
async function refusedUnchanged(dir: string, attempt: () => Promise<unknown>, code: Parameters<typeof assertHarvestryError>[1], message: RegExp): Promise<void> {
  const before = snapshot(dir);
  calls = 0;
  await assertHarvestryError(attempt, code, message);
  assert.equal(calls, 0, 'a case ran before the refusal');
  assert.deepEqual(snapshot(dir), before, 'a file changed (or a temporary was left) by the refusal');
}

describe('store: a harvest whose file cannot be written is refused before any case runs', () => {
  const root = tempDir('harvestry-writable-');
  let n = 0;
  const fresh = async (): Promise<{ dir: string; path: string; h: Harvester<{ a: number; b: number }, number> }> => {
    const dir = join(root, `d${n++}`);
    mkdirSync(dir);
    const path = join(dir, 'sweep.parquet');
    const h = new Harvester(counted, path);
    await h.harvestCombos({ a: [1, 2], b: [1] });
    await h.harvestCombos({ a: [3], b: [1] }); // a second version, so a .bak exists
    return { dir, path, h };
  };

  it('a folder that takes no new files (immutable): E_NOT_WRITABLE naming the folder', { skip: !canChattr && 'no chattr here' }, async () => {
    const { dir, h } = await fresh();
    assert.ok(immutable(dir, true));
    after(() => immutable(dir, false));
    try {
      await refusedUnchanged(dir, () => h.harvestCombos({ a: [4, 5], b: [1] }), 'E_NOT_WRITABLE', new RegExp(`cannot make files there: ${dir}: the system refused \\(EPERM`));
    } finally {
      immutable(dir, false);
    }
    await h.harvestCombos({ a: [4, 5], b: [1] });
    assert.equal(h.fullDs?.numRows, 5);
  });

  it('a read-only folder that does not exist yet under an immutable one: E_NOT_WRITABLE', { skip: !canChattr && 'no chattr here' }, async () => {
    const dir = join(root, `d${n++}`);
    mkdirSync(dir);
    assert.ok(immutable(dir, true));
    try {
      const h = new Harvester(counted, join(dir, 'sub', 'x.parquet'));
      await refusedUnchanged(dir, () => h.harvestCombos({ a: [1], b: [1] }), 'E_NOT_WRITABLE', /cannot make the folder .*sub/);
    } finally {
      immutable(dir, false);
    }
  });

  it('an immutable dataset file: E_NOT_WRITABLE naming the file', { skip: !canChattr && 'no chattr here' }, async () => {
    const { dir, path, h } = await fresh();
    assert.ok(immutable(path, true));
    try {
      await refusedUnchanged(dir, () => h.harvestCombos({ a: [4], b: [1] }), 'E_NOT_WRITABLE', new RegExp(`replaces ${path} .*cannot be replaced: ${path}: the system refused \\(EPERM`));
    } finally {
      immutable(path, false);
    }
  });

  it('an immutable backup: E_NOT_WRITABLE naming the backup', { skip: !canChattr && 'no chattr here' }, async () => {
    const { dir, path, h } = await fresh();
    assert.ok(immutable(`${path}.bak`, true));
    try {
      await refusedUnchanged(dir, () => h.harvestCombos({ a: [4], b: [1] }), 'E_NOT_WRITABLE', /sweep\.parquet\.bak: the system refused/);
    } finally {
      immutable(`${path}.bak`, false);
    }
  });

  it('a path that is a folder: E_PATH_KIND naming it', async () => {
    const dir = join(root, `d${n++}`);
    mkdirSync(join(dir, 'sweep.parquet'), { recursive: true });
    const h = new Harvester(counted, join(dir, 'sweep.parquet'));
    await refusedUnchanged(dir, () => h.harvestCombos({ a: [1], b: [1] }), 'E_PATH_KIND', /sweep\.parquet is a folder\. Give the path of a file/);
    // a dry run too
    await assertHarvestryError(() => h.plan({ a: [1], b: [1] }), 'E_PATH_KIND', /is a folder/);
  });

  it('a parent that is a file: E_PATH_KIND naming the parent', async () => {
    const dir = join(root, `d${n++}`);
    mkdirSync(dir);
    writeFileSync(join(dir, 'notes'), 'not a folder');
    const h = new Harvester(counted, join(dir, 'notes', 'deeper', 'x.parquet'));
    await refusedUnchanged(dir, () => h.harvestCombos({ a: [1], b: [1] }), 'E_PATH_KIND', new RegExp(`${join(dir, 'notes')} is a file, not a folder`));
  });

  it('a backup that is a folder: E_PATH_KIND, and no temporary link left', async () => {
    const { dir, path, h } = await fresh();
    const bak = `${path}.bak`;
    const old = readFileSync(bak);
    writeFileSync(join(dir, 'keep'), old);
    spawnSync('rm', ['-f', bak]);
    mkdirSync(bak);
    writeFileSync(join(bak, 'x'), 'y');
    await refusedUnchanged(dir, () => h.harvestCombos({ a: [4], b: [1] }), 'E_PATH_KIND', /sweep\.parquet\.bak is a folder/);
  });

  it('a lock that is a file (fresh or old) or a folder with files in it: E_BAD_LOCK, not "another process has held the lock"', async () => {
    const { dir, path, h } = await fresh();
    const lock = `${path}.lock`;
    writeFileSync(lock, 'pid 123');
    await refusedUnchanged(dir, () => h.harvestCombos({ a: [4], b: [1] }), 'E_BAD_LOCK', /sweep\.parquet\.lock, is a file .*rm .*sweep\.parquet\.lock/);
    utimesSync(lock, new Date(2000, 0, 1), new Date(2000, 0, 1)); // old: proper-lockfile would rmdir it (ENOTDIR)
    await refusedUnchanged(dir, () => h.harvestCombos({ a: [4], b: [1] }), 'E_BAD_LOCK', /is a file/);
    spawnSync('rm', ['-f', lock]);
    mkdirSync(lock);
    writeFileSync(join(lock, 'owner'), 'me');
    utimesSync(lock, new Date(2000, 0, 1), new Date(2000, 0, 1)); // old: proper-lockfile would rmdir it (ENOTEMPTY)
    await refusedUnchanged(dir, () => h.harvestCombos({ a: [4], b: [1] }), 'E_BAD_LOCK', /is a folder with files in it \(owner\).*rm -r/);
    spawnSync('rm', ['-rf', lock]);
    await h.harvestCombos({ a: [4], b: [1] });
    assert.equal(h.fullDs?.numRows, 4);
  });
});

describe('store: locks', () => {
  const dir = tempDir('harvestry-lock-');

  it('breaks a lock stamped in the future (a clock ahead on a shared file system) once it stays unchanged for staleMs', async () => {
    const path = join(dir, 'future.parquet');
    mkdirSync(`${path}.lock`);
    const future = new Date(Date.now() + 3600_000);
    utimesSync(`${path}.lock`, future, future);
    let ran = false;
    await withLock(
      path,
      () => {
        ran = true;
        return Promise.resolve();
      },
      { staleMs: 2000, timeoutMs: 120_000 },
    );
    assert.ok(ran);
    assert.equal(readdirSync(dir).includes('future.parquet.lock'), false);
  });

  it('does not break a lock in the future that its live holder keeps refreshing: E_LOCKED after the timeout', async () => {
    const path = join(dir, 'held.parquet');
    const lock = `${path}.lock`;
    mkdirSync(lock);
    let t = Date.now() + 3600_000;
    const refresh = setInterval(() => {
      t += 500;
      utimesSync(lock, new Date(t), new Date(t));
    }, 300);
    try {
      await assertHarvestryError(() => withLock(path, () => Promise.resolve(), { staleMs: 2000, timeoutMs: 5000 }), 'E_LOCKED', /kept refreshing it, so its holder is alive/);
    } finally {
      clearInterval(refresh);
    }
    assert.ok(statSync(lock).isDirectory());
  });
});

describe('store: replacing a file whose backup is a folder', () => {
  const dir = tempDir('harvestry-bak-');

  for (const [name, replace] of [
    ['small files, written synchronously', (p: string) => replaceFileBytes(p, new TextEncoder().encode('new'))],
    ['files written by a fill function', (p: string) => replaceFile(p, (tmp) => {
      writeFileSync(tmp, 'new');
      return Promise.resolve();
    })],
  ] as const) {
    it(`refuses with E_PATH_KIND and leaves no temporary link (${name})`, async () => {
      const path = join(dir, `${name.length}.bin`);
      writeFileSync(path, 'old');
      mkdirSync(`${path}.bak`);
      const before = snapshot(dir);
      await assertHarvestryError(() => replace(path), 'E_PATH_KIND', /\.bin\.bak is a folder where a file is needed/);
      assert.deepEqual(snapshot(dir), before);
    });
  }
});

describe('store: a Sampler whose file cannot be written, or whose draw throws', () => {
  const root = tempDir('harvestry-sampler-writable-');
  let n = 0;
  const fresh = (): string => {
    const d = join(root, `s${n++}`);
    mkdirSync(d);
    return d;
  };

  it('a draw function that throws: E_DRAW_FAILED naming the key and the sample; nothing runs or is written', async () => {
    const dir = fresh();
    const s = new Sampler(twice, join(dir, 's.parquet'));
    await s.sampleCombos(5, { combos: { x: (rng) => rng() }, seed: 1 });
    let k = 0;
    await refusedUnchanged(
      dir,
      () =>
        s.sampleCombos(5, {
          combos: {
            x: () => {
              if (++k === 3) throw new Error('bad draw');
              return 0.5;
            },
          },
        }),
      'E_DRAW_FAILED',
      /Drawing `combos\.x` in .* threw for sample 2: bad draw/,
    );
  });

  it('an immutable folder (Parquet and CSV): E_NOT_WRITABLE before any sample runs', { skip: !canChattr && 'no chattr here' }, async () => {
    for (const file of ['s.parquet', 's.csv']) {
      const dir = fresh();
      const s = new Sampler(twice, join(dir, file));
      await s.sampleCombos(3, { combos: { x: (rng) => rng() }, seed: 1 });
      assert.ok(immutable(dir, true));
      try {
        await refusedUnchanged(dir, () => s.sampleCombos(3, { combos: { x: (rng) => rng() }, seed: 2 }), 'E_NOT_WRITABLE', /cannot make files there/);
      } finally {
        immutable(dir, false);
      }
    }
  });

  it('an immutable CSV file (appended in place) and immutable CSV labels: E_NOT_WRITABLE naming them', { skip: !canChattr && 'no chattr here' }, async () => {
    const dir = fresh();
    const path = join(dir, 's.csv');
    const s = new Sampler(twice, path);
    await s.sampleCombos(3, { combos: { x: (rng) => rng() }, seed: 1 });
    for (const target of [path, `${path}.meta.json`]) {
      assert.ok(immutable(target, true));
      try {
        await refusedUnchanged(dir, () => s.sampleCombos(3, { combos: { x: (rng) => rng() }, seed: 2 }), 'E_NOT_WRITABLE', new RegExp(`${target.replace(/\./g, '\\.')}: the system refused`));
      } finally {
        immutable(target, false);
      }
    }
  });

  it('CSV labels that are a folder, and a table path that is a folder: E_PATH_KIND', async () => {
    const dir = fresh();
    mkdirSync(join(dir, 's.csv.meta.json'));
    await refusedUnchanged(dir, () => new Sampler(twice, join(dir, 's.csv')).sampleCombos(3, { combos: { x: (rng) => rng() } }), 'E_PATH_KIND', /s\.csv\.meta\.json is a folder/);
    mkdirSync(join(dir, 't.parquet'));
    await refusedUnchanged(dir, () => new Sampler(twice, join(dir, 't.parquet')).sampleCombos(3, { combos: { x: (rng) => rng() } }), 'E_PATH_KIND', /t\.parquet is a folder/);
  });
});

describe('store: a read-only file system', () => {
  it('a harvest into a read-only mount is E_NOT_WRITABLE (EROFS) before any case runs', async (t) => {
    const dir = mkdtempSync(join(tempDir(), 'ro-'));
    if (spawnSync('mount', ['-t', 'tmpfs', '-o', 'ro,size=1m', 'tmpfs', dir]).status !== 0) {
      t.skip('cannot mount a read-only tmpfs here');
      return;
    }
    try {
      const h = new Harvester(counted, join(dir, 'x.parquet'));
      await refusedUnchanged(dir, () => h.harvestCombos({ a: [1], b: [1] }), 'E_NOT_WRITABLE', /mounted read-only \(EROFS\)/);
    } finally {
      spawnSync('umount', [dir]);
    }
  });
});
