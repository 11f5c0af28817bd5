/**
 * A full copy whose key column is masked, next to kept sandbox rows (maintain[].keep), stopped
 * after a committed chunk and continued: the continuation must not write with REPLACE (which
 * would overwrite a kept row whose masked key a production row has) but start the table again,
 * so a real keep collision stops the copy and the kept row survives.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ResumeState } from '../../src/copy/copy-task.js';
import { CopyPair } from '../support/copy-fixture.js';

describe('full copy with a masked key and kept rows, continued after a committed chunk', () => {
  let pair: CopyPair;

  beforeAll(async () => {
    pair = await CopyPair.create('keep_mkey');
    await pair.both('CREATE TABLE k (code VARCHAR(64) NOT NULL PRIMARY KEY, n INT NOT NULL)');
    // Keys c0001..c1000: in key order, the last one is c1000.
    await pair.prod("INSERT INTO k SELECT CONCAT('c', LPAD(seq, 4, '0')), seq FROM seq_1_to_1000");
  });

  afterAll(async () => {
    await pair.drop();
  });

  it('starts again instead of REPLACE, so a kept row colliding with a masked key stops the copy and stays', async () => {
    const base = await pair.task('k', { mask: { code: { kind: 'hash' } } });
    // The masked value production's last row gets: a full copy with the same secret computes it.
    await pair.copy(base);
    const [last] = await pair.sand<{ code: string }[]>('SELECT code FROM k WHERE n = 1000');
    expect(last!.code).not.toBe('c1000');
    // A developer's row kept through refreshes, whose key is that masked value.
    await pair.sand(`TRUNCATE TABLE k; INSERT INTO k VALUES ('${last!.code}', -1), ('dev-only', -2)`);
    const task = { ...base, keep: 'n < 0' };

    let stored: ResumeState | null = null;
    await expect(
      pair.copy(task, null, {
        chunkRows: 600,
        concurrency: 2,
        onCommit: ({ resume }) => {
          stored = resume;
          throw new Error('stopped');
        },
      }),
    ).rejects.toThrow('stopped');
    expect(stored).not.toBeNull();
    // One segment despite concurrency 2: the continuation can only start the table again.
    expect(JSON.stringify(stored)).not.toContain('"index":1');

    // The rest is one chunk that holds the colliding row: REPLACE would have overwritten the kept row.
    await expect(pair.copy(task, stored, { chunkRows: 600, concurrency: 2 })).rejects.toMatchObject({ code: 'keep_collision' });
    expect(await pair.sand<{ code: string; n: number }[]>('SELECT code, n FROM k WHERE n < 0 ORDER BY n')).toEqual([
      { code: 'dev-only', n: -2 },
      { code: last!.code, n: -1 },
    ]);
  });

  it('without a collision, the continuation ends with what an uninterrupted copy gives, kept rows included', async () => {
    const task = { ...(await pair.task('k', { mask: { code: { kind: 'hash' } } })), keep: 'n < 0' };
    await pair.sand("TRUNCATE TABLE k; INSERT INTO k VALUES ('dev-only', -2)");
    await pair.copy(task);
    const uninterrupted = await pair.sand<{ code: string; n: number }[]>('SELECT code, n FROM k ORDER BY code');

    await pair.sand("TRUNCATE TABLE k; INSERT INTO k VALUES ('dev-only', -2), ('stale', 5)");
    let stored: ResumeState | null = null;
    let commits = 0;
    await expect(
      pair.copy(task, null, {
        chunkRows: 300,
        onCommit: ({ resume }) => {
          stored = resume;
          if (++commits === 2) throw new Error('stopped');
        },
      }),
    ).rejects.toThrow('stopped');
    const resumed = await pair.copy(task, stored, { chunkRows: 300 });
    expect(resumed.rows).toBe(1000);
    expect(await pair.sand<{ code: string; n: number }[]>('SELECT code, n FROM k ORDER BY code')).toEqual(uninterrupted);
  });
});
