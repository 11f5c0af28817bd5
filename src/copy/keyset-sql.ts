/**
 * Keyset SQL for the copy: the key comparisons shared with validation (db/key-sql.ts), plus the
 * single-column bounds of the key ranges a table is split into.
 */
import { keyAfter, keyAtMost, type KeyColumn, type SqlFragment } from '../db/key-sql.js';

export { allOf, isIntegerColumn, keyAfter, keyOrderBy, keySelectSql, type SqlFragment } from '../db/key-sql.js';

/** Segment bounds are values of the first key column: (lower, upper]. */
export function firstKeyAbove(column: KeyColumn, value: Buffer): SqlFragment {
  return keyAfter([column], [value]);
}

export function firstKeyAtMost(column: KeyColumn, value: Buffer): SqlFragment {
  return keyAtMost([column], [value]);
}
