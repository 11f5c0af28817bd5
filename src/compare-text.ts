/**
 * Byte-order comparison of two strings (code units, not locale): the one order used for
 * deterministic output everywhere (snapshot arrays, plan steps, reports).
 */
export function compareText(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
