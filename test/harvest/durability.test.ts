import assert from 'node:assert/strict';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { Harvester, label, type CommitInfo } from '../../src/index.js';
import { duckdb, range, tempDir } from '../_support/helpers.js';
import { A, B, killTrial } from './kill-trial.js';

describe('harvest: durability', () => {
  const dir = tempDir();

  it('commits finished rows as it goes; between commits the file is a whole dataset', async () => {
    const path = join(dir, 'steps.parquet');
    const f = label({ varNames: 'p' }, async ({ a, b }: { a: number; b: number }) => {
      await new Promise((r) => setTimeout(r, 2));
      return a * 1000 + b;
    });
    const seen: { info: CommitInfo; rows: number }[] = [];
    const h = new Harvester(f, path);
    const reader = new Harvester(f, path);
    await h.harvestCombos(
      { a: range(6), b: range(10) },
      {
        commitEvery: { ms: 20 },
        onCommit: (info) => {
          seen.push({ info, rows: reader.fullDs?.numRows ?? -1 });
        },
      },
    );
    assert.ok(seen.length >= 3, `expected several commits, got ${seen.length}`);
    assert.equal(seen[0]!.info.mode, 'create');
    assert.ok(seen.slice(1).every((s) => s.info.mode === 'append'));
    const totals = seen.map((s) => s.info.fileRows);
    assert.deepEqual(totals, [...totals].sort((x, y) => x - y));
    assert.equal(totals[totals.length - 1], 60);
    assert.deepEqual(seen.map((s) => s.rows), totals);
    assert.equal(seen.reduce((s, x) => s + x.info.rows, 0), 60);
    assert.equal(h.lastReport?.commits, seen.length);
  });

  it('compacts the file once many small commits have piled up small row groups', async () => {
    const path = join(dir, 'compact.parquet');
    const f = label({ varNames: 'p' }, ({ a }: { a: number }) => a * 2);
    const modes: string[] = [];
    const h = new Harvester(f, path);
    await h.harvestCombos({ a: range(70) }, { commitEvery: { ms: 0, rows: 1 }, onCommit: (c) => modes.push(c.mode) });
    assert.equal(modes.length, 70);
    assert.deepEqual(modes.slice(0, 3), ['create', 'append', 'append']);
    assert.equal(modes[64], 'rewrite', modes.join());
    const groups = await duckdb(`SELECT count(DISTINCT row_group_id)::INTEGER AS g FROM parquet_metadata('${path}')`);
    assert.ok((groups[0]!.g as number) < 10, JSON.stringify(groups));
    assert.deepEqual(h.fullDs!.toRecords().map((r) => r.p), range(70).map((a) => a * 2));
  });

  it('keeps every committed row when killed with SIGKILL at random moments (20 trials); a missing-only re-run completes the grid, each case once', async () => {
    const outcomes: { committed: number; before: number }[] = [];
    for (let k = 0; k < 20; k += 2) {
      const pair = await Promise.all([killTrial(dir, k, Math.random() * 400), killTrial(dir, k + 1, Math.random() * 400)]);
      outcomes.push(...pair);
    }
    // the kills landed at different moments: before the first commit, between commits, after the end
    assert.ok(outcomes.some((o) => o.before > 0 && o.before < A.length * B.length), `no kill landed mid-harvest: ${JSON.stringify(outcomes)}`);
  });
});
