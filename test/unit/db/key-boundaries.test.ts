import { describe, expect, it } from 'vitest';
import { integerBoundaries, integerParts } from '../../../src/db/key-boundaries.js';

/** Which part each value falls in: part i is (b[i-1], b[i]], the ends open. */
function partOf(value: bigint, boundaries: readonly bigint[]): number {
  let i = 0;
  while (i < boundaries.length && value > boundaries[i]!) i++;
  return i;
}

function partSizes(lo: bigint, hi: bigint, boundaries: readonly bigint[]): number[] {
  const sizes = Array.from({ length: boundaries.length + 1 }, () => 0);
  for (let v = lo; v <= hi; v++) sizes[partOf(v, boundaries)]!++;
  return sizes;
}

const size = (estimatedRows: number, rowsPerPart: number, maxParts: number) => ({ estimatedRows, rowsPerPart, maxParts });

describe('integer key boundaries', () => {
  it('share the hi - lo + 1 values out evenly, boundaries strictly increasing inside [lo, hi)', () => {
    expect(integerBoundaries(1n, 100n, 2n)).toEqual([50n]);
    expect(integerBoundaries(1n, 100n, 4n)).toEqual([25n, 50n, 75n]);
    expect(partSizes(1n, 100n, integerBoundaries(1n, 100n, 4n))).toEqual([25, 25, 25, 25]);
    // The copy's old formula (span = hi - lo) gave [3, 6] here, sizes [4, 3, 4].
    expect(integerBoundaries(0n, 10n, 3n)).toEqual([2n, 6n]);
    expect(partSizes(0n, 10n, integerBoundaries(0n, 10n, 3n))).toEqual([3, 4, 4]);
    expect(integerBoundaries(-5n, 4n, 2n)).toEqual([-1n]);
    expect(integerBoundaries(18446744073709551000n, 18446744073709551615n, 2n)).toEqual([18446744073709551307n]);
  });

  it('covers every value exactly once for any number of parts up to the value count', () => {
    for (const [lo, hi] of [
      [0n, 0n],
      [1n, 2n],
      [1n, 7n],
      [-3n, 17n],
      [100n, 131n],
    ] as const) {
      const count = Number(hi - lo + 1n);
      for (let parts = 1; parts <= count; parts++) {
        const boundaries = integerBoundaries(lo, hi, BigInt(parts));
        expect(boundaries).toHaveLength(parts - 1);
        for (let i = 1; i < boundaries.length; i++) expect(boundaries[i]! > boundaries[i - 1]!).toBe(true);
        const sizes = partSizes(lo, hi, boundaries);
        expect(sizes.reduce((a, b) => a + b, 0)).toBe(count);
        expect(Math.max(...sizes) - Math.min(...sizes)).toBeLessThanOrEqual(1);
      }
    }
  });

  it('never cuts more parts than values', () => {
    expect(integerBoundaries(1n, 2n, 5n)).toEqual([1n]);
    expect(integerBoundaries(7n, 7n, 3n)).toEqual([]);
  });
});

describe('integer part counts', () => {
  it('follow the estimate, or the value count when the estimate is unknown or larger', () => {
    expect(integerParts(1n, 100n, size(100, 25, 10_000))).toBe(4n);
    expect(integerParts(0n, 10n, size(0, 4, 10_000))).toBe(3n);
    // A sparse key: 10 rows over a million values, 5 per part.
    expect(integerParts(1n, 1_000_000n, size(10, 5, 10_000))).toBe(2n);
    // An estimate above the value count (stale statistics) is capped by the count.
    expect(integerParts(1n, 10n, size(1000, 5, 10_000))).toBe(2n);
  });

  it('are capped by maxParts and by the value count, and at least one', () => {
    expect(integerParts(1n, 1000n, size(1000, 1, 4))).toBe(4n);
    expect(integerParts(1n, 2n, size(100, 1, 10_000))).toBe(2n);
    expect(integerParts(7n, 7n, size(1, 1, 10_000))).toBe(1n);
    expect(integerParts(1n, 100n, size(0, 0, 10))).toBe(10n);
  });

  it('give the copy exactly its concurrency when it asks by value (split-key-range.ts: estimate 0, one row per part)', () => {
    expect(integerParts(1n, 1_000_000n, size(0, 1, 2))).toBe(2n);
    expect(integerParts(1n, 1_000_000n, size(0, 1, 4))).toBe(4n);
    expect(integerParts(5n, 6n, size(0, 1, 4))).toBe(2n);
  });
});
