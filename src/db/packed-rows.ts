/**
 * Rows of the text protocol kept as the server sent them: one Buffer per row holding its
 * values as length-encoded strings (NULL is the single byte 0xFB). The driver would otherwise
 * cut every value into a Buffer of its own and wrap each row in an array, which at a million
 * rows of seven columns is eight million objects for the garbage collector and most of the
 * copy's CPU time in Node. The copy encodes packed rows straight into the LOAD DATA stream and
 * unpacks only where it needs single values (masks, INSERT literals, the last key of a batch).
 *
 * The hook replaces the row parser of one mysql2 Query command (mysql2 builds it when the
 * column definitions have arrived, in Query#readField, and calls `next(packet)` per row). The
 * Buffer handed out is a view of the socket chunk the packet arrived in, which nothing reuses.
 */

/** The payload of one text-protocol row packet. */
export type PackedRow = Buffer;

interface RowPacket {
  readonly buffer: Buffer;
  readonly offset: number;
  readonly end: number;
}

const packedParser = Object.freeze({
  next(packet: RowPacket): PackedRow {
    return packet.buffer.subarray(packet.offset, packet.end);
  },
});

/**
 * Makes a mysql2 Query command (the object `connection.query()` returns) produce PackedRows.
 * Must be called before the server's column definitions arrive, that is right after query().
 */
export function producePackedRows(query: object): void {
  Object.defineProperty(query, '_rowParser', {
    configurable: true,
    get: () => packedParser,
    set: () => undefined,
  });
}

/**
 * Walks the values of one packed row. One instance is reused row after row by hot loops, so
 * that reading a value allocates nothing: after next(), `start` and `length` locate the value
 * in `row` (`start` is -1 for NULL).
 */
export class PackedReader {
  row: Buffer = Buffer.alloc(0);
  /** Offset of the next value's length header. */
  at = 0;
  start = 0;
  length = 0;

  reset(row: PackedRow): this {
    this.row = row;
    this.at = 0;
    return this;
  }

  get done(): boolean {
    return this.at >= this.row.length;
  }

  next(): void {
    const row = this.row;
    const at = this.at;
    const first = row[at];
    if (first === undefined) throw new Error(`row packet ends at ${at}: fewer values than expected`);
    let start: number;
    let length: number;
    if (first < 0xfb) {
      start = at + 1;
      length = first;
    } else if (first === 0xfb) {
      this.start = -1;
      this.length = 0;
      this.at = at + 1;
      return;
    } else if (first === 0xfc) {
      start = at + 3;
      length = row[at + 1]! | (row[at + 2]! << 8);
    } else if (first === 0xfd) {
      start = at + 4;
      length = row[at + 1]! | (row[at + 2]! << 8) | (row[at + 3]! << 16);
    } else if (first === 0xfe) {
      start = at + 9;
      length = row.readUInt32LE(at + 1) + row.readUInt32LE(at + 5) * 0x1_0000_0000;
    } else {
      throw new Error(`malformed row packet: length byte 0x${first.toString(16)} at ${at}`);
    }
    if (start + length > row.length) throw new Error(`malformed row packet: a value runs past its end (${start + length} > ${row.length})`);
    this.start = start;
    this.length = length;
    this.at = start + length;
  }

  /** The value just read, as a view into the row (null for NULL). */
  value(): Buffer | null {
    return this.start < 0 ? null : this.row.subarray(this.start, this.start + this.length);
  }
}

/** The row's values (views into the row, not copies); NULL is null. */
export function unpackRow(row: PackedRow): (Buffer | null)[] {
  const reader = new PackedReader().reset(row);
  const values: (Buffer | null)[] = [];
  while (!reader.done) {
    reader.next();
    values.push(reader.value());
  }
  return values;
}

/** One value of the row (a view), null for NULL; throws when the row has fewer values. */
export function packedValue(row: PackedRow, index: number): Buffer | null {
  const reader = new PackedReader().reset(row);
  for (let i = 0; i < index; i++) reader.next();
  reader.next();
  return reader.value();
}

/** Packs values as the server would (for tests and for rows built in memory). */
export function packRow(values: readonly (Buffer | null)[]): PackedRow {
  const parts: Buffer[] = [];
  for (const value of values) {
    if (value === null) {
      parts.push(Buffer.from([0xfb]));
      continue;
    }
    const n = value.length;
    if (n < 0xfb) parts.push(Buffer.from([n]));
    else if (n < 0x1_0000) parts.push(Buffer.from([0xfc, n & 0xff, n >> 8]));
    else if (n < 0x100_0000) parts.push(Buffer.from([0xfd, n & 0xff, (n >> 8) & 0xff, n >> 16]));
    else {
      const long = Buffer.alloc(9);
      long[0] = 0xfe;
      long.writeUInt32LE(n % 0x1_0000_0000, 1);
      long.writeUInt32LE(Math.floor(n / 0x1_0000_0000), 5);
      parts.push(long);
    }
    parts.push(value);
  }
  return Buffer.concat(parts);
}
