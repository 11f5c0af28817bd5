/**
 * A small SQL lexer: enough to tell identifiers, strings and comments apart, so that text
 * rewrites (removing a database qualifier, finding view dependencies) never touch literals.
 */
export type TokenType = 'quoted-ident' | 'string' | 'word' | 'number' | 'punct' | 'space' | 'comment';

export interface Token {
  readonly type: TokenType;
  readonly text: string;
  /** For quoted identifiers and strings: the unquoted value. */
  readonly value: string;
}

export function tokenize(sql: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  const n = sql.length;
  while (i < n) {
    const ch = sql[i]!;
    const start = i;
    if (ch === '`') {
      let value = '';
      i++;
      while (i < n) {
        if (sql[i] === '`') {
          if (sql[i + 1] === '`') {
            value += '`';
            i += 2;
            continue;
          }
          i++;
          break;
        }
        value += sql[i];
        i++;
      }
      tokens.push({ type: 'quoted-ident', text: sql.slice(start, i), value });
    } else if (ch === "'" || ch === '"') {
      let value = '';
      i++;
      while (i < n) {
        const c = sql[i]!;
        if (c === '\\' && i + 1 < n) {
          value += sql[i + 1];
          i += 2;
          continue;
        }
        if (c === ch) {
          if (sql[i + 1] === ch) {
            value += ch;
            i += 2;
            continue;
          }
          i++;
          break;
        }
        value += c;
        i++;
      }
      tokens.push({ type: 'string', text: sql.slice(start, i), value });
    } else if (ch === '/' && sql[i + 1] === '*') {
      const end = sql.indexOf('*/', i + 2);
      i = end < 0 ? n : end + 2;
      tokens.push({ type: 'comment', text: sql.slice(start, i), value: '' });
    } else if ((ch === '-' && sql[i + 1] === '-' && /\s/.test(sql[i + 2] ?? ' ')) || ch === '#') {
      const end = sql.indexOf('\n', i);
      i = end < 0 ? n : end;
      tokens.push({ type: 'comment', text: sql.slice(start, i), value: '' });
    } else if (/\s/.test(ch)) {
      while (i < n && /\s/.test(sql[i]!)) i++;
      tokens.push({ type: 'space', text: sql.slice(start, i), value: '' });
    } else if (/[0-9]/.test(ch)) {
      while (i < n && /[0-9a-zA-Z_.]/.test(sql[i]!)) i++;
      tokens.push({ type: 'number', text: sql.slice(start, i), value: sql.slice(start, i) });
    } else if (/[A-Za-z_$@\u0080-\uffff]/.test(ch)) {
      while (i < n && /[A-Za-z0-9_$@\u0080-\uffff]/.test(sql[i]!)) i++;
      tokens.push({ type: 'word', text: sql.slice(start, i), value: sql.slice(start, i) });
    } else {
      i++;
      tokens.push({ type: 'punct', text: ch, value: ch });
    }
  }
  return tokens;
}

/** Removes `schema`. qualifiers (quoted, as the server writes them) outside literals. */
export function stripSchemaQualifier(sql: string, schema: string): string {
  const tokens = tokenize(sql);
  let out = '';
  for (let i = 0; i < tokens.length; i++) {
    const token = tokens[i]!;
    if (token.type === 'quoted-ident' && token.value === schema && tokens[i + 1]?.text === '.' && tokens[i + 2]?.type === 'quoted-ident') {
      i++; // skip the dot too
      continue;
    }
    out += token.text;
  }
  return out;
}

/** Names that appear as quoted identifiers (not qualified by another schema), for dependency guesses. */
export function quotedIdentifiers(sql: string): Set<string> {
  const tokens = tokenize(sql);
  const names = new Set<string>();
  for (let i = 0; i < tokens.length; i++) {
    const token = tokens[i]!;
    if (token.type !== 'quoted-ident') continue;
    if (tokens[i + 1]?.text === '.' && tokens[i + 2]?.type === 'quoted-ident') {
      // schema.table or table.column: the first part may be a table of ours.
      names.add(token.value);
      i += 2;
      continue;
    }
    names.add(token.value);
  }
  return names;
}

/** Every word and identifier, lower-cased, for dependency guesses in bodies that do not quote names. */
export function identifierWords(sql: string): Set<string> {
  const names = new Set<string>();
  for (const token of tokenize(sql)) {
    if (token.type === 'quoted-ident' || token.type === 'word') names.add(token.value.toLowerCase());
  }
  return names;
}

/**
 * Rewrites the collation names in SQL text (a view, routine, trigger or event, a CHECK, DEFAULT or
 * generated expression, a SHOW CREATE TABLE): every bare word, and a quoted name or string right
 * after COLLATE, goes through `rename` (which returns it unchanged when it is no collation to
 * replace). Other literals and plain comments are left alone; executable comments (`/*!50100 ...`,
 * `/*M!100100 ...`) are rewritten inside, since the server runs them.
 */
export function replaceCollationNames(sql: string, rename: (name: string) => string): string {
  const tokens = tokenize(sql);
  let out = '';
  let previous: Token | undefined;
  for (const token of tokens) {
    let text = token.text;
    if (token.type === 'word') text = rename(token.value);
    else if ((token.type === 'quoted-ident' || token.type === 'string') && /^collate$/i.test(previous?.text ?? '')) {
      const renamed = rename(token.value);
      if (renamed !== token.value) text = `${token.text[0]}${renamed}${token.text[0]}`;
    } else if (token.type === 'comment') {
      const executable = /^\/\*M?!\d*/.exec(token.text);
      if (executable && token.text.endsWith('*/'))
        text = `${executable[0]}${replaceCollationNames(token.text.slice(executable[0].length, -2), rename)}*/`;
    }
    out += text;
    if (token.type !== 'space' && token.type !== 'comment' && !(token.type === 'punct' && token.text === '=')) previous = token;
  }
  return out;
}
