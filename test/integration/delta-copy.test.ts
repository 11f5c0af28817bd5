import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_DELTA_THRESHOLD } from '../../src/config/types.js';
import type { CopyTask, DeltaOptions, DeltaResult, DeltaResumeState } from '../../src/copy/copy-task.js';
import { deltaCopy } from '../../src/copy/delta-copy.js';
import { CopyPair } from '../support/copy-fixture.js';
import { DDL, ROWS } from '../support/every-type.js';

/** The sandbox table as CHECKSUM TABLE and every value in hex, rows sorted. */
async function sandboxState(pair: CopyPair, table: string): Promise<{ checksum: string; rows: string }> {
  const checksum = String((await pair.sand<{ Checksum: unknown }[]>(`CHECKSUM TABLE \`${table}\``))[0]!.Checksum);
  const columns = (
    await pair.sand<{ name: string }[]>(
      'SELECT COLUMN_NAME AS name FROM information_schema.COLUMNS WHERE TABLE_SCHEMA = DATABASE() AND TABLE_NAME = ? ORDER BY ORDINAL_POSITION',
      [table],
    )
  ).map((r) => `HEX(\`${String(r.name).replace(/`/g, '``')}\`)`);
  const rows = await pair.sand<Record<string, unknown>[]>(`SELECT ${columns.join(', ')} FROM \`${table}\` ORDER BY 1`);
  return { checksum, rows: JSON.stringify(rows) };
}

function delta(
  pair: CopyPair,
  task: CopyTask,
  resume: DeltaResumeState | null,
  overrides: Partial<DeltaOptions> = {},
): Promise<DeltaResult> {
  return deltaCopy(task, resume, {
    chunkRows: 1000,
    method: 'auto',
    maskSecret: 'test-masking-secret',
    openProduction: pair.openProduction,
    openSandbox: pair.openSandbox,
    onCommit: () => undefined,
    // These tests prove what the delta writes; the probe's verdict (copy.deltaThreshold) has its own test.
    fullThreshold: 1,
    ...overrides,
  });
}

describe('delta copy: the sandbox ends as a full copy leaves it', () => {
  let pair: CopyPair;

  beforeAll(async () => {
    pair = await CopyPair.create('delta_types');
    await pair.both(DDL);
    await pair.prod(`SET time_zone = '+00:00'; SET sql_mode = 'NO_AUTO_VALUE_ON_ZERO'; ${ROWS}`);
    await pair.prod(
      `INSERT INTO every_type (id, c_int, c_varchar, c_text, c_blob, c_float, c_dt, c_bit10, c_enum, c_invisible)
       SELECT seq + 10, seq, CONCAT('row ', seq), IF(seq % 3 = 0, NULL, CONCAT('t', seq)), UNHEX(SHA2(seq, 256)), seq / 7,
              '2001-01-01' + INTERVAL seq SECOND, seq % 1024, 'b', seq FROM seq_1_to_6000`,
    );
  });

  afterAll(async () => {
    await pair.drop();
  });

  for (const [method, leafRows] of [
    ['load-data', undefined],
    ['insert', undefined],
    ['load-data', 16],
  ] as const) {
    it(`after updates, deletes, inserts, key changes, NULL <-> value and rows crossing the where filter (${method}, leaves of ${leafRows ?? 'default'} rows)`, async () => {
      await pair.sand('TRUNCATE TABLE every_type');
      await pair.prod(`DELETE FROM every_type WHERE id >= 10`);
      await pair.prod(
        `INSERT INTO every_type (id, c_int, c_varchar, c_text, c_blob, c_float, c_dt, c_bit10, c_enum, c_invisible)
         SELECT seq + 10, seq, CONCAT('row ', seq), IF(seq % 3 = 0, NULL, CONCAT('t', seq)), UNHEX(SHA2(seq, 256)), seq / 7,
                '2001-01-01' + INTERVAL seq SECOND, seq % 1024, 'b', seq FROM seq_1_to_6000`,
      );
      const task = await pair.task('every_type', {
        where: '(c_int IS NULL OR c_int % 50 <> 7)',
        mask: { c_char: { kind: 'fixed', value: 'masked' }, c_medium_text: { kind: 'null' } },
      });
      // The previous refresh.
      await pair.copy(task, null, { method });
      const before = await pair.count('sand', 'every_type');

      await pair.prod(`SET time_zone = '+00:00';
        UPDATE every_type SET c_varchar = CONCAT(c_varchar, ' changed') WHERE id % 97 = 0;
        UPDATE every_type SET c_blob = X'00' WHERE id = 1;
        DELETE FROM every_type WHERE id % 101 = 5;
        INSERT INTO every_type (id, c_int, c_varchar) SELECT seq + 7000, seq, 'new' FROM seq_1_to_150;
        UPDATE every_type SET id = id + 10000 WHERE id IN (20, 21, 3000);
        UPDATE every_type SET c_text = NULL WHERE id = 31;
        UPDATE every_type SET c_text = 'now a value' WHERE id = 39;
        UPDATE every_type SET c_int = NULL WHERE id = 40;
        UPDATE every_type SET c_dt = NULL, c_float = 0 WHERE id = 4000;
        UPDATE every_type SET c_int = 57 WHERE id = 5000;
        UPDATE every_type SET c_int = 58 WHERE id = 17;
        UPDATE every_type SET c_char = 'plain', c_medium_text = 'secret' WHERE id BETWEEN 600 AND 610;`);
      // The sandbox drifted on its own too: a changed row, a row production never had, a masked column off its constant.
      await pair.sand(`UPDATE every_type SET c_double = 1 WHERE id = 41;
        INSERT INTO every_type (id, c_int) VALUES (9999, 1);
        UPDATE every_type SET c_char = 'x' WHERE id = 42;
        UPDATE every_type SET c_medium_text = 'y' WHERE id = 43;`);

      const result = await delta(pair, task, null, { method, ...(leafRows ? { leafRows } : {}) });
      expect(result.kind, JSON.stringify(result)).toBe('delta');
      if (result.kind !== 'delta') return;
      const c = result.counts;
      expect(c.rowsUnchanged).toBeGreaterThan(before / 2);
      expect(c.rowsDeleted).toBeGreaterThan(0);
      expect(c.rowsInserted).toBeGreaterThanOrEqual(150);
      expect(c.rowsReplaced).toBeGreaterThan(0);
      expect(c.rowsDeleted + c.rowsReplaced + c.rowsInserted).toBeLessThan(before / 4);
      expect(result.rows).toBe(await pair.count('prod', 'every_type', task.where!));
      const afterDelta = await sandboxState(pair, 'every_type');

      // A second delta finds nothing to do.
      const again = await delta(pair, task, null, { method, ...(leafRows ? { leafRows } : {}) });
      expect(again.kind === 'delta' && again.counts).toMatchObject({
        rowsDeleted: 0,
        rowsReplaced: 0,
        rowsInserted: 0,
        rangesRewritten: 0,
      });

      await pair.copy(task, null, { method });
      const afterFull = await sandboxState(pair, 'every_type');
      expect(afterDelta.checksum).toBe(afterFull.checksum);
      expect(afterDelta.rows).toBe(afterFull.rows);
    });
  }

  it('hands a table whose rows mostly differ back to the full copy, writing nothing', async () => {
    const task = await pair.task('every_type');
    await pair.copy(task);
    await pair.prod('UPDATE every_type SET c_invisible = -c_invisible WHERE id >= 10');
    const stateBefore = await sandboxState(pair, 'every_type');
    // Leaves of 64 rows: the table is large enough for a probe (small tables are never probed).
    const result = await delta(pair, task, null, { leafRows: 64, fullThreshold: DEFAULT_DELTA_THRESHOLD });
    expect(result.kind).toBe('too_different');
    expect(result.kind === 'too_different' && result.reason).toMatch(/% of \d+ probed rows differ/);
    expect(await sandboxState(pair, 'every_type')).toEqual(stateBefore);
  });

  it('stopped after a committed range, continues from the stored position to what a full copy gives', async () => {
    const task = await pair.task('every_type');
    for (const stopAt of [1, 3, 6]) {
      await pair.copy(task);
      await pair.prod(`UPDATE every_type SET c_varchar = CONCAT('r', id, ' ', ${stopAt}) WHERE id % 89 = ${stopAt};
        DELETE FROM every_type WHERE id % 211 = ${stopAt}; INSERT INTO every_type (id, c_int) SELECT seq + 20000 + ${stopAt * 100}, seq FROM seq_1_to_40`);
      let stored: DeltaResumeState | null = null;
      let commits = 0;
      await expect(
        delta(pair, task, null, {
          leafRows: 32,
          onCommit: ({ resume }) => {
            stored = resume;
            if (++commits === stopAt) throw new Error('stopped');
          },
        }),
      ).rejects.toThrow('stopped');
      expect(stored).not.toBeNull();
      const resumed = await delta(pair, task, stored, { leafRows: 32 });
      expect(resumed.kind).toBe('delta');
      const afterResume = await sandboxState(pair, 'every_type');
      await pair.copy(task);
      expect(afterResume).toEqual(await sandboxState(pair, 'every_type'));
    }
    const states: DeltaResumeState[] = [];
    await delta(pair, task, null, { onCommit: ({ resume }) => void states.push(resume) });
    const anyState = states[0]!;
    await expect(delta(pair, { ...task, where: 'id > 0' }, anyState)).rejects.toMatchObject({ code: 'copy_resume_invalid' });
  });
});

describe('delta copy: unique values moving between rows, and kept sandbox rows', () => {
  let pair: CopyPair;

  beforeAll(async () => {
    pair = await CopyPair.create('delta_unique');
    await pair.both('CREATE TABLE u (id INT NOT NULL PRIMARY KEY, code VARCHAR(20) NOT NULL, n INT, UNIQUE KEY (code))');
    await pair.prod("INSERT INTO u SELECT seq, CONCAT('c', seq), seq FROM seq_1_to_5000");
  });

  afterAll(async () => {
    await pair.drop();
  });

  for (const method of ['load-data', 'insert'] as const) {
    it(`writes a unique value that moved from a later row to an earlier one (${method})`, async () => {
      const task = await pair.task('u');
      await pair.copy(task, null, { method });
      // c4999 moves to row 10 (whose own code goes to row 4999): row 10 is written first, while
      // the sandbox's row 4999 still holds the value.
      await pair.prod(
        "UPDATE u SET code = 'tmp' WHERE id = 4999; UPDATE u SET code = 'c4999' WHERE id = 10; UPDATE u SET code = 'c10' WHERE id = 4999",
      );
      const result = await delta(pair, task, null, { method, leafRows: 64 });
      expect(result.kind).toBe('delta');
      const comparison = await pair.compare('u');
      expect(comparison.differences).toEqual([]);
      expect(comparison.checksums[1]).toBe(comparison.checksums[0]);
      // Back to the start for the next writer.
      await pair.prod(
        "UPDATE u SET code = 'tmp' WHERE id = 10; UPDATE u SET code = 'c4999' WHERE id = 4999; UPDATE u SET code = 'c10' WHERE id = 10",
      );
    });
  }

  it('leaves the rows maintain[].keep keeps untouched, and compares only the others', async () => {
    await pair.prod("UPDATE u SET code = CONCAT('c', id)");
    const task = { ...(await pair.task('u')), keep: 'id >= 900000' };
    await pair.copy(task);
    await pair.sand("INSERT INTO u VALUES (900001, 'mine-1', NULL), (900002, 'mine-2', 7)");
    const kept = await pair.sand('SELECT * FROM u WHERE id >= 900000 ORDER BY id');
    await pair.prod('UPDATE u SET n = -n WHERE id % 250 = 0; DELETE FROM u WHERE id BETWEEN 100 AND 110');
    const result = await delta(pair, task, null, { leafRows: 64 });
    expect(result.kind === 'delta' && result.counts.rowsDeleted).toBe(11);
    expect(await pair.sand('SELECT * FROM u WHERE id >= 900000 ORDER BY id')).toEqual(kept);
    expect(await pair.count('sand', 'u', 'id < 900000')).toBe(await pair.count('prod', 'u'));
    const differing = await pair.sand<{ n: number }[]>('SELECT COUNT(*) AS n FROM u WHERE id < 900000 AND n < 0');
    expect(Number(differing[0]!.n)).toBe(await pair.count('prod', 'u', 'n < 0'));
  });
});
