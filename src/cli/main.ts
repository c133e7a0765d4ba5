/**
 * The `harvestry` command: parses arguments, runs a command, prints errors as messages with
 * their code, and exits with a documented code. Commands are imported when run, so
 * `crop grow` (what every cluster task runs) starts without loading what it does not use.
 */
import { parseArgs } from 'node:util';
import { HarvestryError } from '../errors.js';
import { VERSION } from '../version.js';
import { COMMANDS, EXIT_CODES, renderCommandHelp, renderHelp } from './help.js';

/** Where the CLI writes: standard output and standard error. */
export interface CliIo {
  out(text: string): void;
  err(text: string): void;
}

const processIo: CliIo = {
  out: (t) => process.stdout.write(`${t}\n`),
  err: (t) => process.stderr.write(`${t}\n`),
};

/**
 * Runs the CLI with arguments (without `node` and the script) and returns the exit code.
 *
 * @param argv - the arguments
 * @param io - where to print
 */
export async function runCli(argv: readonly string[], io: CliIo = processIo): Promise<number> {
  const [command, ...rest] = argv;
  if (command === undefined || command === '-h' || command === '--help' || command === 'help') {
    io.out(renderHelp());
    return command === undefined ? EXIT_CODES.usage : EXIT_CODES.ok;
  }
  if (command === '-v' || command === '--version') {
    io.out(VERSION);
    return EXIT_CODES.ok;
  }
  if (!COMMANDS.some((c) => c.name === command)) {
    io.err(`harvestry: unknown command ${JSON.stringify(command)}. Commands: ${COMMANDS.map((c) => c.name).join(', ')}. See harvestry --help.`);
    return EXIT_CODES.usage;
  }
  try {
    return await runCommand(command, rest, io);
  } catch (err) {
    if (err instanceof HarvestryError) {
      // (messages of crop commands start with the command they came from)
      io.err(`${err.message.startsWith('harvestry ') ? '' : `harvestry ${command}: `}${err.message} [${err.code}]`);
      return EXIT_CODES.error;
    }
    if (err instanceof Error && err.name === 'CropUsageError') {
      io.err(`${err.message}\n\n${renderCommandHelp(command)}`);
      return EXIT_CODES.usage;
    }
    if (err instanceof TypeError && (err as NodeJS.ErrnoException).code?.startsWith('ERR_PARSE_ARGS') === true) {
      io.err(`harvestry ${command}: ${err.message}\n\n${renderCommandHelp(command)}`);
      return EXIT_CODES.usage;
    }
    throw err;
  }
}

async function runCommand(command: string, args: readonly string[], io: CliIo): Promise<number> {
  if (args.includes('--help') || args.includes('-h')) {
    io.out(renderCommandHelp(command));
    return EXIT_CODES.ok;
  }
  switch (command) {
    case 'info': {
      const { positionals } = parseArgs({ args: [...args], allowPositionals: true, options: {} });
      if (positionals.length !== 1) {
        io.err(`harvestry info: expected one dataset file, got ${positionals.length}.\n\n${renderCommandHelp('info')}`);
        return EXIT_CODES.usage;
      }
      const { renderInfo } = await import('./info.js');
      io.out(await renderInfo(positionals[0]!));
      return EXIT_CODES.ok;
    }
    case 'head': {
      const { values, positionals } = parseArgs({ args: [...args], allowPositionals: true, options: { rows: { type: 'string', short: 'n', default: '10' } } });
      if (positionals.length !== 1) return usage(io, 'head', `expected one file, got ${positionals.length}`);
      const n = Number(values.rows);
      if (!Number.isInteger(n) || n < 0) return usage(io, 'head', `expected -n to be a whole number from 0 up, got ${JSON.stringify(values.rows)}`);
      const { renderFileHead } = await import('./head.js');
      io.out(await renderFileHead(positionals[0]!, n));
      return EXIT_CODES.ok;
    }
    case 'export': {
      const { values, positionals } = parseArgs({ args: [...args], allowPositionals: true, options: { long: { type: 'string' }, vars: { type: 'string' } } });
      if (positionals.length !== 1) return usage(io, 'export', `expected one dataset file, got ${positionals.length}`);
      if (values.long === undefined) return usage(io, 'export', 'expected --long <out.parquet>, the file to write');
      const { exportLong } = await import('../store/export-long.js');
      const vars = values.vars?.split(',').map((v) => v.trim()).filter((v) => v !== '');
      const report = await exportLong(positionals[0]!, values.long, vars === undefined ? {} : { vars });
      io.out(`wrote ${report.path}: ${report.rows} rows, columns ${report.columns.join(', ')}`);
      return EXIT_CODES.ok;
    }
    case 'view': {
      const { runViewCommand } = await import('./view.js');
      return runViewCommand(args, io);
    }
    case 'crop': {
      const { runCropCommand } = await import('./crop-command.js');
      return runCropCommand(args, io);
    }
    case 'plot': {
      const { runPlotCommand } = await import('./plot-command.js');
      return runPlotCommand(args, io);
    }
    case 'demo': {
      const { values } = parseArgs({ args: [...args], options: { dir: { type: 'string', default: 'harvestry-demo' } } });
      const { runDemo } = await import('./demo.js');
      const { path, summary } = await runDemo(values.dir);
      io.out(`${summary}\nwrote ${path}`);
      return EXIT_CODES.ok;
    }
    default:
      return EXIT_CODES.usage;
  }
}

function usage(io: CliIo, command: string, problem: string): number {
  io.err(`harvestry ${command}: ${problem}.\n\n${renderCommandHelp(command)}`);
  return EXIT_CODES.usage;
}
