import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CopyPair } from '../support/copy-fixture.js';

// Every type the engine must carry exactly, with the values most likely to be bent on the way:
// extremes, zero dates, NULL next to '', every byte value, 4-byte UTF-8, latin1 bytes, spatial
// data with an SRID, invisible and generated columns, and a column name that needs quoting.
const DDL = `
CREATE TABLE every_type (
  id INT NOT NULL PRIMARY KEY,
  c_tiny TINYINT, c_utiny TINYINT UNSIGNED, c_small SMALLINT, c_medium MEDIUMINT, c_int INT,
  c_ubig BIGINT UNSIGNED, c_big BIGINT,
  c_dec DECIMAL(65,30), c_dec0 DECIMAL(10,0) UNSIGNED,
  c_float FLOAT, c_double DOUBLE, c_float_md FLOAT(7,3),
  c_bit1 BIT(1), c_bit10 BIT(10), c_bit64 BIT(64),
  c_date DATE, c_dt DATETIME(6), c_ts TIMESTAMP(6) NULL DEFAULT NULL, c_time TIME(6), c_year YEAR,
  c_char CHAR(10), c_varchar VARCHAR(255), c_latin1 VARCHAR(300) CHARACTER SET latin1, c_text TEXT, c_medium_text MEDIUMTEXT,
  c_binary BINARY(8), c_varbinary VARBINARY(300), c_blob BLOB, c_long_blob LONGBLOB,
  c_enum ENUM('a','b','c d',''), c_set SET('x','y','z'),
  c_json JSON,
  c_geom GEOMETRY, c_point POINT,
  c_uuid UUID, c_inet6 INET6,
  \`we\`\`ird col ü\` VARCHAR(20),
  c_invisible INT INVISIBLE,
  c_virtual INT AS (c_int * 2) VIRTUAL,
  c_stored VARCHAR(300) AS (CONCAT(c_varchar, '!')) STORED
) DEFAULT CHARSET=utf8mb4`;

const COLUMNS =
  'id, c_tiny, c_utiny, c_small, c_medium, c_int, c_ubig, c_big, c_dec, c_dec0, c_float, c_double, c_float_md, c_bit1, c_bit10, c_bit64, ' +
  'c_date, c_dt, c_ts, c_time, c_year, c_char, c_varchar, c_latin1, c_text, c_medium_text, c_binary, c_varbinary, c_blob, c_long_blob, ' +
  'c_enum, c_set, c_json, c_geom, c_point, c_uuid, c_inet6, `we``ird col ü`, c_invisible';

const ALL_BYTES = `X'${Buffer.from(Array.from({ length: 256 }, (_, i) => i)).toString('hex')}'`;
const LATIN1_BYTES = `X'${Buffer.from(Array.from({ length: 255 }, (_, i) => i + 1)).toString('hex')}'`;

const ROWS = `
INSERT INTO every_type (${COLUMNS}) VALUES
(0, -128, 255, -32768, -8388608, -2147483648, 18446744073709551615, -9223372036854775808,
 '-99999999999999999999999999999999999.999999999999999999999999999999', 9999999999,
 3.4028234e38, 1.7976931348623157e308, -9999.999,
 b'1', b'1111111111', b'1111111111111111111111111111111111111111111111111111111111111111',
 '0000-00-00', '0000-00-00 00:00:00.000000', '0000-00-00 00:00:00', '-838:59:59.000000', 0,
 '', '', '', '', '', X'0000000000000000', X'', X'', X'',
 '', '', '{}', ST_GeomFromText('POINT(0 0)'), ST_GeomFromText('POINT(1.5 -2.25)'),
 '00000000-0000-0000-0000-000000000000', '::', '', 0),
(1, 127, 0, 32767, 8388607, 2147483647, 0, 9223372036854775807,
 '99999999999999999999999999999999999.999999999999999999999999999999', 0,
 -1.17549435e-38, 4.9e-324, 9999.999,
 b'0', b'0', b'0',
 '9999-12-31', '9999-12-31 23:59:59.999999', '2038-01-19 03:14:07.999999', '838:59:59.000000', 2155,
 'abc', 'tab\\there\\nnew\\\\back\\'quote\\0nul\\rcr ', ${LATIN1_BYTES}, 'emoji 😀 中文 ok', REPEAT('long text \\t\\n\\\\ ', 10000),
 X'00FF10200A090D5C', ${ALL_BYTES}, ${ALL_BYTES}, REPEAT(${ALL_BYTES}, 400),
 'c d', 'x,z', '{"a": [1, 2.5, "x\\\\y \\\\u00e9"], "b": null, "c": "😀"}',
 ST_GeomFromText('GEOMETRYCOLLECTION(POINT(1 1),LINESTRING(0 0,1 1),POLYGON((0 0,1 0,1 1,0 0)))'), ST_GeomFromText('POINT(3 4)', 4326),
 'ffffffff-ffff-ffff-ffff-ffffffffffff', '2001:db8::1', 'tab\\tquote\\'', -1),
(2, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL,
 NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL),
(3, 0, 1, -1, 0, 0, 1, -1, '0.000000000000000000000000000001', 1,
 1.4e-45, -2.2250738585072014e-308, 0.001,
 b'1', b'101', 5,
 '2024-00-00', '1000-01-01 00:00:00.000001', '1970-01-01 00:00:01.000000', '00:00:00.5', 1901,
 '\\\\N', '\\\\N', 'caf\\xe9', 'NULL', 'N', X'5C4E', X'5C4E', X'0D0A', X'00',
 'a', '', 'null', NULL, NULL, NULL, NULL, 'NULL', NULL),
(4, 1, 2, 3, 4, 5, 6, 7, '0.1', 2, 16777217, 0.30000000000000004, 1.5,
 b'0', b'1000000000', 9223372036854775808,
 '2000-02-29', '2000-02-29 12:34:56.123456', '2000-02-29 12:34:56.123456', '-00:00:00.000001', 2000,
 'trail  ', 'trail   ', 'x', 'x', 'x', X'01', X'FF', X'FF', X'FF',
 'b', 'x,y,z', '[1, "two", {"3": [4]}]', ST_GeomFromText('MULTIPOLYGON(((0 0,2 0,2 2,0 0)),((5 5,6 5,6 6,5 5)))'), ST_GeomFromText('POINT(-180 90)'),
 '123e4567-e89b-12d3-a456-426614174000', '192.168.0.1', '', 42)`;

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
