import type { MaintainTable } from '../config/types.js';
import type { Queryable } from '../db/session.js';
import { hasErrno } from '../db/sql-error.js';
import { ReplicoopError } from '../errors.js';
import { SELECT_DENIED_ERRNOS } from '../sql/errno.js';
import { quoteIdent } from '../sql/quote.js';
import { grantSql, onTable, type Privileges } from './privileges.js';

/**
 * Every maintain table must be readable in full by the production account: a zero-row SELECT *
 * probe, so that a missing grant is named at plan time (not "production changed a maintain
 * table", not a copy failing halfway). Runs before the other maintain checks: a table the account
 * cannot see at all would otherwise be reported as missing.
 */
export async function checkMaintainPrivileges(
  production: Queryable,
  privileges: Privileges,
  maintain: readonly MaintainTable[],
  displayFile: string,
): Promise<void> {
  const problems: string[] = [];
  for (const [index, entry] of maintain.entries()) {
    try {
      await production.query(`SELECT * FROM ${quoteIdent(entry.table)} LIMIT 0`);
    } catch (error) {
      if (!hasErrno(error, SELECT_DENIED_ERRNOS)) continue; // a missing table is checkMaintain's to report
      problems.push(
        `${displayFile}: /maintain/${index}: production account cannot read every column of maintain table "${entry.table}": ${grantSql(privileges, 'SELECT', onTable(production.database, entry.table))}`,
      );
    }
  }
  if (problems.length > 0) throw new ReplicoopError('missing_privilege', problems.join('\n'), { details: { problems } });
}
