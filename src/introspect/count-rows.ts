import type { MaintainTable } from '../config/types.js';
import { quoteIdent } from '../sql/quote.js';
import type { Queryable } from '../db/session.js';

/**
 * Exact row counts of the maintain tables (with their filters), for the plan's data steps.
 * information_schema's TABLE_ROWS is an estimate that moves between two reads of an unchanged
 * table, which would make two plans of the same databases differ.
 */
export async function countMaintainRows(sessions: readonly Queryable[], maintain: readonly MaintainTable[], existing: ReadonlySet<string>): Promise<Record<string, number>> {
  const work = maintain.filter((m) => existing.has(m.table));
  const counts: Record<string, number> = {};
  let next = 0;
  await Promise.all(
    sessions.map(async (session) => {
      while (next < work.length) {
        const entry = work[next++]!;
        const rows = await session.query<{ n: string | number }>(`SELECT COUNT(*) AS n FROM ${quoteIdent(entry.table)}${entry.where ? ` WHERE (${entry.where})` : ''}`);
        counts[entry.table] = Number(rows[0]?.n ?? 0);
      }
    }),
  );
  return counts;
}
