/**
 * Copies one key range (segment) of a table on its own production snapshot and sandbox
 * connection: chunk after chunk, one sandbox transaction each, reporting the chunk's last key
 * only after its COMMIT returned. On a lost connection (either side) both connections are
 * dropped, which makes the server roll back the open chunk, and the range continues from its
 * last reported key on new connections, with backoff.
 *
 * A chunk can also be committed without its report arriving (killed between COMMIT and the
 * caller's write, or a COMMIT whose acknowledgement was lost). So every continuation first
 * removes whatever the sandbox holds past the reported key in this range; when a key column is
 * masked the sandbox keys cannot be compared with production's, and the first chunk is written
 * with REPLACE instead. Either way a resume repeats nothing and skips nothing.
 */
import type { ProductionSession, RetryPolicy, SandboxSession } from '../db/session.js';
import { quoteIdent } from '../db/quote.js';
import { isConnectionError } from '../db/sql-error.js';
import type { ColumnPlan } from './column-plan.js';
import type { CopyTask } from './copy-table.js';
import { allOf, firstKeyAbove, firstKeyAtMost, keyAfter, keyOrderBy, type SqlFragment } from './keyset-sql.js';
import type { Segment } from './resume-state.js';
import { BatchTooLargeError, insertChunk, loadChunk, type ChunkOutcome, type ChunkWriter, type RawRow } from './write-chunk.js';

/** What a segment needs from the table copy it belongs to. */
export interface SegmentRun {
  readonly task: CopyTask;
  readonly plan: ColumnPlan;
  readonly method: 'load-data' | 'insert';
  readonly chunkRows: number;
  /** Rows of the first chunk, from the table's average row size (later chunks adapt). */
  readonly firstChunkRows: number;
  /** Raw bytes after which a chunk is cut short, to bound memory and transaction size. */
  readonly chunkBytes: number;
  readonly packetBytes: number;
  readonly maskSecret: string | null;
  readonly uniqueChecksOff: boolean;
  readonly retry: RetryPolicy;
  readonly signal: AbortSignal;
  /** Opens and prepares a production session inside a fresh snapshot and a sandbox session. */
  open(uniqueChecksOff: boolean): Promise<SessionPair>;
  /** Drops a pair whose state is unknown (the server rolls back what was open). */
  discard(pair: SessionPair): void;
  close(pair: SessionPair): Promise<void>;
  /** Empties the sandbox table again (a one-pass table restarting). */
  empty(sandbox: SandboxSession): Promise<void>;
  /** A segment's committed position moved: report it (may throw: the caller's store failed). */
  committed(): void;
  /** Rows and bytes sent in the segment's open chunk, for progress. */
  sent(segment: Segment, rows: number, bytes: number): void;
  /** The error to end with once signal is aborted. */
  abortReason(): unknown;
}

export interface SessionPair {
  readonly production: ProductionSession;
  readonly sandbox: SandboxSession;
}

/** The original data_too_large_error strategy: halve the batch, never below 100 rows. */
export const MIN_BATCH_ROWS = 100;
const ROW_HIGH_WATER = 256;

export async function copySegment(run: SegmentRun, segment: Segment, resumed: boolean): Promise<void> {
  let pair: SessionPair | null = null;
  let failures = 0;
  let firstSnapshot = true;
  let needsRecovery = resumed && !segment.done;
  const progress: Progress = { chunkRows: run.firstChunkRows, batchRows: Number.POSITIVE_INFINITY, replaceNext: false, onCommit: () => (failures = 0) };
  try {
    while (!segment.done) {
      if (run.signal.aborted) throw run.abortReason();
      try {
        pair ??= await run.open(firstSnapshot && run.uniqueChecksOff);
        if (needsRecovery) {
          await recover(run, segment, pair.sandbox, progress);
          needsRecovery = false;
        }
        if (run.task.key === null) await copyOnePass(run, segment, pair, progress);
        else await copyKeyRange(run, segment, pair, progress);
      } catch (error) {
        run.sent(segment, 0, 0);
        if (pair) run.discard(pair);
        pair = null;
        firstSnapshot = false;
        needsRecovery = true;
        if (run.signal.aborted) throw run.abortReason();
        if (error instanceof BatchTooLargeError) {
          // The server usually closes the connection after this error, so the chunk restarts.
          if (error.batchRows <= MIN_BATCH_ROWS) throw error;
          progress.batchRows = Math.max(MIN_BATCH_ROWS, Math.floor(error.batchRows / 2));
          continue;
        }
        if (isConnectionError(error) && failures < run.retry.attempts) {
          failures++;
          const delayMs = run.retry.baseDelayMs * run.retry.factor ** (failures - 1);
          run.retry.onRetry?.({ attempt: failures, delayMs, error: error instanceof Error ? error.message : String(error) });
          await sleep(delayMs, run.signal);
          continue;
        }
        throw error;
      }
    }
    // Ends the read-only snapshot transaction.
    if (pair) await pair.production.commit();
  } finally {
    if (pair) await run.close(pair);
  }
}

interface Progress {
  chunkRows: number;
  batchRows: number;
  /** Write the next chunk with REPLACE (a masked key could not be cleaned up by range). */
  replaceNext: boolean;
  onCommit: () => void;
}

/** Removes what an unreported commit may have left in this range (see the file comment). */
async function recover(run: SegmentRun, segment: Segment, sandbox: SandboxSession, progress: Progress): Promise<void> {
  if (run.task.key === null) {
    await run.empty(sandbox);
    segment.rows = 0;
    segment.bytes = 0;
    return;
  }
  const maskedKey = run.task.key.some((name) => run.task.mask[name] !== undefined);
  if (maskedKey) {
    progress.replaceNext = true;
    return;
  }
  const range = rangeCondition(run, segment);
  await sandbox.execute(`DELETE FROM ${quoteIdent(run.task.table)}${range ? ` WHERE ${range.sql}` : ''}`, range?.params ?? []);
}

/** Rows of the segment not yet reported: after the last key (or the lower bound), up to the upper bound. */
function rangeCondition(run: SegmentRun, segment: Segment): SqlFragment | null {
  const keys = run.plan.keyColumns;
  const first = keys[0]!;
  return allOf([
    segment.last !== null ? keyAfter(keys, segment.last) : segment.lower !== null ? firstKeyAbove(first, segment.lower) : null,
    segment.upper !== null ? firstKeyAtMost(first, segment.upper) : null,
  ]);
}

async function copyKeyRange(run: SegmentRun, segment: Segment, pair: SessionPair, progress: Progress): Promise<void> {
  const { plan, task } = run;
  while (!segment.done) {
    if (run.signal.aborted) throw run.abortReason();
    const limit = progress.chunkRows;
    const condition = allOf([rangeCondition(run, segment), task.where === null ? null : { sql: task.where, params: [] }]);
    const sql =
      `SELECT ${plan.selectList} FROM ${quoteIdent(task.table)}${condition ? ` WHERE ${condition.sql}` : ''}` +
      ` ORDER BY ${keyOrderBy(plan.keyColumns)} LIMIT ${limit}`;
    const rows = pair.production.streamRows(sql, condition?.params ?? [], { raw: true, highWaterMark: ROW_HIGH_WATER });
    const source = rows[Symbol.asyncIterator]() as AsyncIterator<RawRow>;
    const outcome = await writeChunk(run, segment, pair.sandbox, source, limit, progress);
    // A chunk cut short (rows or bytes) leaves the rest of its result unread: drop it.
    if (!outcome.exhausted) await source.return?.();
    if (outcome.lastRow !== null) segment.last = plan.keyIndexes.map((i) => Buffer.from(outcome.lastRow![i]!));
    segment.rows += outcome.rows;
    segment.bytes += outcome.bytes;
    segment.done = outcome.exhausted;
    run.sent(segment, 0, 0);
    run.committed();
    progress.onCommit();
    progress.replaceNext = false;
    if (outcome.rows > 0) {
      const perRow = Math.max(1, outcome.bytes / outcome.rows);
      progress.chunkRows = Math.max(1, Math.min(run.chunkRows, Math.floor(run.chunkBytes / perRow)));
    }
  }
}

/** A table without a usable key: one streamed SELECT, committed every chunkRows rows. */
async function copyOnePass(run: SegmentRun, segment: Segment, pair: SessionPair, progress: Progress): Promise<void> {
  const { plan, task } = run;
  const sql = `SELECT ${plan.selectList} FROM ${quoteIdent(task.table)}${task.where === null ? '' : ` WHERE ${task.where}`}`;
  const rows = pair.production.streamRows(sql, [], { raw: true, highWaterMark: ROW_HIGH_WATER });
  const source = rows[Symbol.asyncIterator]() as AsyncIterator<RawRow>;
  while (!segment.done) {
    if (run.signal.aborted) throw run.abortReason();
    const outcome = await writeChunk(run, segment, pair.sandbox, source, run.chunkRows, progress);
    segment.rows += outcome.rows;
    segment.bytes += outcome.bytes;
    segment.done = outcome.exhausted;
    run.sent(segment, 0, 0);
    run.committed();
    progress.onCommit();
  }
}

/** One sandbox transaction: the chunk's rows, then COMMIT. */
async function writeChunk(run: SegmentRun, segment: Segment, sandbox: SandboxSession, source: AsyncIterator<RawRow>, maxRows: number, progress: Progress): Promise<ChunkOutcome> {
  const writer: ChunkWriter = {
    sandbox,
    table: run.task.table,
    plan: run.plan,
    maskSecret: run.maskSecret,
    mode: progress.replaceNext ? 'replace' : 'insert',
    packetBytes: run.packetBytes,
    batchRows: progress.batchRows,
    maxRows,
    maxBytes: run.chunkBytes,
    onSent: (rows, bytes) => run.sent(segment, rows, bytes),
  };
  await sandbox.execute('START TRANSACTION');
  const outcome = run.method === 'load-data' ? await loadChunk(writer, source) : await insertChunk(writer, source);
  await sandbox.execute('COMMIT');
  return outcome;
}

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(done, ms);
    function done(): void {
      clearTimeout(timer);
      signal.removeEventListener('abort', done);
      resolve();
    }
    signal.addEventListener('abort', done, { once: true });
  });
}
