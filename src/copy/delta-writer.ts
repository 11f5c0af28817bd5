/**
 * The write side of a delta copy (delta-copy.ts): one sandbox transaction per differing leaf.
 * DELETE (by key) of the sandbox rows that production no longer has or holds differently, then
 * INSERT of production's rows that differ or are new, through the full copy's chunk writers.
 * When a unique value moved here from a later row the sandbox still holds, the leaf is rolled
 * back and written again with REPLACE.
 */
import { isReplicoopError } from '../errors.js';
import { errnoOf } from '../db/sql-error.js';
import { ER_DUP_ENTRY } from '../sql/errno.js';
import { quoteIdent } from '../sql/quote.js';
import { allOf, whereClause } from '../sql/key-sql.js';
import { resolveMethod } from './copy-sessions.js';
import type { SourceRow } from './row-reader.js';
import { insertChunk, loadChunk, type ChunkWriter } from './write-chunk.js';
import type { CopyTask, DeltaOptions } from './copy-task.js';
import { ArrayRowSource, type LeafDiff } from './delta-parts.js';
import { KEYS_PER_STATEMENT, type DeltaSides } from './delta-sides.js';

const MAX_PIECE_BYTES = 64 * 1024;
const MAX_STATEMENT_BYTES = 1024 * 1024;

export class DeltaWriter {
  readonly method: 'load-data' | 'insert';
  readonly #sides: DeltaSides;
  readonly #task: CopyTask;
  readonly #options: DeltaOptions;
  readonly #packetBytes: number;

  private constructor(sides: DeltaSides, task: CopyTask, options: DeltaOptions, method: 'load-data' | 'insert') {
    this.#sides = sides;
    this.#task = task;
    this.#options = options;
    this.method = method;
    const packet = sides.sandbox.server.maxAllowedPacket;
    this.#packetBytes =
      method === 'load-data'
        ? Math.min(MAX_PIECE_BYTES, Math.floor(packet * 0.9))
        : (options.maxStatementBytes ?? Math.min(MAX_STATEMENT_BYTES, Math.floor(packet * 0.9)));
  }

  /** A writer with the copy method resolved (LOAD DATA where the sandbox allows it, as the full copy). */
  static async open(sides: DeltaSides, task: CopyTask, options: DeltaOptions): Promise<DeltaWriter> {
    const method = options.resolvedMethod ?? (await resolveMethod(sides.sandbox, task.table, sides.plan, options.method));
    return new DeltaWriter(sides, task, options, method);
  }

  /** Writes a leaf's difference (which must not be empty) in one transaction. */
  async write(diff: LeafDiff): Promise<void> {
    const sandbox = this.#sides.sandbox;
    const table = quoteIdent(this.#task.table);
    const keepFilter = this.#sides.keepFilter;
    const doomed = [...diff.gone, ...diff.replacedKeys];
    // Only the rows that differ or are new travel from production (the comparison read digests).
    const rows = await this.#sides.productionRows(diff.writeKeys);
    // The rollback's copy of what this leaf changes (backup.scope: plan), saved before it changes.
    await this.#options.backup?.beforeLeaf({ sandbox, keyColumns: this.#sides.plan.keyColumns, doomed, inserted: diff.insertedKeys });
    for (const mode of ['insert', 'replace'] as const) {
      if (mode === 'replace') await this.#options.backup?.beforeWideWrite();
      await sandbox.execute('START TRANSACTION');
      try {
        for (let i = 0; i < doomed.length; i += KEYS_PER_STATEMENT) {
          const condition = allOf([this.#sides.anyKey(doomed.slice(i, i + KEYS_PER_STATEMENT)), keepFilter]);
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
        if (mode === 'replace' || !duplicate || keepFilter !== null) throw error;
      }
    }
  }

  /** Writes the rows through the copy's own writers. */
  async #writeRows(rows: readonly SourceRow[], mode: 'insert' | 'replace'): Promise<void> {
    const writer: ChunkWriter = {
      sandbox: this.#sides.sandbox,
      table: this.#task.table,
      plan: this.#sides.plan,
      maskSecret: this.#options.maskSecret,
      mode,
      packetBytes: this.#packetBytes,
      batchRows: Number.POSITIVE_INFINITY,
      maxRows: Number.POSITIVE_INFINITY,
      maxBytes: Number.POSITIVE_INFINITY,
      onSent: () => undefined,
    };
    const source = new ArrayRowSource(rows);
    if (this.method === 'load-data') await loadChunk(writer, source);
    else await insertChunk(writer, source);
  }
}
