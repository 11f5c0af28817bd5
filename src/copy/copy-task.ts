/**
 * The copy engine's vocabulary: what a table copy is asked to do (CopyTask, CopyOptions), what it
 * answers (CopyResult) and the position it stores to resume (CopyResumeState). Every file in
 * copy/ may import this one; it imports nothing from copy/, so the folder has no import circle.
 */
import type { CopyMethod, MaintainTable, MaskRule } from '../config/types.js';
import type { ProductionSession, RetryPolicy, SandboxSession } from '../db/session.js';
import type { Table } from '../snapshot/model.js';
import { keepKeys, type KeepKey } from '../introspect/count-keep.js';

export interface CopyColumn {
  readonly name: string;
  readonly dataType: string;
  readonly type: string;
  readonly nullable: boolean;
  readonly generated: boolean;
  readonly charset: string | null;
  /** Needed to compare key values in the column's own order. */
  readonly collation: string | null;
}

export interface CopyTask {
  readonly table: string;
  /** Every column in table order; generated ones are skipped by the copy. */
  readonly columns: readonly CopyColumn[];
  /** Chunk key columns (see chooseChunkKey), or null: copied in one streamed pass. */
  readonly key: readonly string[] | null;
  /** SQL condition on production rows (from the config), or null. */
  readonly where: string | null;
  readonly mask: Readonly<Record<string, MaskRule>>;
  /** SQL condition on sandbox rows that survive the refresh (maintain[].keep); absent: none. */
  readonly keep?: string | null;
  /** With keep: production's unique keys a kept row must not share (copy/keep-collision.ts). */
  readonly keepKeys?: readonly KeepKey[];
}

export interface CopyOptions {
  /** Rows per committed chunk (cut shorter for wide rows, see CHUNK_BYTES). */
  readonly chunkRows: number;
  readonly method: CopyMethod;
  /** The writer an earlier copy to the same sandbox resolved `method` to: skips asking the server again. */
  readonly resolvedMethod?: 'load-data' | 'insert';
  /** Key ranges of this table copied in parallel, each on its own pair of connections. */
  readonly concurrency: number;
  readonly maskSecret: string | null;
  readonly openProduction: () => Promise<ProductionSession>;
  readonly openSandbox: () => Promise<SandboxSession>;
  /** Called after each chunk's COMMIT (and when a range finishes); write `resume` durably here. */
  readonly onCommit: (state: { rowsDone: number; resume: ResumeState }) => void;
  /**
   * Called right before each chunk's COMMIT; a throw rolls the chunk back and stops the copy with
   * that error (apply: the apply lock must still be held, or nothing more is committed).
   */
  readonly beforeCommit?: () => void;
  /** Rows and raw bytes sent so far, including the open chunks (may step back after a retry). */
  readonly onProgress?: (progress: { rowsDone: number; bytes: number }) => void;
  readonly signal?: AbortSignal;
  /** Reconnects after a lost connection (default: 3 attempts, 1 s, factor 2). */
  readonly retry?: RetryPolicy;
  /** One-pass tables: silence of the production stream after which its connection is checked (default 20 s). */
  readonly stallProbeMs?: number;
  /** Largest INSERT statement in bytes; default 90% of the sandbox's max_allowed_packet, at most 4 MiB. */
  readonly maxStatementBytes?: number;
}

export interface CopyResult {
  /** Rows in the sandbox table from this copy, including those of an earlier run that was resumed. */
  readonly rows: number;
  readonly bytes: number;
  /** Wall time of this call. */
  readonly seconds: number;
  readonly method: 'load-data' | 'insert';
  readonly emptiedWith: 'truncate' | 'delete' | 'none (resumed)';
  readonly maskedColumns: string[];
}

/**
 * Where a table copy stands, as plain JSON the caller stores (SQLite) after every committed
 * chunk and hands back to resume. Key values are the raw bytes production sent for them,
 * base64-encoded, so they bind back exactly (see sql/key-sql.ts).
 */
export interface SegmentResumeState {
  /** Exclusive lower bound on the first key column (base64), null for none. */
  readonly lower: string | null;
  /** Inclusive upper bound on the first key column (base64), null for none. */
  readonly upper: string | null;
  /** The full key of the last committed row (base64 per column), null before the first commit. */
  readonly last: readonly string[] | null;
  readonly rows: number;
  readonly bytes: number;
  readonly done: boolean;
}

export interface CopyResumeState {
  readonly version: 1;
  readonly table: string;
  /** The chunk key it was made with; null for a table copied in one pass. */
  readonly key: readonly string[] | null;
  /** The row filter and masks it was made with: rows copied under others would not match. */
  readonly where: string | null;
  readonly mask: string;
  readonly segments: readonly SegmentResumeState[];
}

/** Opaque to callers: store it as JSON after each onCommit, pass it back to resume. */
export type ResumeState = CopyResumeState;

export function copyTaskFromTable(table: Table, maintain: MaintainTable, key: readonly string[] | null): CopyTask {
  return Object.freeze({
    table: table.name,
    columns: Object.freeze(
      table.columns.map((c) =>
        Object.freeze({
          name: c.name,
          dataType: c.dataType,
          type: c.type,
          nullable: c.nullable,
          generated: c.generated !== null,
          charset: c.charset,
          collation: c.collation,
        }),
      ),
    ),
    key: key === null ? null : Object.freeze([...key]),
    where: maintain.where,
    mask: maintain.mask,
    ...(maintain.keep ? { keep: maintain.keep, keepKeys: keepKeys(table, maintain.mask) } : {}),
  });
}

/** What a delta copy found and wrote (copy/delta-copy.ts); kept across a resume. */
export interface DeltaCounts {
  /** Key ranges whose checksums were compared on both sides (drill-down parts included). */
  readonly rangesCompared: number;
  /** Ranges compared row by row because they differed, and written. */
  readonly rangesRewritten: number;
  readonly rowsDeleted: number;
  readonly rowsReplaced: number;
  readonly rowsInserted: number;
  readonly rowsUnchanged: number;
}

/**
 * Where a delta copy stands, stored after every committed range. Everything up to `last` (a
 * full key, base64 per column, inclusive) is equal to production's snapshot; the rest is still
 * to compare. A range committed without its position being stored is compared again on resume
 * and found equal, so a resume never writes a row twice.
 */
export interface DeltaResumeState {
  readonly version: 1;
  readonly mode: 'delta';
  readonly table: string;
  readonly key: readonly string[];
  readonly where: string | null;
  readonly mask: string;
  readonly keep: string | null;
  readonly last: readonly string[] | null;
  readonly done: boolean;
  readonly counts: DeltaCounts;
}

export interface DeltaOptions {
  readonly chunkRows: number;
  readonly method: CopyMethod;
  readonly resolvedMethod?: 'load-data' | 'insert';
  readonly maskSecret: string | null;
  readonly openProduction: () => Promise<ProductionSession>;
  readonly openSandbox: () => Promise<SandboxSession>;
  /** Called after each range's COMMIT (or after a range found equal); write `resume` durably here. */
  readonly onCommit: (state: { rowsDone: number; resume: DeltaResumeState }) => void;
  /** As CopyOptions.beforeCommit: right before each range's COMMIT; a throw rolls the range back. */
  readonly beforeCommit?: () => void;
  readonly onProgress?: (progress: { rowsDone: number }) => void;
  readonly signal?: AbortSignal;
  /** Share of differing rows in the probe above which the table is copied in full instead (default copy.deltaThreshold's, DEFAULT_DELTA_THRESHOLD). */
  readonly fullThreshold?: number;
  /** Ranges of at most this many rows are compared row by row (default LEAF_ROWS; tests make it small). */
  readonly leafRows?: number;
  readonly maxStatementBytes?: number;
  /** The rollback's copy of what the copy is about to change (backup.scope: plan). */
  readonly backup?: DeltaBackup;
}

/**
 * What a scoped run's backup is told before the delta copy changes the sandbox table. Each call
 * is awaited, and what it saved must be durable when it returns: the write follows at once.
 */
export interface DeltaBackup {
  /**
   * Before a leaf's transaction: the sandbox keys of the rows it deletes or overwrites (their
   * rows are still as they were) and the keys of the rows it inserts. Key values are raw, as
   * the key select list reads them (sql/key-sql.ts), in the order of `keyColumns`.
   */
  beforeLeaf(change: LeafChange): Promise<void>;
  /** Before a write that may delete rows outside the leaf (REPLACE frees a unique value held by a later row). */
  beforeWideWrite(): Promise<void>;
}

export interface LeafChange {
  /** The session that is about to write the leaf (not inside a transaction). */
  readonly sandbox: SandboxSession;
  readonly keyColumns: readonly CopyColumn[];
  readonly doomed: readonly (readonly Buffer[])[];
  readonly inserted: readonly (readonly Buffer[])[];
}

export type DeltaResult =
  | {
      readonly kind: 'delta';
      /** Production rows now in the sandbox table (compared equal, replaced or inserted). */
      readonly rows: number;
      readonly seconds: number;
      readonly method: 'load-data' | 'insert';
      readonly counts: DeltaCounts;
    }
  /** The probe found too many differences: nothing was written, copy the table in full. */
  | { readonly kind: 'too_different'; readonly reason: string };
