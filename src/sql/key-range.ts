/**
 * Key ranges for the chunked checksums. A range is (lower, upper] in key order, either end open
 * (null); consecutive ranges share a boundary, so a set of ranges from one list of boundaries
 * covers every row of both sides exactly once, whatever either side holds. The key comparisons
 * are the copy's own (sql/key-sql.ts).
 */
import { allOf, keyAfter, keyAtMost, type KeyColumn, type SqlFragment } from './key-sql.js';

/** Exclusive lower and inclusive upper bound, each a full key tuple; null: open. */
export interface KeyRange {
  readonly lower: readonly Buffer[] | null;
  readonly upper: readonly Buffer[] | null;
}

export const WHOLE_RANGE: KeyRange = Object.freeze({ lower: null, upper: null });

/** The condition for a range, or null for the whole table. */
export function rangeCondition(columns: readonly KeyColumn[], range: KeyRange): SqlFragment | null {
  return allOf([range.lower ? keyAfter(columns, range.lower) : null, range.upper ? keyAtMost(columns, range.upper) : null]);
}

/** Cuts a range into consecutive ranges at the given boundaries (already in key order, inside the range). */
export function splitRange(range: KeyRange, boundaries: readonly (readonly Buffer[])[]): KeyRange[] {
  const out: KeyRange[] = [];
  let lower = range.lower;
  for (const boundary of boundaries) {
    out.push({ lower, upper: boundary });
    lower = boundary;
  }
  out.push({ lower, upper: range.upper });
  return out;
}
