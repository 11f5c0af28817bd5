import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { encodeRow, escapeDumpString, StatementEncoder, type DumpColumn } from '../../../src/backup/dump-encoding.js';
import { packRow } from '../../../src/db/packed-rows.js';

describe('escapeDumpString', () => {
  it('escapes what mysql_real_escape_string escapes and nothing else', () => {
    const input = Buffer.from('a\0b\nc\rd\x1ae\\f\'g"h😀', 'utf8');
    expect(escapeDumpString(input).toString('utf8')).toBe('a\\0b\\nc\\rd\\Ze\\\\f\\\'g\\"h😀');
    const plain = Buffer.from('plain text');
    expect(escapeDumpString(plain)).toBe(plain);
  });

  it('writes the very bytes the old private escape loop wrote', () => {
    for (let byte = 0; byte < 256; byte++) {
      const one = Buffer.from([byte]);
      expect(escapeDumpString(one).equals(oldEscapeBytes(one)), `byte 0x${byte.toString(16)}`).toBe(true);
      const framed = Buffer.from([0x61, byte, byte, 0x62]);
      expect(escapeDumpString(framed).equals(oldEscapeBytes(framed)), `framed byte 0x${byte.toString(16)}`).toBe(true);
    }
    const all = Buffer.from(Array.from({ length: 256 }, (_, i) => i));
    expect(escapeDumpString(all).equals(oldEscapeBytes(all))).toBe(true);
    for (let i = 0; i < 500; i++) {
      const random = randomBytes(i * 7);
      expect(escapeDumpString(random).equals(oldEscapeBytes(random)), `random buffer of ${random.length} bytes`).toBe(true);
    }
    expect(escapeDumpString(Buffer.alloc(0)).length).toBe(0);
  });
});

describe('StatementEncoder: extended INSERTs straight from packed rows', () => {
  const columns: DumpColumn[] = [
    { name: 'n', select: '`n`', encoding: 'raw' },
    { name: 'b', select: '`b`', encoding: 'hex' },
    { name: 's', select: '`s`', encoding: 'quoted' },
  ];
  const head = Buffer.from('INSERT INTO `t` (`n`, `b`, `s`) VALUES\n');
  const randomRow = (i: number): (Buffer | null)[] => [
    i % 11 === 0 ? null : Buffer.from(String(i * 37 - 5)),
    i % 7 === 0 ? null : i % 5 === 0 ? Buffer.alloc(0) : randomBytes(i % 300),
    i % 13 === 0 ? null : Buffer.concat([Buffer.from("it's\n\\ "), randomBytes(i % 400)]),
  ];

  it('writes each row as encodeRow does, cutting statements at the limit', () => {
    const rows = Array.from({ length: 2000 }, (_, i) => randomRow(i));
    const limit = 20_000;
    const encoder = new StatementEncoder(head, columns, limit);
    const statements: Buffer[] = [];
    for (const row of rows) {
      const done = encoder.add(packRow(row));
      if (done) statements.push(done);
    }
    const last = encoder.finish();
    if (last) statements.push(last);
    expect(encoder.finish()).toBeNull();
    // The oracle: encodeRow per row, the same cut rule (a statement ends before the row that would pass the limit).
    const expected: Buffer[] = [];
    let parts: Buffer[] = [];
    let size = 0;
    for (const row of rows) {
      const encoded = encodeRow(row, columns);
      if (size > 0 && size + 2 + encoded.length > limit) {
        expected.push(Buffer.concat([...parts, Buffer.from(';\n')]));
        parts = [];
        size = 0;
      }
      if (size === 0) {
        parts.push(head, encoded);
        size = head.length + encoded.length;
      } else {
        parts.push(Buffer.from(',\n'), encoded);
        size += 2 + encoded.length;
      }
    }
    expected.push(Buffer.concat([...parts, Buffer.from(';\n')]));
    expect(statements.length).toBeGreaterThan(5);
    expect(statements.map((b) => b.toString('latin1'))).toEqual(expected.map((b) => b.toString('latin1')));
    for (const statement of statements.slice(0, -1)) expect(statement.length).toBeLessThanOrEqual(limit + 2);
  });

  it('puts a row larger than the limit in a statement of its own, and grows its buffer for it', () => {
    const big = [Buffer.from('1'), randomBytes(50_000), Buffer.from('x')];
    const encoder = new StatementEncoder(head, columns, 1000);
    expect(encoder.add(packRow([Buffer.from('0'), null, Buffer.from('a')]))).toBeNull();
    const first = encoder.add(packRow(big));
    expect(first?.toString('latin1')).toBe(`${head.toString('latin1')}(0,NULL,'a');\n`);
    const second = encoder.finish()!;
    expect(second.equals(Buffer.concat([head, encodeRow(big, columns), Buffer.from(';\n')]))).toBe(true);
  });
});

// The oracle: the private loop src/apply/backup.ts had before the dumper moved to the shared one, copied verbatim.
function oldEscapeBytes(value: Buffer): Buffer {
  let extra = 0;
  for (let i = 0; i < value.length; i++) if (ESCAPES[value[i]!] !== 0) extra++;
  if (extra === 0) return value;
  const out = Buffer.allocUnsafe(value.length + extra);
  let o = 0;
  for (let i = 0; i < value.length; i++) {
    const b = value[i]!;
    const escaped = ESCAPES[b]!;
    if (escaped !== 0) {
      out[o++] = 0x5c;
      out[o++] = escaped;
    } else out[o++] = b;
  }
  return out;
}

const ESCAPES = new Uint8Array(256);
ESCAPES[0x00] = 0x30; // \0
ESCAPES[0x0a] = 0x6e; // \n
ESCAPES[0x0d] = 0x72; // \r
ESCAPES[0x1a] = 0x5a; // \Z
ESCAPES[0x5c] = 0x5c; // \\
ESCAPES[0x27] = 0x27; // \'
ESCAPES[0x22] = 0x22; // \"
