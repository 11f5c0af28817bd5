/**
 * Cutting a table's key range into consecutive ranges, for the copy (parts copied in parallel)
 * and the validation (checksum chunks). Pure arithmetic for now; both of today's formulas are
 * kept side by side until they are unified.
 */

/** copy/split-key-range.ts today: span = hi - lo, no cut when span < parts. */
export function copyIntegerBoundaries(lo: bigint, hi: bigint, parts: number): bigint[] {
  if (parts < 2) return [];
  const span = hi - lo;
  if (span < BigInt(parts)) return [];
  const out: bigint[] = [];
  for (let i = 1; i < parts; i++) out.push(lo + (span * BigInt(i)) / BigInt(parts));
  return out;
}

/** validate/data-checksum.ts today: span = hi - lo + 1 values, boundaries one below each part's start. */
export function checksumIntegerBoundaries(lo: bigint, hi: bigint, estimatedRows: number, chunkRows: number, maxChunks: number): bigint[] {
  const span = hi - lo + 1n;
  const rows = estimatedRows > 0 && BigInt(estimatedRows) < span ? BigInt(estimatedRows) : span;
  const parts = bigMin(bigMin(BigInt(maxChunks), (rows + BigInt(chunkRows) - 1n) / BigInt(chunkRows)), span);
  const out: bigint[] = [];
  for (let i = 1n; i < parts; i++) out.push(lo + (span * i) / parts - 1n);
  return out;
}

function bigMin(a: bigint, b: bigint): bigint {
  return a < b ? a : b;
}
