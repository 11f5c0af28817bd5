/**
 * DEFINER clauses of a backup's CREATE statements. Re-creating a view, trigger, routine or event
 * with a definer other than oneself needs SUPER (or SET USER on MariaDB, SET_USER_ID on MySQL); a
 * sandbox user with ALL on its database but no such privilege cannot restore objects another user
 * (root) made. Restore then re-creates them with DEFINER=CURRENT_USER and says so.
 *
 * Only the clause at the head of a CREATE is touched: the statement must begin (after plain
 * comments) with CREATE, bare or in an executable comment, and nothing but keywords, `=` and
 * comment markers may stand between CREATE and DEFINER, so a DEFINER= inside a string, a column
 * comment or a routine body is never rewritten.
 */

export interface Definer {
  readonly user: string;
  readonly host: string;
}

export interface DefinerClause {
  readonly definer: Definer;
  /** Offsets of `DEFINER=...@...` in the statement text. */
  readonly start: number;
  readonly end: number;
}

const NAME = String.raw`(?:\`(?:[^\`]|\`\`)*\`|'(?:[^'\\]|\\.|'')*'|"(?:[^"\\]|\\.|"")*"|[A-Za-z0-9_.$%:-]+)`;
const CLAUSE = new RegExp(String.raw`DEFINER\s*=\s*(${NAME})\s*@\s*(${NAME})`, 'iy');
const HEAD = /^(?:\s+|--[^\n]*(?:\n|$)|#[^\n]*(?:\n|$)|\/\*(?![!M])[\s\S]*?\*\/)*(?:\/\*M?!\d*\s*)?CREATE\b/i;
// Between CREATE and DEFINER: words, =, spaces and comment markers only (ALGORITHM=UNDEFINED */ /*!50013 ...).
const BETWEEN = /^[\sA-Za-z0-9_=*/!]*$/;

/** The DEFINER clause at the head of a CREATE statement, or null. */
export function definerClause(statement: string): DefinerClause | null {
  const head = HEAD.exec(statement);
  if (!head) return null;
  const from = head[0].length;
  const at = statement.slice(from, from + 400).search(/DEFINER\s*=/i);
  if (at < 0) return null;
  const start = from + at;
  if (!BETWEEN.test(statement.slice(from, start))) return null;
  CLAUSE.lastIndex = start;
  const match = CLAUSE.exec(statement);
  if (!match) return null;
  return { definer: { user: unquote(match[1]!), host: unquote(match[2]!) }, start, end: start + match[0].length };
}

/** The statement with its head DEFINER clause replaced by DEFINER=CURRENT_USER. */
export function withCurrentUserDefiner(statement: string, clause: DefinerClause): string {
  return `${statement.slice(0, clause.start)}DEFINER=CURRENT_USER${statement.slice(clause.end)}`;
}

/** 'user@host' as CURRENT_USER() returns it (the user part may itself contain @: the host is after the last one). */
export function parseAccount(account: string): Definer {
  const at = account.lastIndexOf('@');
  return at < 0 ? { user: account, host: '%' } : { user: account.slice(0, at), host: account.slice(at + 1) };
}

export function sameAccount(a: Definer, b: Definer): boolean {
  return a.user === b.user && a.host.toLowerCase() === b.host.toLowerCase();
}

export function formatAccount(account: Definer): string {
  return `${account.user}@${account.host}`;
}

function unquote(name: string): string {
  const q = name[0];
  if (q === '`') return name.slice(1, -1).replace(/``/g, '`');
  if (q === "'" || q === '"') return name.slice(1, -1).replace(q === "'" ? /''|\\(.)/g : /""|\\(.)/g, (m, c: string | undefined) => c ?? q);
  return name;
}
