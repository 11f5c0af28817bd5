/**
 * The schema model: what one database's structure is, independent of the server flavor.
 * Everything is plain, JSON-safe, readonly data; parse-snapshot.ts is the only producer.
 * Arrays have a defined order (columns: ordinal; indexes: the server's SHOW CREATE TABLE order,
 * which follows creation; everything else: by name) so that equal schemas serialise to identical bytes.
 */
import type { Flavor } from '../sql/server-info.js';

export interface Column {
  readonly name: string;
  /** Base type in lower case: int, varchar, decimal, json, enum, point, ... */
  readonly dataType: string;
  /** Full canonical type: "int(10) unsigned", "varchar(20)", "enum('a','b')", "json". */
  readonly type: string;
  readonly nullable: boolean;
  /**
   * The DEFAULT clause as canonical SQL ("NULL", "'abc'", "0", "current_timestamp()", "b'101'",
   * "(expr)"), or null when the column has no DEFAULT clause.
   */
  readonly default: string | null;
  readonly onUpdate: string | null;
  readonly autoIncrement: boolean;
  /** Resolved character set and collation (null for non-string types and json). */
  readonly charset: string | null;
  readonly collation: string | null;
  readonly generated: { readonly expression: string; readonly stored: boolean } | null;
  readonly invisible: boolean;
  readonly comment: string;
  /** MariaDB column-level CHECK clause (the implicit json_valid() of a json column excluded). */
  readonly check: string | null;
}

/**
 * A MariaDB system-versioning column (GENERATED ALWAYS AS ROW START / ROW END): the server sets
 * it when a row is written, so it never carries production's value into the sandbox.
 */
export function isRowPeriodColumn(column: Pick<Column, 'generated'>): boolean {
  return column.generated !== null && /^row\s+(start|end)$/i.test(column.generated.expression);
}

export interface IndexPart {
  /** Column name, or null for a functional part (MySQL 8). */
  readonly column: string | null;
  readonly expression: string | null;
  /** Prefix length, or null. */
  readonly length: number | null;
  readonly descending: boolean;
}

export type IndexKind = 'primary' | 'unique' | 'index' | 'fulltext' | 'spatial';

export interface Index {
  /** "PRIMARY" for the primary key. */
  readonly name: string;
  readonly kind: IndexKind;
  readonly parts: readonly IndexPart[];
  /** An explicit USING clause as SHOW CREATE TABLE shows it, else null. */
  readonly using: 'BTREE' | 'HASH' | 'RTREE' | null;
  readonly comment: string;
  /** MariaDB IGNORED / MySQL INVISIBLE. */
  readonly ignored: boolean;
  /** FULLTEXT ... WITH PARSER name. */
  readonly parser: string | null;
}

export type ReferentialAction = 'RESTRICT' | 'CASCADE' | 'SET NULL' | 'NO ACTION' | 'SET DEFAULT';

export interface ForeignKey {
  readonly name: string;
  readonly columns: readonly string[];
  /** Null when the referenced table is in the same database (the usual case). */
  readonly referencedSchema: string | null;
  readonly referencedTable: string;
  readonly referencedColumns: readonly string[];
  /** NO ACTION is normalised to RESTRICT (identical in InnoDB). */
  readonly onDelete: ReferentialAction;
  readonly onUpdate: ReferentialAction;
}

export interface CheckConstraint {
  readonly name: string;
  readonly clause: string;
  readonly enforced: boolean;
}

export interface TableOptions {
  readonly engine: string;
  readonly charset: string;
  readonly collation: string;
  readonly comment: string;
  /** Other options given explicitly at CREATE/ALTER time, upper-case KEY=VALUE, in server order. */
  readonly createOptions: readonly string[];
}

export interface Table {
  readonly name: string;
  readonly columns: readonly Column[];
  readonly indexes: readonly Index[];
  readonly foreignKeys: readonly ForeignKey[];
  readonly checks: readonly CheckConstraint[];
  readonly options: TableOptions;
  /** Normalised partition clause ("PARTITION BY ..."), or null. */
  readonly partitioning: string | null;
}

export interface View {
  readonly name: string;
  /** The SELECT as the server stores it, with this database's own qualifiers removed. */
  readonly definition: string;
  readonly algorithm: string;
  readonly security: string;
  readonly checkOption: string;
  readonly definer: string;
  /** Tables and views (of this database) the definition refers to, sorted. */
  readonly dependsOn: readonly string[];
  readonly charsetClient: string;
  readonly collationConnection: string;
}

export interface Trigger {
  readonly name: string;
  readonly table: string;
  readonly timing: 'BEFORE' | 'AFTER';
  readonly event: 'INSERT' | 'UPDATE' | 'DELETE';
  readonly order: number;
  readonly statement: string;
  /**
   * SHOW CREATE TRIGGER's original statement without its DEFINER clause: what the sandbox's
   * trigger is created from and compared on. Absent in snapshots read before it was introspected.
   */
  readonly definition?: string;
  readonly definer: string;
  readonly sqlMode: string;
  readonly charsetClient: string;
  readonly collationConnection: string;
}

export interface Routine {
  readonly name: string;
  readonly type: 'PROCEDURE' | 'FUNCTION';
  /** SHOW CREATE text without its DEFINER clause. */
  readonly definition: string;
  readonly definer: string;
  readonly sqlMode: string;
  readonly charsetClient: string;
  readonly collationConnection: string;
}

export interface Event {
  readonly name: string;
  /** SHOW CREATE EVENT text without its DEFINER clause. */
  readonly definition: string;
  readonly definer: string;
  readonly sqlMode: string;
  readonly timeZone: string;
  readonly charsetClient: string;
  readonly collationConnection: string;
}

export interface Sequence {
  readonly name: string;
  /** SHOW CREATE SEQUENCE text. */
  readonly definition: string;
}

export type ObjectKind = 'table' | 'view' | 'trigger' | 'routine' | 'event' | 'sequence';

/**
 * An object the model cannot represent faithfully (Skeema's self-check failed, or the
 * definition is not readable). No DDL is guessed for it.
 */
export interface Unsupported {
  readonly kind: ObjectKind;
  readonly name: string;
  readonly reason: string;
  /** The server's own normalised CREATE statement, for comparison and display. */
  readonly createStatement: string | null;
}

/**
 * What this side's account could not read: unknown, never absent. Such an object (or, with
 * name null, every object of the kind) is never dropped, created or re-created; the plan fails
 * naming the grant unless the config says to leave the class alone (`unknown: { routines: skip }`).
 */
export interface UnknownObject {
  readonly kind: ObjectKind;
  /** null: the account cannot list objects of this kind at all. */
  readonly name: string | null;
  /** What could not be read and why, for messages: "foreign keys (...)". */
  readonly what: string;
  /** The statement that would let the account read it. */
  readonly grant: string;
}

export interface Snapshot {
  readonly flavor: Flavor;
  readonly serverVersion: string;
  readonly database: string;
  readonly charset: string;
  readonly collation: string;
  readonly tables: readonly Table[];
  readonly views: readonly View[];
  readonly triggers: readonly Trigger[];
  readonly routines: readonly Routine[];
  readonly events: readonly Event[];
  readonly sequences: readonly Sequence[];
  readonly unsupported: readonly Unsupported[];
  /** Absent in snapshots read before privileges were checked (old plan files, test builders): nothing unknown. */
  readonly unknown?: readonly UnknownObject[];
}
