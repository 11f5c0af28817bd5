/**
 * The byte loop both writers share: copies source[start, end) to out at `at`, writing each byte
 * that `letters` maps to a non-zero letter as backslash + that letter; returns the new end. The
 * tables differ (LOAD DATA's field escapes, SQL string-literal escapes); the loop does not.
 * `out` must have room for twice the input.
 */
export function escapeBytes(letters: Uint8Array, source: Buffer, start: number, end: number, out: Buffer, at: number): number {
  for (let j = start; j < end; j++) {
    const byte = source[j]!;
    const letter = letters[byte] ?? 0;
    if (letter === 0) {
      out[at++] = byte;
    } else {
      out[at++] = 0x5c; // backslash
      out[at++] = letter;
    }
  }
  return at;
}
