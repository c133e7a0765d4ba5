#!/usr/bin/env node
// `npm run build` (and `prepare`, which npm runs before `npm pack` / `npm publish` and when
// installing from a folder or a git URL): compile src/ into a fresh dist/, so no file of an
// older build (a renamed or removed module) is ever packed.
import { spawnSync } from 'node:child_process';
import { rmSync } from 'node:fs';
import { createRequire } from 'node:module';

const root = new URL('..', import.meta.url).pathname;
rmSync(new URL('../dist', import.meta.url), { recursive: true, force: true });
const tsc = createRequire(import.meta.url).resolve('typescript/bin/tsc');
const r = spawnSync(process.execPath, [tsc, '-p', 'tsconfig.build.json'], { cwd: root, stdio: 'inherit' });
process.exit(r.status ?? 1);
