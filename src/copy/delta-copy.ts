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
 *
 * The reads of both sides are delta-sides.ts, the probe delta-probe.ts, the leaf's transaction
 * delta-writer.ts, and what holds no connection delta-parts.ts; this file walks the key.
 */
import { DEFAULT_DELTA_THRESHOLD } from '../config/types.js';
import { deltaRefusal } from '../mask/mask-compare.js';
import type { SandboxSession } from '../db/session.js';
import { ReplicoopError } from '../errors.js';
import { splitRange, type KeyRange } from '../sql/key-range.js';
import { estimateTable, nibbleBoundaries } from '../db/key-boundaries.js';
import { unpackRow, type PackedRow } from '../db/packed-rows.js';
import { planColumns } from './column-plan.js';
import { isSystemVersioned, prepareProduction, prepareSandbox, removeHistory } from './copy-sessions.js';
import { maskFingerprint } from './resume-state.js';
import type { CopyTask, DeltaCounts, DeltaOptions, DeltaResult, DeltaResumeState } from './copy-task.js';
import { checkResume, NO_COUNTS, sameSums, Tally } from './delta-parts.js';
import { DeltaSides } from './delta-sides.js';
import { PROBE_RANGES, probeDelta } from './delta-probe.js';
import { DeltaWriter } from './delta-writer.js';
import { keepCollisionError } from './keep-collision.js';

/** Parts of at most this many rows (on the larger side) are compared row by row. */
export const LEAF_ROWS = 2048;
export const SPLIT_PARTS = 16;
export const MAX_RANGE_ROWS = 131_072;
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
    const sides = new DeltaSides(task, production, sandbox, planColumns(task, sandbox.server.flavor));
    const run = new DeltaRun(task, options, sides, state);
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
  } catch (error) {
    // A duplicate key next to kept rows is the keep collision it is (as in copy-table.ts).
    throw keepCollisionError(task, error) ?? error;
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
  readonly #sides: DeltaSides;
  readonly #tally: Tally;
  readonly #resumed: boolean;
  readonly #leaf: number;
  #last: Buffer[] | null;
  #done: boolean;
  #writer: DeltaWriter | null = null;
  #lastLeafChanged = false;

  constructor(
    task: CopyTask,
    options: DeltaOptions,
    sides: DeltaSides,
    state: { last: Buffer[] | null; done: boolean; counts: DeltaCounts } | null,
  ) {
    this.#task = task;
    this.#options = options;
    this.#sides = sides;
    this.#tally = new Tally(state?.counts ?? NO_COUNTS);
    this.#last = state?.last ?? null;
    this.#done = state?.done ?? false;
    this.#resumed = state !== null;
    this.#leaf = Math.max(2, options.leafRows ?? LEAF_ROWS);
  }

  async execute(): Promise<DeltaResult> {
    // A small table is compared in a leaf or two anyway: no probe (it costs more than rewriting it).
    if (!this.#resumed && (await estimateTable(this.#sides.production, this.#task.table)).rows > PROBE_RANGES * this.#leaf) {
      const verdict = await probeDelta(this.#sides, this.#task.table, this.#leaf, this.#options.fullThreshold ?? DEFAULT_DELTA_THRESHOLD);
      if (verdict !== null) return { kind: 'too_different', reason: verdict };
    }
    const writer = await DeltaWriter.open(this.#sides, this.#task, this.#options);
    this.#writer = writer;
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
      const [upper] = await nibbleBoundaries(
        this.#sides.production,
        this.#sides.target('production'),
        { lower: this.#last, upper: null },
        size,
        1,
      );
      const range: KeyRange = { lower: this.#last, upper: upper ?? null };
      const [p, s] = await this.#sides.sums(range);
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
    return { kind: 'delta', rows: this.#tally.rows, seconds: 0, method: writer.method, counts: this.#tally.freeze() };
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

  /** Cuts a differing range until its parts are leaves; writes each differing leaf. */
  async #drill(range: KeyRange, productionCount: number, sandboxCount: number): Promise<void> {
    const larger = Math.max(productionCount, sandboxCount);
    if (larger <= this.#leaf) {
      await this.#rewriteLeaf(range);
      return;
    }
    const side = productionCount >= sandboxCount ? 'production' : 'sandbox';
    const session = side === 'production' ? this.#sides.production : this.#sides.sandbox;
    const step = Math.max(1, Math.ceil(larger / SPLIT_PARTS));
    const boundaries = await nibbleBoundaries(session, this.#sides.target(side), range, step, SPLIT_PARTS - 1);
    const parts = splitRange(range, boundaries);
    for (const part of parts) {
      this.#checkAbort();
      const [p, s] = await this.#sides.sums(part);
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
    const digests = await this.#sides.productionDigests({ lower, upper: null }, this.#leaf);
    let upper: Buffer[] | null = null;
    if (digests.length === this.#leaf)
      upper = unpackRow(digests[digests.length - 1]!)
        .slice(0, this.#sides.plan.keyColumns.length)
        .map((b) => Buffer.from(b!));
    await this.#rewriteLeaf({ lower, upper }, digests);
    return upper;
  }

  /** Row-by-row comparison of one leaf, then one transaction writing its difference. */
  async #rewriteLeaf(range: KeyRange, productionDigests?: PackedRow[]): Promise<void> {
    const diff = await this.#sides.leafDiff(range, productionDigests);
    this.#tally.rowsUnchanged += diff.productionRows - diff.replaced - diff.inserted;
    this.#lastLeafChanged = diff.gone.length > 0 || diff.writeKeys.length > 0;
    if (!this.#lastLeafChanged) return;
    this.#tally.rangesRewritten++;
    await this.#writer!.write(diff);
    this.#tally.rowsDeleted += diff.gone.length;
    this.#tally.rowsReplaced += diff.replaced;
    this.#tally.rowsInserted += diff.inserted;
  }
}
