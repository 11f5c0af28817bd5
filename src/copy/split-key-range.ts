/**
 * Boundaries that cut one table's key range into parts copied in parallel. Boundaries are
 * values of the first key column (1-tuples); part i is (b[i-1], b[i]], the first and last
 * open-ended, so the parts are disjoint and cover every row whatever the data looks like
 * (db/key-boundaries.ts cuts; this file only says how finely).
 */
import type { ProductionSession } from '../db/session.js';
import { cutKeyRange, type TableEstimate } from '../db/key-boundaries.js';
import { isIntegerColumn } from '../sql/key-sql.js';
import type { CopyColumn } from './copy-task.js';

/**
 * Integer first columns are cut by value between MIN and MAX (two index dives); other types are
 * nibbled from the index once per table (chunks themselves never use OFFSET), unless the
 * estimate says there are too few rows for the parts to be worth it.
 */
export async function splitKeyRange(
  session: ProductionSession,
  table: string,
  first: CopyColumn,
  parts: number,
  estimate: TableEstimate,
): Promise<Buffer[][]> {
  if (parts < 2) return [];
  const target = { table, key: [first], filter: null };
  // By value: exactly `parts` parts (up to one per value), whatever the estimate says.
  if (isIntegerColumn(first)) return cutKeyRange(session, target, { estimatedRows: 0, rowsPerPart: 1, maxParts: parts });
  if (estimate.rows < parts * 2) return [];
  return cutKeyRange(session, target, { estimatedRows: estimate.rows, rowsPerPart: Math.ceil(estimate.rows / parts), maxParts: parts });
}
