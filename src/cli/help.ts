/**
 * The `harvestry` command's help text, rendered by pure functions (snapshot-tested).
 */
import { VERSION } from '../version.js';

/** One command of the CLI: its usage line and what it does. */
export interface CommandHelp {
  readonly name: string;
  readonly usage: string;
  readonly summary: string;
  readonly details: readonly string[];
}

/** The commands, in the order help lists them. */
export const COMMANDS: readonly CommandHelp[] = [
  {
    name: 'info',
    usage: 'harvestry info <dataset>',
    summary: 'Show what a dataset file holds: rows, dims and coords, variables, attrs, provenance.',
    details: ['<dataset> is a .parquet or .arrow file written by harvestry.'],
  },
  {
    name: 'demo',
    usage: 'harvestry demo [--dir <folder>]',
    summary: 'Run a small sweep and write it to ./harvestry-demo/ (or --dir), then show it.',
    details: ['--dir <folder>  where to write the demo dataset (default: harvestry-demo)'],
  },
];

/** Exit codes of the CLI. */
export const EXIT_CODES = {
  ok: 0,
  error: 1,
  usage: 2,
} as const;

/** The top-level help. */
export function renderHelp(): string {
  const width = Math.max(...COMMANDS.map((c) => c.name.length));
  return [
    `harvestry ${VERSION}: run labelled functions over parameter spaces into one Parquet dataset`,
    '',
    'Usage: harvestry <command> [options]',
    '',
    'Commands:',
    ...COMMANDS.map((c) => `  ${c.name.padEnd(width)}  ${c.summary}`),
    '',
    'Options:',
    '  -h, --help     show help (also: harvestry <command> --help)',
    '  -v, --version  show the version',
    '',
    `Exit codes: ${EXIT_CODES.ok} success, ${EXIT_CODES.error} error (the message says what and how to fix it), ${EXIT_CODES.usage} bad usage.`,
  ].join('\n');
}

/**
 * The help of one command.
 *
 * @param name - the command
 */
export function renderCommandHelp(name: string): string {
  const c = COMMANDS.find((x) => x.name === name);
  if (c === undefined) return renderHelp();
  return [`Usage: ${c.usage}`, '', c.summary, ...(c.details.length > 0 ? ['', ...c.details.map((d) => `  ${d}`)] : [])].join('\n');
}
