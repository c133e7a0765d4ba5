/**
 * harvestry: label a function, run it over parameter grids and cases, and keep every result in
 * one labelled Parquet dataset.
 *
 * @packageDocumentation
 */
export { ERROR_CODES, HarvestryError } from './errors.js';
export type { ErrorCode, HarvestryErrorOptions } from './errors.js';
export type { Scalar, ScalarKind } from './space/values.js';
export { label } from './runner/label.js';
export { Runner } from './runner/runner.js';
export type { RunReport, LabelledFunction } from './runner/runner.js';
export type { LabelSpec, CoordValues } from './runner/spec.js';
export type { RunOptions, OnError, ProgressInfo } from './runner/options.js';
export type { Combos, Cases, RunCombosOptions, RunCasesOptions, NumericArray, PositionalParams } from './runner/types.js';
export type { CaseFailure } from './execute/evaluate.js';
export type { ColumnData, ElemType, Container } from './execute/columns.js';
export { Dataset } from './dataset/dataset.js';
export type { DatasetRecord } from './dataset/dataset.js';
export { LabelledArray } from './dataset/dense.js';
export type { DenseData } from './dataset/dense.js';
export type { Selection } from './dataset/select.js';
export type { DataFrameLike } from './dataset/dataframe.js';
export { FORMAT_VERSION, ERROR_COLUMN, DURATION_COLUMN } from './dataset/meta.js';
export type { DatasetMeta, DimMeta, VarMeta, InternalCoords, Provenance } from './dataset/meta.js';
export { readDataset, writeDataset } from './store/dataset-file.js';
export type { ReadOptions, WriteOptions } from './store/dataset-file.js';
export type { DatasetFormat } from './store/format.js';
export { VERSION } from './version.js';
export { closePools } from './execute/pool.js';
export type { ExecutorKind } from './execute/run.js';
