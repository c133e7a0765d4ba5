/**
 * The explorer's server without a browser: what it serves, where it listens, the events it
 * sends when the file changes, sample tables, the static report's refusal, and the CLI.
 */
import assert from 'node:assert/strict';
import { closeSync, existsSync, openSync, readFileSync, writeSync } from 'node:fs';
import { request } from 'node:http';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { Harvester, label, renderViewReport, Sampler, serveView, writeDataset } from '../../src/index.js';
import { runViewCommand } from '../../src/cli/view.js';
import type { ViewState } from '../../src/view/source.js';
import { asStruct, i64, listItems, readFooter } from '../../src/store/parquet-footer.js';
import { field } from '../../src/store/thrift.js';
import { assertHarvestryError, tempDir } from '../_support/helpers.js';

export const sweep = label({ varNames: 'p' }, ({ a, b }: { a: number; b: number }) => {
  assert.ok(a >= 1 && a < 10, `a ${a}`);
  assert.ok(b >= 10 && b < 100, `b ${b}`);
  return a * b;
});

async function json<T>(url: string, body?: unknown): Promise<T> {
  const res = await fetch(url, body === undefined ? {} : { method: 'POST', body: JSON.stringify(body) });
  assert.equal(res.status, 200);
  return (await res.json()) as T;
}

/** Reads server-sent events from a URL until `count` events of `name` came, or the stream ends. */
function events(url: string, name: string, count: number): { done: Promise<string[]>; ready: Promise<void> } {
  let ready!: () => void;
  const readyP = new Promise<void>((r) => {
    ready = r;
  });
  const done = new Promise<string[]>((resolve, reject) => {
    const got: string[] = [];
    const req = request(url, (res) => {
      res.setEncoding('utf8');
      let buf = '';
      res.on('data', (chunk: string) => {
        buf += chunk;
        let at: number;
        while ((at = buf.indexOf('\n\n')) >= 0) {
          const block = buf.slice(0, at);
          buf = buf.slice(at + 2);
          const ev = /^event: (.*)$/m.exec(block)?.[1];
          const data = /^data: (.*)$/m.exec(block)?.[1] ?? '';
          if (ev === 'hello') ready();
          if (ev === name) got.push(data);
          if (got.length === count) {
            req.destroy();
            resolve(got);
          }
        }
      });
      res.on('end', () => { resolve(got); });
    });
    req.on('error', reject);
    req.end();
  });
  return { done, ready: readyP };
}

describe('harvestry view: the server', () => {
  const dir = tempDir();

  it('listens on 127.0.0.1, serves the page, the state and charts, and sends an event when the file changes', async () => {
    const path = join(dir, 'sweep.parquet');
    const h = new Harvester(sweep, path);
    await h.harvestCombos({ a: [1, 2], b: [10, 20, 30] });
    const server = await serveView(path, { pollMs: 20 });
    try {
      assert.equal(server.url, `http://127.0.0.1:${server.port}/`);
      const page = await (await fetch(server.url)).text();
      assert.match(page, /^<!doctype html>/);
      assert.match(page, /vegaEmbed/);
      assert.doesNotMatch(page, /<script[^>]+src=/); // everything inlined
      const state = await json<ViewState>(`${server.url}api/state`);
      assert.equal(state.kind, 'dataset');
      assert.equal(state.rows, 6);
      assert.deepEqual(state.dims.map((d) => [d.name, d.labels]), [['a', ['1', '2']], ['b', ['10', '20', '30']]]);
      assert.deepEqual(state.defaults, { p: { x: 'a', color: 'b' } });
      assert.deepEqual(state.coverage, { dims: ['a', 'b'], sizes: [2, 3], cells: '111111', counts: { present: 6, missing: 0, failed: 0, stale: 0 } });
      // a chart of one slice, as plot() draws it
      const chart = await json<{ spec: { data: { values: Record<string, number>[] } } }>(`${server.url}api/chart`, { y: 'p', x: 'b', sel: { a: 1 } });
      assert.deepEqual(chart.spec.data.values.map((r) => [r.b, r.p]), [[10, 20], [20, 40], [30, 60]]);
      const bad = await json<{ error: { code: string; message: string } }>(`${server.url}api/chart`, { y: 'p', x: 'b', sel: { a: 5 } });
      assert.equal(bad.error.code, 'E_NOT_FOUND');
      assert.match(bad.error.message, /`a` has 2 values; position 5 is not one of them/);
      assert.equal((await fetch(`${server.url}nope`)).status, 404);
      // a harvest that adds a value of a: the event, then the new state (the grid grew, a = 3 is half there)
      const stream = events(`${server.url}events`, 'change', 1);
      await stream.ready;
      await h.harvestCombos({ a: [3], b: [10] });
      const [event] = await stream.done;
      assert.deepEqual(JSON.parse(event!), { version: 2 });
      const after = await json<ViewState>(`${server.url}api/state`);
      assert.equal(after.version, 2);
      assert.deepEqual(after.coverage, { dims: ['a', 'b'], sizes: [3, 3], cells: '111111100', counts: { present: 7, missing: 2, failed: 0, stale: 0 } });
    } finally {
      await server.close();
    }
    await assert.rejects(fetch(server.url));
  });

  it('reads the footer and the shown slice only: a damaged variable of another slice stops only that slice\'s chart', async () => {
    const path = join(dir, 'damaged.parquet');
    const h = new Harvester(sweep, path);
    await h.harvestCombos({ a: [1], b: [10, 20] });
    await h.harvestCombos({ a: [2], b: [10, 20] });
    // overwrite the start of the first row group's `p` chunk (a = 1): its page header
    const { footer } = (await readFooter(path))!;
    const chunks = listItems(field(asStruct(listItems(field(footer.meta, 4))[0]), 1)).map((c) => asStruct(field(asStruct(c), 3)));
    const p = chunks.find((md) => listItems(field(md, 3)).some((n) => n.t === 'binary' && new TextDecoder().decode(n.v) === 'p'))!;
    const fd = openSync(path, 'r+');
    writeSync(fd, new Uint8Array(16).fill(0xff), 0, 16, Number(i64(field(p, 11) ?? field(p, 9))));
    closeSync(fd);
    const server = await serveView(path);
    try {
      const state = await json<ViewState>(`${server.url}api/state`);
      assert.deepEqual([state.rows, state.coverage?.cells, state.error], [4, '1111', null]);
      const chart = await json<{ spec: { data: { values: Record<string, number>[] } } }>(`${server.url}api/chart`, { y: 'p', x: 'b', sel: { a: 1 } });
      assert.deepEqual(chart.spec.data.values.map((r) => [r.b, r.p]), [[10, 20], [20, 40]], 'a = 2 (position 1)');
      const bad = await json<{ error: { code: string; message: string } }>(`${server.url}api/chart`, { y: 'p', x: 'b', sel: { a: 0 } });
      assert.equal(bad.error.code, 'E_CORRUPT_FILE');
      assert.match(bad.error.message, /row group 0 does not decode/);
    } finally {
      await server.close();
    }
  });

  it('marks rows made by another version of the function as stale', async () => {
    const path = join(dir, 'stale.parquet');
    await new Harvester(sweep, path).harvestCombos({ a: [1], b: [10, 20] });
    const edited = label({ varNames: 'p' }, ({ a, b }: { a: number; b: number }) => a * b + 0);
    await new Harvester(edited, path).harvestCombos({ a: [2], b: [10, 20] });
    const server = await serveView(path);
    try {
      const state = await json<ViewState>(`${server.url}api/state`);
      assert.deepEqual(state.coverage, { dims: ['a', 'b'], sizes: [2, 2], cells: '3311', counts: { present: 2, missing: 0, failed: 0, stale: 2 } });
    } finally {
      await server.close();
    }
  });

  it('shows a sample table: its variables over its parameters, no grid', async () => {
    const path = join(dir, 'samples.parquet');
    await new Sampler(sweep, path).sampleCombos(5, { combos: { a: [1, 2, 3], b: [10, 20] }, seed: 3 });
    const server = await serveView(path);
    try {
      const state = await json<ViewState>(`${server.url}api/state`);
      assert.equal(state.kind, 'samples');
      assert.equal(state.coverage, null);
      assert.deepEqual(state.defaults, { p: { x: 'a', color: null } });
      const chart = await json<{ spec: { data: { values: Record<string, number>[] } } }>(`${server.url}api/chart`, { y: 'p', x: 'a' });
      assert.equal(chart.spec.data.values.length, 5);
      for (const r of chart.spec.data.values) assert.ok([10, 20].some((b) => r.p === r.a! * b));
    } finally {
      await server.close();
    }
  });

  it('refuses a missing file, a port in use, and a static report with too many charts', async () => {
    await assertHarvestryError(() => serveView(join(dir, 'nope.parquet')), 'E_NOT_FOUND', /There is no dataset at .*nope\.parquet/);
    const path = join(dir, 'sweep.parquet');
    const first = await serveView(path);
    try {
      await assertHarvestryError(() => serveView(path, { port: first.port }), 'E_BAD_OPTION', new RegExp(`Cannot serve the explorer on 127\\.0\\.0\\.1:${first.port}: .*Pick another --port`));
    } finally {
      await first.close();
    }
    await assertHarvestryError(() => serveView(path, { port: 70000 }), 'E_BAD_OPTION', /`port` to be a whole number from 0 to 65535, got 70000/);
    const three = label({ varNames: 'p' }, ({ a, b, c }: { a: number; b: number; c: string }) => a * b + c.length);
    const path3 = join(dir, 'three.parquet');
    await writeDataset(await three.runCombos({ a: [1, 2], b: [10, 20], c: ['x', 'yy', 'zzz'] }), path3);
    await assertHarvestryError(() => renderViewReport(path3, { maxCharts: 2 }), 'E_BAD_OPTION', /would hold 3 charts \(every variable at every position of the dims not on its axes\), more than 2\. Serve it live instead/);
    assert.match(await renderViewReport(path3, { maxCharts: 3 }), /"mode":"static"/);
  });
});

describe('harvestry view: the command', () => {
  const dir = tempDir();

  it('--out writes one static page; without it, serves until stopped', async () => {
    const path = join(dir, 'sweep.parquet');
    await writeDataset(await sweep.runCombos({ a: [1, 2], b: [10, 20] }), path);
    const out: string[] = [];
    const io = { out: (t: string) => out.push(t), err: (t: string) => out.push(t) };
    const report = join(dir, 'report.html');
    assert.equal(await runViewCommand([path, '--out', report], io), 0);
    assert.deepEqual(out, [`wrote ${report}`]);
    const html = readFileSync(report, 'utf8');
    assert.match(html, /"mode":"static"/);
    assert.doesNotMatch(html, /<script[^>]+src=/);

    out.length = 0;
    let stop!: () => void;
    const stopped = new Promise<void>((r) => (stop = r));
    const running = runViewCommand([path], io, stopped);
    for (let i = 0; i < 200 && out.length === 0; i++) await new Promise((r) => setTimeout(r, 25));
    const url = /at (http:\/\/127\.0\.0\.1:\d+\/) \(Ctrl-C to stop\)$/.exec(out[0] ?? '')?.[1];
    assert.ok(url !== undefined, out.join('\n'));
    assert.equal((await fetch(`${url}api/state`)).status, 200);
    stop();
    assert.equal(await running, 0);
    await assert.rejects(fetch(url));

    assert.equal(await runViewCommand([path, '--port', 'x'], io), 2);
    assert.match(out.at(-1)!, /expected --port to be a whole number from 0 to 65535, got "x"/);
    assert.equal(await runViewCommand([], io), 2);
    assert.equal(existsSync(join(dir, 'nothing.html')), false);
  });
});
