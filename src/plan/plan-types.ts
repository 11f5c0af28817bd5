import type { MaintainTable, Renames, UnknownSettings } from '../config/types.js';
import type { Flavor } from '../sql/server-info.js';
import type { Snapshot } from '../snapshot/model.js';

export const PLAN_FORMAT_VERSION = 1;

export type StepPhase = 'structure' | 'data' | 'post';

export type StepKind =
  | 'create_table'
  | 'alter_table'
  | 'drop_table'
  | 'recreate_table'
  | 'add_foreign_keys'
  | 'create_view'
  | 'drop_view'
  | 'create_trigger'
  | 'drop_trigger'
  | 'create_routine'
  | 'drop_routine'
  | 'create_event'
  | 'drop_event'
  | 'create_sequence'
  | 'drop_sequence'
  | 'copy_table'
  | 'alter_database';

export type ObjectType = 'database' | 'table' | 'view' | 'trigger' | 'routine' | 'event' | 'sequence';

/**
 * What the sandbox holds once a step is done, so that a step found "running" after a crash can
 * be checked instead of blindly re-run. Objects are looked up in the plan's production snapshot.
 */
export interface StepExpectation {
  readonly objectType: ObjectType;
  readonly name: string;
  readonly state: 'present' | 'absent';
  /** For tables: foreign keys of the production table that are added by a later step. */
  readonly pendingForeignKeys: readonly string[];
  /** For routines: PROCEDURE or FUNCTION. */
  readonly routineType?: 'PROCEDURE' | 'FUNCTION';
  /** For a step that drops foreign keys of the table: their names (done once none is left). */
  readonly droppedForeignKeys?: readonly string[];
}

export interface DataStep {
  readonly table: string;
  /** Columns the chunks are ordered by (primary key or first NOT NULL unique key); null: one streamed pass. */
  readonly key: readonly string[] | null;
  /** The filter the copy applies: the user's where, or the subset closure's effective filter. */
  readonly where: string | null;
  readonly estimatedRows: number;
  readonly maskedColumns: readonly { readonly column: string; readonly rule: string }[];
  /** Columns copied unmasked on purpose (maintain[].passthrough), past masking.require. */
  readonly passthroughColumns?: readonly string[];
  /** Columns new in production since the last applied plan, neither masked nor passed through. */
  readonly newUnmaskedColumns?: readonly string[];
  /** maintain[].keep: the sandbox rows matching `where` survive; `deletedRows` are the rest (counted at plan time). */
  readonly keep?: { readonly where: string; readonly keptRows: number; readonly deletedRows: number };
  /** Present when a where on a maintained table shapes this table's rows (plan/subset.ts). */
  readonly subset?: DataStepSubset;
  /**
   * delta: compare by key-range checksums and write only differing rows (copy/delta-copy.ts);
   * full: empty the table and copy every row. Absent in plans made before delta copies: full.
   */
  readonly mode?: 'delta' | 'full';
  /** Why this mode (for full: what rules out a delta). */
  readonly modeReason?: string;
}

export interface DataStepSubset {
  /** The table's own where from the config (null: none; its rows are shaped by the graph). */
  readonly userWhere: string | null;
  /** Relations ("<table>.<fk>") through which a restricted parent restricts this table. */
  readonly restrictedBy: readonly string[];
  /** Relations whose kept child rows pull rows of this table in (past its own where). */
  readonly pulledBy: readonly string[];
  /** Self-references closed over ancestors. */
  readonly selfClosure: readonly string[];
  /** This table's relations cut to break a cycle (they restrict nothing). */
  readonly cut: readonly string[];
}

export interface PlanStep {
  /** Stable id: position and object, e.g. "0007-alter-table-orders". */
  readonly id: string;
  readonly phase: StepPhase;
  readonly kind: StepKind;
  readonly objectType: ObjectType;
  readonly object: string;
  readonly sql: readonly string[];
  readonly destructive: boolean;
  readonly reason: string;
  /** False for steps that only refresh data (copies, and triggers lifted around them). */
  readonly schemaChange: boolean;
  readonly expect: StepExpectation | null;
  readonly data: DataStep | null;
}

export interface ServerIdentity {
  readonly host: string;
  readonly port: number;
  readonly database: string;
  readonly flavor: Flavor;
  readonly version: string;
  readonly serverId: string;
}

export interface PlanSummary {
  readonly tablesCreated: number;
  readonly tablesAltered: number;
  readonly tablesDropped: number;
  readonly tablesRecreated: number;
  /** Views, triggers, routines, events, sequences and the database defaults. */
  readonly otherObjectsChanged: number;
  readonly maintainTables: number;
  readonly structureOnlyTables: number;
  readonly destructiveSteps: number;
  readonly schemaChangeSteps: number;
  readonly dataSteps: number;
  readonly estimatedRowsToCopy: number;
  readonly unsupported: readonly { readonly kind: string; readonly name: string; readonly reason: string }[];
  /** Objects left untouched because an account cannot read them (config `unknown: { <class>: skip }`). */
  readonly untouched?: readonly UntouchedObject[];
  /** Things the plan noticed but did not act on, each with what to do: a drop and an add that look like a rename. */
  readonly hints?: readonly string[];
  /** What the plan changed on the way to the sandbox's flavor, e.g. a MySQL 8 collation MariaDB does not have. */
  readonly warnings?: readonly string[];
}

export interface UntouchedObject {
  readonly side: 'production' | 'sandbox';
  readonly kind: string;
  /** null: every object of the kind. */
  readonly name: string | null;
  readonly what: string;
  readonly grant: string;
}

export interface PlanSettings {
  readonly definers: 'current_user' | 'keep';
  readonly maintain: readonly MaintainTable[];
  readonly ignore: readonly string[];
  /** config `unknown`; absent in plans made before it existed (everything: error). */
  readonly unknown?: UnknownSettings;
  /** config `renames`; absent when the config has none (and in plans made before it existed). */
  readonly renames?: Renames;
}

export interface Plan {
  readonly formatVersion: number;
  readonly replicoopVersion: string;
  readonly createdAt: string;
  readonly source: ServerIdentity;
  readonly target: ServerIdentity;
  readonly fingerprints: { readonly production: string; readonly sandbox: string };
  readonly settings: PlanSettings;
  readonly summary: PlanSummary;
  readonly steps: readonly PlanStep[];
  readonly snapshots: { readonly production: Snapshot; readonly sandbox: Snapshot };
  /** sha256 over everything apply executes (identities, fingerprints, settings, steps). */
  readonly checksum: string;
}
