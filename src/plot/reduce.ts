/**
 * A dim reduced over: the rows grouped by every other encoded column, the variable's mean per
 * group, and the spread around it (± one standard deviation, a 95% confidence interval from
 * Student's t, or min to max).
 */
import type { BandKind } from './options.js';

/** One group's summary. */
export interface GroupStats {
  readonly n: number;
  readonly mean: number;
  readonly lo: number;
  readonly hi: number;
}

/**
 * The mean and band of some values (NaN ignored).
 *
 * @param values - the values
 * @param band - the spread
 */
export function groupStats(values: readonly number[], band: BandKind): GroupStats {
  const xs = values.filter((v) => !Number.isNaN(v));
  const n = xs.length;
  if (n === 0) return { n, mean: NaN, lo: NaN, hi: NaN };
  const mean = xs.reduce((a, b) => a + b, 0) / n;
  if (band === 'minmax') return { n, mean, lo: Math.min(...xs), hi: Math.max(...xs) };
  const sd = n < 2 ? 0 : Math.sqrt(xs.reduce((a, b) => a + (b - mean) ** 2, 0) / (n - 1));
  const half = band === 'sd' ? sd : n < 2 ? 0 : (tQuantile975(n - 1) * sd) / Math.sqrt(n);
  return { n, mean, lo: mean - half, hi: mean + half };
}

// the 0.975 quantile of Student's t for 1..30 degrees of freedom
const T975 = [
  12.706, 4.303, 3.182, 2.776, 2.571, 2.447, 2.365, 2.306, 2.262, 2.228, 2.201, 2.179, 2.16, 2.145, 2.131, 2.12, 2.11, 2.101, 2.093, 2.086, 2.08, 2.074, 2.069, 2.064,
  2.06, 2.056, 2.052, 2.048, 2.045, 2.042,
];

/**
 * The 0.975 quantile of Student's t distribution (table up to 30 degrees of freedom, then a
 * series in 1/df that is within 0.001 of it).
 *
 * @param df - degrees of freedom, from 1 up
 */
export function tQuantile975(df: number): number {
  if (df <= 30) return T975[df - 1]!;
  const z = 1.959964;
  return z + (z ** 3 + z) / (4 * df) + (5 * z ** 5 + 16 * z ** 3 + 3 * z) / (96 * df ** 2);
}

/** The band as words, for a subtitle. */
export function describeBand(band: BandKind): string {
  return band === 'sd' ? 'mean ± sd' : band === 'ci95' ? 'mean and 95% CI' : 'mean, min to max';
}
