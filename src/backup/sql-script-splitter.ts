// ---------------------------------------------------------------------------------------------
// The statement splitter of the built-in restore

export interface SqlStatement {
  /** The statement without its delimiter or surrounding whitespace; leading comments kept (the server ignores them). */
  readonly sql: Buffer;
  /** 1-based line where the statement's first meaningful byte is. */
  readonly line: number;
}

const enum ScanState {
  Normal,
  SingleQuote,
  DoubleQuote,
  Backtick,
  LineComment,
  BlockComment,
}

const LF = 0x0a;
const BACKSLASH = 0x5c;
const DELIMITER_WORD = Buffer.from('delimiter');

/**
 * Cuts a SQL script into statements the way the mariadb client does: DELIMITER lines change
 * the delimiter, which only counts outside quotes and comments; executable comments
 * (/*! ... *\/, /*M! ... *\/) are kept as code and never cut. Works on bytes, fed in chunks of
 * any size, so a statement or a multi-byte character may straddle chunks.
 */
export class SqlScriptSplitter {
  #buf = Buffer.alloc(64 * 1024);
  #len = 0;
  #pos = 0;
  #start = 0;
  #state = ScanState.Normal;
  #inExecComment = false;
  #hasContent = false;
  #delimiter = Buffer.from(';');
  #line = 1;
  #statementLine = 1;

  push(chunk: Buffer): SqlStatement[] {
    this.#append(chunk);
    return this.#scan(false);
  }

  end(): SqlStatement[] {
    const out = this.#scan(true);
    if (this.#hasContent) out.push(this.#statement(this.#len));
    this.#start = this.#len;
    this.#hasContent = false;
    return out;
  }

  #append(chunk: Buffer): void {
    if (this.#buf.length - this.#len < chunk.length) {
      // Drop what was already handed out before growing.
      const keep = this.#len - this.#start;
      const needed = keep + chunk.length;
      const target = needed > this.#buf.length / 2 ? Buffer.alloc(Math.max(needed * 2, this.#buf.length)) : this.#buf;
      this.#buf.copy(target, 0, this.#start, this.#len);
      this.#buf = target;
      this.#pos -= this.#start;
      this.#len = keep;
      this.#start = 0;
    }
    chunk.copy(this.#buf, this.#len);
    this.#len += chunk.length;
  }

  #statement(end: number): SqlStatement {
    let from = this.#start;
    let stop = end;
    while (from < stop && isSpace(this.#buf[from]!)) from++;
    while (stop > from && isSpace(this.#buf[stop - 1]!)) stop--;
    return { sql: Buffer.from(this.#buf.subarray(from, stop)), line: this.#statementLine };
  }

  #content(): void {
    if (!this.#hasContent) {
      this.#hasContent = true;
      this.#statementLine = this.#line;
    }
  }

  #scan(final: boolean): SqlStatement[] {
    const out: SqlStatement[] = [];
    const buf = this.#buf;
    const len = this.#len;
    let pos = this.#pos;
    // Returning "need more input" keeps pos at the byte that could not be decided yet.
    scan: while (pos < len) {
      const b = buf[pos]!;
      switch (this.#state) {
        case ScanState.SingleQuote:
        case ScanState.DoubleQuote:
        case ScanState.Backtick: {
          const quote = this.#state === ScanState.SingleQuote ? 0x27 : this.#state === ScanState.DoubleQuote ? 0x22 : 0x60;
          if (b === LF) this.#line++;
          else if (b === BACKSLASH && quote !== 0x60) {
            if (pos + 1 >= len) {
              if (!final) break scan;
            } else {
              if (buf[pos + 1] === LF) this.#line++;
              pos++;
            }
          } else if (b === quote) this.#state = ScanState.Normal;
          pos++;
          continue;
        }
        case ScanState.LineComment:
          if (b === LF) this.#state = ScanState.Normal;
          else pos++;
          continue;
        case ScanState.BlockComment:
          if (b === LF) this.#line++;
          else if (b === 0x2a) {
            if (pos + 1 >= len && !final) break scan;
            if (buf[pos + 1] === 0x2f) {
              this.#state = ScanState.Normal;
              pos += 2;
              continue;
            }
          }
          pos++;
          continue;
        case ScanState.Normal:
          break;
      }

      if (b === LF) {
        this.#line++;
        pos++;
        continue;
      }
      if (!this.#hasContent && !this.#inExecComment && (b === 0x64 || b === 0x44)) {
        // A DELIMITER command can only start a statement.
        if (len - pos < DELIMITER_WORD.length + 1 && !final) break scan;
        if (startsWithWord(buf, pos, len, DELIMITER_WORD)) {
          let lineEnd = buf.indexOf(LF, pos);
          if (lineEnd === -1 || lineEnd >= len) {
            if (!final) break scan;
            lineEnd = len;
          }
          const m = /^delimiter[ \t]+(\S+)/i.exec(buf.toString('latin1', pos, lineEnd));
          if (m) {
            this.#delimiter = Buffer.from(m[1]!, 'latin1');
            pos = lineEnd;
            this.#start = lineEnd;
            continue;
          }
        }
      }
      if (!this.#inExecComment && b === this.#delimiter[0]) {
        const dl = this.#delimiter.length;
        if (pos + dl > len && !final) break scan;
        if (buf.compare(this.#delimiter, 0, dl, pos, pos + dl) === 0) {
          if (this.#hasContent) out.push(this.#statement(pos));
          pos += dl;
          this.#start = pos;
          this.#hasContent = false;
          continue;
        }
      }
      if (b === 0x27 || b === 0x22 || b === 0x60) {
        this.#content();
        this.#state = b === 0x27 ? ScanState.SingleQuote : b === 0x22 ? ScanState.DoubleQuote : ScanState.Backtick;
        pos++;
        continue;
      }
      if (b === 0x23) {
        this.#state = ScanState.LineComment;
        pos++;
        continue;
      }
      if (b === 0x2d) {
        if (pos + 2 >= len && !final) break scan;
        // "--" starts a comment only when followed by a space or control character.
        if (buf[pos + 1] === 0x2d && (pos + 2 >= len || buf[pos + 2]! <= 0x20)) {
          this.#state = ScanState.LineComment;
          pos += 2;
          continue;
        }
      }
      if (b === 0x2f) {
        if (pos + 3 >= len && !final) break scan;
        if (buf[pos + 1] === 0x2a) {
          const bang = buf[pos + 2] === 0x21 ? 3 : buf[pos + 2] === 0x4d && buf[pos + 3] === 0x21 ? 4 : 0;
          if (bang > 0) {
            this.#content();
            this.#inExecComment = true;
            pos += bang;
          } else {
            this.#state = ScanState.BlockComment;
            pos += 2;
          }
          continue;
        }
      }
      if (b === 0x2a && this.#inExecComment) {
        if (pos + 1 >= len && !final) break scan;
        if (buf[pos + 1] === 0x2f) {
          this.#inExecComment = false;
          pos += 2;
          continue;
        }
      }
      if (!isSpace(b)) this.#content();
      pos++;
    }
    this.#pos = pos;
    return out;
  }
}

function isSpace(b: number): boolean {
  return b === 0x20 || b === 0x09 || b === 0x0a || b === 0x0d || b === 0x0b || b === 0x0c;
}

function startsWithWord(buf: Buffer, pos: number, len: number, word: Buffer): boolean {
  if (len - pos <= word.length) return false;
  for (let i = 0; i < word.length; i++) if ((buf[pos + i]! | 0x20) !== word[i]) return false;
  const next = buf[pos + word.length]!;
  return next === 0x20 || next === 0x09;
}

const utf8Decoder = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

export function decodeUtf8(bytes: Buffer): string | null {
  try {
    return utf8Decoder.decode(bytes);
  } catch {
    return null;
  }
}

export function isUtf8(bytes: Buffer): boolean {
  return decodeUtf8(bytes) !== null;
}
