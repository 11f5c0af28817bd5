import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { deltaCopy } from '../../src/copy/delta-copy.js';
import { CopyPair } from '../support/copy-fixture.js';

/** What apply's lock check throws when the apply lock is gone: refuses the commit it is asked about. */
class LockGone extends Error {}

const DDL = 'CREATE TABLE items (id INT NOT NULL PRIMARY KEY, a INT, s VARCHAR(64)) DEFAULT CHARSET=utf8mb4';

describe('beforeCommit: a refusal right before a COMMIT rolls that chunk back and ends the copy with the caller error', () => {
  let pair: CopyPair;

  beforeAll(async () => {
    pair = await CopyPair.create('copy_precommit');
    await pair.both(DDL);
    await pair.prod('INSERT INTO items SELECT seq, seq % 97, MD5(seq) FROM seq_1_to_3000');
  });

  afterAll(async () => {
    await pair.drop();
  });

  for (const method of ['insert', 'load-data'] as const) {
    it(`full copy (${method}): the refused chunk is not in the sandbox`, async () => {
      const task = await pair.task('items');
      let asked = 0;
      let committed = 0;
      const refusal = new LockGone('lock gone');
      const run = pair.copy(task, null, {
        chunkRows: 250,
        method,
        beforeCommit: () => {
          if (++asked === 3) throw refusal;
        },
        onCommit: () => void committed++,
      });
      await expect(run).rejects.toBe(refusal);
      expect(committed).toBe(2);
      expect(await pair.count('sand', 'items')).toBe(500);
    });
  }

  it('delta copy: the refused range is rolled back; the ranges before it stay written', async () => {
    const task = await pair.task('items');
    await pair.copy(task, null, { chunkRows: 1000 });
    // Three differences far apart: with 100-row leaves, each is its own range and transaction.
    await pair.sand("UPDATE items SET s = 'changed' WHERE id IN (50, 1550, 2950)");
    let asked = 0;
    const refusal = new LockGone('lock gone');
    const run = deltaCopy(task, null, {
      chunkRows: 1000,
      method: 'insert',
      maskSecret: null,
      leafRows: 100,
      fullThreshold: 1,
      openProduction: pair.openProduction,
      openSandbox: pair.openSandbox,
      beforeCommit: () => {
        if (++asked === 2) throw refusal;
      },
      onCommit: () => undefined,
    });
    await expect(run).rejects.toBe(refusal);
    const rows = await pair.sand<{ id: number; s: string }[]>('SELECT id, s FROM items WHERE id IN (50, 1550, 2950) ORDER BY id');
    expect(rows.map((r) => [Number(r.id), r.s === 'changed'])).toEqual([
      [50, false],
      [1550, true],
      [2950, true],
    ]);
  });
});
