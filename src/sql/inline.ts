/**
 * A statement with its bound values written into it as literals, for SQL that is saved to a file
 * and run later by any client (a row-level backup's DELETE by key). Pure.
 *
 * Placeholders are the `?` outside quoted identifiers, strings and comments. A Buffer becomes a
 * hex literal (a binary string, as a bound Buffer is), a string a quoted literal (escaped for a
 * session without NO_BACKSLASH_ESCAPES, as the backup files set it), a number or bigint its digits.
 */
import type { SqlFragment } from './key-sql.js';
import { quoteString } from './quote.js';

export function inlineFragment(fragment: SqlFragment): string {
  const { sql, params } = fragment;
  let out = '';
  let next = 0;
  let i = 0;
  while (i < sql.length) {
    const c = sql[i]!;
    if (c === '`' || c === "'" || c === '"') {
      const end = closingQuote(sql, i, c);
      out += sql.slice(i, end);
      i = end;
    } else if (c === '?') {
      if (next >= params.length) throw new Error(`inlineFragment: more placeholders than values in: ${sql}`);
      out += literal(params[next++]);
      i++;
    } else {
      out += c;
      i++;
    }
  }
  if (next !== params.length) throw new Error(`inlineFragment: ${params.length} values for ${next} placeholders in: ${sql}`);
  return out;
}

/** The index just past the quoted text starting at `start` (a doubled quote stays inside). */
function closingQuote(sql: string, start: number, quote: string): number {
  let i = start + 1;
  while (i < sql.length) {
    const c = sql[i]!;
    if (c === '\\' && quote !== '`') i += 2;
    else if (c === quote) {
      if (sql[i + 1] === quote) i += 2;
      else return i + 1;
    } else i++;
  }
  return sql.length;
}

function literal(value: unknown): string {
  if (value === null || value === undefined) return 'NULL';
  if (Buffer.isBuffer(value)) return `X'${value.toString('hex')}'`;
  if (typeof value === 'string') return quoteString(value);
  if (typeof value === 'number' && Number.isFinite(value)) return String(value);
  if (typeof value === 'bigint') return value.toString();
  if (typeof value === 'boolean') return value ? '1' : '0';
  throw new Error(`inlineFragment: cannot write a ${typeof value} as a literal`);
}
