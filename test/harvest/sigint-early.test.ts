/**
 * A Ctrl-C that stops a harvest before its run listens (while it reads its file and plans) is
 * one Ctrl-C like any other: the repeats that come within a second (tsx's CLI relays the signal
 * again when the process has not ended within a few ms) find a listener, so they cannot end the
 * process with Node's default before the caller's `catch` has run.
 */
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { describe, it } from 'node:test';
import { SIGINT_REPEAT_MS } from '../../src/execute/run.js';
import { Harvester } from '../../src/index.js';
import { assertHarvestryError, range, tempDir } from '../_support/helpers.js';
import { product } from '../fixtures/labelled.js';

describe('Harvester: a Ctrl-C before the run listens', () => {
  it('rejects with E_ABORTED and keeps listening for SIGINT for a second after it, then stops', async () => {
    const h = new Harvester(product, join(tempDir(), 'early.parquet'));
    const before = process.listenerCount('SIGINT');
    const harvest = h.harvestCombos({ a: range(10), b: range(10, 10) });
    // The harvest listens from its first (synchronous) step; the signal comes before it has read anything.
    assert.equal(process.listenerCount('SIGINT'), before + 1);
    process.emit('SIGINT');
    await assertHarvestryError(() => harvest, 'E_ABORTED');
    assert.equal(process.listenerCount('SIGINT'), before + 1, 'a repeat of the Ctrl-C right after the rejection would meet no listener');
    await sleep(SIGINT_REPEAT_MS + 200);
    assert.equal(process.listenerCount('SIGINT'), before, 'the listener is gone a second after the last SIGINT');
  });
});
