import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, utimesSync, writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { withLock } from '../../src/store/lock.js';
import { FileChangedError, replaceFileBytes, stampOf } from '../../src/store/replace.js';
import { removeLeftovers } from '../../src/store/temporaries.js';
import { assertHarvestryError, tempDir } from '../_support/helpers.js';

describe('store: the lock of a dataset file', () => {
  const dir = tempDir();

  it('makes a second writer wait until the first releases', async () => {
    const path = join(dir, 'wait.parquet');
    const events: string[] = [];
    let release!: () => void;
    const held = new Promise<void>((r) => (release = r));
    const first = withLock(path, async () => {
      events.push('first in');
      await held;
      events.push('first out');
    });
    await new Promise((r) => setTimeout(r, 30));
    const second = withLock(path, () => {
      events.push('second in');
      return Promise.resolve(42);
    });
    await new Promise((r) => setTimeout(r, 80));
    assert.ok(existsSync(`${path}.lock`));
    assert.deepEqual(events, ['first in']);
    release();
    await first;
    assert.equal(await second, 42);
    assert.deepEqual(events, ['first in', 'first out', 'second in']);
    assert.equal(existsSync(`${path}.lock`), false);
  });

  it('breaks a lock left by a process that died once it is stale', async () => {
    const path = join(dir, 'stale.parquet');
    mkdirSync(`${path}.lock`);
    const old = new Date(Date.now() - 60_000);
    utimesSync(`${path}.lock`, old, old);
    const started = Date.now();
    assert.equal(await withLock(path, () => Promise.resolve('got it'), { staleMs: 2000 }), 'got it');
    assert.ok(Date.now() - started < 1500);
  });

  it('gives up with E_LOCKED when a live holder keeps the lock past the timeout', async () => {
    const path = join(dir, 'busy.parquet');
    let release!: () => void;
    const held = new Promise<void>((r) => (release = r));
    const first = withLock(path, () => held);
    await new Promise((r) => setTimeout(r, 20));
    await assertHarvestryError(() => withLock(path, () => Promise.resolve(), { timeoutMs: 100 }), 'E_LOCKED', /Another process has held the lock .*busy\.parquet\.lock for more than 0 s/);
    release();
    await first;
  });
});

describe('store: replacing a file', () => {
  const dir = tempDir();

  it('removes temporary files left by dead processes of this machine, and only those', () => {
    const path = join(dir, 'left.parquet');
    const dead = spawnSync(process.execPath, ['-e', 'process.pid']).pid;
    const host = hostname().replace(/[^A-Za-z0-9_-]/g, '_');
    const names = [`.left.parquet.${host}.${dead}.00ff00ff.tmp`, `.left.parquet.${host}.${dead}.00ff00ff.bak`, `.left.parquet.${host}.${process.pid}.0a0a0a0a.tmp`, `.left.parquet.otherhost.${dead}.0b0b0b0b.tmp`];
    for (const n of names) writeFileSync(join(dir, n), 'x');
    assert.equal(removeLeftovers(path), 2);
    assert.deepEqual(readdirSync(dir).filter((n) => n.startsWith('.left')).sort(), [names[2], names[3]].sort());
  });

  it('keeps the previous version as .bak and refuses when the file changed since it was read', async () => {
    const path = join(dir, 'x.parquet');
    await replaceFileBytes(path, new TextEncoder().encode('one'), null);
    assert.equal(existsSync(`${path}.bak`), false);
    const stamp = await stampOf(path);
    await replaceFileBytes(path, new TextEncoder().encode('two'), stamp);
    assert.equal(readFileSync(path, 'utf8'), 'two');
    assert.equal(readFileSync(`${path}.bak`, 'utf8'), 'one');
    writeFileSync(path, 'changed by someone else');
    await assert.rejects(replaceFileBytes(path, new TextEncoder().encode('three'), stamp), FileChangedError);
    assert.equal(readFileSync(path, 'utf8'), 'changed by someone else');
    await assert.rejects(replaceFileBytes(path, new TextEncoder().encode('four'), null), FileChangedError);
  });
});
