import type { CheckConstraint, Column, Event, ForeignKey, Index, Routine, Sequence, Table, Trigger, View } from '../snapshot/model.js';

/** A database's default character set and collation: what objects created without one take. */
export interface DatabaseDefaults {
  readonly charset: string;
  readonly collation: string;
}

/** Where an added or moved column goes. */
export type ColumnPosition = { readonly first: true } | { readonly after: string } | null;

/** One clause of an ALTER TABLE, as data. Rendered to SQL by plan/render-ddl.ts. */
export type AlterClause =
  | { readonly kind: 'drop_foreign_key'; readonly foreignKey: ForeignKey }
  | { readonly kind: 'drop_check'; readonly check: CheckConstraint }
  | { readonly kind: 'drop_index'; readonly index: Index }
  | { readonly kind: 'drop_column'; readonly column: Column }
  | { readonly kind: 'modify_column'; readonly from: Column; readonly to: Column; readonly position: ColumnPosition }
  | { readonly kind: 'add_column'; readonly column: Column; readonly position: ColumnPosition }
  /** DROP + ADD in one ALTER: a generation change the server refuses to MODIFY (snapshot/dialect.ts generatedColumnChange). */
  | { readonly kind: 'replace_column'; readonly from: Column; readonly to: Column; readonly position: ColumnPosition }
  /**
   * VIRTUAL -> regular: a temporary STORED column named `temporary` computes the values first (its own
   * statement), then replaces the column, so that no row loses its value.
   */
  | {
      readonly kind: 'materialize_column';
      readonly from: Column;
      readonly to: Column;
      readonly position: ColumnPosition;
      readonly temporary: string;
    }
  /** A rename the config names (renames): CHANGE COLUMN keeps the values. */
  | { readonly kind: 'rename_column'; readonly from: Column; readonly to: Column; readonly position: ColumnPosition }
  | { readonly kind: 'add_index'; readonly index: Index }
  /** Only IGNORED (MySQL: INVISIBLE) changes: ALTER INDEX, the key is kept. */
  | { readonly kind: 'index_ignored'; readonly index: Index }
  | { readonly kind: 'add_check'; readonly check: CheckConstraint }
  | { readonly kind: 'add_foreign_key'; readonly foreignKey: ForeignKey }
  | { readonly kind: 'table_options'; readonly from: Table['options']; readonly to: Table['options'] }
  | { readonly kind: 'partitioning'; readonly from: string | null; readonly to: string | null };

export interface Safety {
  readonly destructive: boolean;
  /** Why it is (or is not) destructive, or what the change does; one line each. */
  readonly reasons: readonly string[];
}

/** A typed schema change. `name` is the object's name; tables are referred to by name. */
export type Change = Safety &
  (
    | { readonly kind: 'create_table'; readonly name: string; readonly table: Table; readonly createStatement: string | null }
    | {
        readonly kind: 'alter_table';
        readonly name: string;
        readonly from: Table;
        readonly to: Table;
        readonly clauses: readonly AlterClause[];
        /** Possible renames seen (a drop and an add of the same type at the same position): shown, never applied. */
        readonly hints?: readonly string[];
        /** config renames: the sandbox table's old name (renamed before it is altered). */
        readonly renamedFrom?: string;
      }
    | { readonly kind: 'drop_table'; readonly name: string; readonly table: Table }
    | {
        readonly kind: 'unsupported_table';
        readonly name: string;
        readonly detail: string;
        readonly from: Table | null;
        readonly to: Table | null;
        readonly fromStatement: string | null;
        readonly toStatement: string | null;
      }
    | { readonly kind: 'create_view'; readonly name: string; readonly view: View }
    | { readonly kind: 'alter_view'; readonly name: string; readonly from: View; readonly view: View }
    | { readonly kind: 'drop_view'; readonly name: string; readonly view: View }
    | { readonly kind: 'create_trigger'; readonly name: string; readonly trigger: Trigger }
    | { readonly kind: 'alter_trigger'; readonly name: string; readonly from: Trigger; readonly trigger: Trigger }
    | { readonly kind: 'drop_trigger'; readonly name: string; readonly trigger: Trigger }
    | { readonly kind: 'create_routine'; readonly name: string; readonly routine: Routine }
    | { readonly kind: 'alter_routine'; readonly name: string; readonly from: Routine; readonly routine: Routine }
    | { readonly kind: 'drop_routine'; readonly name: string; readonly routine: Routine }
    | { readonly kind: 'create_event'; readonly name: string; readonly event: Event }
    | { readonly kind: 'alter_event'; readonly name: string; readonly from: Event; readonly event: Event }
    | { readonly kind: 'drop_event'; readonly name: string; readonly event: Event }
    | { readonly kind: 'create_sequence'; readonly name: string; readonly sequence: Sequence }
    | { readonly kind: 'alter_sequence'; readonly name: string; readonly from: Sequence; readonly sequence: Sequence }
    | { readonly kind: 'drop_sequence'; readonly name: string; readonly sequence: Sequence }
    | {
        readonly kind: 'alter_database';
        /** The sandbox database's name (the one altered). */
        readonly name: string;
        readonly from: DatabaseDefaults;
        readonly to: DatabaseDefaults;
      }
    | {
        readonly kind: 'unsupported_object';
        readonly name: string;
        readonly objectKind: 'view' | 'routine' | 'event';
        readonly detail: string;
      }
  );

export type ChangeKind = Change['kind'];
