/**
 * How a crop's cases are cut into batches (xyzpy's rules): `batchSize` gives full batches and a
 * shorter last one; `numBatches` gives the first `remainder` batches one case more than the
 * rest; both must agree with the number of cases. Batches are numbered from 1. Also batch lists
 * as text (`1-3,7`), as users type them and as schedulers take them.
 */
import { HarvestryError } from '../errors.js';
import { showValue } from '../space/values.js';

/** How the cases of a crop are cut into batches. */
export interface BatchLayout {
  /** Cases in the crop. */
  readonly cases: number;
  /** Batches, numbered 1 to `numBatches`. */
  readonly numBatches: number;
  /** Cases in a batch (the first `remainder` batches have one more). */
  readonly batchSize: number;
  /** How many of the first batches have `batchSize + 1` cases. */
  readonly remainder: number;
}

/**
 * Cuts `cases` cases into batches. Neither size nor count given: one case per batch.
 *
 * @param cases - the number of cases (at least 1)
 * @param batchSize - cases per batch, or undefined
 * @param numBatches - number of batches (capped at `cases`), or undefined
 * @param where - the call, for messages
 * @returns the layout
 * @example
 * ```ts
 * chooseBatches(10, undefined, 3); // { cases: 10, numBatches: 3, batchSize: 3, remainder: 1 }: sizes 4, 3, 3
 * ```
 */
export function chooseBatches(cases: number, batchSize: number | undefined, numBatches: number | undefined, where: string): BatchLayout {
  if (batchSize !== undefined) checkCount(batchSize, 'batchSize', where);
  if (numBatches !== undefined) checkCount(numBatches, 'numBatches', where);
  if (batchSize !== undefined && numBatches !== undefined) {
    if (!(cases <= batchSize * numBatches && batchSize * numBatches < cases + batchSize)) {
      throw new HarvestryError(
        'E_BAD_OPTION',
        `\`batchSize: ${batchSize}\` and \`numBatches: ${numBatches}\` in ${where} do not fit ${cases} cases: ${numBatches} batches of ${batchSize} hold ${batchSize * numBatches}, which must be at least ${cases} and less than ${cases + batchSize}. Give only one of them.`,
      );
    }
    // full batches and a shorter last one
    return { cases, numBatches, batchSize, remainder: 0 };
  }
  if (numBatches !== undefined) {
    const count = Math.min(numBatches, cases);
    return { cases, numBatches: count, batchSize: Math.floor(cases / count), remainder: cases % count };
  }
  const size = batchSize ?? 1;
  return { cases, numBatches: Math.ceil(cases / size), batchSize: size, remainder: 0 };
}

/**
 * The positions of batch `k`'s cases in the crop's order: from `start` to `end` (exclusive).
 *
 * @param layout - the layout
 * @param k - the batch number, 1 to `numBatches`
 */
export function batchBounds(layout: BatchLayout, k: number): { start: number; end: number } {
  const { batchSize, remainder, cases } = layout;
  const start = (k - 1) * batchSize + Math.min(k - 1, remainder);
  return { start, end: Math.min(cases, start + batchSize + (k <= remainder ? 1 : 0)) };
}

/**
 * Batch numbers as compact text: runs of three or more as ranges (`1-5,7,9-12`).
 *
 * @param batches - batch numbers, ascending
 * @param separator - between items (`,` for schedulers)
 */
export function formatBatchList(batches: readonly number[], separator = ','): string {
  const out: string[] = [];
  for (let i = 0; i < batches.length; ) {
    let j = i;
    while (j + 1 < batches.length && batches[j + 1] === batches[j]! + 1) j++;
    if (j - i >= 2) out.push(`${batches[i]}-${batches[j]}`);
    else for (let x = i; x <= j; x++) out.push(String(batches[x]));
    i = j + 1;
  }
  return out.join(separator);
}

/**
 * Reads batch numbers from text such as `3`, `1,4` or `2-5,9` (spaces ignored), checked
 * against the number of batches; ascending, without repeats.
 *
 * @param text - the list
 * @param numBatches - the number of batches of the crop
 * @param where - the option or call, for messages
 */
export function parseBatchList(text: string, numBatches: number, where: string): number[] {
  const out = new Set<number>();
  for (const raw of text.split(',')) {
    const item = raw.trim();
    if (item === '') continue;
    const m = /^(\d+)(?:-(\d+))?$/.exec(item);
    const from = m === null ? NaN : Number(m[1]);
    const to = m?.[2] === undefined ? from : Number(m[2]);
    if (!(from >= 1 && to >= from && to <= numBatches)) {
      throw new HarvestryError('E_BAD_OPTION', `Expected ${where} to list batches from 1 to ${numBatches} like "3", "1,4" or "2-5,9", got ${JSON.stringify(text)} (${JSON.stringify(item)} is not).`);
    }
    for (let k = from; k <= to; k++) out.add(k);
  }
  if (out.size === 0) throw new HarvestryError('E_BAD_OPTION', `Expected ${where} to list at least one batch, got ${JSON.stringify(text)}.`);
  return [...out].sort((a, b) => a - b);
}

/**
 * Checks a list of batch numbers given as numbers: whole, in range; returns them ascending
 * without repeats.
 *
 * @param batches - the numbers
 * @param numBatches - the number of batches of the crop
 * @param where - the option or call, for messages
 */
export function checkBatchNumbers(batches: readonly unknown[], numBatches: number, where: string): number[] {
  const bad = batches.find((k) => !(Number.isInteger(k) && (k as number) >= 1 && (k as number) <= numBatches));
  if (bad !== undefined || batches.length === 0) {
    throw new HarvestryError('E_BAD_OPTION', `Expected ${where} to be batch numbers from 1 to ${numBatches}, got ${bad === undefined ? 'an empty list' : showValue(bad)}.`);
  }
  return [...new Set(batches as number[])].sort((a, b) => a - b);
}

function checkCount(v: unknown, name: string, where: string): void {
  if (!(Number.isInteger(v) && (v as number) >= 1)) {
    throw new HarvestryError('E_BAD_OPTION', `Expected \`${name}\` in ${where} to be a whole number from 1 up, got ${showValue(v)}.`);
  }
}
