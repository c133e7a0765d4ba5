/**
 * `readLabelledFile`: a file harvestry wrote, whichever kind it is: a Harvester's dataset or a
 * Sampler's table (told apart by their labels; CSV and JSON lines are always sample tables).
 */
import { extname } from 'node:path';
import { HarvestryError } from '../errors.js';
import type { Dataset } from '../dataset/dataset.js';
import type { SampleBatch } from '../dataset/sample-table.js';
import { readDataset } from './dataset-file.js';
import { loadParquetWasm } from './parquet.js';
import { readSampleFile, sampleFormatFor } from './sample-file.js';
import { loadArrow } from '../dataset/_arrow-lib.js';

/** A file read as what it is. */
export type LabelledFile = { readonly kind: 'dataset'; readonly ds: Dataset } | { readonly kind: 'samples'; readonly batch: SampleBatch };

/**
 * Reads a dataset or a sample table.
 *
 * @param path - the file
 */
export async function readLabelledFile(path: string): Promise<LabelledFile> {
  const ext = extname(path).toLowerCase();
  if (ext === '.csv' || ext === '.json' || ext === '.jsonl' || ext === '.ndjson') return { kind: 'samples', batch: await samples(path) };
  try {
    return { kind: 'dataset', ds: await readDataset(path) };
  } catch (err) {
    if (err instanceof HarvestryError && err.code === 'E_FILE_KIND') return { kind: 'samples', batch: await samples(path) };
    throw err;
  }
}

async function samples(path: string): Promise<SampleBatch> {
  const format = sampleFormatFor(path);
  await loadArrow();
  if (format === 'parquet') await loadParquetWasm();
  const batch = await readSampleFile(path, format);
  if (batch === null) throw new HarvestryError('E_NOT_FOUND', `There is no sample table at ${path}: the file does not exist.`, { details: { path } });
  return batch;
}
