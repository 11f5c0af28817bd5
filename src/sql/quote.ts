import { ReplicoopError } from '../errors.js';

/**
 * The only place identifiers become SQL. Values never pass through here: they are bound.
 */
export function quoteIdent(name: string): string {
  return '`' + name.replace(/`/g, '``') + '`';
}

export function quoteQualified(schema: string, name: string): string {
  return `${quoteIdent(schema)}.${quoteIdent(name)}`;
}

export function quoteIdentList(names: readonly string[]): string {
  return names.map(quoteIdent).join(', ');
}

/**
 * A character set or collation name in SQL text (they cannot be bound). They come from the
 * catalog; anything but letters, digits and underscores is refused rather than quoted.
 */
export function sqlName(name: string): string {
  if (!/^[A-Za-z0-9_]+$/.test(name)) throw new ReplicoopError('bad_collation_name', `unexpected character set or collation name "${name}"`);
  return name;
}

/**
 * A string literal for the rare places where the server does not accept a placeholder
 * (DDL text such as COMMENT '...', DEFAULT '...'). Escapes as the server's own SHOW CREATE does.
 */
export function quoteString(value: string): string {
  return (
    "'" +
    value
      .replace(/\\/g, '\\\\')
      .replace(/'/g, "''")
      .replace(/\0/g, '\\0')
      .replace(/\n/g, '\\n')
      .replace(/\r/g, '\\r')
      .replace(/\x1a/g, '\\Z') +
    "'"
  );
}
