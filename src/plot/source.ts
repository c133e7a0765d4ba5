/**
 * The file a chart draws from: a Parquet dataset read in part (the columns the chart uses, the
 * row groups that can hold its selection), another dataset file read projected, or a sample
 * table file read whole.
 */
import type * as Arrow from 'apache-arrow';
import { HarvestryError } from '../errors.js';
import type { Dataset } from '../dataset/dataset.js';
import { readDataset } from '../store/dataset-file.js';
import { readDatasetLabels } from '../store/dataset-labels.js';
import { readDatasetSlice } from '../store/dataset-slice.js';
import { readSamples } from '../store/sample-file.js';
import type { SourceNames } from './frame.js';
import type { PlotSpec } from './options.js';

/**
 * Reads what a chart needs from a file.
 *
 * @param path - a dataset or sample table file
 * @param spec - the chart's options
 * @param fieldsOf - the columns the chart reads, from the file's names
 */
export async function readPlotSource(path: string, spec: PlotSpec, fieldsOf: (names: SourceNames) => readonly string[]): Promise<Dataset | Arrow.Table> {
  let labels: Awaited<ReturnType<typeof readDatasetLabels>>;
  const lower = path.toLowerCase();
  if (lower.endsWith('.csv') || lower.endsWith('.jsonl') || lower.endsWith('.ndjson') || lower.endsWith('.json')) return readSamples(path);
  if (!lower.endsWith('.parquet')) {
    try {
      return await readDataset(path);
    } catch (err) {
      if (err instanceof HarvestryError && err.code === 'E_FILE_KIND') return readSamples(path);
      throw err;
    }
  }
  {
    try {
      labels = await readDatasetLabels(path);
    } catch (err) {
      if (err instanceof HarvestryError && err.code === 'E_FILE_KIND') return readSamples(path);
      throw err;
    }
    if (labels === null) throw new HarvestryError('E_NOT_FOUND', `There is no file at ${path} to plot. Check the path.`, { details: { path } });
  }
  const meta = labels.meta;
  const names: SourceNames = { dims: meta.dims.map((d) => d.name), vars: meta.vars.map((v) => v.name), varDims: Object.fromEntries(meta.vars.map((v) => [v.name, v.dims])), isSamples: false };
  const vars = fieldsOf(names).filter((n) => names.vars.includes(n));
  const { ds } = await readDatasetSlice(path, { vars, ...(spec.sel === undefined ? {} : { sel: spec.sel }), selOptions: spec.selOptions });
  return ds;
}
