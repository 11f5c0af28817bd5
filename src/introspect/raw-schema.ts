import type { ServerInfo } from '../sql/server-info.js';

/**
 * Rows exactly as information_schema and SHOW CREATE return them (UPPERCASE names). Nothing
 * here is interpreted: parse-snapshot.ts is the one place that turns these into the model.
 */
export interface RawTableRow {
  readonly TABLE_NAME: string;
  readonly TABLE_TYPE: string;
  readonly ENGINE: string | null;
  readonly TABLE_COLLATION: string | null;
  readonly TABLE_COMMENT: string | null;
  readonly CREATE_OPTIONS: string | null;
  readonly TABLE_ROWS: string | number | null;
  readonly DATA_LENGTH: string | number | null;
  readonly INDEX_LENGTH: string | number | null;
}

export interface RawColumnRow {
  readonly TABLE_NAME: string;
  readonly COLUMN_NAME: string;
  readonly ORDINAL_POSITION: string | number;
  readonly COLUMN_DEFAULT: string | null;
  readonly IS_NULLABLE: string;
  readonly DATA_TYPE: string;
  readonly CHARACTER_SET_NAME: string | null;
  readonly COLLATION_NAME: string | null;
  readonly COLUMN_TYPE: string;
  readonly EXTRA: string | null;
  readonly COLUMN_COMMENT: string | null;
  readonly GENERATION_EXPRESSION: string | null;
}

export interface RawStatisticsRow {
  readonly TABLE_NAME: string;
  readonly INDEX_NAME: string;
  readonly NON_UNIQUE: string | number;
  readonly SEQ_IN_INDEX: string | number;
  readonly COLUMN_NAME: string | null;
  readonly SUB_PART: string | number | null;
  readonly INDEX_TYPE: string;
  readonly INDEX_COMMENT: string | null;
  readonly COLLATION: string | null;
  /** MariaDB 10.6+: YES/NO. MySQL 8: derived from IS_VISIBLE. */
  readonly IGNORED: string | null;
  /** MySQL 8 functional key parts. */
  readonly EXPRESSION: string | null;
}

export interface RawForeignKeyRow {
  readonly TABLE_NAME: string;
  readonly CONSTRAINT_NAME: string;
  readonly COLUMN_NAME: string;
  readonly ORDINAL_POSITION: string | number;
  readonly REFERENCED_TABLE_SCHEMA: string | null;
  readonly REFERENCED_TABLE_NAME: string;
  readonly REFERENCED_COLUMN_NAME: string;
  readonly UPDATE_RULE: string;
  readonly DELETE_RULE: string;
}

export interface RawCheckRow {
  readonly TABLE_NAME: string;
  readonly CONSTRAINT_NAME: string;
  /** MariaDB: Column or Table. MySQL: always Table. */
  readonly LEVEL: string;
  readonly CHECK_CLAUSE: string;
  readonly ENFORCED: string | null;
}

export interface RawViewRow {
  readonly TABLE_NAME: string;
  readonly VIEW_DEFINITION: string | null;
  readonly CHECK_OPTION: string | null;
  readonly DEFINER: string;
  readonly SECURITY_TYPE: string;
  readonly CHARACTER_SET_CLIENT: string;
  readonly COLLATION_CONNECTION: string;
  readonly ALGORITHM: string | null;
}

export interface RawTriggerRow {
  readonly TRIGGER_NAME: string;
  readonly EVENT_MANIPULATION: string;
  readonly EVENT_OBJECT_TABLE: string;
  readonly ACTION_ORDER: string | number;
  readonly ACTION_STATEMENT: string;
  readonly ACTION_TIMING: string;
  readonly SQL_MODE: string;
  readonly DEFINER: string;
  readonly CHARACTER_SET_CLIENT: string;
  readonly COLLATION_CONNECTION: string;
  /** SHOW CREATE TRIGGER "SQL Original Statement": the text as it was written; null when not read. */
  readonly CREATE_STATEMENT?: string | null;
}

export interface RawRoutineRow {
  readonly ROUTINE_NAME: string;
  readonly ROUTINE_TYPE: string;
  readonly DEFINER: string;
  readonly SQL_MODE: string;
  readonly CHARACTER_SET_CLIENT: string;
  readonly COLLATION_CONNECTION: string;
  /** SHOW CREATE PROCEDURE/FUNCTION text; null when the user may not read it. */
  readonly CREATE_STATEMENT: string | null;
}

export interface RawEventRow {
  readonly EVENT_NAME: string;
  readonly DEFINER: string;
  readonly SQL_MODE: string;
  readonly TIME_ZONE: string;
  readonly CHARACTER_SET_CLIENT: string;
  readonly COLLATION_CONNECTION: string;
  readonly CREATE_STATEMENT: string | null;
}

/** What the account holds, as the server printed it (read-privileges.ts). */
export interface RawGrants {
  /** CURRENT_USER(): user@host. */
  readonly account: string;
  /** MySQL CURRENT_ROLE() when roles are active, else null. */
  readonly activeRoles: string | null;
  /** SHOW GRANTS lines (MySQL: USING the active roles). */
  readonly lines: readonly string[];
  /** MariaDB: SELECT 1 FROM mysql.proc succeeded; null when not probed. */
  readonly procTable: boolean | null;
}

export interface RawSchema {
  readonly server: ServerInfo;
  readonly database: string;
  readonly defaultCharset: string;
  readonly defaultCollation: string;
  readonly tables: readonly RawTableRow[];
  readonly columns: readonly RawColumnRow[];
  readonly statistics: readonly RawStatisticsRow[];
  readonly foreignKeys: readonly RawForeignKeyRow[];
  readonly checks: readonly RawCheckRow[];
  readonly views: readonly RawViewRow[];
  readonly triggers: readonly RawTriggerRow[];
  readonly routines: readonly RawRoutineRow[];
  readonly events: readonly RawEventRow[];
  /** SHOW CREATE TABLE / SHOW CREATE SEQUENCE text by object name. */
  readonly createStatements: Readonly<Record<string, string>>;
  /** Null when not read (tests building raw rows by hand): everything then counts as readable. */
  readonly grants?: RawGrants | null;
  /** Tables whose SHOW CREATE TABLE was refused (no table-level privilege): unknown, not absent. */
  readonly unreadableTables?: readonly string[];
}
