import { describe, expect, it } from 'vitest';
import { checksumIntegerBoundaries, copyIntegerBoundaries } from '../../../src/db/key-boundaries.js';

/** Which part (lower, upper] each value of lo..hi falls in: part i is (b[i-1], b[i]], the ends open. */
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

describe('the two integer cutters as they are today', () => {
  it('copy: span = hi - lo, the first part one value larger', () => {
    expect(copyIntegerBoundaries(1n, 100n, 2)).toEqual([50n]);
    expect(copyIntegerBoundaries(1n, 100n, 4)).toEqual([25n, 50n, 75n]);
    expect(partSizes(1n, 100n, copyIntegerBoundaries(1n, 100n, 4))).toEqual([25, 25, 25, 25]);
    expect(copyIntegerBoundaries(0n, 10n, 3)).toEqual([3n, 6n]);
    expect(partSizes(0n, 10n, copyIntegerBoundaries(0n, 10n, 3))).toEqual([4, 3, 4]);
    // Fewer values than parts + 1: no cut at all.
    expect(copyIntegerBoundaries(1n, 2n, 2)).toEqual([]);
    expect(copyIntegerBoundaries(5n, 5n, 2)).toEqual([]);
    expect(copyIntegerBoundaries(1n, 100n, 1)).toEqual([]);
  });

  it('checksum: span = hi - lo + 1 values, parts from the row estimate, boundaries - 1', () => {
    expect(checksumIntegerBoundaries(1n, 100n, 100, 25, 10_000)).toEqual([25n, 50n, 75n]);
    expect(partSizes(1n, 100n, checksumIntegerBoundaries(1n, 100n, 100, 25, 10_000))).toEqual([25, 25, 25, 25]);
    expect(checksumIntegerBoundaries(0n, 10n, 0, 4, 10_000)).toEqual([2n, 6n]);
    expect(partSizes(0n, 10n, checksumIntegerBoundaries(0n, 10n, 0, 4, 10_000))).toEqual([3, 4, 4]);
    // A sparse key: parts follow the estimate, not the span.
    expect(checksumIntegerBoundaries(1n, 1_000_000n, 10, 5, 10_000)).toEqual([500_000n]);
    // At most one part per value, at most maxChunks parts.
    expect(checksumIntegerBoundaries(1n, 2n, 100, 1, 10_000)).toEqual([1n]);
    expect(checksumIntegerBoundaries(1n, 1000n, 1000, 1, 4)).toEqual([250n, 500n, 750n]);
    expect(checksumIntegerBoundaries(7n, 7n, 1, 1, 10_000)).toEqual([]);
  });
});
