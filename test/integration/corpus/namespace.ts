import { tokenize, type Token } from '../../../src/snapshot/sql-text.js';

/** Keywords after which a case's own object names stand (so that columns of the same name are left alone). */
const NAME_CONTEXT = new Set([
  'TABLE',
  'VIEW',
  'TRIGGER',
  'PROCEDURE',
  'FUNCTION',
  'EVENT',
  'SEQUENCE',
  'CONSTRAINT',
  'REFERENCES',
  'ON',
  'FROM',
  'JOIN',
  'INTO',
  'UPDATE',
  'FOLLOWS',
  'PRECEDES',
]);
const DEFINING = new Set(['TABLE', 'VIEW', 'TRIGGER', 'PROCEDURE', 'FUNCTION', 'EVENT', 'SEQUENCE', 'CONSTRAINT']);

const isName = (t: Token | undefined): boolean => t !== undefined && (t.type === 'word' || t.type === 'quoted-ident');
const nameOf = (t: Token): string => (t.type === 'quoted-ident' ? t.value : t.text);
const significant = (tokens: readonly Token[]): Token[] => tokens.filter((t) => t.type !== 'space' && t.type !== 'comment');

/** The names a case's SQL defines (tables, views, triggers, routines, events, sequences, constraints). */
export function definedNames(...sql: string[]): Set<string> {
  const names = new Set<string>();
  for (const text of sql) {
    const tokens = significant(tokenize(text));
    tokens.forEach((t, i) => {
      if (t.type === 'word' && DEFINING.has(t.text.toUpperCase()) && isName(tokens[i + 1])) names.add(nameOf(tokens[i + 1]!).toLowerCase());
    });
  }
  return names;
}

/**
 * Puts one case's objects under a prefix, so that many cases share one pair of databases: a name
 * the case defines is prefixed where it stands as an object name (after TABLE, REFERENCES, ON,
 * FROM, ... or before a "."), never inside strings, comments, or as a column of the same name.
 */
export function namespaced(sql: string, prefix: string, names: ReadonlySet<string>): string {
  const tokens = tokenize(sql);
  let previous: Token | undefined;
  return tokens
    .map((t, i) => {
      let out = t.text;
      if (isName(t) && names.has(nameOf(t).toLowerCase())) {
        let next: Token | undefined;
        for (let j = i + 1; j < tokens.length; j++)
          if (tokens[j]!.type !== 'space' && tokens[j]!.type !== 'comment') {
            next = tokens[j];
            break;
          }
        const context = previous?.type === 'word' && NAME_CONTEXT.has(previous.text.toUpperCase());
        const qualifier = next?.text === '.' && previous?.text !== '.';
        if (context || qualifier) out = `\`${(prefix + nameOf(t)).replace(/`/g, '``')}\``;
      }
      if (t.type !== 'space' && t.type !== 'comment') previous = t;
      return out;
    })
    .join('');
}
