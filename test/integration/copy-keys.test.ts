import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { keyAfter, keyOrderBy } from '../../src/sql/key-sql.js';
import { CopyPair } from '../support/copy-fixture.js';

// Key shapes where a keyset comparison done in the wrong domain (string vs number, wrong
// collation, enum name vs index, float text) would skip or repeat rows at chunk boundaries.
// Small chunks put boundaries everywhere, including inside runs of equal first columns.
const DDL = `
CREATE TABLE composite (
  a INT NOT NULL, b VARCHAR(20) CHARACTER SET latin1 COLLATE latin1_german1_ci NOT NULL, c VARBINARY(8) NOT NULL, d DECIMAL(20,5) NOT NULL,
  v INT, PRIMARY KEY (a, b, c, d)
);
CREATE TABLE text_key (k VARCHAR(40) COLLATE utf8mb4_unicode_ci NOT NULL PRIMARY KEY, v INT) DEFAULT CHARSET=utf8mb4;
CREATE TABLE binary_key (k BINARY(3) NOT NULL PRIMARY KEY, v INT);
CREATE TABLE unique_key (id INT NULL, code CHAR(8) NOT NULL, UNIQUE KEY (code));
CREATE TABLE time_key (t DATETIME(6) NOT NULL, n DECIMAL(30,10) NOT NULL, PRIMARY KEY (t, n));
CREATE TABLE odd_key (e ENUM('z','a','m') NOT NULL, f FLOAT NOT NULL, bt BIT(5) NOT NULL, PRIMARY KEY (e, f, bt));
CREATE TABLE no_key (a INT, b TEXT);
`;

const FILL = `
INSERT IGNORE INTO composite SELECT seq % 7, CONCAT(ELT(seq % 6 + 1, 'x', 'X ', 'ä', 'ae', 'Ab', 'ß'), seq % 13), UNHEX(LPAD(HEX(seq * 7919 % 65536), 4, '0')), seq / 3, seq FROM seq_1_to_3000;
INSERT IGNORE INTO text_key SELECT CONCAT(ELT(seq % 7 + 1, 'é', 'e', 'E', '😀', 'z', ' a', 'ö'), seq), seq FROM seq_1_to_2000;
INSERT INTO binary_key SELECT UNHEX(LPAD(HEX(seq * 40503 % 16777216), 6, '0')), seq FROM seq_1_to_1500;
INSERT INTO unique_key SELECT IF(seq % 10 = 0, NULL, seq), LPAD(HEX(seq * 2654435761 % 4294967296), 8, '0') FROM seq_1_to_1200;
INSERT INTO time_key SELECT '2020-01-01' + INTERVAL (seq % 50) SECOND + INTERVAL (seq % 3) MICROSECOND, seq / 7 FROM seq_1_to_1000;
INSERT IGNORE INTO odd_key SELECT ELT(seq % 3 + 1, 'z', 'a', 'm'), (seq % 17) / 3, seq % 32 FROM seq_1_to_1000;
INSERT INTO no_key SELECT seq % 10, IF(seq % 4 = 0, NULL, REPEAT('row', seq % 5)) FROM seq_1_to_800;
INSERT INTO no_key SELECT a, b FROM no_key LIMIT 50;
ANALYZE TABLE composite, text_key, binary_key, unique_key, time_key, odd_key, no_key;
`;

describe('copy keys: composite, non-integer, none; where filter', () => {
  let pair: CopyPair;

  beforeAll(async () => {
    pair = await CopyPair.create('copy_keys');
    await pair.both(DDL);
    await pair.prod(FILL);
  });

  afterAll(async () => {
    await pair.drop();
  });

  const cases: [string, string[] | null][] = [
    ['composite', ['a', 'b', 'c', 'd']],
    ['text_key', ['k']],
    ['binary_key', ['k']],
    ['unique_key', ['code']],
    ['time_key', ['t', 'n']],
    ['odd_key', ['e', 'f', 'bt']],
    ['no_key', null],
  ];

  for (const [table, key] of cases) {
    for (const concurrency of [1, 3]) {
      it(`copies ${table} exactly in small chunks, concurrency ${concurrency}`, async () => {
        const task = await pair.task(table);
        expect(task.key).toEqual(key);
        const states: { segments: { rows: number }[] }[] = [];
        const result = await pair.copy(task, null, { chunkRows: 37, concurrency, onCommit: (s) => states.push(s.resume as never) });
        const expected = await pair.count('prod', table);
        expect(result.rows).toBe(expected);
        const comparison = await pair.compare(table);
        expect(comparison.differences).toEqual([]);
        expect(comparison.rows).toEqual([expected, expected]);
        expect(comparison.checksums[1]).toBe(comparison.checksums[0]);
        expect(states.length).toBeGreaterThan(expected / 37);
        // Keyed tables are split under concurrency (integer, string, binary, temporal first columns alike).
        const segments = states.at(-1)!.segments;
        // (odd_key's ENUM first column has three values, so its quantiles may coincide.)
        if (key === null || concurrency === 1) expect(segments).toHaveLength(1);
        else expect(segments.filter((s) => s.rows > 0).length).toBeGreaterThanOrEqual(table === 'odd_key' ? 2 : 3);
      });
    }
  }

  it('copies only the rows the where filter selects', async () => {
    const where = "v % 3 = 0 AND b LIKE 'x%'";
    const task = await pair.task('composite', { where });
    const result = await pair.copy(task, null, { chunkRows: 20 });
    const fingerprint = "SELECT COUNT(*) AS n, SUM(v) AS s, BIT_XOR(CRC32(CONCAT_WS('|', a, HEX(b), HEX(c), d, v))) AS x FROM composite";
    const [expected] = await pair.prod<Record<string, unknown>[]>(`${fingerprint} WHERE ${where}`);
    const [actual] = await pair.sand<Record<string, unknown>[]>(fingerprint);
    expect(Number(expected!.n)).toBeGreaterThan(0);
    expect(Number(expected!.n)).toBeLessThan(await pair.count('prod', 'composite'));
    expect(actual).toEqual(expected);
    expect(result.rows).toBe(Number(expected!.n));
  });

  it('generates keyset conditions that MariaDB runs as range scans, unlike a row constructor', async () => {
    const task = await pair.task('composite');
    const keyColumns = task.key!.map((name) => task.columns.find((c) => c.name === name)!);
    const after = keyAfter(keyColumns, [Buffer.from('3'), Buffer.from('x5'), Buffer.from([0x12, 0x34]), Buffer.from('100.33333')]);
    const explain = async (condition: string, params: unknown[]): Promise<{ type: string; key: string | null }> => {
      const rows = await pair.prod<{ type: string; key: string | null }[]>(
        `EXPLAIN SELECT * FROM composite WHERE ${condition} ORDER BY ${keyOrderBy(keyColumns)} LIMIT 100`,
        params,
      );
      return { type: rows[0]!.type, key: rows[0]!.key };
    };
    expect(await explain(after.sql, [...after.params])).toEqual({ type: 'range', key: 'PRIMARY' });
    expect((await explain("(a, b) > (3, 'x5')", [])).type).toBe('index');
  });
});
