/**
 * Reads what the connected account holds: CURRENT_USER(), its SHOW GRANTS (with the active roles'
 * privileges), and a probe where a grant may come from somewhere SHOW GRANTS does not show (a
 * PUBLIC grant, a role granted to a role). Raw text only; privileges.ts interprets it.
 */
import type { Queryable } from '../db/session.js';
import { hasErrno } from '../db/sql-error.js';
import { SYSTEM_TABLE_UNREADABLE_ERRNOS } from '../sql/errno.js';
import { quoteIdent } from '../sql/quote.js';
import { privilegesFrom, type Privileges } from './privileges.js';
import type { RawGrants } from './raw-schema.js';

export async function readRawGrants(db: Queryable): Promise<RawGrants> {
  const [who] = await db.query<{ account: string }>('SELECT CURRENT_USER() AS account');
  const account = who?.account ?? '';
  let activeRoles: string | null = null;
  let rows: Record<string, unknown>[];
  if (db.server.flavor === 'mysql') {
    // MySQL lists a role's privileges only when asked USING it; the active ones are what counts.
    const [role] = await db.query<{ roles: string | null }>('SELECT CURRENT_ROLE() AS roles');
    activeRoles = role?.roles && role.roles !== 'NONE' ? role.roles : null;
    const using = activeRoles
      ? ` USING ${splitRoleList(activeRoles)
          .map(([u, h]) => `${quoteIdent(u)}@${quoteIdent(h)}`)
          .join(', ')}`
      : '';
    rows = await db.query<Record<string, unknown>>(`SHOW GRANTS FOR CURRENT_USER()${using}`);
  } else {
    // MariaDB's SHOW GRANTS includes the active role's grants, and those of roles granted to it.
    rows = await db.query<Record<string, unknown>>('SHOW GRANTS');
  }
  const lines = rows.map((row) => String(Object.values(row)[0] ?? ''));
  let procTable: boolean | null = null;
  if (db.server.flavor === 'mariadb') {
    try {
      await db.query('SELECT 1 FROM mysql.proc LIMIT 0');
      procTable = true;
    } catch (error) {
      if (!hasErrno(error, SYSTEM_TABLE_UNREADABLE_ERRNOS)) throw error;
      procTable = false;
    }
  }
  return { account, activeRoles, lines, procTable };
}

/** CURRENT_ROLE() on MySQL: `r1`@`%`,`r2`@`%`. */
export function splitRoleList(text: string): [string, string][] {
  const out: [string, string][] = [];
  const re = /`((?:[^`]|``)*)`@`((?:[^`]|``)*)`/g;
  for (const m of text.matchAll(re)) out.push([m[1]!.replace(/``/g, '`'), m[2]!.replace(/``/g, '`')]);
  return out;
}

export async function readPrivileges(db: Queryable): Promise<Privileges> {
  return privilegesFrom(await readRawGrants(db), db);
}
