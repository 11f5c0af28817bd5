/**
 * The delta copy of a maintain table whose sandbox definition equals production's: compare both
 * sides by key-range checksums, drill into the ranges that differ down to rows, and write only
 * the difference (delete rows that are gone, replace rows that differ, insert new ones). Rows
 * that are equal are not touched.
 *
 * - Production is read inside one START TRANSACTION WITH CONSISTENT SNAPSHOT (a resume reads the
 *   rest from a new one, as the full copy does), filtered by the task's `where`; the sandbox side
 *   leaves out the rows maintain[].keep keeps. Ranges are (lower, upper] over the full key; each
 *   upper bound is the key of the size-th production row after the previous one (nibbled from the
 *   index inside the snapshot), the last range is open-ended, so sandbox rows past production's
 *   last key are inside it.
 * - Adaptive sizes: a range found equal makes the next one 4x larger (up to MAX_RANGE_ROWS), a
 *   differing one 4x smaller (down to LEAF_ROWS). While ranges of LEAF_ROWS keep differing
 *   (changes scattered everywhere), the checksum step is skipped: the next LEAF_ROWS production
 *   rows are read with their digests and compared row by row at once, until a leaf is equal. A differing range larger than LEAF_ROWS is cut
 *   into SPLIT_PARTS parts (nibbled on the side holding more rows) whose checksums are compared
 *   again; parts of at most LEAF_ROWS rows are compared row by row (key, SHA1 of the row). So
 *   appended and recently updated rows (clustered at the end of the key) cost a few small ranges,
 *   and 1% of rows changed at random costs a row-by-row pass over digests, not a rewrite.
 * - The checksum is validate's (sql/row-hash.ts): COUNT(*) and BIT_XOR(CRC32(SHA1(row))) over
 *   every stored column. Masks: a constant rule (null, fixed) is compared as "the sandbox holds
 *   the constant" (production's side is the constant by construction); a rule computed by
 *   replicoop (email, name, phone, hash, redact) cannot be compared by the server, so such a
 *   table is copied in full (the plan says why; see deltaRefusal).
 * - A leaf is compared on keys and digests from both sides; only the production rows that differ
 *   or are new are then read whole (by key, in the same snapshot), so a scattered 1% change
 *   moves 1% of the table's bytes, not all of them.
 * - Each differing leaf is one sandbox transaction: DELETE (by key) of the sandbox rows that
 *   production no longer has or holds differently, then INSERT of production's rows that differ
 *   or are new; when a unique value moved here from a later row the sandbox still holds, the
 *   leaf is rolled back and written again with REPLACE. After COMMIT the position moves to
 *   the leaf's upper bound and is reported. A kill at any moment leaves the sandbox with every
 *   range up to the stored position equal to production and the rest either old or already
 *   equal; comparing again finds what is left. Triggers are lifted by the plan as for a full copy.
 * - Before anything is written, a probe compares a few small ranges row by row (the start of the
 *   key, and spread over it for an integer key); when more than `fullThreshold` of their rows
 *   differ, the table is handed back to the full copy (TRUNCATE and LOAD DATA beat per-key
 *   writes when most rows change).
 */
import { DEFAULT_DELTA_THRESHOLD } from '../config/types.js';
import { deltaRefusal } from '../mask/mask-compare.js';
import type { ProductionSession, SandboxSession } from '../db/session.js';
import { ReplicoopError, isReplicoopError } from '../errors.js';
import { errnoOf } from '../db/sql-error.js';
import { ER_DUP_ENTRY } from '../sql/errno.js';
import { quoteIdent } from '../sql/quote.js';
import { allOf, isIntegerKey, keyEquals, keyOrderBy, keySelectList, whereClause, type SqlFragment } from '../sql/key-sql.js';
import { rangeCondition, splitRange, type KeyRange } from '../sql/key-range.js';
import { estimateTable, nibbleBoundaries, type CutTarget } from '../db/key-boundaries.js';
import { PackedReader, unpackRow, type PackedRow } from '../db/packed-rows.js';
import { planColumns, type ColumnPlan } from './column-plan.js';
import { isSystemVersioned, prepareProduction, prepareSandbox, removeHistory, resolveMethod } from './copy-sessions.js';
import { maskFingerprint } from './resume-state.js';
import type { SourceRow } from './row-reader.js';
import { insertChunk, loadChunk, type ChunkWriter } from './write-chunk.js';
import type { CopyTask, DeltaCounts, DeltaOptions, DeltaResult, DeltaResumeState } from './copy-task.js';
import {
  ArrayRowSource,
  checkResume,
  comparison,
  NO_COUNTS,
  sameSums,
  Tally,
  type Comparison,
  type LeafDiff,
  type Sums,
} from './delta-parts.js';

/** Parts of at most this many rows (on the larger side) are compared row by row. */
export const LEAF_ROWS = 2048;
export const SPLIT_PARTS = 16;
export const MAX_RANGE_ROWS = 131_072;
const PROBE_RANGES = 8;
const DELETE_BATCH_KEYS = 500;
const MAX_PIECE_BYTES = 64 * 1024;
const MAX_STATEMENT_BYTES = 1024 * 1024;

export async function deltaCopy(task: CopyTask, resume: DeltaResumeState | null, options: DeltaOptions): Promise<DeltaResult> {
  const refusal = deltaRefusal(task.key, task.mask);
  if (refusal !== null)
    throw new ReplicoopError('copy_invalid_task', `cannot delta-copy ${task.table}: ${refusal}`, { details: { table: task.table } });
  const started = performance.now();
  const state = resume === null ? null : checkResume(resume, task);
  const production = await options.openProduction();
  let sandbox: SandboxSession | null = null;
  let clean = false;
  try {
    sandbox = await options.openSandbox();
    await prepareProduction(production);
    await production.startSnapshot();
    await prepareSandbox(sandbox, { uniqueChecks: true });
    await sandbox.execute('SET SESSION character_set_results = binary');
    const run = new DeltaRun(task, options, production, sandbox, planColumns(task, sandbox.server.flavor), state);
    const result = await run.execute();
    // Rows a delta rewrites in a system-versioned table become sandbox history, which a full copy
    // removes: removed here too, so nightly refreshes do not pile history up in the sandbox.
    if (
      result.kind === 'delta' &&
      result.counts.rowsDeleted + result.counts.rowsReplaced > 0 &&
      (await isSystemVersioned(sandbox, task.table))
    )
      await removeHistory(sandbox, task.table);
    await production.commit();
    await sandbox.execute('SET SESSION character_set_results = utf8mb4');
    clean = true;
    return result.kind === 'too_different' ? result : { ...result, seconds: (performance.now() - started) / 1000 };
  } finally {
    // After an error the connections' state is unknown: dropped, never reused.
    if (clean) {
      await production.close();
      await sandbox!.close();
    } else {
      production.destroy();
      sandbox?.destroy();
    }
  }
}

class DeltaRun {
  readonly #task: CopyTask;
  readonly #options: DeltaOptions;
  readonly #production: ProductionSession;
  readonly #sandbox: SandboxSession;
  readonly #plan: ColumnPlan;
  readonly #compare: Comparison;
  readonly #tally: Tally;
  readonly #keepFilter: SqlFragment | null;
  readonly #whereFilter: SqlFragment | null;
  readonly #resumed: boolean;
  #last: Buffer[] | null;
  #done: boolean;
  #method: 'load-data' | 'insert' = 'insert';
  #packetBytes = MAX_STATEMENT_BYTES;
  readonly #leaf: number;

  constructor(
    task: CopyTask,
    options: DeltaOptions,
    production: ProductionSession,
    sandbox: SandboxSession,
    plan: ColumnPlan,
    state: { last: Buffer[] | null; done: boolean; counts: DeltaCounts } | null,
  ) {
    this.#task = task;
    this.#options = options;
    this.#production = production;
    this.#sandbox = sandbox;
    this.#plan = plan;
    this.#compare = comparison(task);
    this.#tally = new Tally(state?.counts ?? NO_COUNTS);
    this.#last = state?.last ?? null;
    this.#done = state?.done ?? false;
    this.#resumed = state !== null;
    this.#keepFilter = task.keep ? { sql: `(${task.keep}) IS NOT TRUE`, params: [] } : null;
    this.#whereFilter = task.where === null ? null : { sql: task.where, params: [] };
    this.#leaf = Math.max(2, options.leafRows ?? LEAF_ROWS);
  }

  async execute(): Promise<DeltaResult> {
    // A small table is compared in a leaf or two anyway: no probe (it costs more than rewriting it).
    if (!this.#resumed && (await estimateTable(this.#production, this.#task.table)).rows > PROBE_RANGES * this.#leaf) {
      const verdict = await this.#probe();
      if (verdict !== null) return { kind: 'too_different', reason: verdict };
    }
    this.#method = this.#options.resolvedMethod ?? (await resolveMethod(this.#sandbox, this.#task.table, this.#plan, this.#options.method));
    const packet = this.#sandbox.server.maxAllowedPacket;
    this.#packetBytes =
      this.#method === 'load-data'
        ? Math.min(MAX_PIECE_BYTES, Math.floor(packet * 0.9))
        : (this.#options.maxStatementBytes ?? Math.min(MAX_STATEMENT_BYTES, Math.floor(packet * 0.9)));
    let size = this.#leaf;
    // Set while every range differs (changes scattered everywhere): ranges are then compared row
    // by row straight away, since their checksums would differ anyway.
    let dense = false;
    while (!this.#done) {
      this.#checkAbort();
      if (dense) {
        const upper = await this.#denseLeaf(this.#last);
        this.#tally.rangesCompared++;
        if (!this.#lastLeafChanged) {
          dense = false;
          size = this.#leaf * 4;
        }
        this.#advance(upper);
        continue;
      }
      const [upper] = await nibbleBoundaries(this.#production, this.#target('production'), { lower: this.#last, upper: null }, size, 1);
      const range: KeyRange = { lower: this.#last, upper: upper ?? null };
      const [p, s] = await this.#sums(range);
      this.#tally.rangesCompared++;
      if (sameSums(p, s)) {
        this.#tally.rowsUnchanged += p.count;
        size = Math.min(MAX_RANGE_ROWS, size * 4);
        this.#advance(range.upper);
        continue;
      }
      dense = size <= this.#leaf;
      size = Math.max(this.#leaf, Math.floor(size / 4));
      await this.#drill(range, p.count, s.count);
      // Every part of the range is now equal (compared or written): the position moves past it.
      this.#advance(range.upper);
    }
    return { kind: 'delta', rows: this.#tally.rows, seconds: 0, method: this.#method, counts: this.#tally.freeze() };
  }

  #checkAbort(): void {
    if (this.#options.signal?.aborted)
      throw new ReplicoopError('copy_aborted', `copy of ${this.#task.table} aborted`, { details: { table: this.#task.table } });
  }

  /** The position moved to `upper` (null: the table is done): report it. */
  #advance(upper: readonly Buffer[] | null): void {
    if (upper === null) this.#done = true;
    else this.#last = upper.map((b) => Buffer.from(b));
    this.#options.onCommit({ rowsDone: this.#tally.rows, resume: this.#state() });
    this.#options.onProgress?.({ rowsDone: this.#tally.rows });
  }

  #state(): DeltaResumeState {
    return {
      version: 1,
      mode: 'delta',
      table: this.#task.table,
      key: [...this.#task.key!],
      where: this.#task.where,
      mask: maskFingerprint(this.#task),
      keep: this.#task.keep ?? null,
      last: this.#last === null ? null : this.#last.map((b) => b.toString('base64')),
      done: this.#done,
      counts: this.#tally.freeze(),
    };
  }

  #target(side: 'production' | 'sandbox'): CutTarget {
    return { table: this.#task.table, key: this.#plan.keyColumns, filter: side === 'production' ? this.#whereFilter : this.#keepFilter };
  }

  /** The user's where and keep go last: a '?' inside their text is never taken for a placeholder. */
  #condition(side: 'production' | 'sandbox', range: KeyRange): SqlFragment | null {
    return allOf([rangeCondition(this.#plan.keyColumns, range), side === 'production' ? this.#whereFilter : this.#keepFilter]);
  }

  async #sums(range: KeyRange): Promise<[Sums, Sums]> {
    const table = quoteIdent(this.#task.table);
    const pc = this.#condition('production', range);
    const sc = this.#condition('sandbox', range);
    const parse = (rows: unknown[][]): Sums => {
      const row = (rows[0] ?? []) as (Buffer | null)[];
      return { count: Number(row[0]?.toString('latin1') ?? '0'), hash: row[1]?.toString('latin1') ?? '0' };
    };
    const [p, s] = await Promise.all([
      this.#production.queryArrays(
        `SELECT COUNT(*), BIT_XOR(${this.#compare.production.hash}) FROM ${table}${whereClause(pc)}`,
        pc?.params ?? [],
        {
          raw: true,
        },
      ),
      this.#sandbox.queryArrays(
        `SELECT COUNT(*), BIT_XOR(${this.#compare.sandbox.hash}) FROM ${table}${whereClause(sc)}`,
        [...this.#compare.sandbox.params, ...(sc?.params ?? [])],
        { raw: true },
      ),
    ]);
    return [parse(p), parse(s)];
  }

  /** Cuts a differing range until its parts are leaves; writes each differing leaf. */
  async #drill(range: KeyRange, productionCount: number, sandboxCount: number): Promise<void> {
    const larger = Math.max(productionCount, sandboxCount);
    if (larger <= this.#leaf) {
      await this.#rewriteLeaf(range);
      return;
    }
    const side = productionCount >= sandboxCount ? 'production' : 'sandbox';
    const session = side === 'production' ? this.#production : this.#sandbox;
    const step = Math.max(1, Math.ceil(larger / SPLIT_PARTS));
    const boundaries = await nibbleBoundaries(session, this.#target(side), range, step, SPLIT_PARTS - 1);
    const parts = splitRange(range, boundaries);
    for (const part of parts) {
      this.#checkAbort();
      const [p, s] = await this.#sums(part);
      this.#tally.rangesCompared++;
      if (sameSums(p, s)) {
        this.#tally.rowsUnchanged += p.count;
        continue;
      }
      // A part as large as the range: the cut found no boundary inside it (one key value).
      if (parts.length === 1 || Math.max(p.count, s.count) >= larger) await this.#rewriteLeaf(part);
      else await this.#drill(part, p.count, s.count);
      if (part.upper !== null) this.#advance(part.upper);
    }
  }

  /**
   * The next leafRows production rows after `lower` and the sandbox rows up to the last of them
   * (or all the rest, at the end), compared row by row and written; returns the upper bound.
   */
  async #denseLeaf(lower: Buffer[] | null): Promise<Buffer[] | null> {
    const digests = await this.#productionDigests({ lower, upper: null }, this.#leaf);
    let upper: Buffer[] | null = null;
    if (digests.length === this.#leaf)
      upper = unpackRow(digests[digests.length - 1]!)
        .slice(0, this.#plan.keyColumns.length)
        .map((b) => Buffer.from(b!));
    await this.#rewriteLeaf({ lower, upper }, digests);
    return upper;
  }

  #lastLeafChanged = false;

  /** Row-by-row comparison of one leaf, then one transaction writing its difference. */
  async #rewriteLeaf(range: KeyRange, productionDigests?: PackedRow[]): Promise<void> {
    const diff = await this.#leafDiff(range, productionDigests);
    this.#tally.rowsUnchanged += diff.productionRows - diff.replaced - diff.inserted;
    this.#lastLeafChanged = diff.gone.length > 0 || diff.writeKeys.length > 0;
    if (!this.#lastLeafChanged) return;
    this.#tally.rangesRewritten++;
    const sandbox = this.#sandbox;
    const table = quoteIdent(this.#task.table);
    const doomed = [...diff.gone, ...diff.replacedKeys];
    // Only the rows that differ or are new travel from production (the comparison read digests).
    const rows = await this.#productionRows(diff.writeKeys);
    // The rollback's copy of what this leaf changes (backup.scope: plan), saved before it changes.
    await this.#options.backup?.beforeLeaf({ sandbox, keyColumns: this.#plan.keyColumns, doomed, inserted: diff.insertedKeys });
    for (const mode of ['insert', 'replace'] as const) {
      if (mode === 'replace') await this.#options.backup?.beforeWideWrite();
      await sandbox.execute('START TRANSACTION');
      try {
        for (let i = 0; i < doomed.length; i += DELETE_BATCH_KEYS) {
          const condition = allOf([this.#anyKey(doomed.slice(i, i + DELETE_BATCH_KEYS)), this.#keepFilter]);
          await sandbox.execute(`DELETE FROM ${table}${whereClause(condition)}`, condition?.params ?? []);
        }
        if (rows.length > 0) await this.#writeRows(rows, mode);
        // A refusal (a throw) rolls the range back below and ends the copy with the caller's error.
        this.#options.beforeCommit?.();
        await sandbox.execute('COMMIT');
        break;
      } catch (error) {
        await sandbox.execute('ROLLBACK');
        // A unique value that moved here from a later row the sandbox still holds: REPLACE frees
        // it by deleting that row, which its own range then finds missing and writes again.
        // (INSERT reports the duplicate; LOAD DATA skips the row, which the stored count shows.)
        // Never with maintain[].keep: REPLACE could delete a kept row (a full copy fails there too).
        const duplicate = errnoOf(error) === ER_DUP_ENTRY || (isReplicoopError(error) && error.code === 'copy_rows_mismatch');
        if (mode === 'replace' || !duplicate || this.#keepFilter !== null) throw error;
      }
    }
    this.#tally.rowsDeleted += diff.gone.length;
    this.#tally.rowsReplaced += diff.replaced;
    this.#tally.rowsInserted += diff.inserted;
  }

  #anyKey(keys: readonly (readonly Buffer[])[]): SqlFragment {
    const terms = keys.map((k) => keyEquals(this.#plan.keyColumns, k));
    return { sql: terms.map((t) => `(${t.sql})`).join(' OR '), params: terms.flatMap((t) => t.params) };
  }

  /** Keys and digests of the production rows of a range in key order, at most `limit` (packed rows). */
  #productionDigests(range: KeyRange, limit: number | null): Promise<PackedRow[]> {
    const pc = this.#condition('production', range);
    return this.#production.queryPacked(
      `SELECT ${keySelectList(this.#plan.keyColumns)}, ${this.#compare.production.digest} FROM ${quoteIdent(this.#task.table)}${whereClause(pc)}` +
        ` ORDER BY ${keyOrderBy(this.#plan.keyColumns)}${limit === null ? '' : ` LIMIT ${limit}`}`,
      pc?.params ?? [],
    );
  }

  /** Production's rows of these keys (in key order, as given), read in the copy's snapshot. */
  async #productionRows(keys: readonly Buffer[][]): Promise<SourceRow[]> {
    const rows: SourceRow[] = [];
    for (let i = 0; i < keys.length; i += DELETE_BATCH_KEYS) {
      const condition = allOf([this.#anyKey(keys.slice(i, i + DELETE_BATCH_KEYS)), this.#whereFilter]);
      rows.push(
        ...(await this.#production.queryPacked(
          `SELECT ${this.#plan.selectList} FROM ${quoteIdent(this.#task.table)}${whereClause(condition)} ORDER BY ${keyOrderBy(this.#plan.keyColumns)}`,
          condition?.params ?? [],
        )),
      );
    }
    if (rows.length !== keys.length)
      throw new ReplicoopError(
        'copy_failed',
        `delta copy of ${this.#task.table}: ${keys.length} production rows were to be written, ${rows.length} were read by their keys`,
        { details: { table: this.#task.table } },
      );
    return rows;
  }

  /**
   * Compares a leaf row by row. Both sides come as packed rows of (key values, digest): a row's
   * key is identified by the bytes of its packed key values (length-prefixed, so unambiguous),
   * and only the keys of rows that differ are copied out, so that comparing 2,048 equal rows
   * allocates almost nothing.
   */
  async #leafDiff(range: KeyRange, fetched?: PackedRow[]): Promise<LeafDiff> {
    const table = quoteIdent(this.#task.table);
    const key = this.#plan.keyColumns;
    const sc = this.#condition('sandbox', range);
    const [productionRows, sandboxRows] = await Promise.all([
      fetched ?? this.#productionDigests(range, null),
      this.#sandbox.queryPacked(`SELECT ${keySelectList(key)}, ${this.#compare.sandbox.digest} FROM ${table}${whereClause(sc)}`, [
        ...this.#compare.sandbox.params,
        ...(sc?.params ?? []),
      ]),
    ]);
    const n = key.length;
    const reader = new PackedReader();
    /** The row's key id (its packed key bytes) and digest. */
    const split = (row: PackedRow): [string, string] => {
      reader.reset(row);
      for (let i = 0; i < n; i++) reader.next();
      const keyEnd = reader.at;
      reader.next();
      return [row.toString('latin1', 0, keyEnd), row.toString('latin1', reader.start, reader.start + reader.length)];
    };
    const keyOf = (row: PackedRow): Buffer[] =>
      unpackRow(row)
        .slice(0, n)
        .map((b) => Buffer.from(b!));
    const sandboxDigests = new Map<string, { row: PackedRow; digest: string }>();
    for (const row of sandboxRows) {
      const [rowId, digest] = split(row);
      sandboxDigests.set(rowId, { row, digest });
    }
    const writeKeys: Buffer[][] = [];
    const replacedKeys: Buffer[][] = [];
    const insertedKeys: Buffer[][] = [];
    let replaced = 0;
    let inserted = 0;
    for (const row of productionRows) {
      const [rowId, digest] = split(row);
      const other = sandboxDigests.get(rowId);
      if (other === undefined) {
        inserted++;
        const copied = keyOf(row);
        insertedKeys.push(copied);
        writeKeys.push(copied);
        continue;
      }
      sandboxDigests.delete(rowId);
      if (other.digest !== digest) {
        replaced++;
        replacedKeys.push(keyOf(other.row));
        writeKeys.push(keyOf(row));
      }
    }
    return {
      productionRows: productionRows.length,
      sandboxRows: sandboxRows.length,
      gone: [...sandboxDigests.values()].map((v) => keyOf(v.row)),
      writeKeys,
      replaced,
      replacedKeys,
      inserted,
      insertedKeys,
    };
  }

  /** Writes the rows through the copy's own writers. */
  async #writeRows(rows: readonly SourceRow[], mode: 'insert' | 'replace'): Promise<void> {
    const writer: ChunkWriter = {
      sandbox: this.#sandbox,
      table: this.#task.table,
      plan: this.#plan,
      maskSecret: this.#options.maskSecret,
      mode,
      packetBytes: this.#packetBytes,
      batchRows: Number.POSITIVE_INFINITY,
      maxRows: Number.POSITIVE_INFINITY,
      maxBytes: Number.POSITIVE_INFINITY,
      onSent: () => undefined,
    };
    const source = new ArrayRowSource(rows);
    if (this.#method === 'load-data') await loadChunk(writer, source);
    else await insertChunk(writer, source);
  }

  /**
   * Compares a few leaves row by row without writing: the first rows of the key, and for an
   * integer key ranges spread between MIN and MAX. Returns why the table should be copied in
   * full, or null.
   */
  async #probe(): Promise<string | null> {
    const key = this.#plan.keyColumns;
    const table = quoteIdent(this.#task.table);
    const starts: (Buffer[] | null)[] = [null];
    if (isIntegerKey(key)) {
      const name = quoteIdent(key[0]!.name);
      const [row] = (await this.#production.queryArrays(`SELECT MIN(${name}), MAX(${name}) FROM ${table}`, [], {
        raw: true,
      })) as (Buffer | null)[][];
      if (row?.[0] && row[1]) {
        const lo = BigInt(row[0].toString('latin1'));
        const hi = BigInt(row[1].toString('latin1'));
        for (let i = 1n; i < BigInt(PROBE_RANGES); i++)
          starts.push([Buffer.from(String(lo + ((hi - lo) * i) / BigInt(PROBE_RANGES)), 'latin1')]);
      }
    }
    let compared = 0;
    let differing = 0;
    for (const [i, start] of starts.entries()) {
      // Probes never overlap: each ends at the next one's start at the latest.
      const next = starts[i + 1] ?? null;
      const [upper] = await nibbleBoundaries(this.#production, this.#target('production'), { lower: start, upper: next }, this.#leaf, 1);
      const diff = await this.#leafDiff({ lower: start, upper: upper ?? next });
      compared += Math.max(diff.productionRows, diff.sandboxRows);
      differing += diff.gone.length + diff.writeKeys.length;
    }
    if (compared === 0 || differing <= this.#threshold * compared) return null;
    const share = Math.round((100 * differing) / compared);
    return `${share}% of ${compared} probed rows differ (more than ${Math.round(this.#threshold * 100)}%): a full copy is cheaper`;
  }

  get #threshold(): number {
    return this.#options.fullThreshold ?? DEFAULT_DELTA_THRESHOLD;
  }
}
