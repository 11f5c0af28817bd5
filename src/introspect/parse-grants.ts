/**
 * SHOW GRANTS output, as text, into a frozen list of grants. Pure. Both flavors' forms:
 *
 *   GRANT USAGE ON *.* TO `u`@`%` IDENTIFIED BY PASSWORD '*...'          (MariaDB)
 *   GRANT SELECT, SHOW VIEW ON `shop`.* TO `u`@`%`
 *   GRANT SELECT ON `shop\_%`.* TO 'u'@'%'                               (wildcard database; MySQL 5.7 quotes)
 *   GRANT SELECT (`a`, `b`), INSERT ON `shop`.`t` TO `u`@`%`             (column-level)
 *   GRANT EXECUTE ON PROCEDURE `shop`.`p` TO `u`@`%`                     (routine-level)
 *   GRANT ALL PRIVILEGES ON `shop`.* TO `u`@`%` WITH GRANT OPTION
 *   GRANT SHOW_ROUTINE,SET_USER_ID ON *.* TO `u`@`%`                     (MySQL 8 dynamic privileges)
 *   GRANT `r1`@`%`,`r2`@`%` TO `u`@`%`  /  GRANT `r1` TO `u`@`%`         (roles: MySQL 8 / MariaDB)
 *   REVOKE SELECT ON `mysql`.* FROM `u`@`%`                              (MySQL 8 partial revokes)
 *   SET DEFAULT ROLE `r1` FOR `u`@`%`                                    (MariaDB)
 *
 * A line this parser does not understand is kept in `unparsed` and grants nothing: what it may
 * allow is unknown, and unknown never counts as allowed.
 */
import { deepFreeze } from '../snapshot/freeze.js';

export type GrantLevel = 'global' | 'database' | 'table' | 'routine';

export interface Grant {
  readonly level: GrantLevel;
  /** Database-level: a LIKE pattern (`shop\_%`); table and routine level: the exact name. Null for global. */
  readonly database: string | null;
  /** Table or routine name; null for global and database level. */
  readonly object: string | null;
  /** Upper case, single spaces: SELECT, SHOW VIEW, SHOW_ROUTINE; ALL PRIVILEGES is 'ALL'. */
  readonly privileges: readonly string[];
  /** Column-level privileges: privilege -> columns. */
  readonly columns: Readonly<Record<string, readonly string[]>>;
  readonly grantOption: boolean;
  /** A MySQL 8 partial revoke: these privileges are taken away at this level. */
  readonly revoke: boolean;
  /** Who holds it, as `user`@`host` or `role`. */
  readonly grantee: string;
}

export interface GrantSet {
  readonly grants: readonly Grant[];
  /** Roles granted to the account or to its roles (`r1`, or `r1`@`%` on MySQL). */
  readonly roles: readonly string[];
  readonly unparsed: readonly string[];
}

type Token = { readonly type: 'ident' | 'string' | 'word' | 'punct'; readonly value: string };

function tokenize(line: string): Token[] | null {
  const tokens: Token[] = [];
  let i = 0;
  while (i < line.length) {
    const c = line[i]!;
    if (/\s/.test(c)) {
      i++;
    } else if (c === '`' || c === "'" || c === '"') {
      let value = '';
      i++;
      for (;;) {
        if (i >= line.length) return null;
        const d = line[i]!;
        if (d === c && line[i + 1] === c) {
          value += c;
          i += 2;
        } else if (d === c) {
          i++;
          break;
        } else if (d === '\\' && c !== '`' && i + 1 < line.length) {
          value += line[i + 1]!;
          i += 2;
        } else {
          value += d;
          i++;
        }
      }
      tokens.push({ type: c === '`' ? 'ident' : 'string', value });
    } else if (',.()@*;='.includes(c)) {
      tokens.push({ type: 'punct', value: c });
      i++;
    } else {
      let j = i;
      while (j < line.length && !/[\s`'",.()@*;=]/.test(line[j]!)) j++;
      tokens.push({ type: 'word', value: line.slice(i, j) });
      i = j;
    }
  }
  return tokens;
}

const isWord = (t: Token | undefined, ...words: string[]): boolean => t?.type === 'word' && words.includes(t.value.toUpperCase());

/** An account or role as SHOW GRANTS writes it: `u`@`h`, 'u'@'h', `r`, u@h. */
function readAccount(tokens: readonly Token[], at: number): { name: string; next: number } | null {
  const first = tokens[at];
  if (!first || first.type === 'punct') return null;
  let next = at + 1;
  let name = `\`${first.value}\``;
  if (tokens[next]?.type === 'punct' && tokens[next]!.value === '@') {
    const host = tokens[next + 1];
    if (!host || host.type === 'punct') return null;
    name += `@\`${host.value}\``;
    next += 2;
  } else if (first.type === 'word' && first.value.includes('@')) {
    const [user, host] = [first.value.slice(0, first.value.lastIndexOf('@')), first.value.slice(first.value.lastIndexOf('@') + 1)];
    name = `\`${user}\`@\`${host}\``;
  }
  return { name, next };
}

function parseLine(line: string): { grant?: Grant; roles?: string[]; ignored?: true } | null {
  const tokens = tokenize(line.trim().replace(/;$/, ''));
  if (!tokens || tokens.length === 0) return null;
  if (isWord(tokens[0], 'SET')) return { ignored: true }; // SET DEFAULT ROLE: what is active is read separately
  const revoke = isWord(tokens[0], 'REVOKE');
  if (!revoke && !isWord(tokens[0], 'GRANT')) return null;
  const onAt = tokens.findIndex((t, i) => i > 0 && isWord(t, 'ON'));
  const toAt = tokens.findIndex((t, i) => i > 0 && isWord(t, revoke ? 'FROM' : 'TO'));
  if (toAt < 0) return null;

  if (onAt < 0 || onAt > toAt) {
    // Role grants: GRANT `r1`@`%`,`r2`@`%` TO ... / GRANT `r1` TO ...
    if (revoke) return null;
    const roles: string[] = [];
    let i = 1;
    while (i < toAt) {
      const account = readAccount(tokens, i);
      if (!account) return null;
      roles.push(account.name);
      i = account.next;
      if (i < toAt && !(tokens[i]?.type === 'punct' && tokens[i]!.value === ',')) return null;
      if (i < toAt) i++;
    }
    return roles.length > 0 ? { roles } : null;
  }

  // Privileges: NAME [NAME ...] [(col, ...)], comma separated.
  const privileges: string[] = [];
  const columns: Record<string, string[]> = {};
  let words: string[] = [];
  let i = 1;
  const flush = (): boolean => {
    if (words.length === 0) return false;
    let name = words.join(' ').toUpperCase();
    if (name === 'ALL PRIVILEGES') name = 'ALL';
    privileges.push(name);
    words = [];
    return true;
  };
  while (i < onAt) {
    const t = tokens[i]!;
    if (t.type === 'word') {
      words.push(t.value);
      i++;
    } else if (t.type === 'punct' && t.value === ',') {
      if (!flush() && tokens[i - 1]?.value !== ')') return null;
      i++;
    } else if (t.type === 'punct' && t.value === '(') {
      const name = words.join(' ').toUpperCase();
      if (!name) return null;
      words = [];
      const cols: string[] = [];
      i++;
      while (i < onAt && !(tokens[i]!.type === 'punct' && tokens[i]!.value === ')')) {
        const c = tokens[i]!;
        if (c.type === 'ident' || c.type === 'word') cols.push(c.value);
        else if (!(c.type === 'punct' && c.value === ',')) return null;
        i++;
      }
      if (i >= onAt) return null;
      i++;
      columns[name] = [...(columns[name] ?? []), ...cols];
    } else return null;
  }
  flush();
  if (privileges.length === 0 && Object.keys(columns).length === 0) return null;
  if (privileges.includes('PROXY')) return { ignored: true };

  // Target: [TABLE|PROCEDURE|FUNCTION|PACKAGE [BODY]] *.* | db.* | db.t | *
  let at = onAt + 1;
  let routine = false;
  if (isWord(tokens[at], 'TABLE')) at++;
  else if (isWord(tokens[at], 'PROCEDURE', 'FUNCTION', 'PACKAGE')) {
    routine = true;
    at++;
    if (isWord(tokens[at], 'BODY')) at++;
  }
  const target = tokens.slice(at, toAt);
  const part = (t: Token | undefined): string | null =>
    t === undefined ? null : t.type === 'punct' ? (t.value === '*' ? '*' : null) : t.value;
  let database: string | null;
  let object: string | null;
  if (target.length === 3 && target[1]!.type === 'punct' && target[1]!.value === '.') {
    database = part(target[0]);
    object = part(target[2]);
  } else if (target.length === 1 && target[0]!.type === 'word' && target[0]!.value.includes('.')) {
    [database, object] = target[0]!.value.split('.', 2) as [string, string];
  } else return null;
  if (database === null || object === null) return null;

  const account = readAccount(tokens, toAt + 1);
  if (!account) return null;
  const rest = tokens.slice(account.next);
  const grantOption = rest.some((t, k) => isWord(t, 'GRANT') && isWord(rest[k + 1], 'OPTION'));
  const level: GrantLevel = database === '*' ? 'global' : object === '*' ? 'database' : routine ? 'routine' : 'table';
  if (database === '*' && object !== '*') return null;
  return {
    grant: {
      level,
      database: level === 'global' ? null : database,
      object: level === 'global' || level === 'database' ? null : object,
      privileges: privileges.sort(),
      columns,
      grantOption: grantOption || privileges.includes('GRANT OPTION'),
      revoke,
      grantee: account.name,
    },
  };
}

/** One or more SHOW GRANTS result sets (the account's, its roles') into one frozen GrantSet. */
export function parseGrants(lines: readonly string[]): GrantSet {
  const grants: Grant[] = [];
  const roles = new Set<string>();
  const unparsed: string[] = [];
  for (const line of lines) {
    const parsed = parseLine(line);
    if (parsed === null) unparsed.push(line.replace(/IDENTIFIED BY PASSWORD '[^']*'/i, "IDENTIFIED BY PASSWORD '...'"));
    else if (parsed.grant) grants.push(parsed.grant);
    else if (parsed.roles) for (const role of parsed.roles) roles.add(role);
  }
  return deepFreeze({ grants, roles: [...roles].sort(), unparsed });
}
