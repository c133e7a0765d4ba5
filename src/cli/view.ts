/**
 * `harvestry view <file> [--port N] [--out report.html]`: the explorer, served on 127.0.0.1
 * until Ctrl-C, or written to one static HTML file.
 */
import { writeFile } from 'node:fs/promises';
import { parseArgs } from 'node:util';
import { EXIT_CODES, renderCommandHelp } from './help.js';
import type { CliIo } from './main.js';

/**
 * Runs `harvestry view`.
 *
 * @param args - the arguments after `view`
 * @param io - where to print
 * @param stop - resolves when the server should stop (default: SIGINT or SIGTERM)
 */
export async function runViewCommand(args: readonly string[], io: CliIo, stop?: Promise<unknown>): Promise<number> {
  const { values, positionals } = parseArgs({ args: [...args], allowPositionals: true, options: { port: { type: 'string' }, out: { type: 'string' } } });
  if (positionals.length !== 1) {
    io.err(`harvestry view: expected one file, got ${positionals.length}.\n\n${renderCommandHelp('view')}`);
    return EXIT_CODES.usage;
  }
  const path = positionals[0]!;
  if (values.out !== undefined) {
    const { renderViewReport } = await import('../view/report.js');
    await writeFile(values.out, await renderViewReport(path));
    io.out(`wrote ${values.out}`);
    return EXIT_CODES.ok;
  }
  const port = values.port === undefined ? 0 : Number(values.port);
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    io.err(`harvestry view: expected --port to be a whole number from 0 to 65535, got ${JSON.stringify(values.port)}.\n\n${renderCommandHelp('view')}`);
    return EXIT_CODES.usage;
  }
  const { serveView } = await import('../view/server.js');
  const server = await serveView(path, { port });
  io.out(`harvestry view: ${path} at ${server.url} (Ctrl-C to stop)`);
  await (stop ?? signalled());
  await server.close();
  return EXIT_CODES.ok;
}

function signalled(): Promise<string> {
  return new Promise((resolve) => {
    const done = (sig: string): void => {
      process.off('SIGINT', done);
      process.off('SIGTERM', done);
      resolve(sig);
    };
    process.once('SIGINT', done);
    process.once('SIGTERM', done);
  });
}
