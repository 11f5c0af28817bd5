/**
 * What one account may do and see, from its parsed SHOW GRANTS plus what the server showed when
 * probed. Pure. Every rule about which privilege reveals which object class, and how the two
 * flavors differ, lives here, so that "unknown, never absent" is decided in one place.
 *
 * Measured on MariaDB 10.11 with real accounts (Sakila):
 * - routines are listed only with SELECT ON mysql.proc (or a routine privilege on them), and their
 *   bodies are shown only with mysql.proc (MySQL 8: SHOW_ROUTINE, or global SELECT);
 * - triggers are listed only with TRIGGER (MariaDB also shows them for other write privileges);
 * - view definitions need SELECT and SHOW VIEW; events need EVENT;
 * - columns need a column privilege (SELECT, INSERT, UPDATE, REFERENCES) on the table;
 * - MariaDB lists foreign keys (REFERENTIAL_CONSTRAINTS) only to an account holding a table
 *   privilege other than SELECT, while SHOW CREATE TABLE shows them with SELECT alone;
 * - an account without any privilege on a table does not see it at all.
 */
import type { Flavor, ServerInfo } from '../sql/server-info.js';
import type { ObjectKind, UnknownObject } from '../snapshot/model.js';
import { quoteIdent } from '../sql/quote.js';
import { parseGrants, type Grant, type GrantSet } from './parse-grants.js';
import type { RawGrants } from './raw-schema.js';
import { deepFreeze } from '../snapshot/freeze.js';
import { COLUMN_LEVEL_PRIVILEGES, ROUTINE_LISTING_PRIVILEGES, TABLE_LEVEL_PRIVILEGES } from '../sql/privileges.js';

export interface Privileges {
  readonly flavor: Flavor;
  /** CURRENT_USER() as the server returns it: user@host. */
  readonly account: string;
  readonly grants: GrantSet;
  /** Direct probes; null when not probed. */
  readonly probes: {
    /** MariaDB: SELECT 1 FROM mysql.proc succeeded. */
    readonly procTable: boolean | null;
  };
  /** Names compare case-insensitively (lower_case_table_names != 0). */
  readonly caseInsensitive: boolean;
}

export function makePrivileges(input: Privileges): Privileges {
  return deepFreeze({ ...input });
}

/** The one parse of raw grants (read-privileges.ts) into the privilege model. */
export function privilegesFrom(raw: RawGrants, side: { readonly server: ServerInfo }): Privileges {
  return makePrivileges({
    flavor: side.server.flavor,
    account: raw.account,
    grants: parseGrants(raw.lines),
    probes: { procTable: raw.procTable },
    caseInsensitive: side.server.lowerCaseTableNames !== 0,
  });
}

/** MySQL-style LIKE pattern of a database-level grant: % and _ are wildcards, \ escapes. */
export function likeMatches(pattern: string, name: string, caseInsensitive = false): boolean {
  let source = '';
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i]!;
    if (c === '\\' && i + 1 < pattern.length) source += escapeRegex(pattern[++i]!);
    else if (c === '%') source += '.*';
    else if (c === '_') source += '.';
    else source += escapeRegex(c);
  }
  return new RegExp(`^${source}$`, caseInsensitive ? 'is' : 's').test(name);
}

function escapeRegex(c: string): string {
  return c.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
}

function sameName(a: string, b: string, caseInsensitive: boolean): boolean {
  return caseInsensitive ? a.toLowerCase() === b.toLowerCase() : a === b;
}

function grantHas(grant: Grant, privilege: string, level: Grant['level']): boolean {
  if (grant.privileges.includes(privilege)) return true;
  // ALL PRIVILEGES holds every privilege that exists at its level (never GRANT OPTION or PROXY).
  if (!grant.privileges.includes('ALL') || privilege === 'GRANT OPTION' || privilege === 'PROXY') return false;
  if (level === 'global') return true;
  if (level === 'database')
    return ![
      'SUPER',
      'SET USER',
      'FILE',
      'PROCESS',
      'RELOAD',
      'SHUTDOWN',
      'SHOW DATABASES',
      'SHOW_ROUTINE',
      'SET_USER_ID',
      'SET_ANY_DEFINER',
      'REPLICATION SLAVE',
      'REPLICATION CLIENT',
      'CREATE USER',
      'CREATE TABLESPACE',
    ].includes(privilege);
  return TABLE_LEVEL_PRIVILEGES.has(privilege) || ['EXECUTE', 'ALTER ROUTINE'].includes(privilege);
}

/** Held at global level (ON *.*). */
export function holdsGlobal(p: Privileges, privilege: string): boolean {
  return p.grants.grants.some((g) => !g.revoke && g.level === 'global' && grantHas(g, privilege, 'global'));
}

/** Held for every object of the database (global, or a database grant whose pattern matches, less partial revokes). */
export function holdsOnDatabase(p: Privileges, privilege: string, database: string): boolean {
  const revoked = p.grants.grants.some(
    (g) =>
      g.revoke &&
      g.level === 'database' &&
      g.database !== null &&
      sameName(g.database, database, p.caseInsensitive) &&
      grantHas(g, privilege, 'database'),
  );
  if (revoked) return false;
  if (holdsGlobal(p, privilege)) return true;
  return p.grants.grants.some(
    (g) =>
      !g.revoke &&
      g.level === 'database' &&
      g.database !== null &&
      likeMatches(g.database, database, p.caseInsensitive) &&
      grantHas(g, privilege, 'database'),
  );
}

/** Held on the table as a whole (global, database or table level; not column-level). */
export function holdsOnTable(p: Privileges, privilege: string, database: string, table: string): boolean {
  if (holdsOnDatabase(p, privilege, database)) return true;
  return p.grants.grants.some(
    (g) =>
      !g.revoke &&
      g.level === 'table' &&
      g.database !== null &&
      g.object !== null &&
      sameName(g.database, database, p.caseInsensitive) &&
      sameName(g.object, table, p.caseInsensitive) &&
      grantHas(g, privilege, 'table'),
  );
}

/** The account as a GRANT target: 'user'@'host'. */
export function accountSql(p: Privileges): string {
  const at = p.account.lastIndexOf('@');
  const user = at >= 0 ? p.account.slice(0, at) : p.account;
  const host = at >= 0 ? p.account.slice(at + 1) : '%';
  const q = (s: string): string => `'${s.replace(/\\/g, '\\\\').replace(/'/g, "''")}'`;
  return `${q(user)}@${q(host)}`;
}

export function grantSql(p: Privileges, privileges: string, on: string): string {
  return `GRANT ${privileges} ON ${on} TO ${accountSql(p)}`;
}

export const onDatabase = (database: string): string => `${quoteIdent(database)}.*`;
export const onTable = (database: string, table: string): string => `${quoteIdent(database)}.${quoteIdent(table)}`;

/** The statement that lets the account read routine bodies: the one dialect difference of reading. */
export function routineGrant(p: Privileges): string {
  return p.flavor === 'mysql' ? grantSql(p, 'SHOW_ROUTINE', '*.*') : grantSql(p, 'SELECT', '`mysql`.`proc`');
}

/** Every routine body of the database is readable (not only those the account defined). */
export function readsAllRoutines(p: Privileges, database: string): boolean {
  if (p.flavor === 'mysql') return holdsGlobal(p, 'SHOW_ROUTINE') || holdsGlobal(p, 'SELECT');
  if (p.probes.procTable === true) return true;
  // MariaDB 11.3+ has SHOW CREATE ROUTINE.
  return holdsOnTable(p, 'SELECT', 'mysql', 'proc') || holdsOnDatabase(p, 'SHOW CREATE ROUTINE', database);
}

/** Every routine of the database is listed by information_schema.ROUTINES. */
export function listsAllRoutines(p: Privileges, database: string): boolean {
  return readsAllRoutines(p, database) || ROUTINE_LISTING_PRIVILEGES.some((priv) => holdsOnDatabase(p, priv, database));
}

/** Every table and view of the database is listed (some table privilege for the whole database). */
export function listsAllTables(p: Privileges, database: string): boolean {
  return [...TABLE_LEVEL_PRIVILEGES].some((priv) => holdsOnDatabase(p, priv, database));
}

/** All columns of the table are listed and SHOW CREATE TABLE works. */
export function readsTableDefinition(p: Privileges, database: string, table: string): boolean {
  return COLUMN_LEVEL_PRIVILEGES.some((priv) => holdsOnTable(p, priv, database, table));
}

/** information_schema lists the table's foreign keys (and, on MariaDB, its CHECK constraints). */
export function readsTableConstraints(p: Privileges, database: string, table: string): boolean {
  if (!readsTableDefinition(p, database, table)) return false;
  if (p.flavor === 'mysql') return true;
  const others = [...TABLE_LEVEL_PRIVILEGES].filter((priv) => priv !== 'SELECT').some((priv) => holdsOnTable(p, priv, database, table));
  // CHECK_CONSTRAINTS is shown to database-level grants only.
  return others && [...TABLE_LEVEL_PRIVILEGES].some((priv) => holdsOnDatabase(p, priv, database));
}

/** Why information_schema showed fewer constraints than SHOW CREATE TABLE (for messages). */
export function hiddenConstraintsWhat(p: Privileges): string {
  return p.flavor === 'mariadb'
    ? 'foreign keys and CHECK constraints (MariaDB lists them in information_schema only to accounts holding a privilege other than SELECT, at database level; SHOW CREATE TABLE shows more than the model read)'
    : 'foreign keys and CHECK constraints (information_schema lists fewer than SHOW CREATE TABLE shows to this account)';
}

export function readsViewDefinition(p: Privileges, database: string, view: string): boolean {
  return holdsOnTable(p, 'SHOW VIEW', database, view) && holdsOnTable(p, 'SELECT', database, view);
}

export function listsAllTriggers(p: Privileges, database: string): boolean {
  return holdsOnDatabase(p, 'TRIGGER', database);
}

export function listsAllEvents(p: Privileges, database: string): boolean {
  return holdsOnDatabase(p, 'EVENT', database);
}

export function canSelect(p: Privileges, database: string, table: string): boolean {
  return holdsOnTable(p, 'SELECT', database, table);
}

/** Does a DEFINER (user@host, as information_schema shows it) name this account? */
export function isAccount(p: Privileges, definer: string): boolean {
  const norm = (s: string): string => s.replace(/[`']/g, '');
  return norm(definer) === norm(p.account);
}

/** The privilege that lets an account create objects for another DEFINER, and its grant. */
export function setDefinerGrant(p: Privileges): { readonly held: boolean; readonly grant: string; readonly name: string } {
  if (p.flavor === 'mysql') {
    const held = holdsGlobal(p, 'SET_ANY_DEFINER') || holdsGlobal(p, 'SET_USER_ID') || holdsGlobal(p, 'SUPER');
    return { held, name: 'SET_USER_ID (SET_ANY_DEFINER on 8.2+) or SUPER', grant: grantSql(p, 'SET_USER_ID', '*.*') };
  }
  const held = holdsGlobal(p, 'SET USER') || holdsGlobal(p, 'SUPER');
  return { held, name: 'SET USER (or SUPER)', grant: grantSql(p, 'SET USER', '*.*') };
}

/**
 * The object classes this account cannot list completely in the database: every object of such a
 * class is unknown on this side (an object it does not show may still exist).
 */
export function hiddenClasses(p: Privileges, database: string): UnknownObject[] {
  const out: UnknownObject[] = [];
  const add = (kind: ObjectKind, what: string, grant: string): void => {
    out.push({ kind, name: null, what, grant });
  };
  if (!listsAllTables(p, database)) {
    add(
      'table',
      'the list of tables (the account holds table-level grants only, and does not see tables without one)',
      grantSql(p, 'SELECT, SHOW VIEW', onDatabase(database)),
    );
    add(
      'view',
      'the list of views (the account holds table-level grants only, and does not see views without one)',
      grantSql(p, 'SELECT, SHOW VIEW', onDatabase(database)),
    );
  }
  if (!listsAllTriggers(p, database))
    add(
      'trigger',
      'triggers (information_schema shows them only with the TRIGGER privilege)',
      grantSql(p, 'TRIGGER', onDatabase(database)),
    );
  if (!listsAllRoutines(p, database)) {
    add(
      'routine',
      p.flavor === 'mysql'
        ? 'stored procedures and functions (MySQL shows them only with SHOW_ROUTINE)'
        : 'stored procedures and functions (MariaDB shows them only with SELECT on mysql.proc)',
      routineGrant(p),
    );
  }
  if (!listsAllEvents(p, database))
    add('event', 'events (information_schema shows them only with the EVENT privilege)', grantSql(p, 'EVENT', onDatabase(database)));
  return out;
}
