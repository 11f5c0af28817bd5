/**
 * A `where` filter is pasted into statements replicoop writes (`... WHERE (<filter>) AND <range>`),
 * so it must be ONE SQL expression: text that closes the statement's parenthesis (`1) OR (1`),
 * leaves a quote or a parenthesis open, comments out what follows (`-- `, `#`), or smuggles code
 * into an executable comment (`/*! ... *\/`) would change the statement around it. A server probe
 * (`SELECT 1 FROM t WHERE (<filter>) LIMIT 0`) cannot see `1) OR (1`: the probe parses fine.
 *
 * This small lexer tracks quotes, comments and parenthesis depth; the server still judges the
 * expression itself. Pure, no I/O.
 */

/** Why `text` is not one self-contained SQL expression, or null when it is. */
export function whereProblem(text: string): string | null {
  let depth = 0;
  let i = 0;
  const n = text.length;
  while (i < n) {
    const ch = text[i]!;
    const next = text[i + 1];
    if (ch === "'" || ch === '"' || ch === '`') {
      const end = closingQuote(text, i);
      if (end === AMBIGUOUS)
        return `escapes a quote with a backslash inside a string at character ${i + 1}: its meaning depends on the server's sql_mode (NO_BACKSLASH_ESCAPES); double the quote instead (${ch}${ch})`;
      if (end < 0)
        return `has an unclosed ${ch === '`' ? 'backtick' : ch === '"' ? 'double quote' : 'quote'} (${ch}) starting at character ${i + 1}`;
      i = end + 1;
      continue;
    }
    if (ch === '/' && next === '*') {
      if (text[i + 2] === '!' || (text[i + 2] === 'M' && text[i + 3] === '!'))
        return `contains an executable comment (/*!...*/) at character ${i + 1}: the server would run its content`;
      const end = text.indexOf('*/', i + 2);
      if (end < 0) return `has an unclosed comment (/*) starting at character ${i + 1}`;
      i = end + 2;
      continue;
    }
    if (ch === '#' || (ch === '-' && next === '-' && (i + 2 >= n || /\s/.test(text[i + 2]!)))) {
      return `contains a line comment (${ch === '#' ? '#' : '-- '}) at character ${i + 1}: it would comment out the SQL replicoop puts after the filter`;
    }
    if (ch === ';') return `contains ";" at character ${i + 1}: a filter is one SQL condition, not a statement`;
    if (ch === '(') depth++;
    else if (ch === ')') {
      depth--;
      if (depth < 0)
        return `closes a parenthesis it did not open at character ${i + 1}: a filter must be one expression (text like "1) OR (1" would escape the statement's parentheses)`;
    }
    i++;
  }
  if (depth > 0) return `has ${depth} unclosed parenthes${depth === 1 ? 'is' : 'es'}`;
  return null;
}

const AMBIGUOUS = -2;

/**
 * Index of the quote that closes the one at `start`, -1 when none does, AMBIGUOUS when a
 * backslash precedes the string's quote character: the server reads `\'` as an escaped quote
 * unless sql_mode has NO_BACKSLASH_ESCAPES, so where the string ends would depend on the mode.
 * Doubling a quote escapes it in all three kinds.
 */
function closingQuote(text: string, start: number): number {
  const quote = text[start]!;
  let i = start + 1;
  while (i < text.length) {
    const ch = text[i]!;
    if (ch === '\\' && quote !== '`') {
      if (text[i + 1] === quote) return AMBIGUOUS;
      i += 2;
      continue;
    }
    if (ch === quote) {
      if (text[i + 1] === quote) {
        i += 2;
        continue;
      }
      return i;
    }
    i++;
  }
  return -1;
}
