/**
 * The one key-range cutter, shared by the copy (parts copied in parallel, ranges compared by the
 * delta copy) and the validation (checksum chunks and their drill-down).
 *
 * A list of boundaries b[0] < b[1] < ... cuts a range (lower, upper] into (lower, b[0]],
 * (b[0], b[1]], ..., (b[n-1], upper] (sql/key-range.ts splitRange). Consecutive ranges share a
 * boundary and the outer ends stay as they were, so the parts cover every row of either side
 * exactly once whatever the data looks like: a poor cut only costs balance, never correctness.
 *
 * - A single integer key is cut arithmetically between MIN and MAX (two index dives): the
 *   hi - lo + 1 possible values are shared out as evenly as integer division allows, each part
 *   (lo + count*(i-1)/parts - 1, lo + count*i/parts - 1]. Before this file the copy used
 *   span = hi - lo without the - 1, which gave its first part one value more than the others.
 * - Any other key is nibbled from the index: `ORDER BY key LIMIT 1 OFFSET step-1` after the
 *   previous boundary, one index pass in all (the copy used to restart from the table's start
 *   for each boundary).
 */
import { quoteIdent } from '../sql/quote.js';
import {
  allOf,
  isIntegerKey,
  keyAfter,
  keyAtMost,
  keyOrderBy,
  keySelectList,
  whereClause,
  type KeyColumn,
  type SqlFragment,
} from '../sql/key-sql.js';
import type { KeyRange } from '../sql/key-range.js';

/** What key-boundaries needs of a session (production or sandbox). */
export interface ArrayQueryable {
  queryArrays(sql: string, params?: readonly unknown[], options?: { raw?: boolean }): Promise<unknown[][]>;
}

export interface TableEstimate {
  /** InnoDB's estimate: enough to size ranges, never trusted for counts (may lag after bulk changes). */
  readonly rows: number;
  readonly avgRowBytes: number;
}

/** information_schema's row count and average row size of a table in the session's database. */
export async function estimateTable(session: ArrayQueryable, table: string): Promise<TableEstimate> {
  const rows = await session.queryArrays(
    'SELECT TABLE_ROWS, AVG_ROW_LENGTH FROM information_schema.TABLES WHERE TABLE_SCHEMA = DATABASE() AND TABLE_NAME = ?',
    [table],
    { raw: true },
  );
  const row = rows[0];
  const number = (v: unknown): number => (Buffer.isBuffer(v) ? Number(v.toString('latin1')) || 0 : 0);
  return { rows: number(row?.[0]), avgRowBytes: number(row?.[1]) };
}

/** How finely to cut. */
export interface CutSize {
  /** The table's row estimate (0: unknown). */
  readonly estimatedRows: number;
  /** Target rows per part. */
  readonly rowsPerPart: number;
  /** Most parts wanted. */
  readonly maxParts: number;
}

/**
 * Parts for an integer key between lo and hi: one per rowsPerPart of the estimate (of the value
 * count when the estimate is unknown or larger), at most maxParts, at most one per value.
 */
export function integerParts(lo: bigint, hi: bigint, size: CutSize): bigint {
  const count = hi - lo + 1n;
  if (count < 1n) return 1n;
  const rows = size.estimatedRows > 0 && BigInt(size.estimatedRows) < count ? BigInt(size.estimatedRows) : count;
  const perPart = BigInt(Math.max(1, Math.floor(size.rowsPerPart)));
  let parts = (rows + perPart - 1n) / perPart;
  if (parts > BigInt(size.maxParts)) parts = BigInt(size.maxParts);
  if (parts > count) parts = count;
  return parts < 1n ? 1n : parts;
}

/** The boundaries sharing out the values lo..hi among `parts` parts (see the file comment). */
export function integerBoundaries(lo: bigint, hi: bigint, parts: bigint): bigint[] {
  const count = hi - lo + 1n;
  const n = parts < count ? parts : count;
  const out: bigint[] = [];
  for (let i = 1n; i < n; i++) out.push(lo + (count * i) / n - 1n);
  return out;
}

/** The table and key being cut; filter narrows the rows counted by a nibble (appended last, see sideCondition). */
export interface CutTarget {
  readonly table: string;
  /** Boundaries are tuples of these columns (the copy passes the first key column alone). */
  readonly key: readonly KeyColumn[];
  readonly filter: SqlFragment | null;
}

/** Boundaries cutting a table's whole key range (integer keys by value, others by nibbling). */
export async function cutKeyRange(session: ArrayQueryable, target: CutTarget, size: CutSize): Promise<Buffer[][]> {
  if (size.maxParts < 2) return [];
  if (isIntegerKey(target.key)) {
    const name = quoteIdent(target.key[0]!.name);
    const [row] = await session.queryArrays(`SELECT MIN(${name}), MAX(${name}) FROM ${quoteIdent(target.table)}`, [], { raw: true });
    const [min, max] = (row ?? []) as (Buffer | null)[];
    if (!min || !max) return [];
    const lo = BigInt(min.toString('latin1'));
    const hi = BigInt(max.toString('latin1'));
    return integerBoundaries(lo, hi, integerParts(lo, hi, size)).map((b) => [Buffer.from(String(b), 'latin1')]);
  }
  return nibbleBoundaries(session, target, { lower: null, upper: null }, Math.max(1, Math.floor(size.rowsPerPart)), size.maxParts - 1);
}

/** Boundaries every `step` rows inside a range, read from the key index; at most maxBoundaries. */
export async function nibbleBoundaries(
  session: ArrayQueryable,
  target: CutTarget,
  range: KeyRange,
  step: number,
  maxBoundaries: number,
): Promise<Buffer[][]> {
  const key = target.key;
  const boundaries: Buffer[][] = [];
  let lower = range.lower;
  for (let i = 0; i < maxBoundaries; i++) {
    const condition = allOf([lower ? keyAfter(key, lower) : null, range.upper ? keyAtMost(key, range.upper) : null, target.filter]);
    const rows = await session.queryArrays(
      `SELECT ${keySelectList(key)} FROM ${quoteIdent(target.table)}${whereClause(condition)} ORDER BY ${keyOrderBy(key)} LIMIT 1 OFFSET ${Math.max(0, step - 1)}`,
      condition?.params ?? [],
      { raw: true },
    );
    if (rows.length === 0) break;
    const boundary = rows[0] as Buffer[];
    boundaries.push(boundary);
    lower = boundary;
  }
  return boundaries;
}
