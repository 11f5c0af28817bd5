import type { MaintainTable } from '../config/types.js';
import { quoteIdent } from '../sql/quote.js';
import type { Queryable } from '../db/session.js';

/**
 * Exact row counts of the maintain tables (with their filters), for the plan's data steps.
 * information_schema's TABLE_ROWS is an estimate that moves between two reads of an unchanged
 * table, which would make two plans of the same databases differ.
 */
export async function countMaintainRows(
  sessions: readonly Queryable[],
  maintain: readonly MaintainTable[],
  existing: ReadonlySet<string>,
): Promise<Record<string, number>> {
  const work = maintain.filter((m) => existing.has(m.table));
  const counts: Record<string, number> = {};
  let next = 0;
  await Promise.all(
    sessions.map(async (session) => {
      while (next < work.length) {
        const entry = work[next++]!;
        const rows = await session.query<{ n: string | number }>(
          `SELECT COUNT(*) AS n FROM ${quoteIdent(entry.table)}${entry.where ? ` WHERE (${entry.where})` : ''}`,
        );
        counts[entry.table] = Number(rows[0]?.n ?? 0);
      }
    }),
  );
  return counts;
}

/** A foreign key between two maintained tables (plan/subset.ts's SubsetRelation fits). */
export interface CrossingRelation {
  readonly id: string;
  readonly table: string;
  readonly columns: readonly string[];
  readonly referencedTable: string;
  readonly referencedColumns: readonly string[];
}

export interface SubsetCrossing<R extends CrossingRelation = CrossingRelation> {
  readonly relation: R;
  /** Kept child rows whose parent exists in production but is not kept. */
  readonly rows: number;
}

/**
 * The closure's proof on production's data, in the reader's snapshot: for every relation between
 * two maintained tables, the kept child rows whose parent exists but is not kept. The closure
 * makes this zero by construction except across a relation cut to break a cycle, where the data
 * decides; production's own orphans (no parent at all) are not counted, they are not the subset's.
 */
export async function countSubsetCrossings<R extends CrossingRelation>(
  sessions: readonly Queryable[],
  subset: { readonly relations: readonly R[]; readonly tables: Readonly<Record<string, { readonly where: string | null }>> },
): Promise<SubsetCrossing<R>[]> {
  const work = subset.relations.filter((r) => subset.tables[r.table]?.where != null || subset.tables[r.referencedTable]?.where != null);
  const found: SubsetCrossing<R>[] = [];
  let next = 0;
  await Promise.all(
    sessions.map(async (session) => {
      while (next < work.length) {
        const r = work[next++]!;
        const childWhere = subset.tables[r.table]?.where ?? null;
        const parentWhere = subset.tables[r.referencedTable]?.where ?? null;
        const match = r.columns.map((c, i) => `p.${quoteIdent(r.referencedColumns[i]!)} = c.${quoteIdent(c)}`).join(' AND ');
        const parent = `SELECT 1 FROM ${quoteIdent(r.referencedTable)} p WHERE ${match}`;
        // Unqualified names of a filter resolve to the nearest FROM: c outside, p inside.
        const sql =
          `SELECT COUNT(*) AS n FROM ${quoteIdent(r.table)} c WHERE ${r.columns.map((c) => `c.${quoteIdent(c)} IS NOT NULL`).join(' AND ')}` +
          `${childWhere === null ? '' : ` AND (${childWhere})`} AND EXISTS (${parent}) AND NOT EXISTS (${parent}${parentWhere === null ? '' : ` AND (${parentWhere})`})`;
        const rows = await session.query<{ n: string | number }>(sql);
        const n = Number(rows[0]?.n ?? 0);
        if (n > 0) found.push({ relation: r, rows: n });
      }
    }),
  );
  return found.sort((a, b) => (a.relation.id < b.relation.id ? -1 : 1));
}
