import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CopyPair } from '../support/copy-fixture.js';

import { DDL, ROWS } from '../support/every-type.js';

describe('copy round trip: every type and edge value', () => {
  let pair: CopyPair;

  beforeAll(async () => {
    pair = await CopyPair.create('copy_types');
    await pair.both(DDL);
    await pair.prod(`SET time_zone = '+00:00'; SET sql_mode = 'NO_AUTO_VALUE_ON_ZERO'; ${ROWS}`);
    // Plenty of ordinary rows so that several chunks (and both ranges under concurrency) are used.
    await pair.prod(
      `INSERT INTO every_type (id, c_int, c_varchar, c_blob, c_float, c_dt, c_bit10, c_enum, c_invisible)
       SELECT seq + 10, seq, CONCAT('row ', seq), UNHEX(SHA2(seq, 256)), seq / 7, '2001-01-01' + INTERVAL seq SECOND, seq % 1024, 'b', seq FROM seq_1_to_3000`,
    );
  });

  afterAll(async () => {
    await pair.drop();
  });

  for (const [method, concurrency] of [
    ['load-data', 1],
    ['insert', 1],
    ['load-data', 2],
    ['insert', 3],
  ] as const) {
    it(`copies every value exactly with ${method}, concurrency ${concurrency}`, async () => {
      await pair.sand('INSERT INTO every_type (id) VALUES (999999)');
      const task = await pair.task('every_type');
      const states: unknown[] = [];
      const result = await pair.copy(task, null, { method, concurrency, chunkRows: 700, onCommit: (s) => states.push(s.resume) });

      expect(result).toMatchObject({ rows: 3005, method, emptiedWith: 'truncate', maskedColumns: [] });
      const comparison = await pair.compare('every_type');
      expect(comparison.differences).toEqual([]);
      expect(comparison.rows).toEqual([3005, 3005]);
      expect(comparison.checksums[1]).toBe(comparison.checksums[0]);
      // Several chunks were committed; under concurrency the key range was split.
      expect(states.length).toBeGreaterThanOrEqual(5);
      const last = states.at(-1) as { segments: unknown[] };
      expect(last.segments).toHaveLength(concurrency);
    });
  }

  it("copies ENUM index-0 values (a non-strict server's stand-in for a bad value) as index 0", async () => {
    await pair.both("CREATE TABLE legacy_enum (id INT PRIMARY KEY, e ENUM('a','b') NOT NULL, f ENUM('0','1') NULL)");
    await pair.prod(
      "SET sql_mode = ''; INSERT INTO legacy_enum VALUES (1, 'zzz', 'zzz'), (2, 'a', '1'), (3, 'bogus', NULL), (4, 'b', '0')",
    );
    for (const method of ['load-data', 'insert'] as const) {
      const result = await pair.copy(await pair.task('legacy_enum'), null, { method });
      expect(result).toMatchObject({ rows: 4, method });
      const rows = await pair.sand<Record<string, unknown>[]>('SELECT id, e + 0 AS e, f + 0 AS f FROM legacy_enum ORDER BY id');
      expect(rows.map((r) => [r.id, Number(r.e), r.f === null ? null : Number(r.f)])).toEqual([
        [1, 0, 0],
        [2, 1, 2],
        [3, 0, null],
        [4, 2, 1],
      ]);
      const comparison = await pair.compare('legacy_enum');
      expect(comparison.differences).toEqual([]);
      expect(comparison.checksums[1]).toBe(comparison.checksums[0]);
    }
  });

  it('keeps the facts that matter, checked directly on the sandbox', async () => {
    await pair.copy(await pair.task('every_type'), null, { method: 'load-data' });
    const [row0] = await pair.sand<Record<string, unknown>[]>(
      `SELECT CAST(CAST(c_float AS DOUBLE) AS CHAR) AS f, CAST(c_double AS CHAR) AS d, c_bit64 + 0 AS b, c_date AS dt, c_varchar IS NULL AS n, c_varchar = '' AS e,
              c_invisible AS inv, HEX(c_point) AS p FROM every_type WHERE id = 0`,
    );
    expect(row0).toMatchObject({
      f: '3.4028234663852886e38',
      d: '1.7976931348623157e308',
      b: '18446744073709551615',
      dt: '0000-00-00',
      n: 0,
      e: 1,
      inv: 0,
    });
    const [row2] = await pair.sand<Record<string, unknown>[]>(
      'SELECT c_varchar IS NULL AS n, c_virtual AS v, c_stored AS s FROM every_type WHERE id = 2',
    );
    expect(row2).toMatchObject({ n: 1, v: null, s: null });
    const [row1] = await pair.sand<Record<string, unknown>[]>(
      'SELECT HEX(c_latin1) AS l, c_text AS t, ST_SRID(c_point) AS srid, c_stored AS s, c_virtual AS v, UNIX_TIMESTAMP(c_ts) AS ts FROM every_type WHERE id = 1',
    );
    expect(row1).toMatchObject({
      t: 'emoji 😀 中文 ok',
      srid: 4326,
      s: "tab\there\nnew\\back'quote\0nul\rcr !",
      v: 2147483647,
      ts: '2147483647.999999',
    });
    expect(String(row1!.l)).toBe(
      Buffer.from(Array.from({ length: 255 }, (_, i) => i + 1))
        .toString('hex')
        .toUpperCase(),
    );
  });
});
