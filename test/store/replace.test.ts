/**
 * Replacing a file when its backup is already a link to it (a writer was killed between keeping
 * the backup and renaming the new file into place): no temporary link is left behind, and the
 * backup holds the previous version.
 */
import assert from 'node:assert/strict';
import { linkSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { replaceFile, replaceFileBytes } from '../../src/store/replace.js';
import { tempDir } from '../_support/helpers.js';

describe('replacing a file whose backup is the file itself', () => {
  it('leaves no temporary link (small files, written synchronously)', async () => {
    const dir = tempDir();
    const path = join(dir, 'f.parquet');
    writeFileSync(path, 'one');
    linkSync(path, `${path}.bak`);
    await replaceFileBytes(path, new TextEncoder().encode('two'));
    assert.deepEqual(readdirSync(dir).sort(), ['f.parquet', 'f.parquet.bak']);
    assert.deepEqual([readFileSync(path, 'utf8'), readFileSync(`${path}.bak`, 'utf8')], ['two', 'one']);
  });

  it('leaves no temporary link (files written by a fill function)', async () => {
    const dir = tempDir();
    const path = join(dir, 'g.parquet');
    writeFileSync(path, 'one');
    linkSync(path, `${path}.bak`);
    await replaceFile(path, (tmp) => writeFile(tmp, 'two'));
    assert.deepEqual(readdirSync(dir).sort(), ['g.parquet', 'g.parquet.bak']);
    assert.deepEqual([readFileSync(path, 'utf8'), readFileSync(`${path}.bak`, 'utf8')], ['two', 'one']);
  });
});
