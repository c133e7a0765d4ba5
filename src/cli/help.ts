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
    summary: 'Show what a dataset file holds: rows, dims and coords, variables, attrs, provenance, function versions.',
    details: ['<dataset> is a .parquet or .arrow file written by harvestry.'],
  },
  {
    name: 'head',
    usage: 'harvestry head <file> [-n <rows>]',
    summary: 'Show the first rows of a dataset or sample table as an aligned table (list cells abbreviated).',
    details: ['-n, --rows <n>  how many rows (default 10)'],
  },
  {
    name: 'export',
    usage: 'harvestry export <dataset> --long <out.parquet> [--vars <a,b>]',
    summary: 'Write the long form of a dataset: one row per element, every dim and internal dim a column, no list columns (DuckDB, polars, pandas read it as it is).',
    details: [
      '--long <out>    the file to write (.parquet or .arrow); never the dataset itself',
      '--vars <a,b>    only these variables (those with internal dims must share them)',
    ],
  },
  {
    name: 'view',
    usage: 'harvestry view <file> [--port <n>] [--out <report.html>]',
    summary: 'Explore a dataset or sample table in the browser: pick variable, x, colour and panels, slide through the other dims, see the coverage of the grid; it follows the file live as a harvest fills it in.',
    details: [
      '--port <n>      serve on http://127.0.0.1:<n>/ (default: a free port, printed)',
      '--out <file>    write one self-contained HTML file instead of serving (works offline, not live)',
    ],
  },
  {
    name: 'crop',
    usage: 'harvestry crop <status|grow|reap|submit> <crop-dir> [options]',
    summary: 'Look after a crop (a sweep cut into batches in a folder): show it, grow batches, reap them, submit them to a cluster.',
    details: [
      'status <crop-dir>             every batch: done, running, queued, failed (with why) or sown',
      '  --json                      print the status as JSON',
      '  --no-scheduler              do not ask the scheduler (squeue), files only',
      'grow <crop-dir>               grow batches here (by default every batch not done, queued or running)',
      '  --batch <list>              only these batches, e.g. 3, 1,4 or 2-5 (what a cluster task runs)',
      '  --failed                    only the failed batches',
      '  --executor <kind>           inline (default), pool or subprocess',
      '  --workers <n>               threads or processes of the pool or subprocess executor',
      'reap <crop-dir>               merge the results into the dataset, then remove the crop',
      '  --allow-incomplete          reap the finished batches, leave the rest (and keep the crop)',
      '  --keep                      keep the crop folder after reaping',
      '  --overwrite | --keep-old    cases already in the dataset: take the new results | keep the old',
      'submit <crop-dir>             submit batches as a job array (SLURM; PBS and SGE through qsub)',
      '  --scheduler <name>          slurm (default), pbs or sge',
      '  --batches <which>           missing (default: not done, not queued), failed, or a list like 2-5',
      '  --time <t>                  wall time per task, e.g. 2:30:00 (kept as given) or 90 (minutes)',
      '  --mem <m>                   memory per task, e.g. 4G',
      '  --cpus <n>                  CPUs per task',
      '  --partition <p>             partition (SLURM) or queue (PBS, SGE)',
      '  --account <a>               account to charge',
      '  --max-running <k>           at most k tasks at once (SLURM %k)',
      '  --batches-per-task <n>      batches grown by each task',
      '  --extra <directive>         another scheduler directive, e.g. --extra=--qos=long (repeatable)',
      '  --setup <line>              a shell line run first, e.g. "module load node" (repeatable)',
      '  --executor <kind>           how each task grows its batches',
      '  --workers <n>               threads or processes of each task',
      '  --launcher <command>        the command that runs harvestry in a task (default: this Node and CLI)',
      '  --dry-run                   print the job script instead of submitting it',
    ],
  },
  {
    name: 'plot',
    usage: 'harvestry plot <file> --x <d> --y <v> [options] -o <out.svg|png|html|json>',
    summary: 'Draw a chart of a dataset or sample table file: SVG, PNG, a self-contained HTML page, or the Vega-Lite spec.',
    details: [
      '<file> is a dataset (.parquet, .arrow) or a Sampler\'s table; only the columns and row groups needed are read',
      '--x <name>                the horizontal axis (a dim, internal dim or variable)',
      '--y <name>                the vertical axis (a variable; a dim for --kind heatmap)',
      '--color <name>            one colour per value of a dim (the variable, for a heatmap)',
      '--column <d>, --row <d>   one panel per value of a dim',
      '--kind <k>                line (default when x is a dim), scatter, heatmap or hist',
      '--sel <d>=<value>         fix a dim to its nearest value, e.g. --sel gamma=0.1 (repeatable)',
      '--reduce <d>[:band]       average over a dim, with a band: sd (default), ci95 or minmax',
      '--log-x, --log-y          log scales',
      '--title <t>               the title (default: the variable and the fixed dims)',
      '--width, --height <px>    the size of the plot area (of each panel)',
      '--scale <k>               PNG zoom (default 2)',
      '-o, --out <file>          the output; its extension picks the format',
    ],
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
  /** `crop grow`: a batch failed; `crop reap`: batches are missing. */
  incomplete: 3,
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
    `Exit codes: ${EXIT_CODES.ok} success, ${EXIT_CODES.error} error (the message says what and how to fix it), ${EXIT_CODES.usage} bad usage, ${EXIT_CODES.incomplete} a crop is not done (a batch failed in \`crop grow\`, batches missing in \`crop reap\`).`,
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
