/**
 * A space crosses to a real worker thread as plain data (its spec, structured-cloned) and the
 * worker decodes the same points, in the same order, with the same coords.
 */
import assert from 'node:assert/strict';
import { once } from 'node:events';
import { describe, it } from 'node:test';
import { Worker } from 'node:worker_threads';
import { concat, filter, points, product, repeat, zip, type GridSpec } from '../../src/index.js';

interface WorkerReply {
  readonly dims: readonly string[];
  readonly values: readonly unknown[][];
  readonly coords: readonly { name: string; kind: string; coords: readonly unknown[] }[];
}

async function inWorker(spec: GridSpec): Promise<WorkerReply> {
  const worker = new Worker(new URL('./fixtures/grid-worker.mjs', import.meta.url), { workerData: { spec } });
  try {
    const [reply] = (await once(worker, 'message')) as [WorkerReply];
    return reply;
  } finally {
    await worker.terminate();
  }
}

describe('spaces in worker threads', () => {
  it('decodes a space of every kind from its spec, filters included', async () => {
    const day = (d: number): Date => new Date(Date.UTC(2024, 0, d));
    const space = concat(
      repeat(filter(product({ day: [day(1), day(2), day(3)] }, zip({ big: [1n, 2n], tag: ['x', null] })), (p) => p.big !== 2n || p.day.getTime() !== day(2).getTime()), 2),
      product(points([{ tag: 'z', big: 9n }]), { rep: [0], day: [day(9)] }),
    );
    const reply = await inWorker(space.spec);
    assert.deepEqual(reply.dims, space.dims);
    assert.deepEqual(
      reply.values,
      [...space].map((p) => space.dims.map((d) => p[d as keyof typeof p])),
    );
    assert.equal(reply.values.length, 11);
    assert.deepEqual(reply.coords, space.grid.dimInfo().map((d) => ({ name: d.name, kind: d.kind, coords: d.coords })));
    assert.deepEqual(reply.coords.find((c) => c.name === 'tag')?.coords, ['x', 'z', null]);
  });
});
