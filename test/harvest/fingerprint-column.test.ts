/**
 * The `_fingerprint` column of a Harvester's file: kept in the file (DuckDB reads it), left out
 * of `toRecords`, `toLong` and `toDataFrame` unless asked for with `{ fingerprint: true }`.
 */
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { Harvester, label, readDataset } from '../../src/index.js';
import { duckdb, tempDir } from '../_support/helpers.js';

/** A trace over `t` and its peak, amp in [1, 10). */
const wave = label({ varNames: ['trace', 'peak'], varDims: { trace: ['t'] }, constants: { t: [0, 1] } }, ({ amp, t }: { amp: number; t: number[] }) => {
  if (!(amp >= 1 && amp < 10)) throw new RangeError(`fixture: amp must be in [1, 10), got ${amp}`);
  return [t.map((x) => amp * (x + 1)), amp * t.length];
});

describe("a Harvester's _fingerprint column in records and frames", () => {
  const dir = tempDir('harvestry-fp-column-');

  it('stays in the file, and is left out of records, the long form and frames unless asked for', async () => {
    const path = join(dir, 'wave.parquet');
    const h = new Harvester(wave, path);
    await h.harvestCombos({ amp: [1, 2] });
    assert.deepEqual(await duckdb(`SELECT amp, _fingerprint FROM '${path}' ORDER BY amp`), [1, 2].map((amp) => ({ amp, _fingerprint: wave.fingerprint })));

    for (const ds of [h.fullDs!, await readDataset(path)]) {
      assert.deepEqual(ds.toRecords(), [
        { amp: 1, trace: [1, 2], peak: 2 },
        { amp: 2, trace: [2, 4], peak: 4 },
      ]);
      assert.deepEqual(ds.toRecords({ fingerprint: true }).map((r) => r._fingerprint), [wave.fingerprint, wave.fingerprint]);

      const long = ds.toLong();
      assert.deepEqual(long.toRecords({ fingerprint: true }), [
        { amp: 1, t: 0, trace: 1, peak: 2 },
        { amp: 1, t: 1, trace: 2, peak: 2 },
        { amp: 2, t: 0, trace: 2, peak: 4 },
        { amp: 2, t: 1, trace: 4, peak: 4 },
      ], 'the long form has no _fingerprint column at all');
      const kept = ds.toLong(undefined, { fingerprint: true }).toRecords({ fingerprint: true });
      assert.deepEqual(kept.map((r) => r._fingerprint), Array<string>(4).fill(wave.fingerprint));
      assert.deepEqual(Object.keys(ds.toLong(['peak']).toRecords()[0]!), ['amp', 'peak']);

      assert.deepEqual((await ds.toDataFrame()).columns, ['amp', 't', 'trace', 'peak']);
      assert.deepEqual((await ds.toDataFrame({ fingerprint: true })).columns, ['amp', 't', 'trace', 'peak', '_fingerprint']);
      const flat = ds.toLong(['peak'], { fingerprint: true });
      assert.deepEqual((await flat.toDataFrame()).columns, ['amp', 'peak']);
    }
  });
});
