/**
 * `serveView`: the explorer served on 127.0.0.1. The page asks for the file's state
 * (`/api/state`) and for charts (`/api/chart`, drawn by `plot()` here), and hears of changes
 * to the file over server-sent events (`/events`): the server polls the file and tells every
 * open page when it changed, so a harvest or a crop reap shows up as it is committed.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { HarvestryError } from '../errors.js';
import { renderViewPage } from './page.js';
import { ViewSource, type ChartRequest } from './source.js';

/** Options of {@link serveView}. */
export interface ViewOptions {
  /**
   * The port on 127.0.0.1 (0: a free one, chosen by the system).
   * @defaultValue 0
   */
  readonly port?: number;
  /**
   * How often the file is checked for changes, in milliseconds.
   * @defaultValue 300
   */
  readonly pollMs?: number;
}

/** A running explorer: where it is, and how to stop it. */
export interface ViewServer {
  /** The page's address, `http://127.0.0.1:<port>/`. */
  readonly url: string;
  readonly port: number;
  /** Stops polling, ends open event streams and closes the server. */
  close(): Promise<void>;
}

const MAX_BODY = 64 * 1024;

/**
 * Serves the explorer of a dataset or sample table file on 127.0.0.1 (never on other
 * interfaces).
 *
 * @param path - the file
 * @param options - the port, how often to check the file
 * @returns the running server; close it when done
 * @example
 * ```ts
 * const server = await serveView('data/sweep.parquet', { port: 8080 });
 * console.log(`open ${server.url}`);
 * // ... later
 * await server.close();
 * ```
 */
export async function serveView(path: string, options: ViewOptions = {}): Promise<ViewServer> {
  const port = options.port ?? 0;
  const pollMs = options.pollMs ?? 300;
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new HarvestryError('E_BAD_OPTION', `Expected \`port\` to be a whole number from 0 to 65535, got ${String(port)}.`);
  if (!(Number.isFinite(pollMs) && pollMs >= 10)) throw new HarvestryError('E_BAD_OPTION', `Expected \`pollMs\` to be a number of milliseconds from 10 up, got ${String(pollMs)}.`);
  const source = new ViewSource(path);
  await source.refresh();
  const page = renderViewPage({ mode: 'live', title: path });
  const streams = new Set<ServerResponse>();
  let checking: Promise<void> | null = null;
  const check = (): Promise<void> => {
    checking ??= source
      .refresh()
      .then((changed) => {
        if (!changed) return;
        const event = `event: change\ndata: ${JSON.stringify({ version: source.version })}\n\n`;
        for (const s of streams) s.write(event);
      })
      .catch(() => undefined)
      .finally(() => {
        checking = null;
      });
    return checking;
  };
  const timer = setInterval(() => void check(), pollMs);
  timer.unref();

  const server = createServer((req, res) => {
    handle(req, res).catch((err: unknown) => { send(res, 500, { error: { code: null, message: err instanceof Error ? err.message : String(err) } }); });
  });
  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    if (req.method === 'GET' && url.pathname === '/') {
      res.writeHead(200, { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-store' });
      res.end(page);
    } else if (req.method === 'GET' && url.pathname === '/api/state') {
      await check();
      send(res, 200, source.state());
    } else if (req.method === 'POST' && url.pathname === '/api/chart') {
      const request = JSON.parse(await body(req)) as ChartRequest;
      try {
        send(res, 200, { version: source.version, spec: await source.chart(request) });
      } catch (err) {
        if (!(err instanceof HarvestryError)) throw err;
        send(res, 200, { version: source.version, error: { code: err.code, message: err.message } });
      }
    } else if (req.method === 'GET' && url.pathname === '/events') {
      res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-store', connection: 'keep-alive' });
      res.write(`event: hello\ndata: ${JSON.stringify({ version: source.version })}\n\n`);
      streams.add(res);
      req.on('close', () => streams.delete(res));
    } else if (req.method === 'GET' && url.pathname === '/favicon.ico') {
      res.writeHead(204);
      res.end();
    } else send(res, 404, { error: { code: 'E_NOT_FOUND', message: `no such page: ${url.pathname}` } });
  }

  await new Promise<void>((resolve, reject) => {
    server.once('error', (err) => { reject(new HarvestryError('E_BAD_OPTION', `Cannot serve the explorer on 127.0.0.1:${port}: ${err.message}. Pick another --port, or 0 for a free one.`, { cause: err })); });
    server.listen(port, '127.0.0.1', () => { resolve(); });
  });
  const bound = (server.address() as AddressInfo).port;
  return {
    url: `http://127.0.0.1:${bound}/`,
    port: bound,
    async close(): Promise<void> {
      clearInterval(timer);
      for (const s of streams) s.end();
      streams.clear();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => { resolve(); }));
      await checking;
    },
  };
}

function send(res: ServerResponse, status: number, value: unknown): void {
  if (res.headersSent) {
    res.end();
    return;
  }
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store' });
  res.end(JSON.stringify(value));
}

async function body(req: IncomingMessage): Promise<string> {
  let size = 0;
  const parts: Buffer[] = [];
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > MAX_BODY) throw new Error('request body too large');
    parts.push(chunk);
  }
  return Buffer.concat(parts).toString('utf8');
}
