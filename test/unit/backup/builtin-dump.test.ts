import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { escapeDumpString } from '../../../src/backup/builtin-dump.js';

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
