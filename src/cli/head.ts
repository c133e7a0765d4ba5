/**
 * `harvestry head <file> [-n 10]`: the first rows of a dataset or a sample table, aligned.
 */
import { renderDatasetHead, renderSampleHead } from '../dataset/head.js';
import { readLabelledFile } from '../store/labelled-file.js';

/**
 * The text `harvestry head` prints.
 *
 * @param path - a dataset or sample table file
 * @param n - how many rows
 */
export async function renderFileHead(path: string, n: number): Promise<string> {
  const file = await readLabelledFile(path);
  return file.kind === 'dataset' ? renderDatasetHead(file.ds, n) : renderSampleHead(file.batch, n);
}
