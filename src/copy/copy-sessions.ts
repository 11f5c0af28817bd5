/**
 * Session settings and one-off sandbox statements of the copy: what each side is told before a
 * byte moves, emptying the target, and finding out whether LOAD DATA LOCAL is allowed.
 */
import { Readable } from 'node:stream';
import { quoteIdent } from '../sql/quote.js';
import type { ProductionSession, SandboxSession } from '../db/session.js';
import { errnoOf } from '../db/sql-error.js';
import { ReplicoopError } from '../errors.js';
import type { ColumnPlan } from './column-plan.js';
import { loadDataSql } from './write-chunk.js';
import {
  ER_LOCK_WAIT_TIMEOUT,
  ER_VERS_NOT_SUPPORTED,
  HISTORY_REFUSED_ERRNOS,
  LOCAL_INFILE_REFUSED_ERRNOS,
  TRUNCATE_REFUSED_ERRNOS,
} from '../sql/errno.js';
import { sandboxSessionSql } from '../sql/sandbox-settings.js';
import { SYSTEM_VERSIONED_TABLE_TYPE } from '../sql/table-types.js';

/**
 * Raw bytes out (character_set_results=binary: no conversion of any column's text), time
 * zone already '+00:00' (ProductionSession.open) so TIMESTAMP values read as UTC. The client and
 * connection character sets stay utf8mb4 so that literals in a configured `where` keep their
 * meaning. net_write_timeout is raised because a chunk stream may pause while the sandbox
 * reconnects or commits.
 */
export async function prepareProduction(session: ProductionSession): Promise<void> {
  // One statement, one round trip: this runs for every table.
  await session.query('SET SESSION character_set_results = binary, SESSION net_write_timeout = 600');
}

/**
 * No SET NAMES binary: the driver follows character_set_client and would then encode the
 * statement text (identifiers included) byte per UTF-16 unit. The equivalent is per statement:
 * LOAD DATA ... CHARACTER SET binary, and binary literals in INSERT (insert-encoder.ts), so bytes
 * are stored as sent, never converted. sql_mode without NO_ZERO_DATE/STRICT so that zero dates load, and with NO_AUTO_VALUE_ON_ZERO
 * so that an id 0 stays 0. foreign_key_checks=0: tables load in any order and parents can be
 * emptied. unique_checks=0 only when the rows come from one snapshot of a unique source and no
 * mask could make two values collide, because InnoDB may then not notice a duplicate at all,
 * and only on MySQL (see copy-table.ts: on MariaDB it makes inserts into empty tables lock them).
 */
export async function prepareSandbox(session: SandboxSession, options: { readonly uniqueChecks: boolean }): Promise<void> {
  await session.execute(sandboxSessionSql({ foreignKeyChecks: false, uniqueChecks: options.uniqueChecks }));
}

// TRUNCATE_REFUSED_ERRNOS: referenced by a foreign key (servers that refuse even with
// foreign_key_checks=0), no DROP privilege (DELETE needs none), or a system-versioned table
// (MariaDB), which only DELETE can empty.
const DELETE_BATCH_ROWS = 50_000;

/**
 * TRUNCATE of a parent table waits for a lock on each of its child tables, so it stalls while a
 * child is being copied concurrently (a chunk's transaction holds the child): each attempt waits
 * at most this long, and after the last one the table is emptied with DELETE instead.
 */
const TRUNCATE_LOCK_WAIT_SECONDS = 1;
const TRUNCATE_ATTEMPTS = 3;

/**
 * Empties the sandbox table; DELETE (in bounded batches) only when TRUNCATE is refused or keeps
 * waiting for a lock. On a system-versioned table DELETE turns the rows into history, so the
 * history is then removed as well where the user may (DELETE HISTORY); where not, it stays,
 * invisible to queries of the current rows, which is all the copy and the validation compare.
 */
export async function emptyTable(session: SandboxSession, table: string, keep: string | null = null): Promise<'truncate' | 'delete'> {
  if (keep !== null) {
    // maintain[].keep: only the rows not kept go, in batches (history, if any, stays).
    for (;;) {
      const { affectedRows } = await session.execute(
        `DELETE FROM ${quoteIdent(table)} WHERE (${keep}) IS NOT TRUE LIMIT ${DELETE_BATCH_ROWS}`,
      );
      if (affectedRows < DELETE_BATCH_ROWS) return 'delete';
    }
  }
  let refusal: number;
  await session.execute(`SET SESSION innodb_lock_wait_timeout = ${TRUNCATE_LOCK_WAIT_SECONDS}`);
  try {
    for (let attempt = 1; ; attempt++) {
      try {
        await session.execute(`TRUNCATE TABLE ${quoteIdent(table)}`);
        return 'truncate';
      } catch (error) {
        refusal = errnoOf(error) ?? 0;
        if (refusal === ER_LOCK_WAIT_TIMEOUT && attempt < TRUNCATE_ATTEMPTS) {
          await new Promise((resolve) => setTimeout(resolve, 100 * attempt));
          continue;
        }
        if (refusal !== ER_LOCK_WAIT_TIMEOUT && !TRUNCATE_REFUSED_ERRNOS.has(refusal)) throw error;
        break;
      }
    }
  } finally {
    await session.execute('SET SESSION innodb_lock_wait_timeout = DEFAULT');
  }
  for (;;) {
    const { affectedRows } = await session.execute(`DELETE FROM ${quoteIdent(table)} LIMIT ${DELETE_BATCH_ROWS}`);
    if (affectedRows < DELETE_BATCH_ROWS) break;
  }
  if (refusal === ER_VERS_NOT_SUPPORTED) await removeHistory(session, table);
  return 'delete';
}

/**
 * Removes a system-versioned table's history where the user may (DELETE HISTORY), so that a
 * refresh leaves no more history than a full copy does; where refused it stays, invisible to
 * queries of the current rows. Idempotent, so a resumed step may run it again.
 */
export async function removeHistory(session: SandboxSession, table: string): Promise<void> {
  try {
    await session.execute(`DELETE HISTORY FROM ${quoteIdent(table)}`);
  } catch (error) {
    if (!HISTORY_REFUSED_ERRNOS.has(errnoOf(error) ?? 0)) throw error;
  }
}

/** Whether the sandbox table is MariaDB system-versioned (rows it rewrites become history). */
export async function isSystemVersioned(session: SandboxSession, table: string): Promise<boolean> {
  const rows = await session.query<{ TABLE_TYPE: string }>(
    'SELECT TABLE_TYPE AS TABLE_TYPE FROM information_schema.TABLES WHERE TABLE_SCHEMA = DATABASE() AND TABLE_NAME = ?',
    [table],
  );
  // String(): a delta session reads results as binary.
  return String(rows[0]?.TABLE_TYPE ?? '') === SYSTEM_VERSIONED_TABLE_TYPE;
}

// LOCAL_INFILE_REFUSED_ERRNOS: "the used command is not allowed" (MariaDB, MySQL 5.7), local
// data disabled (MySQL 8), the client refused the file request, MariaDB's LOCAL INFILE refusal.

/**
 * Which writer to use. 'auto' asks the server (@@local_infile) and then proves it with an
 * empty LOAD DATA LOCAL into the table inside a rolled-back transaction, because a user or
 * proxy may refuse what the variable allows.
 */
export async function resolveMethod(
  session: SandboxSession,
  table: string,
  plan: ColumnPlan,
  method: 'auto' | 'load-data' | 'insert',
): Promise<'load-data' | 'insert'> {
  if (method === 'insert') return 'insert';
  const refusal = await localInfileRefusal(session, table, plan);
  if (refusal === null) return 'load-data';
  if (method === 'auto') return 'insert';
  throw new ReplicoopError(
    'copy_load_data_refused',
    `the sandbox refuses LOAD DATA LOCAL INFILE (${refusal}); set copy.method to auto or insert`,
    {
      details: { table },
    },
  );
}

async function localInfileRefusal(session: SandboxSession, table: string, plan: ColumnPlan): Promise<string | null> {
  const [row] = await session.queryArrays('SELECT @@GLOBAL.local_infile', [], { raw: true });
  const value = (row?.[0] as Buffer | null | undefined)?.toString('latin1') ?? '1';
  if (value === '0' || value.toUpperCase() === 'OFF') return 'local_infile is OFF';
  await session.execute('START TRANSACTION');
  try {
    await session.loadDataLocal(loadDataSql(table, plan, 'insert'), () => Readable.from([]));
    return null;
  } catch (error) {
    const errno = errnoOf(error);
    if (errno !== undefined && LOCAL_INFILE_REFUSED_ERRNOS.has(errno)) return `error ${errno}`;
    throw error;
  } finally {
    await session.execute('ROLLBACK');
  }
}
