import assert from 'node:assert/strict';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { Harvester, label, STALE_WARNING_CODE, writeDataset } from '../../src/index.js';
import { assertHarvestryError, duckdb, range, tempDir } from '../_support/helpers.js';

/** Collects harvestry's stale warnings while `fn` runs. */
async function staleWarnings(fn: () => Promise<void>): Promise<string[]> {
  const got: string[] = [];
  const on = (w: Error & { code?: string }): void => {
    if (w.code === STALE_WARNING_CODE) got.push(w.message);
  };
  process.on('warning', on);
  try {
    await fn();
    await new Promise((r) => setImmediate(r));
  } finally {
    process.off('warning', on);
  }
  return got;
}

describe('Harvester: results of another version of the function', () => {
  const dir = tempDir();

  it('warns once, saying which results are stale, and reruns nothing unless asked', async () => {
    const path = join(dir, 'stale.parquet');
    const v1 = label({ varNames: 'p' }, ({ a, b }: { a: number; b: number }) => a * b);
    await new Harvester(v1, path).harvestCombos({ a: range(3), b: [10, 20] });
    const calls: string[] = [];
    const v2 = label({ varNames: 'p' }, ({ a, b }: { a: number; b: number }) => (calls.push(`${a},${b}`), a * b + 0.5));
    const h = new Harvester(v2, path);
    const warnings = await staleWarnings(async () => {
      await h.harvestCombos({ a: range(4), b: [10, 20] }, { missingOnly: true });
      await h.harvestCombos({ a: range(4), b: [10, 20] }, { missingOnly: true });
    });
    assert.deepEqual(calls, ['3,10', '3,20']);
    assert.equal(warnings.length, 1);
    assert.match(
      warnings[0]!,
      /^6 of the 6 results in .*stale\.parquet were made by another version of the function \(fingerprint sha256:[0-9a-f]{12}…; the function now is sha256:[0-9a-f]{12}…\): \{a: 0, b: 10\}, \{a: 0, b: 20\}, \{a: 1, b: 10\}, … \(3 more\)\. They are kept and count as present, so nothing is rerun\. Pass rerun: 'stale'/,
    );
    const versions = await duckdb(`SELECT _fingerprint = '${v2.fingerprint}' AS now, count(*)::INTEGER AS n FROM '${path}' GROUP BY ALL ORDER BY now`);
    assert.deepEqual(versions, [
      { now: false, n: 6 },
      { now: true, n: 2 },
    ]);

    calls.length = 0;
    await h.harvestCombos({ a: [0, 1], b: [10, 20] }, { missingOnly: true, rerun: 'stale' });
    assert.deepEqual(calls.sort(), ['0,10', '0,20', '1,10', '1,20']);
    const after = await duckdb(`SELECT a, b, p, _fingerprint = '${v2.fingerprint}' AS now FROM '${path}' WHERE a < 2 ORDER BY a, b`);
    assert.deepEqual(after, [
      { a: 0, b: 10, p: 0.5, now: true },
      { a: 0, b: 20, p: 0.5, now: true },
      { a: 1, b: 10, p: 10.5, now: true },
      { a: 1, b: 20, p: 20.5, now: true },
    ]);
    calls.length = 0;
    const again = await staleWarnings(() => new Harvester(v2, path).harvestCombos({ a: range(4), b: [10, 20] }, { missingOnly: true }).then(() => undefined));
    assert.deepEqual(calls, []);
    assert.match(again[0]!, /^2 of the 8 results .*: \{a: 2, b: 10\}, \{a: 2, b: 20\}\./);
  });

  it('replaces stale rows with rerun: stale even where the results differ (without it: a conflict that says why)', async () => {
    const path = join(dir, 'rerun.parquet');
    await new Harvester(label({ varNames: 'p' }, ({ a }: { a: number }) => a), path).harvestCombos({ a: range(3) });
    const v2 = label({ varNames: 'p' }, ({ a }: { a: number }) => a * 100);
    await staleWarnings(async () => {
      await assertHarvestryError(
        () => new Harvester(v2, path).harvestCombos({ a: range(3) }),
        'E_MERGE_CONFLICT',
        /^2 cases already in .* \(the first differs in `p`\)\. Nothing was written\. All were made by another version of the function \(their `_fingerprint` differs\): pass rerun: 'stale'/,
      );
      await new Harvester(v2, path).harvestCombos({ a: range(3) }, { rerun: 'stale' });
    });
    assert.deepEqual(await duckdb(`SELECT a, p FROM '${path}' ORDER BY a`), [
      { a: 0, p: 0 },
      { a: 1, p: 100 },
      { a: 2, p: 200 },
    ]);
  });

  it('treats every row of a file written without the fingerprint column as made by the fingerprint in its labels', async () => {
    const path = join(dir, 'plain.parquet');
    const v1 = label({ varNames: 'p' }, ({ a }: { a: number }) => a);
    await writeDataset(await v1.runCombos({ a: range(3) }), path);
    const same = await staleWarnings(() => new Harvester(v1, path).harvestCombos({ a: range(4) }, { missingOnly: true }).then(() => undefined));
    assert.deepEqual(same, []);
    assert.deepEqual(await duckdb(`SELECT count(*)::INTEGER AS n, count(DISTINCT _fingerprint)::INTEGER AS v FROM '${path}'`), [{ n: 4, v: 1 }]);
    const v2 = label({ varNames: 'p' }, ({ a }: { a: number }) => a + 1);
    const changed = await staleWarnings(() => new Harvester(v2, path).harvestCombos({ a: range(4) }, { missingOnly: true }).then(() => undefined));
    assert.match(changed[0]!, /^4 of the 4 results/);
  });
});
