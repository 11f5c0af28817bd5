/**
 * The one place copied values become SQL text, for multi-row INSERT (values cannot be bound
 * there without a prepared statement per batch shape). Every string is a binary string, so the
 * server stores its bytes as they are whatever the column's character set: ASCII as
 * _binary'...' (backslash-escaped), any other bytes as X'..'. Non-ASCII bytes never travel as
 * statement text, because the driver encodes that text with whatever character_set_client the
 * session reports (after SET NAMES binary an emoji became the low bytes of its UTF-16 units).
 * The statement is assembled in a byte buffer: building it from per-value strings cost about
 * three times the CPU.
 */
import { ReplicoopError } from '../errors.js';
import type { ValueKind } from './column-plan.js';
import { escapeBytes } from '../sql/escape.js';

const HEX = Buffer.from('0123456789abcdef', 'latin1');
const BINARY_QUOTE = Buffer.from("_binary'", 'latin1');
const CONVERT_OPEN = Buffer.from('CONVERT(', 'latin1');
const CONVERT_CLOSE = Buffer.from(' USING utf8mb4)', 'latin1');
const NULL = Buffer.from('NULL', 'latin1');
const QUOTE = 0x27;
const BACKSLASH = 0x5c;

// The escaped letter for bytes that cannot appear raw in a quoted literal; 0 otherwise.
const ESCAPE = new Uint8Array(128);
ESCAPE[0x00] = 0x30; // \0
ESCAPE[0x0a] = 0x6e; // \n
ESCAPE[0x0d] = 0x72; // \r
ESCAPE[0x1a] = 0x5a; // \Z
ESCAPE[QUOTE] = QUOTE;
ESCAPE[BACKSLASH] = BACKSLASH;

// Bytes of a numeric literal: digits, sign, point, exponent.
const NUMERIC = new Uint8Array(256);
for (const c of '0123456789+-.eE') NUMERIC[c.charCodeAt(0)] = 1;

export class InsertEncoder {
  #buffer: Buffer;
  #length = 0;

  constructor(capacity = 64 * 1024) {
    this.#buffer = Buffer.allocUnsafe(capacity);
  }

  /** Bytes written so far (their size on the wire: it is all ASCII). */
  get length(): number {
    return this.#length;
  }

  /** The text written (ASCII only); the encoder starts over. */
  take(): string {
    const text = this.#buffer.toString('latin1', 0, this.#length);
    this.#length = 0;
    return text;
  }

  /** Drops everything after `length` (a tuple that did not fit). */
  truncate(length: number): void {
    this.#length = Math.min(this.#length, length);
  }

  /** One row as `(v1,v2,...)` from the first `width` values, after a comma unless it is the first. */
  writeTuple(kinds: readonly ValueKind[], values: readonly (Buffer | null)[], width: number): void {
    if (this.#length > 0) this.#byte(0x2c);
    this.#byte(0x28);
    for (let i = 0; i < width; i++) {
      if (i > 0) this.#byte(0x2c);
      this.writeValue(kinds[i]!, values[i]!);
    }
    this.#byte(0x29);
  }

  writeValue(kind: ValueKind, value: Buffer | null): void {
    if (value === null) return this.#bytes(NULL);
    if (kind === 'number' || kind === 'bit') {
      if (isNumeric(value, kind === 'bit')) return this.#bytes(value);
      if (kind === 'bit')
        throw new ReplicoopError('copy_bad_value', `a BIT value must be an unsigned number, got "${value.toString('latin1', 0, 40)}"`);
    }
    // The string is binary; CONVERT turns it into characters for types that need them.
    if (kind === 'text') this.#bytes(CONVERT_OPEN);
    this.#binaryString(value);
    if (kind === 'text') this.#bytes(CONVERT_CLOSE);
  }

  #binaryString(value: Buffer): void {
    let ascii = true;
    for (let i = 0; i < value.length; i++) {
      if (value[i]! >= 0x80) {
        ascii = false;
        break;
      }
    }
    if (!ascii) {
      this.#reserve(value.length * 2 + 3);
      const out = this.#buffer;
      let at = this.#length;
      out[at++] = 0x58; // X
      out[at++] = QUOTE;
      for (let i = 0; i < value.length; i++) {
        const byte = value[i]!;
        out[at++] = HEX[byte >> 4]!;
        out[at++] = HEX[byte & 15]!;
      }
      out[at++] = QUOTE;
      this.#length = at;
      return;
    }
    this.#reserve(value.length * 2 + BINARY_QUOTE.length + 1);
    const out = this.#buffer;
    BINARY_QUOTE.copy(out, this.#length);
    let at = escapeBytes(ESCAPE, value, 0, value.length, out, this.#length + BINARY_QUOTE.length);
    out[at++] = QUOTE;
    this.#length = at;
  }

  #bytes(bytes: Buffer): void {
    this.#reserve(bytes.length);
    bytes.copy(this.#buffer, this.#length);
    this.#length += bytes.length;
  }

  #byte(byte: number): void {
    this.#reserve(1);
    this.#buffer[this.#length++] = byte;
  }

  #reserve(extra: number): void {
    const needed = this.#length + extra;
    if (needed <= this.#buffer.length) return;
    const grown = Buffer.allocUnsafe(Math.max(needed, this.#buffer.length * 2));
    this.#buffer.copy(grown, 0, 0, this.#length);
    this.#buffer = grown;
  }
}

function isNumeric(value: Buffer, unsignedInteger: boolean): boolean {
  if (value.length === 0) return false;
  let digits = 0;
  for (let i = 0; i < value.length; i++) {
    const byte = value[i]!;
    if (unsignedInteger ? byte < 0x30 || byte > 0x39 : NUMERIC[byte] === 0) return false;
    if (byte >= 0x30 && byte <= 0x39) digits++;
  }
  return digits > 0;
}
