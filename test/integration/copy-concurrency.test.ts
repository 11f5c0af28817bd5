import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ResumeState } from '../../src/copy/copy-task.js';
import { CopyPair } from '../support/copy-fixture.js';

const ROWS = 200_000;

describe('copy one large table in parallel key ranges', () => {
  let pair: CopyPair;

  beforeAll(async () => {
    pair = await CopyPair.create('copy_parallel');
    await pair.both(
      'CREATE TABLE big (id INT NOT NULL PRIMARY KEY, a INT NOT NULL, b INT NOT NULL, c INT NOT NULL, s VARCHAR(64) NOT NULL, d DATETIME NOT NULL, m DECIMAL(12,2) NOT NULL)',
    );
    await pair.prod(
      `INSERT INTO big SELECT seq, seq % 1000, seq * 7 % 100000, seq * 13 % 1000000, MD5(seq), '2020-01-01' + INTERVAL seq SECOND, (seq % 1000000) / 100 FROM seq_1_to_${ROWS}`,
    );
  });

  afterAll(async () => {
    await pair.drop();
  });

  it(`copies ${ROWS} rows under concurrency 2, both ranges progressing at once`, async () => {
    const states: ResumeState[] = [];
    const progress: { rowsDone: number; bytes: number }[] = [];
    const result = await pair.copy(await pair.task('big'), null, {
      chunkRows: 10_000,
      concurrency: 2,
      onCommit: (s) => states.push(JSON.parse(JSON.stringify(s.resume)) as ResumeState),
      onProgress: (p) => progress.push(p),
    });
    expect(result.rows).toBe(ROWS);
    const comparison = await pair.compare('big', { rowByRow: false });
    expect(comparison.rows).toEqual([ROWS, ROWS]);
    expect(comparison.checksums[1]).toBe(comparison.checksums[0]);

    const final = states.at(-1)!;
    expect(final.segments).toHaveLength(2);
    expect(final.segments.every((s) => s.done && s.rows > 0)).toBe(true);
    expect(final.segments.reduce((n, s) => n + s.rows, 0)).toBe(ROWS);
    // At some commit both ranges had committed rows and neither was finished: they ran together.
    expect(states.some((s) => s.segments.every((segment) => segment.rows > 0 && !segment.done))).toBe(true);
    expect(progress.at(-1)).toEqual({ rowsDone: ROWS, bytes: result.bytes });
    expect(progress.every((p, i) => i === 0 || p.rowsDone >= progress[i - 1]!.rowsDone)).toBe(true);
  });
});
