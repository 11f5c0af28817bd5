/**
 * The data-copy engine for `maintain` tables: production rows -> sandbox, exact to the byte,
 * resumable, optionally masked.
 *
 * How a table is copied
 * - At the start of the data step (no resume state) the sandbox table is emptied with TRUNCATE,
 *   or with batched DELETEs when TRUNCATE is refused (referenced by a foreign key on a server
 *   that refuses even with foreign_key_checks=0, no DROP privilege, or a system-versioned table);
 *   the result says which.
 *   A resume does not empty it, except for a table without a key, which is copied again.
 * - Rows are read with keyset queries over the chunk key (primary key, else the first unique
 *   key of NOT NULL columns; composite keys included): `WHERE <after last key> ORDER BY key
 *   LIMIT n`, never OFFSET, in small batches, the next one requested while the current one is
 *   written. Every chunkRows rows (or CHUNK_BYTES) make one sandbox transaction; its last key is
 *   passed to onCommit after the COMMIT returned, so the caller's stored position never runs
 *   ahead of the sandbox (copy-segment.ts covers the opposite case, a commit whose report was
 *   lost). A table without such a key is read by one streamed SELECT and, when interrupted,
 *   emptied and copied again.
 * - Writes use LOAD DATA LOCAL INFILE fed by a stream, or multi-row INSERTs sized in bytes under
 *   the sandbox's max_allowed_packet (halving on "packet too large", never below 100 rows).
 *   'auto' takes LOAD DATA when the sandbox allows it: 1.9-2.4x faster than the INSERT writer in
 *   three runs of bench/bench-copy.ts (1,000,000 rows: 3.4 s against 6.5 s in one), because the
 *   server reads a flat byte stream instead of parsing SQL.
 * - Values travel as the raw bytes of the text protocol (character_set_results=binary on
 *   production; LOAD DATA ... CHARACTER SET binary or binary literals on the sandbox, which is
 *   what SET NAMES binary would do without changing how the driver encodes statement text),
 *   except where the text form is not exact or not loadable: FLOAT is read widened to DOUBLE
 *   (its text keeps 6 digits), BIT as its number. Generated columns are left to the sandbox;
 *   invisible columns are copied (every column is named; SELECT * would skip them).
 *
 * What is consistent with what (production is read in START TRANSACTION WITH CONSISTENT
 * SNAPSHOT, READ ONLY)
 * - concurrency 1: the table is read from one snapshot, so the sandbox receives the table as it
 *   was at one instant. Only an interruption changes that: after a resume or a reconnect the
 *   rest of the key range is read from a new snapshot, so rows before the resume point are as of
 *   the first snapshot and rows after it as of the second (a row whose key changed in between
 *   can appear under both keys or under neither).
 * - concurrency N: the key range is cut into N parts, each with its own connections and its own
 *   snapshot, opened one after the other within milliseconds. Each part is consistent in itself;
 *   writes committed between the snapshot starts may be visible in some parts and not in others.
 *   No single shared snapshot exists across connections on MariaDB without FLUSH TABLES WITH
 *   READ LOCK, which would block production writes and needs the RELOAD privilege.
 * - Across tables: tables are copied by the caller on separate connections, each with its own
 *   snapshot, so there is no cross-table consistency while production is being written (a child
 *   row may reference a parent that was inserted after the parent table was read). For a subset
 *   (plan/subset.ts) this means the foreign-key closure is exact only for a production that is
 *   not written during the copy; rows written mid-copy may be orphaned in the sandbox until the
 *   next refresh, and validate reports them (README, "Subsets").
 * - `where` filters production rows; it is evaluated in the reading range's snapshot.
 * - Splitting one table lets the sandbox write on several threads, which is where the time goes
 *   once Node reads packed rows (db/packed-rows.ts): on the 2-CPU benchmark machine, which also
 *   runs both servers, 1,000,000 rows took 4.0-4.3 s as two ranges and 5.5-6.2 s as one; three
 *   or four ranges were slower again (4.7-5.8 s).
 */
import type { ProductionSession, RetryPolicy, SandboxSession } from '../db/session.js';
import { DEFAULT_RETRY } from '../db/session.js';
import { ReplicoopError, isCopyEngineError, isReplicoopError } from '../errors.js';
import { planColumns, type ColumnPlan } from './column-plan.js';
import { emptyTable, prepareProduction, prepareSandbox, resolveMethod } from './copy-sessions.js';
import { copySegment, hasMaskedKey, type SegmentRun, type SessionPair } from './copy-segment.js';
import { isKeyedRule, maskProblem } from '../mask/mask-value.js';
import { resumeState, Segment, segmentsFromResume } from './resume-state.js';
import type { CopyColumn, CopyOptions, CopyResult, CopyTask, ResumeState } from './copy-task.js';
import { splitKeyRange } from './split-key-range.js';
import { checkKeptRows, keepCollisionError } from './keep-collision.js';
import { estimateTable } from '../db/key-boundaries.js';
import { splitRange, WHOLE_RANGE } from '../sql/key-range.js';

/**
 * Raw bytes after which a chunk is committed early, whatever chunkRows says: bounds the
 * transaction size and, for LOAD DATA, what the driver may buffer (it does not apply
 * backpressure to the file stream).
 */
export const CHUNK_BYTES = 16 * 1024 * 1024;
/** Silence of a streamed result (one-pass tables) after which its connection is checked. */
const STALL_PROBE_MS = 20_000;
const MAX_STATEMENT_BYTES = 1024 * 1024;
/** LOAD DATA stream pieces: each is one protocol packet. */
const MAX_PIECE_BYTES = 64 * 1024;

export async function copyTable(task: CopyTask, resume: ResumeState | null, options: CopyOptions): Promise<CopyResult> {
  checkTask(task, options);
  const started = performance.now();
  const run = new TableCopy(task, options);
  try {
    const setup = await run.open(false);
    let handover: SessionPair | null = null;
    let emptiedWith: CopyResult['emptiedWith'];
    let segments: Segment[];
    let resumed: boolean;
    let settled = false;
    try {
      run.plan = planColumns(task, setup.sandbox.server.flavor);
      run.method = options.resolvedMethod ?? (await resolveMethod(setup.sandbox, task.table, run.plan, options.method));
      const estimate = await estimateTable(setup.production, task.table);
      run.estimatedRowBytes = estimate.avgRowBytes;
      const packet = setup.sandbox.server.maxAllowedPacket;
      run.packetBytes = options.maxStatementBytes ?? Math.min(MAX_STATEMENT_BYTES, Math.floor(packet * 0.9));
      if (run.method === 'load-data') run.packetBytes = Math.min(MAX_PIECE_BYTES, Math.floor(packet * 0.9));
      // Before a row is deleted, in the snapshot the (first) range copies from: a production row
      // written since the plan could collide with a kept one.
      await checkKeptRows(task, setup.sandbox, setup.production);
      // A table without a key cannot continue where it stopped: it starts over.
      if (resume !== null && task.key !== null) {
        segments = segmentsFromResume(resume, task);
        emptiedWith = 'none (resumed)';
        resumed = true;
      } else {
        emptiedWith = await emptyTable(setup.sandbox, task.table, task.keep ?? null);
        segments = await planSegments(setup.production, task, run.plan.keyColumns, options, estimate);
        resumed = false;
      }
      run.segments = segments;
      // Never on MariaDB: there unique_checks=0 with foreign_key_checks=0 turns an insert into an
      // empty table into a bulk insert that locks the table, and its parent's and children's
      // concurrent copies then fail at once with "Lock wait timeout exceeded" (myloader stopped
      // setting it on MariaDB for the same reason, mydumper#988).
      run.uniqueChecksOff =
        !resumed && segments.length === 1 && run.plan.maskedColumns.length === 0 && setup.sandbox.server.flavor === 'mysql';
      // One range left (every small table): it continues on these connections and in this
      // snapshot, instead of two new connections; with many small tables that halves the cost.
      if (segments.filter((s) => !s.done).length === 1) {
        if (run.uniqueChecksOff) await setup.sandbox.execute('SET SESSION unique_checks = 0');
        handover = setup;
      } else {
        await setup.production.commit();
      }
      settled = true;
    } finally {
      // After an error the connections' state is unknown: dropped, never reused.
      if (!settled) run.discard(setup);
      else if (handover === null) await run.close(setup);
    }
    const pending = segments.filter((s) => !s.done);
    const workers = Array.from({ length: Math.min(options.concurrency, pending.length) }, async () => {
      for (let segment = pending.shift(); segment !== undefined; segment = pending.shift()) {
        const pair = handover;
        handover = null;
        await copySegment(run, segment, resumed, pair);
      }
    });
    await Promise.all(workers.map((worker) => worker.catch((error: unknown) => run.fail(error))));
    if (run.failure !== null) throw run.failure;
    return {
      rows: segments.reduce((n, s) => n + s.rows, 0),
      bytes: segments.reduce((n, s) => n + s.bytes, 0),
      seconds: (performance.now() - started) / 1000,
      method: run.method,
      emptiedWith,
      maskedColumns: [...run.plan.maskedColumns],
    };
  } catch (error) {
    throw run.finalError(error);
  } finally {
    run.dispose();
  }
}

function checkTask(task: CopyTask, options: CopyOptions): void {
  const problems: string[] = [];
  if (!Number.isSafeInteger(options.chunkRows) || options.chunkRows < 1)
    problems.push(`chunkRows must be a positive integer, got ${options.chunkRows}`);
  if (!Number.isSafeInteger(options.concurrency) || options.concurrency < 1)
    problems.push(`concurrency must be a positive integer, got ${options.concurrency}`);
  const byName = new Map(task.columns.map((c) => [c.name, c]));
  if (!task.columns.some((c) => !c.generated)) problems.push('the table has no column to copy');
  for (const name of task.key ?? []) {
    const column = byName.get(name);
    if (!column) problems.push(`chunk key column ${name} does not exist`);
    else if (column.nullable) problems.push(`chunk key column ${name} must be NOT NULL`);
  }
  if (task.key !== null && task.key.length === 0) problems.push('an empty chunk key (use null for a table without a key)');
  for (const [name, rule] of Object.entries(task.mask)) {
    const column = byName.get(name);
    const problem = column ? maskProblem(rule, column) : `mask on column ${name}, which the table does not have`;
    if (problem) problems.push(problem);
    else if (isKeyedRule(rule) && !options.maskSecret) problems.push(`the ${rule.kind} mask on ${name} needs masking.secret`);
  }
  if (problems.length > 0) {
    throw new ReplicoopError('copy_invalid_task', `cannot copy ${task.table}: ${problems.join('; ')}`, {
      details: { table: task.table, problems },
    });
  }
}

async function planSegments(
  production: ProductionSession,
  task: CopyTask,
  keyColumns: readonly CopyColumn[],
  options: CopyOptions,
  estimate: { rows: number; avgRowBytes: number },
): Promise<Segment[]> {
  // Kept rows next to a masked key: one segment, so that a continuation can start it again (copy-segment.ts).
  if (task.key === null || options.concurrency < 2 || (task.keep && hasMaskedKey(task))) return [new Segment(0, WHOLE_RANGE)];
  const boundaries = await splitKeyRange(production, task.table, keyColumns[0]!, options.concurrency, estimate);
  return splitRange(WHOLE_RANGE, boundaries).map((range, i) => new Segment(i, range));
}

/** The shared state of one copyTable call, as its segments see it. */
class TableCopy implements SegmentRun {
  readonly task: CopyTask;
  /** Set once the sandbox's flavor is known. */
  plan: ColumnPlan = { written: [], selectList: '', keyColumns: [], keyIndexes: [], maskedColumns: [] };
  readonly chunkRows: number;
  readonly chunkBytes = CHUNK_BYTES;
  readonly stallProbeMs: number;
  readonly maskSecret: string | null;
  readonly retry: RetryPolicy;
  readonly signal: AbortSignal;
  method: 'load-data' | 'insert' = 'insert';
  estimatedRowBytes = 0;
  packetBytes = MAX_STATEMENT_BYTES;
  uniqueChecksOff = false;
  segments: Segment[] = [];
  failure: unknown = null;
  readonly #options: CopyOptions;
  readonly #controller = new AbortController();
  readonly #live = new Set<ProductionSession | SandboxSession>();
  readonly #sent = new Map<Segment, { rows: number; bytes: number }>();
  readonly #callerErrors = new WeakSet<object>();
  readonly #onAbort: () => void;

  constructor(task: CopyTask, options: CopyOptions) {
    this.task = task;
    this.chunkRows = options.chunkRows;
    this.maskSecret = options.maskSecret;
    this.retry = options.retry ?? DEFAULT_RETRY;
    this.stallProbeMs = options.stallProbeMs ?? STALL_PROBE_MS;
    this.signal = this.#controller.signal;
    this.#options = options;
    this.#onAbort = () =>
      this.fail(new ReplicoopError('copy_aborted', `copy of ${task.table} aborted`, { details: { table: task.table } }));
    if (options.signal?.aborted) this.#onAbort();
    else options.signal?.addEventListener('abort', this.#onAbort, { once: true });
  }

  async open(uniqueChecksOff: boolean): Promise<SessionPair> {
    if (this.signal.aborted) throw this.abortReason();
    const opened: (ProductionSession | SandboxSession)[] = [];
    const track = <T extends ProductionSession | SandboxSession>(session: T): T => {
      opened.push(session);
      this.#live.add(session);
      return session;
    };
    try {
      const production = track(await this.#options.openProduction());
      const sandbox = track(await this.#options.openSandbox());
      if (this.signal.aborted) throw this.abortReason();
      await prepareProduction(production);
      await production.startSnapshot();
      await prepareSandbox(sandbox, { uniqueChecks: !uniqueChecksOff });
      return { production, sandbox };
    } catch (error) {
      for (const session of opened) {
        this.#live.delete(session);
        session.destroy();
      }
      throw error;
    }
  }

  async productionAlive(threadId: number): Promise<boolean> {
    const probe = await this.#options.openProduction();
    try {
      const rows = await probe.queryArrays('SELECT COMMAND FROM information_schema.PROCESSLIST WHERE ID = ?', [threadId], { raw: true });
      const command = (rows[0]?.[0] as Buffer | null | undefined)?.toString('latin1');
      return command !== undefined && command !== 'Killed';
    } finally {
      await probe.close();
    }
  }

  discard(pair: SessionPair): void {
    for (const session of [pair.production, pair.sandbox]) {
      if (!session) continue;
      this.#live.delete(session);
      session.destroy();
    }
  }

  async close(pair: SessionPair): Promise<void> {
    for (const session of [pair.production, pair.sandbox]) {
      this.#live.delete(session);
      await session.close();
    }
  }

  async empty(sandbox: SandboxSession): Promise<void> {
    await emptyTable(sandbox, this.task.table, this.task.keep ?? null);
  }

  beforeCommit(): void {
    try {
      this.#options.beforeCommit?.();
    } catch (error) {
      // The caller's refusal: stop everything and hand its error back as is (see committed()).
      if (typeof error === 'object' && error !== null) this.#callerErrors.add(error);
      this.fail(error);
      throw error;
    }
  }

  committed(): void {
    const rowsDone = this.segments.reduce((n, s) => n + s.rows, 0);
    try {
      this.#options.onCommit({ rowsDone, resume: resumeState(this.task, this.segments) });
    } catch (error) {
      // The caller could not store the position: stop everything and hand its error back as is.
      if (typeof error === 'object' && error !== null) this.#callerErrors.add(error);
      this.fail(error);
      throw error;
    }
    this.#progress();
  }

  sent(segment: Segment, rows: number, bytes: number): void {
    if (rows === 0 && bytes === 0) this.#sent.delete(segment);
    else this.#sent.set(segment, { rows, bytes });
    if (rows > 0) this.#progress();
  }

  #progress(): void {
    const onProgress = this.#options.onProgress;
    if (!onProgress) return;
    let rowsDone = 0;
    let bytes = 0;
    for (const s of this.segments) {
      rowsDone += s.rows;
      bytes += s.bytes;
    }
    for (const open of this.#sent.values()) {
      rowsDone += open.rows;
      bytes += open.bytes;
    }
    onProgress({ rowsDone, bytes });
  }

  /** The first failure stops every range: their connections are dropped so nothing waits. */
  fail(error: unknown): void {
    if (this.failure === null) this.failure = error;
    if (!this.#controller.signal.aborted) this.#controller.abort();
    for (const session of this.#live) session.destroy();
    this.#live.clear();
  }

  abortReason(): unknown {
    return this.failure ?? new ReplicoopError('copy_aborted', `copy of ${this.task.table} aborted`);
  }

  /**
   * The caller's own error (thrown by onCommit) and the engine's copy_* and mask_* errors pass
   * through, a duplicate key next to kept rows becomes keep_collision; anything else (SQL,
   * connection) is wrapped so the message names the table.
   */
  finalError(error: unknown): unknown {
    const first = this.failure ?? error;
    if (typeof first === 'object' && first !== null && this.#callerErrors.has(first)) return first;
    const collision = keepCollisionError(this.task, first);
    if (collision !== null) return collision;
    if (isCopyEngineError(first)) return first;
    const inner = isReplicoopError(first) ? first : null;
    return new ReplicoopError('copy_failed', `copying ${this.task.table}: ${first instanceof Error ? first.message : String(first)}`, {
      details: { ...(inner?.details ?? {}), table: this.task.table, code: inner?.code ?? null },
      cause: first,
    });
  }

  dispose(): void {
    this.#options.signal?.removeEventListener('abort', this.#onAbort);
    for (const session of this.#live) session.destroy();
    this.#live.clear();
  }
}
