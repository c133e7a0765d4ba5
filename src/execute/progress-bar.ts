/**
 * The progress bar on stderr (the only importer of cli-progress): cases done of all, rate,
 * ETA and failures so far. It appears only after a run has gone on for a moment, so quick runs
 * print nothing.
 */
import { createRequire } from 'node:module';
import type cliProgressModule from 'cli-progress';
import type { ExecProgress } from './execute.js';

/** How long a run goes before its bar appears, in ms. */
const SHOW_AFTER_MS = 500;

/** A progress bar for one run. */
export interface ProgressBar {
  /** Shows progress. */
  update(p: ExecProgress): void;
  /** Removes the bar's timer and leaves its last state on screen. */
  stop(): void;
}

/**
 * True when a bar should be shown by default: stderr is a terminal, not in CI, and
 * `HARVESTRY_PROGRESS` is not `off`.
 *
 * @param env - the environment
 * @param isTTY - whether stderr is a terminal
 */
export function wantsProgressBar(env: NodeJS.ProcessEnv = process.env, isTTY: boolean = process.stderr.isTTY): boolean {
  const setting = (env.HARVESTRY_PROGRESS ?? '').toLowerCase();
  if (setting === 'off' || setting === '0' || setting === 'false') return false;
  if (setting === 'on' || setting === '1' || setting === 'true') return true;
  const ci = env.CI;
  return isTTY && (ci === undefined || ci === '' || ci === '0' || ci.toLowerCase() === 'false');
}

/**
 * Starts a progress bar on stderr.
 *
 * @param stream - where to draw it
 */
export function startProgressBar(stream: NodeJS.WritableStream = process.stderr): ProgressBar {
  let bar: cliProgressModule.SingleBar | null = null;
  return {
    update(p) {
      if (bar === null) {
        if (p.elapsedMs < SHOW_AFTER_MS && p.done < p.total) return;
        // Loaded only when a bar is shown, so worker threads and quiet runs never load it.
        const cliProgress = createRequire(import.meta.url)('cli-progress') as typeof cliProgressModule;
        bar = new cliProgress.SingleBar({
          stream,
          format: 'harvestry {bar} {value}/{total} cases | {rate}/s | ETA {eta_formatted} | {failed} failed',
          hideCursor: true,
          etaBuffer: 50,
          fps: 10,
        });
        bar.start(p.total, 0, { rate: '0', failed: 0 });
      }
      const rate = p.elapsedMs > 0 ? (p.done * 1000) / p.elapsedMs : 0;
      bar.update(p.done, { rate: rate >= 100 ? Math.round(rate).toString() : rate.toPrecision(2), failed: p.failed });
    },
    stop() {
      bar?.stop();
      bar = null;
    },
  };
}
