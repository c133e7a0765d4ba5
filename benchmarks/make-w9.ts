/**
 * Makes W9's 10,000,000-row file in a process of its own (W11's `prepare`), so that the bench's
 * peak RSS of W11 is the plot's, not that of harvesting the file it plots.
 * Usage (compiled): node .tmp/bench-build/benchmarks/make-w9.js <dir> (prints the file's path)
 */
import { makeW9File } from './workloads/plot.js';

const dir = process.argv[2];
if (dir === undefined) {
  console.error('usage: make-w9.js <dir>');
  process.exit(2);
}
console.log(await makeW9File(dir));
