// Pool threads start here when harvestry runs from its TypeScript source (tests, `tsx`): a
// worker thread does not inherit the parent's `--import` loaders, so import them (tsx, through
// its register() API) first, then the TypeScript worker module. Compiled harvestry starts
// threads at pool-worker.js directly.
import { workerData } from 'node:worker_threads';

for (const p of workerData.preloads) {
  const mod = await import(p.url);
  if (p.register && typeof mod.register === 'function') mod.register();
}
globalThis[Symbol.for('harvestry.preloaded')] = true;
const worker = await import(workerData.worker);

export default worker.default;
