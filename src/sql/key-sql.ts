/**
 * SQL for comparing a table's key with key values, pure; shared by the copy (keyset chunks) and
 * the validation (checksum ranges), which must agree on what "after" and "at most" mean.
 *
 * Key values travel as the raw bytes the server sent (text protocol, character_set_results=binary)
 * and are bound back with an expression that makes the server compare them exactly as ORDER BY
 * orders the column: the column's own collation for strings, exact integers and decimals for
 * numbers. A comparison done in another domain (a string compared as a double, a utf8 literal in
 * a binary collation) could skip or repeat rows and would stop the optimizer from using the key.
 *
 * "After (a, b)" is written `a > ? OR (a = ? AND b > ?)`: MariaDB does not turn a row
 * constructor `(a, b) > (?, ?)` into a range scan (EXPLAIN shows type=index, a full index scan),
 * while the expanded form is a union of ranges (type=range).
 */
import { quoteIdent, sqlName } from './quote.js';
import { BINARY_STRING_TYPES, CHARACTER_STRING_TYPES, INTEGER_TYPES } from './column-types.js';

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

export function isIntegerColumn(column: KeyColumn): boolean {
  return INTEGER_TYPES.has(column.dataType.toLowerCase());
}

export function isIntegerKey(columns: readonly KeyColumn[]): boolean {
  return columns.length === 1 && isIntegerColumn(columns[0]!);
}

/** What a SELECT returns for a key column: a value the comparand binds back losslessly. */
export function keySelectSql(column: KeyColumn): string {
  const dataType = column.dataType.toLowerCase();
  const name = quoteIdent(column.name);
  // ENUM and SET sort by member index, BIT by number: the index/number is the key value.
  if (dataType === 'bit' || dataType === 'enum' || dataType === 'set') return `${name} + 0`;
  // FLOAT's text form keeps only 6 digits; widened to DOUBLE it is exact.
  if (dataType === 'float') return `CAST(${name} AS DOUBLE)`;
  return name;
}

export function keySelectList(columns: readonly KeyColumn[]): string {
  return columns.map(keySelectSql).join(', ');
}

export function keyOrderBy(columns: readonly KeyColumn[]): string {
  return columns.map((c) => quoteIdent(c.name)).join(', ');
}

/** The placeholder expression comparing a bound raw key value with the column. */
function comparand(column: KeyColumn, raw: Buffer): SqlFragment {
  const dataType = column.dataType.toLowerCase();
  const text = (): string => raw.toString('latin1');
  if (INTEGER_TYPES.has(dataType))
    return { sql: /unsigned/i.test(column.type) ? 'CAST(? AS UNSIGNED)' : 'CAST(? AS SIGNED)', params: [text()] };
  if (dataType === 'bit' || dataType === 'enum' || dataType === 'set') return { sql: 'CAST(? AS UNSIGNED)', params: [text()] };
  if (dataType === 'decimal' || dataType === 'numeric') {
    const m = /\((\d+)(?:,\s*(\d+))?\)/.exec(column.type);
    return { sql: `CAST(? AS DECIMAL(${m ? Number(m[1]) : 10},${m?.[2] ? Number(m[2]) : 0}))`, params: [text()] };
  }
  if (dataType === 'float' || dataType === 'double' || dataType === 'real') return { sql: 'CAST(? AS DOUBLE)', params: [text()] };
  if (BINARY_STRING_TYPES.has(dataType)) return { sql: '?', params: [raw] };
  if (CHARACTER_STRING_TYPES.has(dataType)) {
    if (!column.charset || !column.collation || column.charset === 'binary') return { sql: '?', params: [raw] };
    return { sql: `CONVERT(? USING ${sqlName(column.charset)}) COLLATE ${sqlName(column.collation)}`, params: [raw] };
  }
  // Temporal types, YEAR, UUID, INET6: the server converts a string constant to the column's
  // type before comparing, which is exact for their text forms.
  return { sql: '?', params: [text()] };
}

/** Lexicographic comparison of the key with a tuple, as a union of ranges. */
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

/** Rows whose key is strictly after `values` in key order. */
export function keyAfter(columns: readonly KeyColumn[], values: readonly Buffer[]): SqlFragment {
  return tupleCompare(columns, values, '>', '>');
}

/** Rows whose key is at most `values` in key order. */
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
