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
import { quoteIdent } from '../sql/quote.js';
import { ReplicoopError } from '../errors.js';
import { isConnectionError } from '../db/sql-error.js';
import type { ColumnPlan } from './column-plan.js';
import type { CopyTask } from './copy-task.js';
import { allOf, keyAfter, keyOrderBy, type SqlFragment } from '../sql/key-sql.js';
import { rangeCondition as keyRangeCondition } from '../sql/key-range.js';
import type { Segment } from './resume-state.js';
import { unpackRow } from '../db/packed-rows.js';
import { KeysetRowSource, StreamRowSource, type RowSource, type SourceRow } from './row-reader.js';
import { BatchTooLargeError, insertChunk, loadChunk, type ChunkOutcome, type ChunkWriter } from './write-chunk.js';

/** What a segment needs from the table copy it belongs to. */
export interface SegmentRun {
  readonly task: CopyTask;
  readonly plan: ColumnPlan;
  readonly method: 'load-data' | 'insert';
  readonly chunkRows: number;
  /** Average row size from the table statistics (0 when unknown), for the first batch. */
  readonly estimatedRowBytes: number;
  /** Raw bytes after which a chunk is cut short, to bound memory and transaction size. */
  readonly chunkBytes: number;
  readonly packetBytes: number;
  /** Silence of a streamed result (one-pass tables) after which the reading connection is checked. */
  readonly stallProbeMs: number;
  readonly maskSecret: string | null;
  readonly uniqueChecksOff: boolean;
  readonly retry: RetryPolicy;
  readonly signal: AbortSignal;
  /** Opens and prepares a production session inside a fresh snapshot and a sandbox session. */
  open(uniqueChecksOff: boolean): Promise<SessionPair>;
  /** Whether production still runs the given connection (asked on a separate connection). */
  productionAlive(threadId: number): Promise<boolean>;
  /** Drops a pair whose state is unknown (the server rolls back what was open). */
  discard(pair: SessionPair): void;
  close(pair: SessionPair): Promise<void>;
  /** Empties the sandbox table again (a one-pass table restarting). */
  empty(sandbox: SandboxSession): Promise<void>;
  /** Right before a chunk's COMMIT: the caller may refuse it (throws; the open chunk is rolled back). */
  beforeCommit(): void;
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
/** Keyset batch bounds (see KeysetRowSource). */
const BATCH_VALUES = 20_000;
const BATCH_BYTES = 1024 * 1024;

/** pair: connections already prepared (and inside a snapshot) to start with, or null to open them. */
export async function copySegment(run: SegmentRun, segment: Segment, resumed: boolean, pair: SessionPair | null = null): Promise<void> {
  let failures = 0;
  let firstSnapshot = true;
  let needsRecovery = resumed && !segment.done;
  const state: WriterState = { batchRows: Number.POSITIVE_INFINITY, replaceNext: false, onCommit: () => (failures = 0) };
  let finished = false;
  try {
    while (!segment.done) {
      if (run.signal.aborted) throw run.abortReason();
      try {
        pair ??= await run.open(firstSnapshot && run.uniqueChecksOff);
        if (needsRecovery) {
          await recover(run, segment, pair.sandbox, state);
          needsRecovery = false;
        }
        if (run.task.key === null) await copyOnePass(run, segment, pair, state);
        else await copyKeyRange(run, segment, pair, state);
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
          state.batchRows = Math.max(MIN_BATCH_ROWS, Math.floor(error.batchRows / 2));
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
    finished = true;
  } finally {
    // Closed (and so reusable) only when the last statement on it finished.
    if (pair) {
      if (finished) await run.close(pair);
      else run.discard(pair);
    }
  }
}

interface WriterState {
  batchRows: number;
  /** Write the next chunk with REPLACE (a masked key could not be cleaned up by range). */
  replaceNext: boolean;
  onCommit: () => void;
}

/** Removes what an unreported commit may have left in this range (see the file comment). */
async function recover(run: SegmentRun, segment: Segment, sandbox: SandboxSession, state: WriterState): Promise<void> {
  if (run.task.key === null) {
    await run.empty(sandbox);
    segment.rows = 0;
    segment.bytes = 0;
    return;
  }
  if (hasMaskedKey(run.task)) {
    // REPLACE would also overwrite a kept row (maintain[].keep) whose masked key a production row
    // now has, where a keep collision must stop the copy. Such a table is copied as one segment
    // (copy-table.ts), so its copy starts again: the rows not kept are emptied, nothing is skipped.
    if (run.task.keep) {
      if (segment.range.lower !== null || segment.range.upper !== null)
        throw new ReplicoopError(
          'copy_resume_invalid',
          `cannot continue the copy of ${run.task.table} part by part: its key is masked and maintain[].keep keeps sandbox rows; run apply with --restart`,
        );
      await run.empty(sandbox);
      segment.last = null;
      segment.rows = 0;
      segment.bytes = 0;
      return;
    }
    state.replaceNext = true;
    return;
  }
  const range = allOf([
    rangeCondition(run, segment, segment.last),
    run.task.keep ? { sql: `(${run.task.keep}) IS NOT TRUE`, params: [] } : null,
  ]);
  await sandbox.execute(`DELETE FROM ${quoteIdent(run.task.table)}${range ? ` WHERE ${range.sql}` : ''}`, range?.params ?? []);
}

/** A key column is masked: the sandbox's keys cannot be compared with production's. */
export function hasMaskedKey(task: CopyTask): boolean {
  return task.key !== null && task.key.some((name) => task.mask[name] !== undefined);
}

/** Rows of the segment after `last` (or after its lower bound), up to its upper bound. */
function rangeCondition(run: SegmentRun, segment: Segment, last: readonly Buffer[] | null): SqlFragment | null {
  const keys = run.plan.keyColumns;
  const first = keys.slice(0, 1);
  // After the last committed row (full key) or after the segment's lower bound (first column).
  if (last === null) return keyRangeCondition(first, segment.range);
  return allOf([keyAfter(keys, last), keyRangeCondition(first, { lower: null, upper: segment.range.upper })]);
}

/** Chunks of a key range, read through a KeysetRowSource (see there for why not a stream). */
async function copyKeyRange(run: SegmentRun, segment: Segment, pair: SessionPair, state: WriterState): Promise<void> {
  const { plan, task } = run;
  const fetch = (after: readonly Buffer[] | null, limit: number): Promise<SourceRow[]> => {
    const condition = allOf([rangeCondition(run, segment, after), task.where === null ? null : { sql: task.where, params: [] }]);
    const sql =
      `SELECT ${plan.selectList} FROM ${quoteIdent(task.table)}${condition ? ` WHERE ${condition.sql}` : ''}` +
      ` ORDER BY ${keyOrderBy(plan.keyColumns)} LIMIT ${limit}`;
    return pair.production.queryPacked(sql, condition?.params ?? []);
  };
  // Copies: a key outlives the batch whose socket buffers its row is a view of.
  const keyOf = (row: SourceRow): Buffer[] => {
    const values = unpackRow(row);
    return plan.keyIndexes.map((i) => Buffer.from(values[i]!));
  };
  const batchLimit = (rows: readonly SourceRow[]): number => {
    const perRow = Math.max(1, rows.reduce((n, row) => n + row.length, 0) / rows.length);
    return batchRows(run, perRow);
  };
  const source = new KeysetRowSource(fetch, keyOf, batchLimit, segment.last, batchRows(run, run.estimatedRowBytes));
  while (!segment.done) {
    if (run.signal.aborted) throw run.abortReason();
    const outcome = await writeChunk(run, segment, pair.sandbox, source, { maxRows: run.chunkRows, maxBytes: run.chunkBytes }, state);
    if (outcome.lastRow !== null) segment.last = keyOf(outcome.lastRow);
    chunkCommitted(run, segment, outcome, state);
  }
}

/** A chunk's COMMIT returned: count it, report the segment's new position. */
function chunkCommitted(run: SegmentRun, segment: Segment, outcome: ChunkOutcome, state: WriterState): void {
  segment.rows += outcome.rows;
  segment.bytes += outcome.bytes;
  segment.done = outcome.exhausted;
  run.sent(segment, 0, 0);
  run.committed();
  state.onCommit();
  state.replaceNext = false;
}

/** Rows per keyset batch: about BATCH_BYTES of data and BATCH_VALUES values, at most chunkRows. */
function batchRows(run: SegmentRun, perRowBytes: number): number {
  const byValues = Math.floor(BATCH_VALUES / Math.max(1, run.plan.written.length));
  const byBytes = Math.floor(BATCH_BYTES / Math.max(1, perRowBytes));
  return Math.max(1, Math.min(run.chunkRows, byValues, byBytes));
}

/** A table without a usable key: one streamed SELECT, committed every chunkRows rows (or chunkBytes). */
async function copyOnePass(run: SegmentRun, segment: Segment, pair: SessionPair, state: WriterState): Promise<void> {
  const { plan, task } = run;
  const sql = `SELECT ${plan.selectList} FROM ${quoteIdent(task.table)}${task.where === null ? '' : ` WHERE ${task.where}`}`;
  const stream = pair.production.streamPacked(sql, [], { highWaterMark: ROW_HIGH_WATER });
  const source = new StreamRowSource(stream, run.stallProbeMs, () => run.productionAlive(pair.production.threadId));
  try {
    while (!segment.done) {
      if (run.signal.aborted) throw run.abortReason();
      const outcome = await writeChunk(run, segment, pair.sandbox, source, { maxRows: run.chunkRows, maxBytes: run.chunkBytes }, state);
      chunkCommitted(run, segment, outcome, state);
    }
  } finally {
    source.close();
  }
}

/** One sandbox transaction: the chunk's rows, then COMMIT. */
async function writeChunk(
  run: SegmentRun,
  segment: Segment,
  sandbox: SandboxSession,
  source: RowSource,
  limits: { readonly maxRows: number; readonly maxBytes: number },
  state: WriterState,
): Promise<ChunkOutcome> {
  const writer: ChunkWriter = {
    sandbox,
    table: run.task.table,
    plan: run.plan,
    maskSecret: run.maskSecret,
    mode: state.replaceNext ? 'replace' : 'insert',
    packetBytes: run.packetBytes,
    batchRows: state.batchRows,
    maxRows: limits.maxRows,
    maxBytes: limits.maxBytes,
    onSent: (rows, bytes) => run.sent(segment, rows, bytes),
  };
  await sandbox.execute('START TRANSACTION');
  const outcome = run.method === 'load-data' ? await loadChunk(writer, source) : await insertChunk(writer, source);
  // A throw leaves the transaction open: the caller drops the connection, the server rolls it back.
  run.beforeCommit();
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
