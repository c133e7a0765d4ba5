/**
 * The type tests users meet, compiled by a real compiler: TypeScript 5.9 and 7 (the
 * `typescript7` alias), against src/ (test/runner/types.test.ts) or against the installed
 * package (test/package). Each case is its own module; a case either compiles cleanly or fails
 * with messages that match what it expects (naming the key at fault).
 */
import { spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';

/** One module to compile and what the compiler must say about it. */
export interface TypeCase {
  /** The module's code (after the import line). */
  readonly code: string;
  /** Patterns its diagnostics must all match; empty: it must compile without an error. */
  readonly errors: readonly RegExp[];
}

const HEAD = `
/** A damped oscillator's energy. */
export const osc = label({ varNames: 'e' }, ({ omega, gamma }: { omega: number; gamma: number }) => 0.5 * omega ** 2 * Math.exp(-2 * gamma));
`;

/** The cases, by module name. */
export const TYPE_CASES: Readonly<Record<string, TypeCase>> = {
  typo: {
    code: `${HEAD}export const p = osc.runCombos({ omega: [1, 2], gamm: [0, 0.1] });\n`,
    errors: [/'gamm' is not a parameter of the labelled function/],
  },
  'typo-harvest': {
    code: `${HEAD}export const p = new Harvester(osc, 'x.parquet').harvestCombos({ omega: [1], gamm: '...' });\n`,
    errors: [/'gamm' is not a parameter of the labelled function/],
  },
  'typo-case': {
    code: `${HEAD}export const p = osc.runCases([{ omega: 1, gamm: 2 }]);\n`,
    errors: [/'gamm' does not exist in type/],
  },
  'wrong-type': {
    code: `${HEAD}export const p = osc.runCombos({ omega: [1], gamma: ['x'] });\n`,
    errors: [/string|"x"/],
  },
  missing: {
    code: `${HEAD}export const p = osc.runCombos({ omega: [1, 2] });\n`,
    errors: [/'gamma' is missing/],
  },
  'missing-harvest': {
    code: `${HEAD}export const p = new Harvester(osc, 'x.parquet').harvestCombos({ omega: [1, 2] }, { missingOnly: true });\n`,
    errors: [/'gamma' is missing/],
  },
  'variable-widened': {
    code: `${HEAD}const combos = { omega: [1, 2], gamma: '...' };\nexport const p = new Harvester(osc, 'x.parquet').harvestCombos(combos);\n`,
    errors: [/'\.\.\.' in a combos object held in a variable is widened to string: write the object `as const`/],
  },
  'variable-typo': {
    code: `${HEAD}const combos = { omega: [1, 2], gamm: [0] };\nexport const p = osc.runCombos(combos);\n`,
    errors: [/'gamm' is not a parameter of the labelled function/],
  },
  'space-typo': {
    code: `${HEAD}export const p = osc.runCombos(product({ omega: [1], gamm: [2] }));\n`,
    errors: [/'gamm'/],
  },
  sync: {
    code: `${HEAD}const n: number = osc.fn({ omega: 1, gamma: 0 });\nexport const twice = n * 2;\nconst later = label({ varNames: 'y' }, async ({ x }: { x: number }) => x);\n// @ts-expect-error: an async function's fn returns a Promise\nexport const m: number = later.fn({ x: 1 });\n`,
    errors: [],
  },
  valid: {
    code: `${HEAD}
const given = label({ varNames: 'e', constants: { gamma: 0.1 } }, ({ omega, gamma }: { omega: number; gamma: number }) => omega * gamma);
const h = new Harvester(osc, 'x.parquet');
const asConst = { omega: [1, 2], gamma: '...' } as const;
const plain = { omega: [1, 2], gamma: [0, 0.5] };
export const all = [
  osc.runCombos({ omega: [1, 2], gamma: [0, 0.5] }),
  osc.runCombos({ omega: new Float64Array([1, 2]), gamma: [0] }, { onError: 'record', progress: (p) => p.done }),
  osc.runCombos(plain),
  osc.runCombos({ omega: [1] }, { constants: { gamma: 0 } }),
  osc.runCombos({ omega: [1] }, { cases: [{ gamma: 0 }, { gamma: 1 }] }),
  osc.runCombos(product({ omega: [1], gamma: [2] })),
  osc.runCases([{ omega: 1, gamma: 2 }]),
  given.runCombos({ omega: [1, 2] }),
  new Harvester(given, 'y.parquet').harvestCombos({ omega: [3] }),
  h.harvestCombos({ omega: [1, 2], gamma: '...' }, { missingOnly: true }),
  h.harvestCombos(asConst),
  h.harvestCombos(plain),
];
`,
    errors: [],
  },
};

/** Writes the cases as modules into `dir`, each importing harvestry from `from`; returns their file names. */
export function writeTypeCases(dir: string, from: string): string[] {
  return Object.entries(TYPE_CASES).map(([name, c]) => {
    const file = `${name}.ts`;
    writeFileSync(join(dir, file), `import { Harvester, label, product } from '${from}';\n${c.code}`);
    return file;
  });
}

/** A compiler's diagnostics per file name (without the folder). */
export type Diagnostics = Map<string, string[]>;

/**
 * Compiles the project in `dir` (its tsconfig.json) with the compiler at `tsc` (a package's
 * bin/tsc, run by Node) and returns its diagnostics per file, each with its follow-up lines.
 */
export function compile(tsc: string, dir: string): { diagnostics: Diagnostics; output: string; status: number | null } {
  const r = spawnSync(process.execPath, [tsc, '-p', '.', '--noEmit', '--pretty', 'false'], { cwd: dir, encoding: 'utf8', timeout: 300_000 });
  const output = `${r.stdout}${r.stderr}`;
  const diagnostics: Diagnostics = new Map();
  let list: string[] | null = null;
  for (const line of output.split('\n')) {
    const m = /^(?:.*\/)?([^/(]+\.ts)\(\d+,\d+\): error TS\d+: (.*)$/.exec(line);
    if (m !== null) {
      list = diagnostics.get(m[1]!) ?? [];
      diagnostics.set(m[1]!, list);
      list.push(m[2]!);
    } else if (list !== null && line.startsWith(' ')) {
      list.push(`${list.pop() ?? ''}\n${line.trim()}`);
    }
  }
  return { diagnostics, output, status: r.status };
}

/** What went wrong with each case under one compiler: an empty list when every case behaved. */
export function checkTypeCases(diagnostics: Diagnostics): string[] {
  const problems: string[] = [];
  for (const [name, c] of Object.entries(TYPE_CASES)) {
    const got = diagnostics.get(`${name}.ts`) ?? [];
    if (c.errors.length === 0) {
      if (got.length > 0) problems.push(`${name}.ts must compile, but:\n  ${got.join('\n  ')}`);
      continue;
    }
    if (got.length === 0) problems.push(`${name}.ts must fail to compile, but compiled`);
    for (const pattern of c.errors) {
      if (!got.some((d) => pattern.test(d))) problems.push(`${name}.ts: no message matches ${String(pattern)}; the compiler said:\n  ${got.join('\n  ')}`);
    }
  }
  const unknown = [...diagnostics.keys()].filter((f) => !(f.replace(/\.ts$/, '') in TYPE_CASES));
  if (unknown.length > 0) problems.push(`errors in other files: ${unknown.join(', ')}`);
  return problems;
}
