import { matchingParen } from './dialect.js';

/**
 * SHOW CREATE TABLE text, split into its parts. The server prints one column, key or constraint
 * per line and escapes newlines inside literals, so a line-based split is exact.
 */
export interface ShowCreateParts {
  readonly columns: readonly string[];
  readonly keys: readonly string[];
  readonly options: string;
  readonly partitioning: string | null;
}

const KEY_LINE = /^(PRIMARY KEY|UNIQUE KEY|UNIQUE INDEX|KEY|INDEX|FULLTEXT|SPATIAL|CONSTRAINT|FOREIGN KEY|CHECK|PERIOD FOR|UNIQUE)\b/;

export function splitShowCreate(text: string): ShowCreateParts {
  const lines = text.split('\n');
  const columns: string[] = [];
  const keys: string[] = [];
  let i = 1;
  for (; i < lines.length; i++) {
    const line = lines[i]!;
    if (line.startsWith(')')) break;
    const body = line.trim().replace(/,$/, '');
    if (KEY_LINE.test(body)) keys.push(body);
    else columns.push(body);
  }
  const options = (lines[i] ?? '').replace(/^\)\s*/, '');
  const rest = lines
    .slice(i + 1)
    .join('\n')
    .trim();
  return { columns, keys, options, partitioning: rest ? normalizePartitioning(rest) : null };
}

/** Partition clause without version comments and with spacing folded (MySQL wraps it in /*!50100 ... *\/). */
export function normalizePartitioning(text: string): string {
  let out = text.trim();
  const wrapped = /^\/\*!\d+\s*([\s\S]*?)\s*\*\/$/.exec(out);
  if (wrapped) out = wrapped[1]!;
  out = out.replace(/\/\*!\d+\s*([\s\S]*?)\s*\*\//g, '$1');
  return foldSpaces(out)
    .replace(/\(\s+/g, '(')
    .replace(/\s+\)/g, ')')
    .replace(/\s*,\s*/g, ', ')
    .trim();
}

/** A comparison key for partition clauses: backticks and keyword case do not matter. */
export function partitionKey(text: string | null): string | null {
  return text === null
    ? null
    : normalizePartitioning(text)
        .replace(/`/g, '')
        .replace(/\s*=\s*/g, ' = ')
        .toLowerCase();
}

/** Folds runs of white space outside quoted text. */
export function foldSpaces(text: string): string {
  let out = '';
  let quote: string | null = null;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i]!;
    if (quote) {
      out += ch;
      if (ch === '\\') {
        out += text[i + 1] ?? '';
        i++;
      } else if (ch === quote) quote = null;
      continue;
    }
    if (ch === "'" || ch === '"' || ch === '`') {
      quote = ch;
      out += ch;
    } else if (/\s/.test(ch)) {
      if (!out.endsWith(' ')) out += ' ';
    } else out += ch;
  }
  return out;
}

export interface IndexExtras {
  readonly using: 'BTREE' | 'HASH' | 'RTREE' | null;
  readonly parser: string | null;
}

/** What only SHOW CREATE TABLE says about indexes: an explicit USING clause and WITH PARSER. */
export function indexExtras(keys: readonly string[]): Map<string, IndexExtras> {
  const out = new Map<string, IndexExtras>();
  for (const line of keys) {
    let name: string;
    if (line.startsWith('PRIMARY KEY')) name = 'PRIMARY';
    else {
      const m = /^(?:UNIQUE |FULLTEXT |SPATIAL )?(?:KEY|INDEX) `((?:[^`]|``)*)`/.exec(line);
      if (!m) continue;
      name = m[1]!.replace(/``/g, '`');
    }
    const open = line.indexOf('(');
    const close = open < 0 ? -1 : matchingParen(line, open);
    const suffix = close < 0 ? '' : line.slice(close + 1);
    const using = /\bUSING (BTREE|HASH|RTREE)\b/.exec(suffix);
    const parser = /\bWITH PARSER `((?:[^`]|``)*)`/.exec(suffix);
    out.set(name, { using: (using?.[1] as IndexExtras['using']) ?? null, parser: parser ? parser[1]!.replace(/``/g, '`') : null });
  }
  return out;
}

export interface ComparableCreate {
  readonly columns: readonly string[];
  readonly keys: readonly string[];
  readonly options: readonly string[];
  readonly partitioning: string | null;
}

/**
 * Folds spellings that differ between servers and versions but mean the same, so that the
 * self-check compares meaning: version comments, CHARACTER SET before a collation that implies
 * it, integer display widths, quoted numeric defaults, CURRENT_TIMESTAMP spelling, RESTRICT/NO
 * ACTION, AUTO_INCREMENT counters, DEFAULT NULL, table charset/collation (read from information_schema).
 */
export function comparableCreate(parts: ShowCreateParts): ComparableCreate {
  return {
    columns: parts.columns.map(normalizeDefinitionLine),
    keys: parts.keys.map(normalizeDefinitionLine).sort(),
    options: tableOptionTokens(parts.options),
    partitioning: partitionKey(parts.partitioning),
  };
}

export function normalizeDefinitionLine(line: string): string {
  return (
    foldSpaces(line)
      .replace(/\/\*[!M]+\d+\s+([^*]*?)\s*\*\//g, '$1')
      .replace(/CHARACTER SET (\w+) COLLATE (\1_\w+)/g, 'COLLATE $2')
      .replace(/\b(tinyint|smallint|mediumint|int|bigint)\(\d+\)(?! zerofill)/g, (m, t: string) => (m === 'tinyint(1)' ? m : t))
      .replace(/\byear\(4\)/g, 'year')
      .replace(/ DEFAULT '(-?\d+(?:\.\d+)?)'/g, ' DEFAULT $1')
      .replace(
        /\b(?:CURRENT_TIMESTAMP|current_timestamp)(?:\((\d*)\))?/g,
        (_m, p: string | undefined) => `current_timestamp(${p && p !== '0' ? p : ''})`,
      )
      .replace(/ ON (DELETE|UPDATE) (RESTRICT|NO ACTION)/g, '')
      // A nullable column without a default defaults to NULL; servers differ in whether they print it.
      .replace(/ DEFAULT NULL\b/g, '')
      .trim()
  );
}

export function tableOptionTokens(options: string): string[] {
  const tokens = foldSpaces(options).match(/(?:`[^`]*`|[A-Za-z_]+(?: [A-Za-z_]+)?)\s*=\s*(?:'(?:[^'\\]|''|\\.)*'|\S+)|\S+/g) ?? [];
  return tokens
    .map((t) => t.replace(/\s*=\s*/, '='))
    .filter((t) => !/^(AUTO_INCREMENT|DEFAULT CHARSET|CHARSET|COLLATE|DEFAULT COLLATE)=/i.test(t))
    .map((t) => {
      const eq = t.indexOf('=');
      return eq < 0
        ? t.toUpperCase()
        : `${t.slice(0, eq).startsWith('`') ? t.slice(0, eq) : t.slice(0, eq).toUpperCase()}=${t.slice(eq + 1)}`;
    })
    .sort();
}
