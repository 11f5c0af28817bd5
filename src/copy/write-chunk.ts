/**
 * Writes one chunk of production rows into the sandbox, inside the transaction the caller
 * opened: LOAD DATA LOCAL INFILE fed by a stream, or multi-row INSERTs sized in bytes. Both pull
 * rows from the production result as they go (bounded memory) and both check that the server
 * stored exactly the rows sent, without a warning: LOAD DATA LOCAL silently skips duplicates
 * and a non-strict sql_mode turns a bad value into a warning, and either would be a wrong copy.
 */
import { Readable } from 'node:stream';
import type { MaskRule } from '../config/types.js';
import { quoteIdent } from '../db/quote.js';
import type { SandboxSession } from '../db/session.js';
import { isPacketTooLarge } from '../db/sql-error.js';
import { ReplicoopError } from '../errors.js';
import type { ColumnPlan } from './column-plan.js';
import { maskValue } from './mask-value.js';
import { sqlLiteral } from './sql-literal.js';
import { TsvEncoder } from './tsv-encoder.js';

export type RawRow = readonly (Buffer | null)[];

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
  /** Raw bytes of the values read from production (before masking and encoding). */
  readonly bytes: number;
  readonly lastRow: RawRow | null;
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

/** The values written for one production row: masked where configured, key extras dropped. */
function writtenValues(writer: ChunkWriter, row: RawRow): (Buffer | null)[] {
  const written = writer.plan.written;
  const out = new Array<Buffer | null>(written.length);
  for (let i = 0; i < written.length; i++) {
    const planned = written[i]!;
    const value = row[i] ?? null;
    out[i] = planned.mask === null ? value : maskValue(planned.mask as MaskRule, value, planned.column, writer.maskSecret);
  }
  return out;
}

function rawBytes(row: RawRow, count: number): number {
  let bytes = 0;
  for (let i = 0; i < count; i++) bytes += row[i]?.length ?? 0;
  return bytes;
}

export async function loadChunk(writer: ChunkWriter, source: AsyncIterator<RawRow>): Promise<ChunkOutcome> {
  let rows = 0;
  let bytes = 0;
  let lastRow: RawRow | null = null;
  let exhausted = false;
  const width = writer.plan.written.length;
  const encoder = new TsvEncoder(writer.packetBytes);
  async function* pieces(): AsyncGenerator<Buffer> {
    while (rows < writer.maxRows && bytes < writer.maxBytes) {
      const next = await source.next();
      if (next.done) {
        exhausted = true;
        break;
      }
      const row = next.value;
      lastRow = row;
      rows++;
      bytes += rawBytes(row, width);
      encoder.writeRow(writtenValues(writer, row));
      if (encoder.ready) {
        writer.onSent(rows, bytes);
        yield* encoder.take();
      }
    }
    yield* encoder.take();
  }
  const result = await writer.sandbox.loadDataLocal(loadDataSql(writer.table, writer.plan, writer.mode), () =>
    Readable.from(pieces(), { objectMode: false }),
  );
  writer.onSent(rows, bytes);
  await checkStored(writer, rows, result);
  return { rows, bytes, lastRow, exhausted };
}

export async function insertChunk(writer: ChunkWriter, source: AsyncIterator<RawRow>): Promise<ChunkOutcome> {
  const plan = writer.plan;
  const width = plan.written.length;
  const head = `${writer.mode === 'replace' ? 'REPLACE' : 'INSERT'} INTO ${quoteIdent(writer.table)} (${plan.written.map((p) => quoteIdent(p.column.name)).join(', ')}) VALUES `;
  const headBytes = Buffer.byteLength(head);
  let rows = 0;
  let bytes = 0;
  let lastRow: RawRow | null = null;
  let exhausted = false;
  let tuples: string[] = [];
  let batchBytes = headBytes;

  const flush = async (): Promise<void> => {
    if (tuples.length === 0) return;
    const count = tuples.length;
    const sql = head + tuples.join(',');
    tuples = [];
    const size = batchBytes;
    batchBytes = headBytes;
    let result: { affectedRows: number; warningStatus: number };
    try {
      result = await writer.sandbox.execute(sql);
    } catch (error) {
      if (isPacketTooLarge(error)) throw new BatchTooLargeError(writer.table, count, size, error);
      throw error;
    }
    await checkStored(writer, count, result);
    writer.onSent(rows, bytes);
  };

  while (rows < writer.maxRows && bytes < writer.maxBytes) {
    const next = await source.next();
    if (next.done) {
      exhausted = true;
      break;
    }
    const row = next.value;
    const values = writtenValues(writer, row);
    let tuple = '(';
    let tupleBytes = 2;
    for (let i = 0; i < width; i++) {
      const literal = sqlLiteral(plan.written[i]!.kind, values[i]!);
      tuple += i === 0 ? literal.text : `,${literal.text}`;
      tupleBytes += literal.bytes + (i === 0 ? 0 : 1);
    }
    tuple += ')';
    if (tuples.length > 0 && (batchBytes + tupleBytes + 1 > writer.packetBytes || tuples.length >= writer.batchRows)) await flush();
    tuples.push(tuple);
    batchBytes += tupleBytes + (tuples.length > 1 ? 1 : 0);
    lastRow = row;
    rows++;
    bytes += rawBytes(row, width);
  }
  await flush();
  return { rows, bytes, lastRow, exhausted };
}

async function checkStored(writer: ChunkWriter, sent: number, result: { affectedRows: number; warningStatus: number }): Promise<void> {
  // REPLACE counts a replaced row twice (delete + insert).
  const stored = writer.mode === 'replace' ? result.affectedRows >= sent : result.affectedRows === sent;
  if (stored && result.warningStatus === 0) return;
  let warnings: string[] = [];
  if (result.warningStatus > 0) {
    const rows = await writer.sandbox.queryArrays('SHOW WARNINGS LIMIT 5', [], { raw: true });
    warnings = rows.map((r) => r.map((v) => (Buffer.isBuffer(v) ? v.toString('utf8') : String(v))).join(' '));
  }
  throw new ReplicoopError(
    'copy_rows_mismatch',
    `${writer.table}: sent ${sent} rows, the sandbox stored ${result.affectedRows}` + (warnings.length > 0 ? ` with warnings: ${warnings.join('; ')}` : ''),
    { details: { table: writer.table, sent, stored: result.affectedRows, warnings } },
  );
}
