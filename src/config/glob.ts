/**
 * Shell-style globs for `ignore`: * (any run), ? (one character), [abc], [a-z], [!abc], and \x
 * for a literal. Case-insensitive, because an ignored object must stay ignored whatever the
 * server's lower_case_table_names says.
 */
export function globToRegExp(pattern: string): RegExp {
  let out = '';
  for (let i = 0; i < pattern.length; i++) {
    const ch = pattern[i]!;
    if (ch === '\\') {
      const next = pattern[i + 1];
      if (next === undefined) throw new Error('ends with a lone backslash');
      out += escapeRegExp(next);
      i++;
    } else if (ch === '*') {
      out += '.*';
    } else if (ch === '?') {
      out += '.';
    } else if (ch === '[') {
      const end = pattern.indexOf(']', i + 2);
      if (end < 0) throw new Error('has an unclosed [');
      let body = pattern.slice(i + 1, end);
      const negate = body.startsWith('!') || body.startsWith('^');
      if (negate) body = body.slice(1);
      if (body === '') throw new Error('has an empty []');
      out += `[${negate ? '^' : ''}${body.replace(/[\\\]^]/g, '\\$&')}]`;
      i = end;
    } else if (ch === ']') {
      throw new Error('has a ] without [');
    } else {
      out += escapeRegExp(ch);
    }
  }
  return new RegExp(`^${out}$`, 'is');
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
}

/** Validates a glob; returns the reason it is invalid, or null. */
export function globProblem(pattern: string): string | null {
  if (pattern.trim() === '') return 'is empty';
  if (pattern.length > 256) return 'is longer than 256 characters';
  try {
    globToRegExp(pattern);
    return null;
  } catch (error) {
    return (error as Error).message;
  }
}

export type NameMatcher = (name: string) => boolean;

export function compileGlobs(patterns: readonly string[]): NameMatcher {
  const regexps = patterns.map(globToRegExp);
  return (name) => regexps.some((re) => re.test(name));
}

/**
 * The same patterns as one regular expression for the server (REGEXP), so that ignored objects
 * are filtered in information_schema queries and never read at all. Null when there are none.
 */
export function globsToSqlRegex(patterns: readonly string[]): string | null {
  if (patterns.length === 0) return null;
  const bodies = patterns.map((p) => globToRegExp(p).source.replace(/^\^/, '').replace(/\$$/, ''));
  return `(?i)^(?:${bodies.join('|')})$`;
}
