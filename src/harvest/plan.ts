/**
 * `planHarvest`: a dry run of a harvest. It reads what the file holds for the requested cases
 * (the key columns only, as a harvest does) and says how many cases would run, how many are
 * present, stale or recorded failures, without running or writing anything.
 */
import type { RunInput } from '../runner/prepare.js';
import { inspect, planOrder, type HarvestHost } from './harvest.js';
import type { HarvestSpec } from './options.js';

/** What a harvest would do, from {@link Harvester.plan}. */
export interface HarvestPlan {
  /** The dataset file. */
  readonly path: string;
  /** True when the file exists. */
  readonly exists: boolean;
  /** Rows in the file. */
  readonly fileRows: number;
  /** Cases the harvest covers (its combos and cases). */
  readonly cases: number;
  /** Cases it would run (with `missingOnly`: the missing and failed ones, and stale ones with `rerun: 'stale'`; else all). */
  readonly run: number;
  /** Cases it would skip because the file has them (`cases - run`). */
  readonly skipped: number;
  /** Cases the file holds a result for, made by the current version of the function. */
  readonly present: number;
  /** Cases the file holds a result for made by another version of the function (see `rerun`). */
  readonly stale: number;
  /** Cases the file holds as recorded failures (`onError: 'record'`): missing, so a missing-only harvest retries them. */
  readonly failed: number;
  /** Cases the file does not hold. */
  readonly missing: number;
}

/**
 * Plans a harvest without running it.
 *
 * @param host - the runner and the file (its callbacks are not called)
 * @param input - combos (with `'...'`), cases, per-run constants
 * @param spec - the checked harvest options
 * @param where - the call, for messages
 * @returns the counts
 */
export async function planHarvest(host: HarvestHost, input: RunInput, spec: HarvestSpec, where: string): Promise<HarvestPlan> {
  const quiet: HarvestHost = { ...host, onStale: () => undefined, onDataset: () => undefined };
  const { prep, status, fileRows } = await inspect(quiet, input, spec, where, true);
  const counts = status.counts();
  const { total } = planOrder(status, spec, prep);
  return {
    path: host.path,
    exists: status.stamp !== null,
    fileRows,
    cases: prep.grid.size,
    run: total,
    skipped: prep.grid.size - total,
    present: counts.present,
    stale: counts.stale,
    failed: counts.failed,
    missing: counts.absent,
  };
}
