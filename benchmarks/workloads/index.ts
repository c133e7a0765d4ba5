/**
 * Every benchmark workload, by name. Each issue adds its workloads here.
 */
import type { Workload } from '../workload.js';
import { coreWorkloads } from './core.js';
import { spaceWorkloads } from './space.js';
import { parallelWorkloads } from './parallel.js';
import { harvestWorkloads } from './harvest.js';
import { samplerWorkloads } from './sampler.js';
import { cropWorkloads } from './crop.js';
import { plotWorkloads } from './plot.js';

/** All workloads, in the order `npm run bench` runs them. */
export const workloads: readonly Workload[] = [...coreWorkloads, ...spaceWorkloads, ...parallelWorkloads, ...harvestWorkloads, ...samplerWorkloads, ...cropWorkloads, ...plotWorkloads];
