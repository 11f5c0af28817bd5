/**
 * Boundaries that cut one table's key range into parts copied in parallel. Boundaries are
 * values of the first key column; part i is (b[i-1], b[i]], the first and last open-ended, so
 * the parts are disjoint and cover every row whatever the data looks like: a poor split only
 * costs balance, never correctness.
 */
import { quoteIdent } from '../sql/quote.js';
import type { ProductionSession } from '../db/session.js';
import type { CopyColumn } from './copy-task.js';
import { isIntegerColumn, keySelectSql } from '../sql/key-sql.js';
import { copyIntegerBoundaries } from '../db/key-boundaries.js';

export interface TableEstimate {
  /** InnoDB's estimate; may lag behind after bulk changes. */
  readonly rows: number;
  readonly avgRowBytes: number;
}

export async function estimateTable(session: ProductionSession, table: string): Promise<TableEstimate> {
  const rows = await session.queryArrays(
    'SELECT TABLE_ROWS, AVG_ROW_LENGTH FROM information_schema.TABLES WHERE TABLE_SCHEMA = DATABASE() AND TABLE_NAME = ?',
    [table],
    { raw: true },
  );
  const row = rows[0];
  const number = (v: unknown): number => (Buffer.isBuffer(v) ? Number(v.toString('latin1')) || 0 : 0);
  return { rows: number(row?.[0]), avgRowBytes: number(row?.[1]) };
}

/**
 * Integer first columns are cut arithmetically between MIN and MAX (two index dives). Other
 * types take quantiles from the index by position: one index-only scan per boundary, done once
 * per table (chunks themselves never use OFFSET).
 */
export async function splitKeyRange(session: ProductionSession, table: string, first: CopyColumn, parts: number, estimate: TableEstimate): Promise<Buffer[]> {
  if (parts < 2) return [];
  const name = quoteIdent(first.name);
  if (isIntegerColumn(first)) {
    const [row] = await session.queryArrays(`SELECT MIN(${name}), MAX(${name}) FROM ${quoteIdent(table)}`, [], { raw: true });
    const [min, max] = (row ?? []) as (Buffer | null)[];
    if (!min || !max) return [];
    const lo = BigInt(min.toString('latin1'));
    const hi = BigInt(max.toString('latin1'));
    return copyIntegerBoundaries(lo, hi, parts).map((b) => Buffer.from(String(b), 'latin1'));
  }
  if (estimate.rows < parts * 2) return [];
  const boundaries: Buffer[] = [];
  for (let i = 1; i < parts; i++) {
    const offset = Math.floor((estimate.rows * i) / parts);
    const [row] = await session.queryArrays(`SELECT ${keySelectSql(first)} FROM ${quoteIdent(table)} ORDER BY ${name} LIMIT 1 OFFSET ${offset}`, [], { raw: true });
    const value = row?.[0] as Buffer | null | undefined;
    if (!value) break;
    if (boundaries.length === 0 || !boundaries[boundaries.length - 1]!.equals(value)) boundaries.push(value);
  }
  return boundaries;
}
