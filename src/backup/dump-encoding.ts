/**
 * How the built-in dumper writes values (builtin-dump.ts) and the row-level backup its rows
 * (row-backup.ts): the same encoding, stated once. Pure.
 */
import { escapeBytes } from '../sql/escape.js';
import { quoteIdent } from '../sql/quote.js';
import { PackedReader } from '../db/packed-rows.js';
import { BYTE_VALUED_TYPES, CHARACTER_STRING_TYPES, NUMERIC_TYPES, UTF8_SAFE_CHARSETS } from '../sql/column-types.js';

// Above this an extended INSERT is cut, like mariadb-dump's net_buffer_length.
export const MAX_INSERT_BYTES = 1_000_000;

// Numbers are written as they come, bytes (BYTE_VALUED_TYPES) as hex, and text in a character set
// outside UTF8_SAFE_CHARSETS as hex of its own bytes, which the column takes verbatim.

export type ValueEncoding = 'raw' | 'hex' | 'quoted';

export interface DumpColumn {
  readonly name: string;
  readonly select: string;
  readonly encoding: ValueEncoding;
}

export interface ColumnRow {
  TABLE_NAME: string;
  COLUMN_NAME: string;
  DATA_TYPE: string;
  CHARACTER_SET_NAME: string | null;
  EXTRA: string | null;
  GENERATION_EXPRESSION: string | null;
}

export function dumpColumns(rows: readonly ColumnRow[]): DumpColumn[] {
  const out: DumpColumn[] = [];
  for (const row of rows) {
    const extra = (row.EXTRA ?? '').toUpperCase();
    // Generated values are recomputed by the server; system-versioning periods are set by it.
    if (
      (row.GENERATION_EXPRESSION ?? '') !== '' ||
      /\b(?:VIRTUAL|STORED|PERSISTENT) GENERATED\b/.test(extra) ||
      /\bROW (?:START|END)\b/.test(extra)
    )
      continue;
    const type = row.DATA_TYPE.toLowerCase();
    const ident = quoteIdent(row.COLUMN_NAME);
    if (NUMERIC_TYPES.has(type)) out.push({ name: row.COLUMN_NAME, select: ident, encoding: 'raw' });
    else if (BYTE_VALUED_TYPES.has(type)) out.push({ name: row.COLUMN_NAME, select: ident, encoding: 'hex' });
    else if (CHARACTER_STRING_TYPES.has(type) && row.CHARACTER_SET_NAME && !UTF8_SAFE_CHARSETS.has(row.CHARACTER_SET_NAME.toLowerCase())) {
      out.push({ name: row.COLUMN_NAME, select: `CAST(${ident} AS BINARY)`, encoding: 'hex' });
    } else out.push({ name: row.COLUMN_NAME, select: ident, encoding: 'quoted' });
  }
  return out;
}

const HEX_DIGITS = Buffer.from('0123456789abcdef', 'latin1');

/** Builds one INSERT statement at a time in a buffer of its own (handed out whole, never reused). */
export class StatementEncoder {
  readonly #head: Buffer;
  readonly #columns: readonly DumpColumn[];
  readonly #limit: number;
  readonly #reader = new PackedReader();
  #buf: Buffer;
  #at = 0;
  #rows = 0;

  constructor(head: Buffer, columns: readonly DumpColumn[], limit: number) {
    this.#head = head;
    this.#columns = columns;
    this.#limit = limit;
    this.#buf = Buffer.allocUnsafe(limit + 64 * 1024);
  }

  /** Adds a row; returns the finished statement when this row did not fit in it (the row opens the next). */
  add(row: Buffer): Buffer | null {
    if (this.#rows === 0) this.#put(this.#head);
    else this.#put(ROW_SEPARATOR);
    const rowStart = this.#at;
    this.#encode(row);
    this.#rows++;
    if (this.#rows === 1 || this.#at <= this.#limit) return null;
    const moved = Buffer.from(this.#buf.subarray(rowStart, this.#at));
    this.#at = rowStart - ROW_SEPARATOR.length;
    const done = this.#end();
    this.#put(this.#head);
    this.#put(moved);
    this.#rows = 1;
    return done;
  }

  finish(): Buffer | null {
    return this.#rows === 0 ? null : this.#end();
  }

  #end(): Buffer {
    this.#put(STATEMENT_END);
    const done = this.#buf.subarray(0, this.#at);
    this.#buf = Buffer.allocUnsafe(this.#limit + 64 * 1024);
    this.#at = 0;
    this.#rows = 0;
    return done;
  }

  #ensure(bytes: number): void {
    if (this.#at + bytes <= this.#buf.length) return;
    const bigger = Buffer.allocUnsafe(Math.max(this.#buf.length * 2, this.#at + bytes));
    this.#buf.copy(bigger, 0, 0, this.#at);
    this.#buf = bigger;
  }

  #put(bytes: Buffer): void {
    this.#ensure(bytes.length);
    this.#at += bytes.copy(this.#buf, this.#at);
  }

  /** The row as `(v1,v2,...)`, each value as encodeRow writes it. */
  #encode(row: Buffer): void {
    const reader = this.#reader.reset(row);
    this.#ensure(1);
    this.#buf[this.#at++] = 0x28; // (
    for (let i = 0; i < this.#columns.length; i++) {
      reader.next();
      const { start, length } = reader;
      this.#ensure(2 * length + 8);
      const buf = this.#buf;
      let at = this.#at;
      if (i > 0) buf[at++] = 0x2c; // ,
      if (start < 0) at += NULL_WORD.copy(buf, at);
      else {
        switch (this.#columns[i]!.encoding) {
          case 'raw':
            at += row.copy(buf, at, start, start + length);
            break;
          case 'hex':
            if (length === 0) at += EMPTY_STRING.copy(buf, at);
            else {
              buf[at++] = 0x30; // 0
              buf[at++] = 0x78; // x
              for (let j = start; j < start + length; j++) {
                buf[at++] = HEX_DIGITS[row[j]! >> 4]!;
                buf[at++] = HEX_DIGITS[row[j]! & 0x0f]!;
              }
            }
            break;
          case 'quoted':
            buf[at++] = 0x27; // '
            at = escapeBytes(DUMP_STRING_ESCAPES, row, start, start + length, buf, at);
            buf[at++] = 0x27;
            break;
        }
      }
      this.#at = at;
    }
    this.#ensure(1);
    this.#buf[this.#at++] = 0x29; // )
  }
}

const STATEMENT_END = Buffer.from(';\n');
const ROW_SEPARATOR = Buffer.from(',\n');
const NULL_WORD = Buffer.from('NULL');
const EMPTY_STRING = Buffer.from("''");
const COMMA = Buffer.from(',');
const OPEN = Buffer.from('(');
const CLOSE = Buffer.from(')');
const QUOTE = Buffer.from("'");

export function encodeRow(row: readonly (Buffer | null)[], columns: readonly DumpColumn[]): Buffer {
  const parts: Buffer[] = [OPEN];
  for (let i = 0; i < columns.length; i++) {
    if (i > 0) parts.push(COMMA);
    const value = row[i];
    if (value === null || value === undefined) {
      parts.push(NULL_WORD);
      continue;
    }
    switch (columns[i]!.encoding) {
      case 'raw':
        parts.push(value);
        break;
      case 'hex':
        parts.push(value.length === 0 ? EMPTY_STRING : Buffer.from(`0x${value.toString('hex')}`, 'latin1'));
        break;
      case 'quoted':
        parts.push(QUOTE, escapeDumpString(value), QUOTE);
        break;
    }
  }
  parts.push(CLOSE);
  return Buffer.concat(parts);
}

/**
 * mysql_real_escape_string over UTF-8 bytes (the shared loop of sql/escape.ts with the dump's
 * table, which also escapes `"` as mariadb-dump does). Safe byte by byte because no byte of a
 * UTF-8 multi-byte sequence is below 0x80. Returns the value itself when nothing needs escaping.
 */
export function escapeDumpString(value: Buffer): Buffer {
  let extra = 0;
  for (let i = 0; i < value.length; i++) if (DUMP_STRING_ESCAPES[value[i]!] !== 0) extra++;
  if (extra === 0) return value;
  const out = Buffer.allocUnsafe(value.length + extra);
  escapeBytes(DUMP_STRING_ESCAPES, value, 0, value.length, out, 0);
  return out;
}

// The escaped letter for each byte of a quoted string in the dump; 0 for bytes written as they are.
const DUMP_STRING_ESCAPES = new Uint8Array(256);
DUMP_STRING_ESCAPES[0x00] = 0x30; // \0
DUMP_STRING_ESCAPES[0x0a] = 0x6e; // \n
DUMP_STRING_ESCAPES[0x0d] = 0x72; // \r
DUMP_STRING_ESCAPES[0x1a] = 0x5a; // \Z
DUMP_STRING_ESCAPES[0x5c] = 0x5c; // \\
DUMP_STRING_ESCAPES[0x27] = 0x27; // \'
DUMP_STRING_ESCAPES[0x22] = 0x22; // \"
