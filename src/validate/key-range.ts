/**
 * Key ranges for the chunked checksums, pure SQL builders. A range is (lower, upper] in key
 * order, either end open (null); consecutive ranges share a boundary, so a set of ranges from
 * one list of boundaries covers every row of both sides exactly once, whatever either side holds.
 *
 * Key values travel as the raw bytes the server sent (character_set_results=binary) and are
 * bound back with an expression that makes the server compare them the way ORDER BY orders the
 * column: the column's own collation for strings, exact numbers for numbers. This mirrors
 * copy/keyset-sql.ts, which keeps its comparand private; the strict "after", "at most" and
 * "equal" of one range must come from one comparand, so they live together here.
 */
import { quoteIdent } from '../db/quote.js';
import { ReplicoopError } from '../errors.js';

export interface KeyColumn {
  readonly name: string;
  readonly dataType: string;
  readonly type: string;
  readonly charset: string | null;
  readonly collation: string | null;
}

export interface SqlFragment {
  readonly sql: string;
  readonly params: readonly unknown[];
}

/** Exclusive lower and inclusive upper bound, each a full key tuple; null: open. */
export interface KeyRange {
  readonly lower: readonly Buffer[] | null;
  readonly upper: readonly Buffer[] | null;
}

export const WHOLE_RANGE: KeyRange = Object.freeze({ lower: null, upper: null });

const INTEGER_TYPES = new Set(['tinyint', 'smallint', 'mediumint', 'int', 'integer', 'bigint']);
const BINARY_TYPES = new Set(['binary', 'varbinary', 'tinyblob', 'blob', 'mediumblob', 'longblob']);
const CHARACTER_TYPES = new Set(['char', 'varchar', 'tinytext', 'text', 'mediumtext', 'longtext']);

export function isIntegerKey(columns: readonly KeyColumn[]): boolean {
  return columns.length === 1 && INTEGER_TYPES.has(columns[0]!.dataType.toLowerCase());
}

/** What a SELECT returns for a key column: a value the comparand binds back losslessly. */
export function keySelectSql(column: KeyColumn): string {
  const dataType = column.dataType.toLowerCase();
  const name = quoteIdent(column.name);
  // ENUM and SET sort by member index, BIT by number: the index/number is the key value.
  if (dataType === 'bit' || dataType === 'enum' || dataType === 'set') return `${name} + 0`;
  if (dataType === 'float') return `CAST(${name} AS DOUBLE)`;
  return name;
}

export function keySelectList(columns: readonly KeyColumn[]): string {
  return columns.map(keySelectSql).join(', ');
}

export function keyOrderBy(columns: readonly KeyColumn[]): string {
  return columns.map((c) => quoteIdent(c.name)).join(', ');
}

function comparand(column: KeyColumn, raw: Buffer): SqlFragment {
  const dataType = column.dataType.toLowerCase();
  const text = raw.toString('latin1');
  if (INTEGER_TYPES.has(dataType)) return { sql: /unsigned/i.test(column.type) ? 'CAST(? AS UNSIGNED)' : 'CAST(? AS SIGNED)', params: [text] };
  if (dataType === 'bit' || dataType === 'enum' || dataType === 'set') return { sql: 'CAST(? AS UNSIGNED)', params: [text] };
  if (dataType === 'decimal' || dataType === 'numeric') {
    const m = /\((\d+)(?:,\s*(\d+))?\)/.exec(column.type);
    return { sql: `CAST(? AS DECIMAL(${m ? Number(m[1]) : 10},${m?.[2] ? Number(m[2]) : 0}))`, params: [text] };
  }
  if (dataType === 'float' || dataType === 'double' || dataType === 'real') return { sql: 'CAST(? AS DOUBLE)', params: [text] };
  if (BINARY_TYPES.has(dataType)) return { sql: '?', params: [raw] };
  if (CHARACTER_TYPES.has(dataType)) {
    if (!column.charset || !column.collation || column.charset === 'binary') return { sql: '?', params: [raw] };
    return { sql: `CONVERT(? USING ${sqlName(column.charset)}) COLLATE ${sqlName(column.collation)}`, params: [raw] };
  }
  // Temporal types, YEAR, UUID, INET6: the server converts a string constant to the column's type.
  return { sql: '?', params: [text] };
}

/** Charset and collation names cannot be bound; they come from the catalog and are checked. */
function sqlName(name: string): string {
  if (!/^[A-Za-z0-9_]+$/.test(name)) throw new ReplicoopError('validate_bad_collation', `unexpected character set or collation name "${name}"`);
  return name;
}

/**
 * Lexicographic comparison of the key with a tuple, written as a union of ranges
 * (`a > ? OR (a = ? AND b > ?)`): MariaDB range-scans that form, not a row constructor.
 */
function tupleCompare(columns: readonly KeyColumn[], values: readonly Buffer[], strict: '>' | '<', last: '>' | '<' | '<='): SqlFragment {
  const alternatives: string[] = [];
  const params: unknown[] = [];
  for (let i = 0; i < columns.length; i++) {
    const terms: string[] = [];
    for (let j = 0; j < i; j++) {
      const c = comparand(columns[j]!, values[j]!);
      terms.push(`${quoteIdent(columns[j]!.name)} = ${c.sql}`);
      params.push(...c.params);
    }
    const c = comparand(columns[i]!, values[i]!);
    terms.push(`${quoteIdent(columns[i]!.name)} ${i === columns.length - 1 ? last : strict} ${c.sql}`);
    params.push(...c.params);
    alternatives.push(terms.length === 1 ? terms[0]! : `(${terms.join(' AND ')})`);
  }
  return { sql: alternatives.length === 1 ? alternatives[0]! : `(${alternatives.join(' OR ')})`, params };
}

export function keyAfter(columns: readonly KeyColumn[], values: readonly Buffer[]): SqlFragment {
  return tupleCompare(columns, values, '>', '>');
}

export function keyAtMost(columns: readonly KeyColumn[], values: readonly Buffer[]): SqlFragment {
  return tupleCompare(columns, values, '<', '<=');
}

export function keyEquals(columns: readonly KeyColumn[], values: readonly Buffer[]): SqlFragment {
  const terms: string[] = [];
  const params: unknown[] = [];
  columns.forEach((column, i) => {
    const c = comparand(column, values[i]!);
    terms.push(`${quoteIdent(column.name)} = ${c.sql}`);
    params.push(...c.params);
  });
  return { sql: terms.join(' AND '), params };
}

/** The condition for a range, or null for the whole table. */
export function rangeCondition(columns: readonly KeyColumn[], range: KeyRange): SqlFragment | null {
  return allOf([range.lower ? keyAfter(columns, range.lower) : null, range.upper ? keyAtMost(columns, range.upper) : null]);
}

/** ANDs fragments together (no fragment: no condition). */
export function allOf(fragments: readonly (SqlFragment | null)[]): SqlFragment | null {
  const present = fragments.filter((f): f is SqlFragment => f !== null);
  if (present.length === 0) return null;
  if (present.length === 1) return present[0]!;
  return { sql: present.map((f) => `(${f.sql})`).join(' AND '), params: present.flatMap((f) => f.params) };
}

export function whereClause(condition: SqlFragment | null): string {
  return condition === null ? '' : ` WHERE ${condition.sql}`;
}

/** Cuts a range into consecutive ranges at the given boundaries (already in key order, inside the range). */
export function splitRange(range: KeyRange, boundaries: readonly (readonly Buffer[])[]): KeyRange[] {
  const out: KeyRange[] = [];
  let lower = range.lower;
  for (const boundary of boundaries) {
    out.push({ lower, upper: boundary });
    lower = boundary;
  }
  out.push({ lower, upper: range.upper });
  return out;
}
