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
export type { ColumnData, ElemType, Container, Values } from './execute/columns.js';
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
export { Space } from './space/space.js';
export type { SpaceInput, CombosInput, ComboList, NumberList, PointOf, CheckedPoint } from './space/space.js';
export { product } from './space/product.js';
export type { ProductPoint } from './space/product.js';
export { zip } from './space/zip.js';
export { concat } from './space/concat.js';
export { repeat } from './space/repeat.js';
export type { RepeatOptions } from './space/repeat.js';
export { filter } from './space/filter.js';
export { points } from './space/points.js';
export { mixture, Mixture } from './space/mixture.js';
export type { Drawable, MixtureComponent, MixturePoint } from './space/mixture.js';
export { countCases } from './space/count.js';
export { makeRng } from './space/rng.js';
export type { Rng } from './space/rng.js';
export { Grid } from './space/grid.js';
export type { GridSpec, DimInfo, GridCursor } from './space/grid.js';
export type { DimCoords } from './space/view.js';
export type { CombosGridSpec, ColumnsSpec, ProductSpec, ZipSpec, ConcatSpec, RepeatSpec, SubsetSpec } from './space/space-spec.js';
export { closePools } from './execute/pool.js';
export type { ExecutorKind } from './execute/run.js';
export { Harvester } from './harvest/harvester.js';
export type { DeleteOptions } from './harvest/harvester.js';
export type { HarvestReport } from './harvest/harvest.js';
export type { HarvesterOptions, HarvestOptions, HarvestCombos, HarvestCombosOptions, HarvestCasesOptions, CommitEvery, CommitInfo } from './harvest/options.js';
export { STALE_WARNING_CODE } from './harvest/stale.js';
export type { LockOptions } from './store/lock.js';
export { FINGERPRINT_COLUMN } from './dataset/meta.js';
export { Sampler } from './harvest/sampler.js';
export type { SamplerOptions, SampleOptions, SampleCommitInfo } from './harvest/sampler-options.js';
export type { SampleCombos, SampleValue } from './harvest/sampler-combos.js';
export type { SampleReport } from './harvest/sampler-run.js';
export { readSamples } from './store/sample-file.js';
export type { ReadSamplesOptions, SampleFormat } from './store/sample-file.js';
export { SEED_COLUMN, SAMPLE_COLUMN, SAMPLES_META_KEY } from './dataset/sample-meta.js';
export type { SampleMeta, SampleColumnMeta, SampleRole } from './dataset/sample-meta.js';
export type { HarvestPlan } from './harvest/plan.js';
