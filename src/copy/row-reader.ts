/**
 * Where a chunk's rows come from: keyset batches fetched ahead, or a live result stream. Rows
 * are pulled synchronously while they are buffered and waited for only when none is: an async
 * iterator costs a promise per row, a tenth of the copy's CPU at a million rows.
 */
import type { Readable } from 'node:stream';
import type { PackedRow } from '../db/packed-rows.js';
import { ReplicoopError } from '../errors.js';

/** A row's values, one Buffer (raw bytes) or null each: what masks and the INSERT writer read. */
export type RawRow = readonly (Buffer | null)[];
/** A row as production sent it (see db/packed-rows.ts): what sources hand out. */
export type SourceRow = PackedRow;

export interface RowSource {
  /** The next buffered row, or null when none is buffered now (then see `ended` and `wait`). */
  read(): SourceRow | null;
  readonly ended: boolean;
  /** Resolves when rows arrive or end; rejects when the source fails. */
  wait(): Promise<void>;
}

/**
 * A key range read as a sequence of small keyset queries, the next one sent as soon as the
 * previous one's rows arrived, so production reads ahead while the sandbox writes. Batches are
 * small on purpose: holding tens of thousands of rows at once pushes them out of V8's young
 * generation (measured with a Buffer per value: 5,000 rows of 7 columns cost 0.9 s of CPU per
 * million rows, 10,000 cost 5.4 s; with packed rows, 20,000 rows per batch gained nothing and
 * took 50 MB more). Unlike a streamed result, a failed query always reports its error.
 */
export class KeysetRowSource implements RowSource {
  readonly #fetch: (after: readonly Buffer[] | null, limit: number) => Promise<SourceRow[]>;
  readonly #keyOf: (row: SourceRow) => Buffer[];
  readonly #limitFor: (rows: readonly SourceRow[]) => number;
  #rows: readonly SourceRow[] = [];
  #next = 0;
  #pending: Promise<SourceRow[]> | null;
  #limit: number;

  /**
   * fetch: rows after a key (null: from the start of the range), at most `limit`, in key order.
   * limitFor: the next batch size, from the batch just received.
   */
  constructor(
    fetch: (after: readonly Buffer[] | null, limit: number) => Promise<SourceRow[]>,
    keyOf: (row: SourceRow) => Buffer[],
    limitFor: (rows: readonly SourceRow[]) => number,
    after: readonly Buffer[] | null,
    limit: number,
  ) {
    this.#fetch = fetch;
    this.#keyOf = keyOf;
    this.#limitFor = limitFor;
    this.#limit = limit;
    this.#pending = this.#request(after);
  }

  read(): SourceRow | null {
    return this.#next < this.#rows.length ? this.#rows[this.#next++]! : null;
  }

  get ended(): boolean {
    return this.#next >= this.#rows.length && this.#pending === null;
  }

  async wait(): Promise<void> {
    if (this.#next < this.#rows.length || this.#pending === null) return;
    const rows = await this.#pending;
    const full = rows.length === this.#limit;
    if (rows.length > 0) this.#limit = this.#limitFor(rows);
    this.#pending = full ? this.#request(this.#keyOf(rows[rows.length - 1]!)) : null;
    this.#rows = rows;
    this.#next = 0;
  }

  #request(after: readonly Buffer[] | null): Promise<SourceRow[]> {
    const rows = this.#fetch(after, this.#limit);
    // Awaited by wait(); a failure before that must not count as unhandled.
    rows.catch(() => undefined);
    return rows;
  }
}

/**
 * A result stream (backpressure is mysql2's: it pauses the socket while the stream's buffer is
 * full). mysql2 does not fail a streaming query whose connection drops (the error goes to the
 * connection, not to the query), so after probeMs of silence `alive` is asked, on another
 * connection, whether the server still has the reading thread; if not, the stream has failed.
 */
export class StreamRowSource implements RowSource {
  readonly #stream: Readable;
  readonly #probeMs: number;
  readonly #alive: () => Promise<boolean>;
  #ended = false;
  #error: unknown = null;

  constructor(stream: Readable, probeMs: number, alive: () => Promise<boolean>) {
    this.#stream = stream;
    this.#probeMs = probeMs;
    this.#alive = alive;
    stream.on('end', () => (this.#ended = true));
    stream.on('error', (error) => (this.#error ??= error));
  }

  read(): SourceRow | null {
    if (this.#error !== null) throw this.#error;
    return this.#stream.read() as SourceRow | null;
  }

  get ended(): boolean {
    return this.#ended;
  }

  async wait(): Promise<void> {
    while (!this.#ended && this.#error === null) {
      if (await this.#event()) break;
      let alive: boolean;
      try {
        alive = await this.#alive();
      } catch {
        alive = false;
      }
      if (!alive && !this.#ended && this.#error === null) {
        this.#error = new ReplicoopError('connection_lost', 'production: the connection reading the table is gone');
        this.#stream.destroy();
      }
    }
    if (this.#error !== null) throw this.#error;
  }

  /** True when the stream moved (rows, end or error), false after probeMs of silence. */
  #event(): Promise<boolean> {
    return new Promise((resolve) => {
      const timer = setTimeout(() => finish(false), this.#probeMs);
      const moved = (): void => finish(true);
      const finish = (value: boolean): void => {
        clearTimeout(timer);
        this.#stream.off('readable', moved);
        this.#stream.off('end', moved);
        this.#stream.off('error', moved);
        resolve(value);
      };
      this.#stream.on('readable', moved);
      this.#stream.on('end', moved);
      this.#stream.on('error', moved);
    });
  }

  /** Stops reading: the driver discards the rest of the result. */
  close(): void {
    if (!this.#ended) this.#stream.destroy();
  }
}
