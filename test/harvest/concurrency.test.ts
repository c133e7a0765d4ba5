import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { readDataset } from '../../src/index.js';
import { duckdb, range, tempDir } from '../_support/helpers.js';
import { startChild, type ChildConfig, type ChildEvent } from './children.js';

/** Starts children, lets them all harvest at once, and waits for them to finish. */
async function together(dir: string, name: string, configs: readonly Omit<ChildConfig, 'path' | 'goFile'>[]): Promise<{ path: string; events: ChildEvent[][] }> {
  const path = join(dir, `${name}.parquet`);
  const goFile = join(dir, `${name}.go`);
  const children = configs.map((c) => startChild({ ...c, path, goFile }));
  await Promise.all(children.map((c) => c.waitFor((e) => 'ready' in e || 'error' in e)));
  writeFileSync(goFile, '');
  const exits = await Promise.all(children.map((c) => c.exit));
  for (const [i, e] of exits.entries()) assert.ok(e.code === 0 || e.code === 3, `child ${i} crashed: ${e.stderr}`);
  return { path, events: children.map((c) => c.events) };
}

const outcome = (events: ChildEvent[]): string => {
  const last = events[events.length - 1]!;
  return 'done' in last ? 'done' : 'error' in last ? last.error.code : 'other';
};

describe('harvest: four processes harvesting one file at once', () => {
  const dir = tempDir();
  const B = range(12);

  it('loses no row when they harvest disjoint cases', async () => {
    const { path, events } = await together(
      dir,
      'disjoint',
      range(4).map((k) => ({ a: range(5, k * 5), b: B, commitMs: 5, commitRows: 7, workMs: 0.5 })),
    );
    assert.deepEqual(events.map(outcome), ['done', 'done', 'done', 'done']);
    const ds = await readDataset(path);
    assert.equal(ds.numRows, 20 * 12);
    const rows = await duckdb(`SELECT count(*)::INTEGER AS n, count(DISTINCT (a, b))::INTEGER AS keys, sum(CASE WHEN p = a * 1000 + b THEN 1 ELSE 0 END)::INTEGER AS right FROM '${path}'`);
    assert.deepEqual(rows, [{ n: 240, keys: 240, right: 240 }]);
    assert.deepEqual(ds.coords.a, range(20));
  });

  it('keeps one row per case when overlapping harvests agree (overwrite: null)', async () => {
    const { path, events } = await together(
      dir,
      'agree',
      range(4).map((k) => ({ a: range(6, k * 3), b: B, commitMs: 5, commitRows: 9, workMs: 0.5 })),
    );
    assert.deepEqual(events.map(outcome), ['done', 'done', 'done', 'done']);
    const rows = await duckdb(`SELECT count(*)::INTEGER AS n, count(DISTINCT (a, b))::INTEGER AS keys, min(a)::INTEGER AS lo, max(a)::INTEGER AS hi FROM '${path}'`);
    assert.deepEqual(rows, [{ n: 15 * 12, keys: 15 * 12, lo: 0, hi: 14 }]);
  });

  it('lets exactly one of four disagreeing harvests in under overwrite: null; the others get E_MERGE_CONFLICT', async () => {
    const { path, events } = await together(
      dir,
      'disagree',
      range(4).map((k) => ({ a: range(4), b: B, offset: (k + 1) * 100_000, workMs: 0.2 })),
    );
    const outcomes = events.map(outcome);
    assert.equal(outcomes.filter((o) => o === 'done').length, 1, outcomes.join());
    assert.equal(outcomes.filter((o) => o === 'E_MERGE_CONFLICT').length, 3, outcomes.join());
    const winner = outcomes.indexOf('done');
    const rows = await duckdb(`SELECT count(*)::INTEGER AS n, count(DISTINCT p - a * 1000 - b)::INTEGER AS writers, min(p - a * 1000 - b)::INTEGER AS offset FROM '${path}'`);
    assert.deepEqual(rows, [{ n: 48, writers: 1, offset: (winner + 1) * 100_000 }]);
  });

  it("keeps the first writer's rows with overwrite: false; with true each later writer replaces them; never a mix", async () => {
    for (const overwrite of [false, true]) {
      const { path, events } = await together(
        dir,
        `overwrite-${String(overwrite)}`,
        range(4).map((k) => ({ a: range(4), b: B, offset: (k + 1) * 100_000, overwrite, workMs: 0.2 })),
      );
      assert.deepEqual(events.map(outcome), ['done', 'done', 'done', 'done']);
      const modes = events.map((ev) => ev.flatMap((e) => ('commit' in e ? [e.commit.mode] : [])).join());
      const ds = await readDataset(path);
      assert.equal(ds.numRows, 48);
      const offsets = new Set(ds.toRecords().map((r) => (r.p as number) - (r.a as number) * 1000 - (r.b as number)));
      assert.equal(offsets.size, 1, 'every row comes from one writer');
      const creator = modes.indexOf('create');
      assert.equal(modes.filter((m) => m === 'create').length, 1, modes.join(' '));
      if (overwrite) {
        // each later writer replaced every row
        assert.deepEqual([...modes].sort(), ['create', 'rewrite', 'rewrite', 'rewrite']);
      } else {
        // the first writer's rows stay; the others wrote nothing
        assert.deepEqual([...modes].sort(), ['create', 'none', 'none', 'none']);
        assert.deepEqual([...offsets], [(creator + 1) * 100_000]);
      }
    }
  });
});
