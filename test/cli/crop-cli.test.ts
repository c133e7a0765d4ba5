/**
 * `harvestry crop status|grow|reap|submit` and `harvestry info`'s function versions, run in
 * this process through `runCli` (the bin is run by test/crop/processes.test.ts); help text
 * snapshot-tested; exit codes as documented.
 */
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { Harvester } from '../../src/index.js';
import { EXIT_CODES, renderCommandHelp, renderHelp } from '../../src/cli/help.js';
import { runCli } from '../../src/cli/main.js';
import { assertSnapshot } from '../_support/snapshot.js';
import { tempDir } from '../_support/helpers.js';
import { gated, product, productV2 } from '../crop/fixtures/crop-fns.js';

async function cli(args: string[]): Promise<{ code: number; out: string; err: string }> {
  const out: string[] = [];
  const err: string[] = [];
  const code = await runCli(args, { out: (t) => out.push(t), err: (t) => err.push(t) });
  return { code, out: out.join('\n'), err: err.join('\n') };
}

describe('harvestry crop', () => {
  const dir = tempDir('harvestry-crop-cli-');

  it('renders its help text', () => {
    assertSnapshot('cli-help', renderHelp());
    assertSnapshot('cli-help-crop', renderCommandHelp('crop'));
    assert.match(renderHelp(), /3 a crop is not done/);
    assert.equal(EXIT_CODES.incomplete, 3);
  });

  it('shows, grows and reaps a crop, with exit codes saying whether it is done', async () => {
    const gate = join(dir, 'gate');
    writeFileSync(`${gate}.throw-3-10`, '');
    const h = new Harvester(gated, join(dir, 'sweep.parquet'));
    const crop = h.crop({ numBatches: 3 });
    await crop.sowCombos({ a: [1, 2, 3], b: [10, 20] }, { constants: { gate } });

    const grow = await cli(['crop', 'grow', crop.dir, '--batch', '1']);
    assert.equal(grow.code, 0, grow.err);
    assert.match(grow.out, /^crop sweep: grew batch 1 in \d+\.\d s$/);
    const status = await cli(['crop', 'status', crop.dir, '--no-scheduler']);
    assert.equal(status.code, 0);
    assert.equal(status.out, [`crop sweep at ${crop.dir}`, `  6 cases in 3 batches, reaped into ${h.path}`, '  done         1  1', '  sown         2  2,3', '  missing      2  2,3'].join('\n'));

    const rest = await cli(['crop', 'grow', crop.dir]);
    assert.equal(rest.code, EXIT_CODES.incomplete);
    assert.match(rest.out, /grew batch 2 /);
    assert.equal(rest.err, 'crop sweep: batch 3 failed: {a: 3, b: 10}: the gate refuses a=3, b=10');
    const json = JSON.parse((await cli(['crop', 'status', crop.dir, '--json'])).out) as { failed: number[]; batches: { error: string | null }[] };
    assert.deepEqual(json.failed, [3]);
    assert.equal(json.batches[2]!.error, '{a: 3, b: 10}: the gate refuses a=3, b=10');

    const refused = await cli(['crop', 'reap', crop.dir]);
    assert.equal(refused.code, EXIT_CODES.incomplete);
    assert.match(refused.err, /^harvestry crop reap: the crop 'sweep' is not complete: 1 of 3 batches \(3\) have no results yet \(see harvestry crop status \S+ for which are running or failed\)\. Grow them \(harvestry crop grow \S+, or submit them again\), or reap what is done with harvestry crop reap \S+ --allow-incomplete\. \[E_CROP_INCOMPLETE\]$/);
    const partial = await cli(['crop', 'reap', crop.dir, '--allow-incomplete']);
    assert.equal(partial.code, 0, partial.err);
    assert.equal(partial.out, `crop sweep: reaped 2 batches into ${h.path} (4 rows written); left out 3`);
    assert.equal(h.fullDs?.numRows, 4);
  });

  it('prints the job script of a submission without submitting it (--dry-run)', async () => {
    const h = new Harvester(product, join(dir, 'dry.parquet'));
    const crop = h.crop({ numBatches: 4 });
    await crop.sowCombos({ a: [1, 2, 3, 4], b: [10] });
    const r = await cli(['crop', 'submit', crop.dir, '--dry-run', '--scheduler', 'sge', '--time', '2:30:00', '--mem', '2G', '--batches', '2-4', '--extra=-m ae', '--setup', 'module load node']);
    assert.equal(r.code, 0, r.err);
    assert.match(r.out, /^#\$ -t 2-4$/m);
    assert.match(r.out, /^#\$ -l h_rt=2:30:00$/m);
    assert.match(r.out, /^#\$ -m ae$/m);
    assert.match(r.out, /^module load node$/m);
    assert.match(r.out, new RegExp(`crop grow ${crop.dir.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')} --batch "\\$batch"$`, 'm'));
    assert.deepEqual((await crop.status()).sown, [1, 2, 3, 4], 'nothing was submitted');
  });

  it('says what is wrong, with exit code 2 for bad usage and 1 for errors', async () => {
    const noSub = await cli(['crop']);
    assert.equal(noSub.code, EXIT_CODES.usage);
    assert.match(noSub.err, /^harvestry crop: expected one of status, grow, reap, submit\.\n\nUsage: harvestry crop/);
    assert.equal((await cli(['crop', 'plant', dir])).code, EXIT_CODES.usage);
    const two = await cli(['crop', 'status', dir, dir]);
    assert.equal(two.code, EXIT_CODES.usage);
    assert.match(two.err, /^harvestry crop status: expected one crop folder, got 2\./);
    const unknown = await cli(['crop', 'grow', dir, '--batches', '1']);
    assert.equal(unknown.code, EXIT_CODES.usage);
    assert.match(unknown.err, /Unknown option '--batches'/);
    const missing = await cli(['crop', 'status', join(dir, 'none.crop')]);
    assert.equal(missing.code, EXIT_CODES.error);
    assert.match(missing.err, /^harvestry crop: there is no crop at .*none\.crop .*\[E_CROP_NOT_SOWN\]$/);
    const h = new Harvester(product, join(dir, 'usage.parquet'));
    const crop = h.crop({ numBatches: 2 });
    await crop.sowCombos({ a: [1, 2], b: [10] });
    const badBatch = await cli(['crop', 'grow', crop.dir, '--batch', '5']);
    assert.equal(badBatch.code, EXIT_CODES.error);
    assert.match(badBatch.err, /Expected --batch to list batches from 1 to 2 .*got "5".*\[E_BAD_OPTION\]/);
    const workers = await cli(['crop', 'grow', crop.dir, '--workers', 'two']);
    assert.equal(workers.code, EXIT_CODES.usage);
    assert.match(workers.err, /^harvestry crop grow: --workers must be a whole number from 1 up, got "two"\./);
  });

  it('info names the versions of the function that made the rows', async () => {
    const path = join(dir, 'versions.parquet');
    await new Harvester(product, path).harvestCombos({ a: [1, 2, 3], b: [10] });
    let info = await cli(['info', path]);
    assert.match(info.out, new RegExp(`^ {2}function versions: 1 \\(${product.fingerprint.replace('sha256:', '').slice(0, 12)}, every row\\)$`, 'm'));
    await new Harvester(productV2, path).harvestCombos({ a: [4], b: [10] });
    info = await cli(['info', path]);
    assert.match(info.out, /^ {2}function versions: 2 \(rows by fingerprint: [0-9a-f]{12} 3, [0-9a-f]{12} 1\)$/m);
    assert.match(info.out, /rows made by an older version are stale/);
  });
});
