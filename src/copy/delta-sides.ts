/**
 * The reads of a delta copy (delta-copy.ts) on both sides of one table: range checksums, the
 * keys and digests of a leaf, and production's whole rows by key. Production is read inside the
 * copy's snapshot and filtered by the task's `where`; the sandbox side leaves out the rows
 * maintain[].keep keeps. Nothing here writes.
 */
import type { ProductionSession, SandboxSession } from '../db/session.js';
import { ReplicoopError } from '../errors.js';
import { quoteIdent } from '../sql/quote.js';
import { allOf, keyEquals, keyOrderBy, keySelectList, whereClause, type SqlFragment } from '../sql/key-sql.js';
import { rangeCondition, type KeyRange } from '../sql/key-range.js';
import type { CutTarget } from '../db/key-boundaries.js';
import type { PackedRow } from '../db/packed-rows.js';
import type { ColumnPlan } from './column-plan.js';
import type { SourceRow } from './row-reader.js';
import type { CopyTask } from './copy-task.js';
import { comparison, diffLeaf, type Comparison, type LeafDiff, type Sums } from './delta-parts.js';

/** Keys per `WHERE (key = ?) OR ...` statement, for deletes and for reading rows by key. */
export const KEYS_PER_STATEMENT = 500;

export type Side = 'production' | 'sandbox';

export class DeltaSides {
  readonly production: ProductionSession;
  readonly sandbox: SandboxSession;
  readonly plan: ColumnPlan;
  /** The sandbox rows a delta copy may touch: those maintain[].keep does not keep (null: all). */
  readonly keepFilter: SqlFragment | null;
  readonly #task: CopyTask;
  readonly #compare: Comparison;
  readonly #whereFilter: SqlFragment | null;

  constructor(task: CopyTask, production: ProductionSession, sandbox: SandboxSession, plan: ColumnPlan) {
    this.#task = task;
    this.production = production;
    this.sandbox = sandbox;
    this.plan = plan;
    this.#compare = comparison(task);
    this.keepFilter = task.keep ? { sql: `(${task.keep}) IS NOT TRUE`, params: [] } : null;
    this.#whereFilter = task.where === null ? null : { sql: task.where, params: [] };
  }

  target(side: Side): CutTarget {
    return { table: this.#task.table, key: this.plan.keyColumns, filter: side === 'production' ? this.#whereFilter : this.keepFilter };
  }

  /** The user's where and keep go last: a '?' inside their text is never taken for a placeholder. */
  #condition(side: Side, range: KeyRange): SqlFragment | null {
    return allOf([rangeCondition(this.plan.keyColumns, range), side === 'production' ? this.#whereFilter : this.keepFilter]);
  }

  async sums(range: KeyRange): Promise<[Sums, Sums]> {
    const table = quoteIdent(this.#task.table);
    const pc = this.#condition('production', range);
    const sc = this.#condition('sandbox', range);
    const parse = (rows: unknown[][]): Sums => {
      const row = (rows[0] ?? []) as (Buffer | null)[];
      return { count: Number(row[0]?.toString('latin1') ?? '0'), hash: row[1]?.toString('latin1') ?? '0' };
    };
    const [p, s] = await Promise.all([
      this.production.queryArrays(
        `SELECT COUNT(*), BIT_XOR(${this.#compare.production.hash}) FROM ${table}${whereClause(pc)}`,
        pc?.params ?? [],
        {
          raw: true,
        },
      ),
      this.sandbox.queryArrays(
        `SELECT COUNT(*), BIT_XOR(${this.#compare.sandbox.hash}) FROM ${table}${whereClause(sc)}`,
        [...this.#compare.sandbox.params, ...(sc?.params ?? [])],
        { raw: true },
      ),
    ]);
    return [parse(p), parse(s)];
  }

  /** `(key = ?) OR (key = ?) ...` for these keys. */
  anyKey(keys: readonly (readonly Buffer[])[]): SqlFragment {
    const terms = keys.map((k) => keyEquals(this.plan.keyColumns, k));
    return { sql: terms.map((t) => `(${t.sql})`).join(' OR '), params: terms.flatMap((t) => t.params) };
  }

  /** Keys and digests of the production rows of a range in key order, at most `limit` (packed rows). */
  productionDigests(range: KeyRange, limit: number | null): Promise<PackedRow[]> {
    const pc = this.#condition('production', range);
    return this.production.queryPacked(
      `SELECT ${keySelectList(this.plan.keyColumns)}, ${this.#compare.production.digest} FROM ${quoteIdent(this.#task.table)}${whereClause(pc)}` +
        ` ORDER BY ${keyOrderBy(this.plan.keyColumns)}${limit === null ? '' : ` LIMIT ${limit}`}`,
      pc?.params ?? [],
    );
  }

  /** Production's rows of these keys (in key order, as given), read in the copy's snapshot. */
  async productionRows(keys: readonly Buffer[][]): Promise<SourceRow[]> {
    const rows: SourceRow[] = [];
    for (let i = 0; i < keys.length; i += KEYS_PER_STATEMENT) {
      const condition = allOf([this.anyKey(keys.slice(i, i + KEYS_PER_STATEMENT)), this.#whereFilter]);
      rows.push(
        ...(await this.production.queryPacked(
          `SELECT ${this.plan.selectList} FROM ${quoteIdent(this.#task.table)}${whereClause(condition)} ORDER BY ${keyOrderBy(this.plan.keyColumns)}`,
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
   * Compares a leaf row by row: both sides' keys and digests (production's may be read
   * already), then diffLeaf.
   */
  async leafDiff(range: KeyRange, fetched?: PackedRow[]): Promise<LeafDiff> {
    const key = this.plan.keyColumns;
    const sc = this.#condition('sandbox', range);
    const [productionRows, sandboxRows] = await Promise.all([
      fetched ?? this.productionDigests(range, null),
      this.sandbox.queryPacked(
        `SELECT ${keySelectList(key)}, ${this.#compare.sandbox.digest} FROM ${quoteIdent(this.#task.table)}${whereClause(sc)}`,
        [...this.#compare.sandbox.params, ...(sc?.params ?? [])],
      ),
    ]);
    return diffLeaf(productionRows, sandboxRows, key.length);
  }
}
