#!/usr/bin/env node
// The `harvestry` command. Runs the compiled CLI (dist/), or, in a checkout that was not built,
// the TypeScript source through tsx when tsx is installed.
import { existsSync } from 'node:fs';
import { fileURLToPath, pathToFileURL } from 'node:url';

const built = new URL('../dist/cli/main.js', import.meta.url);
let main;
if (existsSync(fileURLToPath(built))) {
  main = await import(built.href);
} else {
  const { register } = await import('tsx/esm/api');
  register();
  main = await import(pathToFileURL(fileURLToPath(new URL('../src/cli/main.ts', import.meta.url))).href);
}
process.exitCode = await main.runCli(process.argv.slice(2));
