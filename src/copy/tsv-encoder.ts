/**
 * Rows to the byte stream LOAD DATA reads with
 *   CHARACTER SET binary FIELDS TERMINATED BY '\t' ESCAPED BY '\\' LINES TERMINATED BY '\n'
 * (no ENCLOSED BY). The one place values are encoded for LOAD DATA: bytes are copied as they
 * are, except the five that the format gives a meaning (backslash, tab, newline, carriage
 * return, NUL), which are escaped; NULL is \N and an empty string an empty field, so the two
 * stay distinct.
 */
import { PackedReader, type PackedRow } from '../db/packed-rows.js';
import { escapeBytes } from '../sql/escape.js';

const BACKSLASH = 0x5c;
const TAB = 0x09;
const NEWLINE = 0x0a;
const RETURN = 0x0d;
const NUL = 0x00;

// The escaped letter for each special byte; 0 for bytes copied as they are.
const ESCAPE = new Uint8Array(256);
ESCAPE[BACKSLASH] = BACKSLASH;
ESCAPE[TAB] = 0x74; // t
ESCAPE[NEWLINE] = 0x6e; // n
ESCAPE[RETURN] = 0x72; // r
ESCAPE[NUL] = 0x30; // 0

/** LOAD DATA's escapes, with the shared loop (sql/escape.ts). */
function escapeInto(source: Buffer, start: number, end: number, out: Buffer, at: number): number {
  return escapeBytes(ESCAPE, source, start, end, out, at);
}

export class TsvEncoder {
  readonly #pieceBytes: number;
  #buffer: Buffer;
  #length = 0;
  readonly #reader = new PackedReader();
  /** Per column: its text never holds a byte that needs escaping (numbers, dates), so it is copied as is. */
  readonly #verbatim: Uint8Array;
  readonly #enums: Uint8Array;
  /** Empty values written to ENUM columns (each one a warning 1265 from the server). */
  emptyEnumValues = 0;

  /** pieceBytes: the largest piece handed out; each becomes one protocol packet. */
  /** verbatim and enums: per column, as PlannedColumn's plainText and enumColumn. */
  constructor(pieceBytes: number, verbatim: readonly boolean[] = [], enums: readonly boolean[] = []) {
    this.#pieceBytes = Math.max(1024, pieceBytes);
    this.#verbatim = Uint8Array.from(verbatim, (v) => (v ? 1 : 0));
    this.#enums = Uint8Array.from(enums, (v) => (v ? 1 : 0));
    this.#buffer = Buffer.allocUnsafe(this.#pieceBytes * 2);
  }

  /** Bytes encoded and not yet taken. */
  get pending(): number {
    return this.#length;
  }

  /** True once a full piece is waiting. */
  get ready(): boolean {
    return this.#length >= this.#pieceBytes;
  }

  /** Writes the first `width` values of a row (a row may carry extra key values after them). */
  writeRow(values: readonly (Buffer | null)[], width: number): void {
    for (let i = 0; i < width; i++) {
      const value = values[i]!;
      // A value takes at most twice its length escaped, plus the separator or \N.
      const needed = this.#length + (value === null ? 3 : value.length * 2 + 1) + 1;
      if (needed > this.#buffer.length) this.#grow(needed);
      const out = this.#buffer;
      if (i > 0) out[this.#length++] = TAB;
      if (value === null) {
        out[this.#length++] = BACKSLASH;
        out[this.#length++] = 0x4e; // N
      } else if (value.length === 0) {
        if (this.#enums[i] === 1) this.emptyEnumValues++;
      } else if (value.length > 64) {
        this.#escapedLong(value);
      } else {
        // Short values (most of them): one pass, no Buffer.copy call overhead.
        this.#length = escapeInto(value, 0, value.length, out, this.#length);
      }
    }
    if (this.#length + 1 > this.#buffer.length) this.#grow(this.#length + 1);
    this.#buffer[this.#length++] = NEWLINE;
  }

  /**
   * Writes the first `width` values of a packed row (db/packed-rows.ts) without cutting it into
   * a Buffer per value: the copy's hot path.
   */
  writePacked(row: PackedRow, width: number): void {
    // Escaped, every byte of the row doubles at most; separators and \N fit in the headers' room.
    const needed = this.#length + row.length * 2 + width * 3 + 1;
    if (needed > this.#buffer.length) this.#grow(needed);
    const out = this.#buffer;
    const reader = this.#reader.reset(row);
    let at = this.#length;
    for (let i = 0; i < width; i++) {
      reader.next();
      if (i > 0) out[at++] = TAB;
      const start = reader.start;
      if (start < 0) {
        out[at++] = BACKSLASH;
        out[at++] = 0x4e; // N
        continue;
      }
      const end = start + reader.length;
      if (end === start && this.#enums[i] === 1) this.emptyEnumValues++;
      if (this.#verbatim[i] === 1) {
        // A loop, not Buffer#copy: for values this short the native call costs three times more.
        for (let j = start; j < end; j++) out[at++] = row[j]!;
        continue;
      }
      at = escapeInto(row, start, end, out, at);
    }
    out[at++] = NEWLINE;
    this.#length = at;
  }

  /**
   * Hands out what is encoded, in pieces of at most pieceBytes (a row may span pieces; LOAD DATA
   * reads a stream). The buffer is replaced, never reused, so the pieces stay valid.
   */
  take(): Buffer[] {
    if (this.#length === 0) return [];
    const full = this.#buffer;
    const length = this.#length;
    this.#buffer = Buffer.allocUnsafe(this.#pieceBytes * 2);
    this.#length = 0;
    const pieces: Buffer[] = [];
    for (let offset = 0; offset < length; offset += this.#pieceBytes)
      pieces.push(full.subarray(offset, Math.min(length, offset + this.#pieceBytes)));
    return pieces;
  }

  #escapedLong(value: Buffer): void {
    const out = this.#buffer;
    let special = -1;
    for (let i = 0; i < value.length; i++) {
      if (ESCAPE[value[i]!] !== 0) {
        special = i;
        break;
      }
    }
    if (special < 0) {
      value.copy(out, this.#length);
      this.#length += value.length;
      return;
    }
    value.copy(out, this.#length, 0, special);
    this.#length = escapeInto(value, special, value.length, out, this.#length + special);
  }

  #grow(needed: number): void {
    const grown = Buffer.allocUnsafe(Math.max(needed, this.#buffer.length * 2));
    this.#buffer.copy(grown, 0, 0, this.#length);
    this.#buffer = grown;
  }
}
