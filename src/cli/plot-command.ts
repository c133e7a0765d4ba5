/**
 * `harvestry plot <file> --x d --y v [--color d] [--column d] [--row d] [--kind k]
 * [--sel d=value …] [--reduce d:band] [--log-x] [--log-y] -o out.svg|png|html|json`: a chart of
 * a dataset or sample table file, in the format of the output's extension.
 */
import { parseArgs } from 'node:util';
import { HarvestryError } from '../errors.js';
import type { BandKind, PlotKind, PlotOptions } from '../plot/options.js';
import { plot, plotFormatOf } from '../plot/plot.js';
import type { Scalar } from '../space/values.js';
import { EXIT_CODES, renderCommandHelp } from './help.js';
import type { CliIo } from './main.js';

/**
 * Runs `harvestry plot ...`.
 *
 * @param args - the arguments after `plot`
 * @param io - where to print
 * @returns the exit code
 */
export async function runPlotCommand(args: readonly string[], io: CliIo): Promise<number> {
  const { values, positionals } = parseArgs({
    args: [...args],
    allowPositionals: true,
    options: {
      x: { type: 'string' },
      y: { type: 'string' },
      color: { type: 'string' },
      column: { type: 'string' },
      row: { type: 'string' },
      kind: { type: 'string' },
      sel: { type: 'string', multiple: true },
      reduce: { type: 'string' },
      'log-x': { type: 'boolean' },
      'log-y': { type: 'boolean' },
      title: { type: 'string' },
      width: { type: 'string' },
      height: { type: 'string' },
      scale: { type: 'string' },
      out: { type: 'string', short: 'o' },
    },
  });
  if (positionals.length !== 1) return usage(io, `expected one dataset or sample table file, got ${positionals.length}`);
  if (values.out === undefined) return usage(io, 'give the output file with -o (out.svg, out.png, out.html or out.json)');
  plotFormatOf(values.out);
  const sel = parseSel(values.sel ?? []);
  const options: PlotOptions = {
    ...pick(values, ['x', 'y', 'color', 'column', 'row', 'title']),
    ...(values.kind === undefined ? {} : { kind: values.kind as PlotKind }),
    ...(sel === null ? {} : { sel: sel.sel, selOptions: { method: 'nearest', tolerance: sel.tolerance } }),
    ...(values.reduce === undefined ? {} : { reduce: parseReduce(values.reduce) }),
    ...(values['log-x'] === true || values['log-y'] === true ? { log: { x: values['log-x'] === true, y: values['log-y'] === true } } : {}),
    ...(values.width === undefined ? {} : { width: number('--width', values.width) }),
    ...(values.height === undefined ? {} : { height: number('--height', values.height) }),
  };
  const p = await plot(positionals[0]!, options);
  await p.write(values.out, values.scale === undefined ? {} : { scale: number('--scale', values.scale) });
  io.out(`wrote ${values.out}`);
  return EXIT_CODES.ok;
}

function usage(io: CliIo, message: string): number {
  io.err(`harvestry plot: ${message}.\n\n${renderCommandHelp('plot')}`);
  return EXIT_CODES.usage;
}

function pick(values: Record<string, unknown>, keys: readonly string[]): Record<string, string> {
  return Object.fromEntries(keys.filter((k) => typeof values[k] === 'string').map((k) => [k, values[k] as string]));
}

/**
 * `--sel gamma=0.1 --sel model=a`: numbers where the text is one, else strings; matched to the
 * nearest coord within a billionth (relative), so `0.3` finds `0.30000000000000004`.
 */
function parseSel(items: readonly string[]): { sel: Record<string, Scalar>; tolerance: number } | null {
  if (items.length === 0) return null;
  const sel: Record<string, Scalar> = {};
  let scale = 1;
  for (const item of items) {
    const at = item.indexOf('=');
    if (at <= 0) throw new HarvestryError('E_BAD_OPTION', `Expected --sel as <dim>=<value> (for example --sel gamma=0.1), got ${JSON.stringify(item)}.`);
    const text = item.slice(at + 1);
    const n = Number(text);
    const value: Scalar = text.trim() !== '' && Number.isFinite(n) ? n : text === 'true' ? true : text === 'false' ? false : text;
    if (typeof value === 'number') scale = Math.max(scale, Math.abs(value));
    sel[item.slice(0, at)] = value;
  }
  return { sel, tolerance: 1e-9 * scale };
}

function parseReduce(text: string): { dim: string; band: BandKind } {
  const [dim, band = 'sd'] = text.split(':');
  if (dim === undefined || dim === '' || !['sd', 'ci95', 'minmax'].includes(band)) {
    throw new HarvestryError('E_BAD_OPTION', `Expected --reduce as <dim> or <dim>:<band> with band sd, ci95 or minmax (for example --reduce seed:ci95), got ${JSON.stringify(text)}.`);
  }
  return { dim, band: band as BandKind };
}

function number(flag: string, text: string): number {
  const n = Number(text);
  if (text.trim() === '' || !Number.isFinite(n)) throw new HarvestryError('E_BAD_OPTION', `Expected ${flag} to be a number, got ${JSON.stringify(text)}.`);
  return n;
}
