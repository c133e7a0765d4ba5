/**
 * The `harvestry` CLI as a script: `node run.js <command> ...`. `bin/harvestry.js` is the
 * installed command; crops use this entry where there is no bin beside the build.
 */
// `crop grow` only evaluates cases: skip loading apache-arrow (see dataset/_arrow-lib.ts).
if (process.argv[2] === 'crop' && process.argv[3] === 'grow') process.env.HARVESTRY_CHILD ??= '1';
const { runCli } = await import('./main.js');
process.exitCode = await runCli(process.argv.slice(2));
