/**
 * Privilege names as the server grants them, by the level they can be granted at (MariaDB manual,
 * GRANT: "Table Privileges", "Column Privileges", "Function/Procedure Privileges"; MySQL 8 has the
 * same lists without DELETE HISTORY). Pure vocabulary: who holds what is read in introspect/privileges.ts.
 */

/** Privileges that can be granted on one table (and so hold at table level when granted on a database or globally). */
export const TABLE_LEVEL_PRIVILEGES: ReadonlySet<string> = new Set([
  'SELECT',
  'INSERT',
  'UPDATE',
  'DELETE',
  'CREATE',
  'DROP',
  'REFERENCES',
  'INDEX',
  'ALTER',
  'CREATE VIEW',
  'SHOW VIEW',
  'TRIGGER',
  'DELETE HISTORY',
]);

/** Privileges that can be granted on single columns (each makes the column visible in information_schema.COLUMNS). */
export const COLUMN_LEVEL_PRIVILEGES: readonly string[] = ['SELECT', 'INSERT', 'UPDATE', 'REFERENCES'];

/** Routine privileges that make a routine listed in information_schema.ROUTINES (not its body). */
export const ROUTINE_LISTING_PRIVILEGES: readonly string[] = ['EXECUTE', 'ALTER ROUTINE', 'CREATE ROUTINE'];
