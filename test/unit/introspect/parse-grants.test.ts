import { describe, expect, it } from 'vitest';
import { parseGrants } from '../../../src/introspect/parse-grants.js';
import {
  canSelect,
  hiddenClasses,
  holdsGlobal,
  holdsOnDatabase,
  holdsOnTable,
  likeMatches,
  listsAllRoutines,
  listsAllTables,
  makePrivileges,
  readsAllRoutines,
  readsTableDefinition,
  readsViewDefinition,
  routineGrant,
  setDefinerGrant,
  type Privileges,
} from '../../../src/introspect/privileges.js';
import { splitRoleList } from '../../../src/introspect/read-privileges.js';

function privileges(flavor: 'mariadb' | 'mysql', lines: string[], procTable: boolean | null = null): Privileges {
  return makePrivileges({ flavor, account: 'ro@%', grants: parseGrants(lines), probes: { procTable }, caseInsensitive: false });
}

describe('parseGrants: MariaDB forms (as SHOW GRANTS printed them on 10.11)', () => {
  it('reads USAGE with a password hash, database grants, mysql.proc and keeps no hash in unparsed lines', () => {
    const set = parseGrants([
      "GRANT USAGE ON *.* TO `ro_full`@`%` IDENTIFIED BY PASSWORD '*D821809F681A40A6E379B50D0463EFAE20BDD122'",
      'GRANT SELECT, SHOW VIEW, EVENT, TRIGGER ON `sakila`.* TO `ro_full`@`%`',
      'GRANT SELECT ON `mysql`.`proc` TO `ro_full`@`%`',
    ]);
    expect(set.unparsed).toEqual([]);
    expect(set.grants.map((g) => [g.level, g.database, g.object, g.privileges.join(',')])).toEqual([
      ['global', null, null, 'USAGE'],
      ['database', 'sakila', null, 'EVENT,SELECT,SHOW VIEW,TRIGGER'],
      ['table', 'mysql', 'proc', 'SELECT'],
    ]);
    expect(set.grants[1]!.grantee).toBe('`ro_full`@`%`');
    expect(Object.isFrozen(set.grants[0])).toBe(true);
  });

  it('reads column-level grants, routine-level grants, ALL PRIVILEGES WITH GRANT OPTION and a wildcard database', () => {
    const set = parseGrants([
      'GRANT ALL PRIVILEGES ON `other`.* TO `rw`@`%` WITH GRANT OPTION',
      'GRANT SELECT ON `sak\\_%`.* TO `rw`@`%`',
      'GRANT SELECT (`first_name`, `actor_id`), INSERT ON `sakila`.`actor` TO `rw`@`%`',
      'GRANT EXECUTE ON PROCEDURE `sakila`.`film_in_stock` TO `rw`@`%`',
    ]);
    expect(set.unparsed).toEqual([]);
    const [all, wild, columns, routine] = set.grants;
    expect(all).toMatchObject({ level: 'database', database: 'other', privileges: ['ALL'], grantOption: true });
    expect(wild).toMatchObject({ level: 'database', database: 'sak\\_%', privileges: ['SELECT'] });
    expect(columns).toMatchObject({
      level: 'table',
      database: 'sakila',
      object: 'actor',
      privileges: ['INSERT'],
      columns: { SELECT: ['first_name', 'actor_id'] },
    });
    expect(routine).toMatchObject({ level: 'routine', database: 'sakila', object: 'film_in_stock', privileges: ['EXECUTE'] });
  });

  it('reads role grants (one role per line, nested roles) and ignores SET DEFAULT ROLE', () => {
    const set = parseGrants([
      'GRANT `r_outer` TO `ru`@`%`',
      "GRANT USAGE ON *.* TO `ru`@`%` IDENTIFIED BY PASSWORD '*D821809F681A40A6E379B50D0463EFAE20BDD122'",
      'GRANT `r_read` TO `r_outer`',
      'GRANT USAGE ON *.* TO `r_outer`',
      'GRANT SELECT ON `mysql`.`proc` TO `r_outer`',
      'GRANT SELECT, SHOW VIEW ON `sakila`.* TO `r_read`',
      'SET DEFAULT ROLE `r_outer` FOR `ru`@`%`',
    ]);
    expect(set.unparsed).toEqual([]);
    expect(set.roles).toEqual(['`r_outer`', '`r_read`']);
    expect(set.grants.find((g) => g.grantee === '`r_read`')).toMatchObject({
      level: 'database',
      database: 'sakila',
      privileges: ['SELECT', 'SHOW VIEW'],
    });
  });

  it('reads grants to PUBLIC (MariaDB 10.11 prints them in SHOW GRANTS)', () => {
    const p = privileges('mariadb', [
      "GRANT USAGE ON *.* TO `pub`@`%` IDENTIFIED BY PASSWORD '*D8'",
      'GRANT SELECT ON `sakila`.* TO PUBLIC',
    ]);
    expect(p.grants.unparsed).toEqual([]);
    expect(p.grants.grants[1]!.grantee).toBe('`PUBLIC`');
    expect(canSelect(p, 'sakila', 'actor')).toBe(true);
  });

  it('keeps lines it does not understand as unparsed (they grant nothing), with password hashes masked', () => {
    const set = parseGrants([
      "GRANT FROBNICATE ON ??? TO `x`@`%` IDENTIFIED BY PASSWORD '*ABC'",
      'GRANT PROXY ON ``@`%` TO `root`@`localhost` WITH GRANT OPTION',
    ]);
    expect(set.grants).toEqual([]);
    expect(set.unparsed).toEqual(["GRANT FROBNICATE ON ??? TO `x`@`%` IDENTIFIED BY PASSWORD '...'"]);
  });

  it('quoting: a backtick doubled inside an identifier, single-quoted accounts (MySQL 5.7), unquoted names', () => {
    const set = parseGrants(["GRANT SELECT ON `we``ird`.`t``1` TO 'u''x'@'10.0.0.%'", 'GRANT INSERT ON shop.* TO ro@localhost']);
    expect(set.unparsed).toEqual([]);
    expect(set.grants[0]).toMatchObject({ database: 'we`ird', object: 't`1', grantee: "`u'x`@`10.0.0.%`" });
    expect(set.grants[1]).toMatchObject({ level: 'database', database: 'shop', privileges: ['INSERT'], grantee: '`ro`@`localhost`' });
  });
});

describe('parseGrants: MySQL 8 forms (from the reference manual)', () => {
  it('reads dynamic privileges without spaces, role lists and USING output', () => {
    const set = parseGrants([
      'GRANT USAGE ON *.* TO `u1`@`localhost`',
      'GRANT SHOW_ROUTINE,SET_USER_ID ON *.* TO `u1`@`localhost`',
      'GRANT SELECT, INSERT, UPDATE, DELETE ON `db1`.* TO `u1`@`localhost`',
      'GRANT `r1`@`%`,`r2`@`%` TO `u1`@`localhost`',
    ]);
    expect(set.unparsed).toEqual([]);
    expect(set.roles).toEqual(['`r1`@`%`', '`r2`@`%`']);
    expect(set.grants[1]).toMatchObject({ level: 'global', privileges: ['SET_USER_ID', 'SHOW_ROUTINE'] });
    const p = privileges('mysql', ['GRANT SHOW_ROUTINE,SET_USER_ID ON *.* TO `u1`@`localhost`']);
    expect(readsAllRoutines(p, 'db1')).toBe(true);
    expect(setDefinerGrant(p).held).toBe(true);
  });

  it('applies partial revokes (REVOKE ... ON db.* FROM)', () => {
    const p = privileges('mysql', ['GRANT SELECT ON *.* TO `u1`@`%`', 'REVOKE SELECT ON `mysql`.* FROM `u1`@`%`']);
    expect(holdsOnDatabase(p, 'SELECT', 'shop')).toBe(true);
    expect(holdsOnDatabase(p, 'SELECT', 'mysql')).toBe(false);
  });

  it('names SHOW_ROUTINE as the routine grant, and global SELECT also reads routines', () => {
    expect(routineGrant(privileges('mysql', []))).toBe("GRANT SHOW_ROUTINE ON *.* TO 'ro'@'%'");
    expect(readsAllRoutines(privileges('mysql', ['GRANT SELECT ON *.* TO `ro`@`%`']), 'shop')).toBe(true);
    expect(readsAllRoutines(privileges('mysql', ['GRANT SELECT ON `shop`.* TO `ro`@`%`']), 'shop')).toBe(false);
  });

  it('splits CURRENT_ROLE() output', () => {
    expect(splitRoleList('`r1`@`%`,`app``x`@`localhost`')).toEqual([
      ['r1', '%'],
      ['app`x', 'localhost'],
    ]);
  });
});

describe('privileges: what the account holds and sees', () => {
  it('database patterns: % and _ are wildcards, a backslash makes them literal', () => {
    expect(likeMatches('shop\\_%', 'shop_eu')).toBe(true);
    expect(likeMatches('shop\\_%', 'shopXeu')).toBe(false);
    expect(likeMatches('shop_%', 'shopXeu')).toBe(true);
    expect(likeMatches('Shop', 'shop')).toBe(false);
    expect(likeMatches('Shop', 'shop', true)).toBe(true);
    const p = privileges('mariadb', ['GRANT SELECT, SHOW VIEW ON `shop\\_%`.* TO `ro`@`%`']);
    expect(holdsOnDatabase(p, 'SELECT', 'shop_eu')).toBe(true);
    expect(holdsOnDatabase(p, 'SELECT', 'shopping')).toBe(false);
    expect(readsViewDefinition(p, 'shop_eu', 'v')).toBe(true);
  });

  it('ALL PRIVILEGES on a database covers its table privileges but not SUPER or SET USER; on *.* it covers them', () => {
    const db = privileges('mariadb', ['GRANT ALL PRIVILEGES ON `shop`.* TO `ro`@`%`']);
    expect(holdsOnTable(db, 'TRIGGER', 'shop', 't')).toBe(true);
    expect(holdsOnDatabase(db, 'CREATE ROUTINE', 'shop')).toBe(true);
    expect(setDefinerGrant(db).held).toBe(false);
    expect(setDefinerGrant(db).grant).toBe("GRANT SET USER ON *.* TO 'ro'@'%'");
    const global = privileges('mariadb', ['GRANT ALL PRIVILEGES ON *.* TO `root`@`localhost` WITH GRANT OPTION']);
    expect(holdsGlobal(global, 'SUPER')).toBe(true);
    expect(setDefinerGrant(global).held).toBe(true);
    expect(readsAllRoutines(global, 'shop')).toBe(true);
  });

  it('table-level and column-level grants: the table list is incomplete; column-only tables have no readable definition', () => {
    const p = privileges('mariadb', [
      'GRANT SELECT ON `shop`.`orders` TO `ro`@`%`',
      'GRANT SELECT (`id`) ON `shop`.`customers` TO `ro`@`%`',
    ]);
    expect(listsAllTables(p, 'shop')).toBe(false);
    expect(canSelect(p, 'shop', 'orders')).toBe(true);
    expect(canSelect(p, 'shop', 'customers')).toBe(false);
    expect(readsTableDefinition(p, 'shop', 'orders')).toBe(true);
    expect(readsTableDefinition(p, 'shop', 'customers')).toBe(false);
    expect(hiddenClasses(p, 'shop').map((u) => `${u.kind}: ${u.grant}`)).toEqual([
      "table: GRANT SELECT, SHOW VIEW ON `shop`.* TO 'ro'@'%'",
      "view: GRANT SELECT, SHOW VIEW ON `shop`.* TO 'ro'@'%'",
      "trigger: GRANT TRIGGER ON `shop`.* TO 'ro'@'%'",
      "routine: GRANT SELECT ON `mysql`.`proc` TO 'ro'@'%'",
      "event: GRANT EVENT ON `shop`.* TO 'ro'@'%'",
    ]);
  });

  it("the README's production grants hide nothing; without mysql.proc routines are hidden; SELECT only hides triggers, routines and events", () => {
    const readme = ['GRANT SELECT, SHOW VIEW, TRIGGER, EVENT ON `shop`.* TO `ro`@`%`', 'GRANT SELECT ON `mysql`.`proc` TO `ro`@`%`'];
    expect(hiddenClasses(privileges('mariadb', readme), 'shop')).toEqual([]);
    expect(hiddenClasses(privileges('mariadb', readme.slice(0, 1)), 'shop').map((u) => u.kind)).toEqual(['routine']);
    // The probe counts too: mysql.proc readable through a grant SHOW GRANTS does not print (PUBLIC, a nested role).
    expect(hiddenClasses(privileges('mariadb', readme.slice(0, 1), true), 'shop')).toEqual([]);
    expect(hiddenClasses(privileges('mariadb', ['GRANT SELECT ON `shop`.* TO `ro`@`%`']), 'shop').map((u) => u.kind)).toEqual([
      'trigger',
      'routine',
      'event',
    ]);
    // A routine privilege on the database lists the routines (their bodies are checked one by one).
    expect(listsAllRoutines(privileges('mariadb', ['GRANT EXECUTE ON `shop`.* TO `ro`@`%`']), 'shop')).toBe(true);
  });
});
