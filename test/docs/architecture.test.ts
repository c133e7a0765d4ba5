/**
 * The layering docs/architecture.md promises, checked on the source: the folders of src/ import
 * each other one way (no cycle between folders, so every folder can be read, tested and loaded
 * without the ones above it), and in particular harvest/ never imports crop/ (crop/ builds on
 * harvest/; `harvester.crop()` is installed by crop/crop.ts). Imports are read with TypeScript's
 * own pre-processor: static imports, `import type`, re-exports, dynamic `import()` and
 * `declare module` augmentations all count.
 */
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, realpathSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { describe, it } from 'node:test';
import ts from 'typescript';
import { Crop, Harvester, label } from '../../src/index.js';
import { tempDir } from '../_support/helpers.js';

// The checkout's src/ (through package.json, which the compiled tree links), not the tree's copy
// with its compiled .js beside each .ts.
const src = join(dirname(realpathSync(new URL('../../package.json', import.meta.url))), 'src');

/** Every source file under src/, relative to it. */
function sourceFiles(dir = src): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const p = join(dir, e.name);
    if (e.isDirectory()) return sourceFiles(p);
    return /\.(ts|mts|mjs|js)$/.test(e.name) ? [relative(src, p)] : [];
  });
}

/** A file's node in the folder graph: its top folder under src/, or the file itself at the top (`errors.ts`, as imported `errors.js`). */
function nodeOf(file: string): string {
  const parts = file.split(sep);
  return parts.length > 1 ? parts[0]! : file.replace(/\.(js|mjs)$/, '.ts');
}

interface Edge {
  readonly from: string;
  readonly to: string;
  readonly file: string;
  readonly target: string;
}

/** The relative imports of every source file that cross from one node to another. */
function crossingImports(): Edge[] {
  const edges: Edge[] = [];
  for (const file of sourceFiles()) {
    const info = ts.preProcessFile(readFileSync(join(src, file), 'utf8'), true, true);
    for (const { fileName } of info.importedFiles) {
      if (!fileName.startsWith('.')) continue;
      const target = relative(src, resolve(dirname(join(src, file)), fileName));
      assert.ok(!target.startsWith('..'), `${file} imports ${fileName}, outside src/`);
      const from = nodeOf(file);
      const to = nodeOf(target);
      if (from !== to) edges.push({ from, to, file, target });
    }
  }
  return edges;
}

/** The strongly connected components with more than one node (Tarjan): each holds a cycle. */
function cycles(edges: readonly Edge[]): string[][] {
  const next = new Map<string, Set<string>>();
  for (const e of edges) {
    if (!next.has(e.from)) next.set(e.from, new Set());
    if (!next.has(e.to)) next.set(e.to, new Set());
    next.get(e.from)!.add(e.to);
  }
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const found: string[][] = [];
  const visit = (v: string): void => {
    index.set(v, index.size);
    low.set(v, index.get(v)!);
    stack.push(v);
    onStack.add(v);
    for (const w of next.get(v)!) {
      if (!index.has(w)) {
        visit(w);
        low.set(v, Math.min(low.get(v)!, low.get(w)!));
      } else if (onStack.has(w)) {
        low.set(v, Math.min(low.get(v)!, index.get(w)!));
      }
    }
    if (low.get(v) === index.get(v)) {
      const component: string[] = [];
      let w: string;
      do {
        w = stack.pop()!;
        onStack.delete(w);
        component.push(w);
      } while (w !== v);
      if (component.length > 1) found.push(component.sort());
    }
  };
  for (const v of [...next.keys()].sort()) if (!index.has(v)) visit(v);
  return found;
}

/** A cycle's edges, each with the files that make it, for the failure message. */
function describeCycle(component: readonly string[], edges: readonly Edge[]): string {
  const inside = edges.filter((e) => component.includes(e.from) && component.includes(e.to));
  return `${component.join(' ↔ ')}:\n${inside.map((e) => `  ${e.from} → ${e.to}: ${e.file} imports ${e.target}`).join('\n')}`;
}

describe('the folders of src/ import each other one way', () => {
  const edges = crossingImports();

  it('the scan sees the imports (crop/ → harvest/, index.ts → every folder, folders → errors.ts)', () => {
    const has = (from: string, to: string): boolean => edges.some((e) => e.from === from && e.to === to);
    assert.ok(has('crop', 'harvest'), 'crop/ imports harvest/');
    assert.ok(has('crop', 'harvest') && edges.some((e) => e.file === join('crop', 'crop.ts') && e.target === join('harvest', 'harvester.js')), 'crop/crop.ts imports harvest/harvester');
    const folders = readdirSync(src, { withFileTypes: true }).filter((e) => e.isDirectory()).map((e) => e.name);
    assert.deepEqual(folders.filter((f) => f !== 'cli' && !has('index.ts', f)), [], 'src/index.ts exports from every folder but cli/');
    assert.ok(has('harvest', 'errors.ts') && has('store', 'errors.ts'));
    // The scan finds a cycle when there is one.
    assert.deepEqual(cycles([...edges, { from: 'store', to: 'plot', file: 'x', target: 'y' }]).map((c) => c.includes('plot') && c.includes('store')), [true]);
  });

  it('no file under src/harvest imports from src/crop (not even a type)', () => {
    const wrong = edges.filter((e) => e.from === 'harvest' && e.to === 'crop').map((e) => `${e.file} imports ${e.target}`);
    assert.deepEqual(wrong, [], 'crop/ builds on harvest/: move what harvest/ needs below it, or register it from crop/');
  });

  it('there is no cycle between folders (nor through index.ts, errors.ts, version.ts)', () => {
    const found = cycles(edges);
    assert.deepEqual(found.map((c) => describeCycle(c, edges)), []);
  });
});

describe('harvester.crop(), installed by crop/', () => {
  it('is a method of every Harvester made through the package entry, the same as new Crop(harvester)', () => {
    const fn = label({ varNames: 'y' }, ({ a }: { a: number }) => a * 2);
    const dir = tempDir();
    const h = new Harvester(fn, join(dir, 'sweep.parquet'));
    const crop = h.crop({ name: 'c1', numBatches: 2 });
    assert.ok(crop instanceof Crop);
    assert.equal(crop.harvester, h);
    assert.equal(crop.runner, fn);
    assert.equal(crop.dir, join(dir, 'c1.crop'));
    assert.equal(new Crop(h, { name: 'c1' }).dir, crop.dir);
    // A method of the prototype, as a class method is: not an own or enumerable property.
    assert.equal(Object.keys(h).includes('crop'), false);
    assert.equal(typeof Harvester.prototype.crop, 'function');
  });
});
