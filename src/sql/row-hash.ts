/**
 * The per-row checksum expression, computed by the server (pure SQL text builders).
 *
 * A row is serialised as CONCAT_WS('#', <null bitmap>, <value>, <value>, ...), in column order:
 * - the bitmap (one ISNULL() digit per nullable column) tells NULL from '' and keeps every
 *   column in its position, since CONCAT_WS skips NULLs;
 * - values whose text can contain '#' (strings, binary, enum/set, json, spatial and anything
 *   unknown) are written as LENGTH, value, so 'a#','b' and 'a','#b' serialise differently;
 * - character strings are read CAST AS BINARY: their stored bytes, with no charset conversion
 *   and no "illegal mix of collations" between columns;
 * - FLOAT is widened to DOUBLE (its text keeps 6 digits), BIT read as its number; numbers,
 *   temporal types (session time_zone is +00:00 on both sides), UUID and INET have a canonical
 *   text form without '#'.
 *
 * The row hash is CRC32(SHA1(row)). SHA1 first removes CRC32's linearity: with CRC32 alone
 * (pt-table-checksum's default) the XOR of a chunk is unchanged when two rows swap values of
 * the same length in the same column. Measured on MariaDB 10.11, 1,000,000 rows (bench table),
 * one connection, variants interleaved (npm run bench:validate prints the table again):
 * reading the rows 0.11 s; pt-table-checksum's CRC32(CONCAT_WS) 0.40 s; this serialisation
 * 0.44 s with CRC32 0.45 s; CRC32(SHA1(row)) 0.57-0.61 s (+0.15 s, +30%); a 64-bit
 * CONV(LEFT(SHA1(row),16),16,10) 0.86-0.97 s; MD5 instead of SHA1 1.2 s; and any second
 * aggregate over the same hash doubles the cost, because the server evaluates the row
 * expression again for each reference. 32 non-linear bits per row and COUNT(*) leave a
 * 2^-32 chance per differing chunk of a miss, the price of staying at ~1.5x pt's per-row cost.
 *
 * Chunks aggregate COUNT(*) and BIT_XOR(hash) when the table has a unique key (the key is in the
 * row, so no two rows are equal and XOR cannot cancel duplicates), SUM(hash) for tables without
 * one (a multiset sum: two copies of a row add up instead of cancelling; +5% measured).
 */
import { quoteIdent } from '../sql/quote.js';

/** What the serialisation needs to know of a column; the snapshot Column fits. */
export interface HashColumn {
  readonly name: string;
  readonly dataType: string;
  readonly nullable: boolean;
  /**
   * SQL standing for the value instead of the column (the delta copy's masked columns: what the
   * sandbox must hold); absent: the column itself. Its placeholders are bound by the caller.
   */
  readonly expression?: string;
}

function valueSql(column: HashColumn): string {
  return column.expression ?? quoteIdent(column.name);
}

const PLAIN_TEXT = new Set([
  'tinyint',
  'smallint',
  'mediumint',
  'int',
  'integer',
  'bigint',
  'decimal',
  'numeric',
  'double',
  'real',
  'date',
  'time',
  'datetime',
  'timestamp',
  'year',
  'uuid',
  'inet4',
  'inet6',
]);
const CHARACTER = new Set(['char', 'varchar', 'tinytext', 'text', 'mediumtext', 'longtext', 'enum', 'set', 'json']);

/** The CONCAT_WS arguments that stand for one non-NULL value. */
export function valueParts(column: HashColumn): string[] {
  const name = valueSql(column);
  const dataType = column.dataType.toLowerCase();
  if (PLAIN_TEXT.has(dataType)) return [name];
  if (dataType === 'float') return [`CAST(${name} AS DOUBLE)`];
  if (dataType === 'bit') return [`${name} + 0`];
  if (CHARACTER.has(dataType)) return [`LENGTH(${name})`, `CAST(${name} AS BINARY)`];
  return [`LENGTH(${name})`, name];
}

/** The row serialisation (see the file comment); '' when no column is left to compare. */
export function rowSerialisation(columns: readonly HashColumn[]): string {
  if (columns.length === 0) return "''";
  const nullable = columns.filter((c) => c.nullable);
  const parts: string[] = [];
  if (nullable.length > 0) parts.push(`CONCAT(${nullable.map((c) => `ISNULL(${valueSql(c)})`).join(', ')})`);
  for (const column of columns) parts.push(...valueParts(column));
  return `CONCAT_WS('#', ${parts.join(', ')})`;
}

/** 32 bits per row for the chunk aggregates. */
export function rowHash(columns: readonly HashColumn[]): string {
  return `CRC32(SHA1(${rowSerialisation(columns)}))`;
}

/** 160 bits per row, for the drill-down where rows are compared one by one. */
export function rowDigest(columns: readonly HashColumn[]): string {
  return `SHA1(${rowSerialisation(columns)})`;
}

/** The SELECT list of a chunk aggregate: count, combined hash, then each extra expression. */
export function aggregateList(columns: readonly HashColumn[], combine: 'xor' | 'sum', extra: readonly string[] = []): string {
  const hash = rowHash(columns);
  const combined = combine === 'xor' ? `BIT_XOR(${hash})` : `COALESCE(SUM(${hash}), 0)`;
  return ['COUNT(*)', combined, ...extra].join(', ');
}

/**
 * One column as text for the drill-down's per-column comparison: the same normalisation as the
 * hash, without the length prefix.
 */
export function columnValueSql(column: HashColumn): string {
  const parts = valueParts(column);
  return parts[parts.length - 1]!;
}
