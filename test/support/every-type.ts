/** The type round-trip table: shared by copy-round-trip.test.ts and delta-copy.test.ts. */

// Every type the engine must carry exactly, with the values most likely to be bent on the way:
// extremes, zero dates, NULL next to '', every byte value, 4-byte UTF-8, latin1 bytes, spatial
// data with an SRID, invisible and generated columns, and a column name that needs quoting.
export const DDL = `
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

export const COLUMNS =
  'id, c_tiny, c_utiny, c_small, c_medium, c_int, c_ubig, c_big, c_dec, c_dec0, c_float, c_double, c_float_md, c_bit1, c_bit10, c_bit64, ' +
  'c_date, c_dt, c_ts, c_time, c_year, c_char, c_varchar, c_latin1, c_text, c_medium_text, c_binary, c_varbinary, c_blob, c_long_blob, ' +
  'c_enum, c_set, c_json, c_geom, c_point, c_uuid, c_inet6, `we``ird col ü`, c_invisible';

const ALL_BYTES = `X'${Buffer.from(Array.from({ length: 256 }, (_, i) => i)).toString('hex')}'`;
const LATIN1_BYTES = `X'${Buffer.from(Array.from({ length: 255 }, (_, i) => i + 1)).toString('hex')}'`;

export const ROWS = `
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
