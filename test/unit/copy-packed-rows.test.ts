import { describe, expect, it } from 'vitest';
import { TsvEncoder } from '../../src/copy/tsv-encoder.js';
import { packedValue, packRow, PackedReader, unpackRow } from '../../src/db/packed-rows.js';

// Values whose lengths cross every length-header form of the protocol: 1 byte (< 251), 0xFC
// (2 bytes), 0xFD (3 bytes); NULL is 0xFB.
const LENGTHS = [0, 1, 250, 251, 252, 65_535, 65_536, 70_000];

function bytes(length: number, seed: number): Buffer {
  const out = Buffer.alloc(length);
  for (let i = 0; i < length; i++) out[i] = (i * 31 + seed * 17) & 0xff; // every byte value, specials included
  return out;
}

describe('packed rows', () => {
  it('packs with the protocol length headers and unpacks to the same values', () => {
    const values = [...LENGTHS.map((n, i) => bytes(n, i)), null, Buffer.alloc(0), null];
    const row = packRow(values);
    expect(row[0]).toBe(0); // empty string: length 0, not NULL
    expect(row[254]).toBe(0xfc); // after 0 + 1 + 250 bytes of values and their three 1-byte headers: the 251-byte value needs 3
    const back = unpackRow(row);
    expect(back).toHaveLength(values.length);
    back.forEach((value, i) => {
      if (values[i] === null) expect(value).toBeNull();
      else expect(value!.equals(values[i]!)).toBe(true);
    });
    expect(packedValue(row, 3)!.equals(values[3]!)).toBe(true);
    expect(packedValue(row, 8)).toBeNull();
  });

  it('refuses a truncated row instead of reading past its end', () => {
    const row = packRow([Buffer.from('abc'), bytes(300, 1)]);
    const reader = new PackedReader().reset(row.subarray(0, row.length - 1));
    reader.next();
    expect(() => reader.next()).toThrow(/runs past its end/);
    expect(() => new PackedReader().reset(Buffer.from([0xff])).next()).toThrow(/malformed/);
    expect(() => packedValue(packRow([Buffer.from('a')]), 1)).toThrow(/fewer values/);
  });

  it('encodes a packed row to exactly the bytes writeRow gives for its values', () => {
    for (let seed = 0; seed < 20; seed++) {
      const values = LENGTHS.slice(0, 1 + (seed % LENGTHS.length)).map((n, i) => (i % 4 === 3 ? null : bytes(n, seed + i)));
      const width = Math.max(1, values.length - (seed % 2)); // sometimes a trailing key extra
      const fromValues = new TsvEncoder(4096);
      fromValues.writeRow(values, width);
      const fromPacked = new TsvEncoder(4096);
      fromPacked.writePacked(packRow(values), width);
      expect(Buffer.concat(fromPacked.take()).equals(Buffer.concat(fromValues.take()))).toBe(true);
    }
  });

  it('copies plain-text columns verbatim and still escapes the others', () => {
    const values = [Buffer.from('-12.50'), Buffer.from('a\tb'), null, Buffer.from('2024-02-29 23:59:59.000001')];
    const encoder = new TsvEncoder(1024, [true, false, true, true]);
    encoder.writePacked(packRow(values), 4);
    expect(Buffer.concat(encoder.take()).toString('latin1')).toBe('-12.50\ta\\tb\t\\N\t2024-02-29 23:59:59.000001\n');
  });
});
