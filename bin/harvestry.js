#!/usr/bin/env node
// The `harvestry` command. Runs the compiled CLI (dist/), or the TypeScript source through tsx
// in a checkout that was not built or when Node runs with `--conditions=source` (as the tests do).
import { existsSync } from 'node:fs';
import { fileURLToPath, pathToFileURL } from 'node:url';

const argv = process.execArgv;
const wantsSource = argv.some((a, i) => a === '--conditions=source' || a === '-C=source' || ((a === '--conditions' || a === '-C') && argv[i + 1] === 'source'));
const built = new URL('../dist/cli/main.js', import.meta.url);
const source = new URL('../src/cli/main.ts', import.meta.url);
// `crop grow` only evaluates cases: skip loading apache-arrow (see src/dataset/_arrow-lib.ts).
if (process.argv[2] === 'crop' && process.argv[3] === 'grow') process.env.HARVESTRY_CHILD ??= '1';
let main;
if (existsSync(fileURLToPath(built)) && !(wantsSource && existsSync(fileURLToPath(source)))) {
  main = await import(built.href);
} else {
  const tsxLoaded = argv.some((a, i) => (a === '--import' || a === '--loader') && /tsx/.test(argv[i + 1] ?? '')) || argv.some((a) => /^--(import|loader)=.*tsx/.test(a));
  if (!tsxLoaded) {
    const { register } = await import('tsx/esm/api');
    register();
  }
  main = await import(pathToFileURL(fileURLToPath(source)).href);
}
process.exitCode = await main.runCli(process.argv.slice(2));
