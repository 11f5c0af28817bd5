/**
 * Writes one chunk of production rows into the sandbox, inside the transaction the caller
 * opened: LOAD DATA LOCAL INFILE fed by a stream, or multi-row INSERTs sized in bytes. Both pull
 * rows from the production result as they go (bounded memory) and both check that the server
 * stored exactly the rows sent, without a warning: LOAD DATA LOCAL silently skips duplicates
 * and a non-strict sql_mode turns a bad value into a warning, and either would be a wrong copy.
 */
import { Readable } from 'node:stream';
import type { MaskRule } from '../config/types.js';
import { quoteIdent } from '../sql/quote.js';
import type { SandboxSession } from '../db/session.js';
import { isPacketTooLarge } from '../db/sql-error.js';
import { ReplicoopError } from '../errors.js';
import type { ColumnPlan } from './column-plan.js';
import { maskValue } from '../mask/mask-value.js';
import { InsertEncoder } from './insert-encoder.js';
import { unpackRow } from '../db/packed-rows.js';
import type { RawRow, RowSource, SourceRow } from './row-reader.js';
import { TsvEncoder } from './tsv-encoder.js';
import { WARN_DATA_TRUNCATED } from '../sql/errno.js';

export interface ChunkWriter {
  readonly sandbox: SandboxSession;
  readonly table: string;
  readonly plan: ColumnPlan;
  readonly maskSecret: string | null;
  /** 'replace' overwrites rows a lost acknowledgement may have left committed (masked keys). */
  readonly mode: 'insert' | 'replace';
  /** Largest statement (INSERT) or stream piece (LOAD DATA) in bytes, under max_allowed_packet. */
  readonly packetBytes: number;
  /** INSERT only: rows per statement, lowered after "packet too large". */
  readonly batchRows: number;
  /** Stop the chunk after this many rows or (raw) bytes, whichever comes first. */
  readonly maxRows: number;
  readonly maxBytes: number;
  /** Rows and raw bytes sent so far in this chunk (not yet committed). */
  readonly onSent: (rows: number, bytes: number) => void;
}

export interface ChunkOutcome {
  readonly rows: number;
  /** Bytes of the rows read from production, as sent (values and their length headers), before masking and encoding. */
  readonly bytes: number;
  readonly lastRow: SourceRow | null;
  /** The source had no more rows. */
  readonly exhausted: boolean;
}

/** A batch the server refused as larger than max_allowed_packet. */
export class BatchTooLargeError extends ReplicoopError {
  readonly batchRows: number;
  constructor(table: string, batchRows: number, bytes: number, cause: unknown) {
    super('copy_packet_too_large', `${table}: an INSERT of ${batchRows} rows (${bytes} bytes) exceeded the sandbox's max_allowed_packet`, {
      details: { table, batchRows, bytes },
      cause,
    });
    this.name = 'BatchTooLargeError';
    this.batchRows = batchRows;
  }
}

export function loadDataSql(table: string, plan: ColumnPlan, mode: 'insert' | 'replace'): string {
  const targets: string[] = [];
  const assignments: string[] = [];
  plan.written.forEach((p, i) => {
    const name = quoteIdent(p.column.name);
    if (p.kind === 'bit') {
      // LOAD DATA would store the digits as characters of a binary string; CAST makes a number.
      targets.push(`@v${i}`);
      assignments.push(`${name} = CAST(@v${i} AS UNSIGNED)`);
    } else if (p.kind === 'text') {
      targets.push(`@v${i}`);
      assignments.push(`${name} = CONVERT(@v${i} USING utf8mb4)`);
    } else {
      targets.push(name);
    }
  });
  return (
    `LOAD DATA LOCAL INFILE 'replicoop.tsv' ${mode === 'replace' ? 'REPLACE ' : ''}INTO TABLE ${quoteIdent(table)} CHARACTER SET binary ` +
    `FIELDS TERMINATED BY '\\t' ESCAPED BY '\\\\' LINES TERMINATED BY '\\n' (${targets.join(', ')})` +
    (assignments.length > 0 ? ` SET ${assignments.join(', ')}` : '')
  );
}

/**
 * The values written for one production row: masked where configured. Writers only look at its
 * first `width` values; key extras may follow them.
 */
function writtenValues(writer: ChunkWriter, packed: SourceRow): RawRow {
  const row = unpackRow(packed);
  if (writer.plan.maskedColumns.length === 0) return row;
  const written = writer.plan.written;
  const out = new Array<Buffer | null>(written.length);
  for (let i = 0; i < written.length; i++) {
    const planned = written[i]!;
    const value = row[i] ?? null;
    out[i] = planned.mask === null ? value : maskValue(planned.mask as MaskRule, value, planned.column, writer.maskSecret);
  }
  return out;
}

export async function loadChunk(writer: ChunkWriter, source: RowSource): Promise<ChunkOutcome> {
  let rows = 0;
  let bytes = 0;
  let lastRow: SourceRow | null = null;
  let exhausted = false;
  const width = writer.plan.written.length;
  const masked = writer.plan.maskedColumns.length > 0;
  const encoder = new TsvEncoder(
    writer.packetBytes,
    writer.plan.written.map((p) => p.plainText),
    writer.plan.written.map((p) => p.enumColumn),
  );
  async function* pieces(): AsyncGenerator<Buffer> {
    while (rows < writer.maxRows && bytes < writer.maxBytes) {
      // Everything already buffered is encoded without yielding to the event loop.
      let row = source.read();
      while (row !== null) {
        lastRow = row;
        rows++;
        bytes += row.length;
        if (masked) encoder.writeRow(writtenValues(writer, row), width);
        else encoder.writePacked(row, width);
        if (encoder.ready || rows >= writer.maxRows || bytes >= writer.maxBytes) break;
        row = source.read();
      }
      if (encoder.ready) {
        writer.onSent(rows, bytes);
        yield* encoder.take();
      }
      if (row === null) {
        if (source.ended) {
          exhausted = true;
          break;
        }
        await source.wait();
      }
    }
    yield* encoder.take();
  }
  const result = await writer.sandbox.loadDataLocal(loadDataSql(writer.table, writer.plan, writer.mode), () =>
    Readable.from(pieces(), { objectMode: false }),
  );
  writer.onSent(rows, bytes);
  await checkStored(writer, rows, result, encoder.emptyEnumValues);
  // A chunk that ended exactly on its limit may also have ended the source: no empty chunk next.
  return { rows, bytes, lastRow, exhausted: exhausted || source.ended };
}

export async function insertChunk(writer: ChunkWriter, source: RowSource): Promise<ChunkOutcome> {
  const plan = writer.plan;
  const width = plan.written.length;
  const kinds = plan.written.map((p) => p.kind);
  const enumIndexes = plan.written.flatMap((p, i) => (p.enumColumn ? [i] : []));
  const head = `${writer.mode === 'replace' ? 'REPLACE' : 'INSERT'} INTO ${quoteIdent(writer.table)} (${plan.written.map((p) => quoteIdent(p.column.name)).join(', ')}) VALUES `;
  const headBytes = Buffer.byteLength(head);
  const encoder = new InsertEncoder();
  let rows = 0;
  let bytes = 0;
  let lastRow: SourceRow | null = null;
  let exhausted = false;
  let batchRows = 0;

  // One statement executes while the next is encoded: the server's parsing and Node's encoding overlap.
  let executing: Promise<void> | null = null;
  let batchEnumEmpty = 0;
  const send = async (sql: string, count: number, size: number, sentRows: number, sentBytes: number, enumEmpty: number): Promise<void> => {
    let result: { affectedRows: number; warningStatus: number };
    try {
      result = await writer.sandbox.execute(sql);
    } catch (error) {
      if (isPacketTooLarge(error)) throw new BatchTooLargeError(writer.table, count, size, error);
      throw error;
    }
    await checkStored(writer, count, result, enumEmpty);
    writer.onSent(sentRows, sentBytes);
  };
  const flush = async (): Promise<void> => {
    if (executing !== null) await executing;
    executing = null;
    if (batchRows === 0) return;
    const count = batchRows;
    const size = headBytes + encoder.length;
    const statement = send(head + encoder.take(), count, size, rows, bytes, batchEnumEmpty);
    batchRows = 0;
    batchEnumEmpty = 0;
    // Awaited by the next flush; a failure meanwhile must not count as unhandled.
    statement.catch(() => undefined);
    executing = statement;
  };

  while (rows < writer.maxRows && bytes < writer.maxBytes) {
    let row = source.read();
    while (row === null && !source.ended) {
      await source.wait();
      row = source.read();
    }
    if (row === null) {
      exhausted = true;
      break;
    }
    const values = writtenValues(writer, row);
    const before = encoder.length;
    encoder.writeTuple(kinds, values, width);
    if (batchRows > 0 && (headBytes + encoder.length > writer.packetBytes || batchRows >= writer.batchRows)) {
      // The tuple does not fit: send the batch without it, then start the next with it.
      encoder.truncate(before);
      await flush();
      encoder.writeTuple(kinds, values, width);
    }
    batchRows++;
    for (const i of enumIndexes) if (values[i]?.length === 0) batchEnumEmpty++;
    lastRow = row;
    rows++;
    bytes += row.length;
  }
  await flush();
  if (executing !== null) await executing;
  return { rows, bytes, lastRow, exhausted: exhausted || source.ended };
}

/**
 * expectedWarnings: empty strings written to ENUM columns. Each is production's index-0 "invalid
 * value", which the sandbox stores as the same index 0 while warning 1265; any other warning
 * means a value did not arrive intact.
 */
async function checkStored(
  writer: ChunkWriter,
  sent: number,
  result: { affectedRows: number; warningStatus: number },
  expectedWarnings: number,
): Promise<void> {
  // REPLACE counts a replaced row twice (delete + insert).
  const stored = writer.mode === 'replace' ? result.affectedRows >= sent : result.affectedRows === sent;
  if (stored && result.warningStatus <= expectedWarnings) {
    if (result.warningStatus === 0) return;
    const rows = await writer.sandbox.queryArrays('SHOW WARNINGS LIMIT 5', [], { raw: true });
    if (rows.every((r) => Number(String(r[1])) === WARN_DATA_TRUNCATED)) return;
  }
  let warnings: string[] = [];
  if (result.warningStatus > 0) {
    const rows = await writer.sandbox.queryArrays('SHOW WARNINGS LIMIT 5', [], { raw: true });
    warnings = rows.map((r) => r.map((v) => (Buffer.isBuffer(v) ? v.toString('utf8') : String(v))).join(' '));
  }
  throw new ReplicoopError(
    'copy_rows_mismatch',
    `${writer.table}: sent ${sent} rows, the sandbox stored ${result.affectedRows}` +
      (warnings.length > 0 ? ` with warnings: ${warnings.join('; ')}` : ''),
    { details: { table: writer.table, sent, stored: result.affectedRows, warnings } },
  );
}
