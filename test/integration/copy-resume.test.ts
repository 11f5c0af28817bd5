import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ResumeState } from '../../src/copy/copy-task.js';
import { CopyPair } from '../support/copy-fixture.js';

const DDL = `
CREATE TABLE items (id INT NOT NULL PRIMARY KEY, a INT, s VARCHAR(64), b BLOB) DEFAULT CHARSET=utf8mb4;
CREATE TABLE people (email VARCHAR(80) NOT NULL PRIMARY KEY, n INT) DEFAULT CHARSET=utf8mb4;
CREATE TABLE heap (a INT, b VARCHAR(20));
CREATE TABLE wide_heap (a INT, b VARCHAR(1000));
`;

const FILL = `
INSERT INTO items SELECT seq, seq % 97, MD5(seq), UNHEX(SHA2(seq, 512)) FROM seq_1_to_6000;
INSERT INTO people SELECT CONCAT('p', seq, '@x.test'), seq FROM seq_1_to_3000;
INSERT INTO heap SELECT seq % 9, IF(seq % 3 = 0, NULL, 'v') FROM seq_1_to_2500;
INSERT INTO wide_heap SELECT seq, REPEAT(CHAR(65 + seq % 26), 1000) FROM seq_1_to_20000;
`;

class SimulatedCrash extends Error {}

describe('copy resume: interrupted copies continue with no gap and no duplicate', () => {
  let pair: CopyPair;

  beforeAll(async () => {
    pair = await CopyPair.create('copy_resume');
    await pair.both(DDL);
    await pair.prod(FILL);
  });

  afterAll(async () => {
    await pair.drop();
  });

  /**
   * Runs a copy that dies in onCommit after `commits` reports. The chunk whose report throws is
   * already committed in the sandbox but never recorded: the lost-acknowledgement case.
   */
  async function interrupted(
    table: string,
    commits: number,
    options: { concurrency?: number; mask?: Record<string, { kind: 'hash' }> } = {},
  ): Promise<{ state: ResumeState; rowsDone: number }> {
    const task = await pair.task(table, { mask: options.mask });
    let calls = 0;
    let saved: { state: ResumeState; rowsDone: number } | null = null;
    const run = pair.copy(task, null, {
      chunkRows: 250,
      concurrency: options.concurrency ?? 1,
      onCommit: ({ resume, rowsDone }) => {
        calls++;
        if (calls > commits) throw new SimulatedCrash(`crash after ${commits} commits`);
        saved = { state: JSON.parse(JSON.stringify(resume)) as ResumeState, rowsDone };
      },
    });
    await expect(run).rejects.toBeInstanceOf(SimulatedCrash);
    expect(saved).not.toBeNull();
    return saved!;
  }

  for (const [commits, concurrency] of [
    [1, 1],
    [4, 1],
    [11, 1],
    [3, 2],
    [9, 3],
  ] as const) {
    it(`resumes items after ${commits} recorded chunks (concurrency ${concurrency})`, async () => {
      const { state, rowsDone } = await interrupted('items', commits, { concurrency });
      // The sandbox holds more than was recorded: at least the chunk whose report was lost.
      expect(await pair.count('sand', 'items')).toBeGreaterThan(rowsDone);
      const states: ResumeState[] = [];
      const result = await pair.copy(await pair.task('items'), state, {
        chunkRows: 250,
        concurrency,
        onCommit: (s) => states.push(s.resume),
      });
      expect(result).toMatchObject({ rows: 6000, emptiedWith: 'none (resumed)' });
      const comparison = await pair.compare('items', { rowByRow: false });
      expect(comparison.rows).toEqual([6000, 6000]);
      expect(comparison.checksums[1]).toBe(comparison.checksums[0]);
      expect(states.at(-1)!.segments.every((s) => s.done)).toBe(true);
    });
  }

  it('resumes after an abort through the signal', async () => {
    const task = await pair.task('items');
    const controller = new AbortController();
    let saved: ResumeState | null = null;
    const run = pair.copy(task, null, {
      chunkRows: 200,
      onCommit: ({ resume, rowsDone }) => {
        saved = resume;
        if (rowsDone >= 1000) controller.abort();
      },
      signal: controller.signal,
    });
    await expect(run).rejects.toMatchObject({ code: 'copy_aborted' });
    expect(saved).not.toBeNull();
    const result = await pair.copy(task, saved, { chunkRows: 200 });
    expect(result.rows).toBe(6000);
    const comparison = await pair.compare('items', { rowByRow: false });
    expect(comparison.checksums[1]).toBe(comparison.checksums[0]);
  });

  it('resumes a table whose masked key cannot be compared with production (REPLACE of the first chunk)', async () => {
    const mask = { email: { kind: 'hash' as const } };
    await pair.copy(await pair.task('people', { mask }), null, { chunkRows: 250 });
    const reference = (await pair.compare('people', { rowByRow: false })).checksums[1];
    const { state, rowsDone } = await interrupted('people', 5, { mask });
    expect(await pair.count('sand', 'people')).toBeGreaterThan(rowsDone);
    const result = await pair.copy(await pair.task('people', { mask }), state, { chunkRows: 250 });
    expect(result.rows).toBe(3000);
    const after = await pair.compare('people', { rowByRow: false });
    expect(after.rows).toEqual([3000, 3000]);
    expect(after.checksums[1]).toBe(reference);
  });

  it('copies a table without a key again from the start on resume', async () => {
    const { state } = await interrupted('heap', 3);
    const result = await pair.copy(await pair.task('heap'), state, { chunkRows: 250 });
    expect(result).toMatchObject({ rows: 2500, emptiedWith: 'truncate' });
    const comparison = await pair.compare('heap');
    expect(comparison.differences).toEqual([]);
    expect(comparison.checksums[1]).toBe(comparison.checksums[0]);
  });

  it('does nothing for a finished state and refuses a state made with another filter', async () => {
    const states: ResumeState[] = [];
    await pair.copy(await pair.task('items'), null, { onCommit: (s) => states.push(s.resume) });
    await pair.sand('INSERT INTO items (id) VALUES (-1)');
    const again = await pair.copy(await pair.task('items'), states.at(-1)!, {});
    expect(again).toMatchObject({ rows: 6000, emptiedWith: 'none (resumed)' });
    expect(await pair.count('sand', 'items')).toBe(6001);
    const filtered = pair.copy(await pair.task('items', { where: 'a = 1' }), states.at(-1)!, {});
    await expect(filtered).rejects.toMatchObject({ code: 'copy_resume_invalid', message: expect.stringMatching(/where filter changed/) });
  });

  const killAll = async (side: 'prod' | 'sand'): Promise<void> => {
    const server = side === 'prod' ? pair.production : pair.sandbox;
    const ids = await server.sql<{ ID: number }[]>(
      'SELECT ID FROM information_schema.PROCESSLIST WHERE DB = ? AND ID <> CONNECTION_ID()',
      undefined,
      [pair.database],
    );
    for (const { ID } of ids) await server.sql(`KILL CONNECTION ${Number(ID)}`).catch(() => undefined);
  };

  it('reconnects when connections are killed mid-copy and finishes exactly', async () => {
    const task = await pair.task('items');
    const retries: string[] = [];
    let commits = 0;
    const kills: Promise<void>[] = [];
    const result = await pair.copy(task, null, {
      chunkRows: 150,
      method: 'insert',
      concurrency: 2,
      retry: { attempts: 3, baseDelayMs: 50, factor: 2, onRetry: (r) => retries.push(r.error) },
      onCommit: () => {
        commits++;
        if (commits === 4) kills.push(killAll('sand'));
        if (commits === 14) kills.push(killAll('prod'));
      },
    });
    await Promise.all(kills);
    expect(retries.length).toBeGreaterThanOrEqual(2);
    expect(result.rows).toBe(6000);
    const comparison = await pair.compare('items', { rowByRow: false });
    expect(comparison.rows).toEqual([6000, 6000]);
    expect(comparison.checksums[1]).toBe(comparison.checksums[0]);
  });

  it('notices a killed production connection under a streamed one-pass copy and starts the table over', async () => {
    const task = await pair.task('wide_heap');
    expect(task.key).toBeNull();
    const retries: string[] = [];
    let commits = 0;
    const kills: Promise<void>[] = [];
    const result = await pair.copy(task, null, {
      chunkRows: 500,
      stallProbeMs: 200,
      retry: { attempts: 3, baseDelayMs: 50, factor: 2, onRetry: (r) => retries.push(r.error) },
      onCommit: () => {
        commits++;
        if (commits === 3) kills.push(killAll('prod'));
      },
    });
    await Promise.all(kills);
    expect(retries.length).toBeGreaterThanOrEqual(1);
    expect(result.rows).toBe(20000);
    const comparison = await pair.compare('wide_heap', { rowByRow: false });
    expect(comparison.rows).toEqual([20000, 20000]);
    expect(comparison.checksums[1]).toBe(comparison.checksums[0]);
  });
});
