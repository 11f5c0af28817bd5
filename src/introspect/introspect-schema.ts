import { globsToSqlRegex, compileGlobs } from '../config/glob.js';
import type { Queryable } from '../db/session.js';
import { quoteIdent } from '../sql/quote.js';
import { ReplicoopError } from '../errors.js';
import { compareText } from '../compare-text.js';
import { hasErrno } from '../db/sql-error.js';
import { ACCESS_DENIED_ERRNOS, ER_SP_DOES_NOT_EXIST } from '../sql/errno.js';
import { readRawGrants } from './read-privileges.js';
import type {
  RawCheckRow,
  RawColumnRow,
  RawEventRow,
  RawForeignKeyRow,
  RawRoutineRow,
  RawSchema,
  RawStatisticsRow,
  RawTableRow,
  RawTriggerRow,
  RawViewRow,
} from './raw-schema.js';

export interface IntrospectProgress {
  readonly stage: 'catalog' | 'tables' | 'routines' | 'events';
  readonly done: number;
  readonly total: number;
}

export interface IntrospectOptions {
  /** Glob patterns of objects that are neither read nor touched. */
  readonly ignore?: readonly string[];
  /** More sessions to the same database, used in parallel for the per-table SHOW CREATE. */
  readonly extraSessions?: readonly Queryable[];
  readonly onProgress?: (progress: IntrospectProgress) => void;
}

/**
 * Reads one database's structure: a fixed number of bulk information_schema queries, plus
 * SHOW CREATE for what only it tells truthfully (tables, for the self-check and the few
 * attributes information_schema lacks; routine and event bodies; sequences).
 */
export async function introspectSchema(db: Queryable, options: IntrospectOptions = {}): Promise<RawSchema> {
  const schema = db.database;
  const ignoreRegex = globsToSqlRegex(options.ignore ?? []);
  const isIgnored = compileGlobs(options.ignore ?? []);
  const mysql = db.server.flavor === 'mysql';
  const notIgnored = (column: string): string => (ignoreRegex ? ` AND NOT (${column} REGEXP ?)` : '');
  const params = (...extra: unknown[]): unknown[] => [schema, ...(ignoreRegex ? [ignoreRegex] : []), ...extra];
  const progress = options.onProgress ?? (() => undefined);

  progress({ stage: 'catalog', done: 0, total: 9 });
  // What this account may see decides what is unknown (never absent) in the snapshot.
  const grants = await readRawGrants(db);
  const schemata = await db.query<{ DEFAULT_CHARACTER_SET_NAME: string; DEFAULT_COLLATION_NAME: string }>(
    'SELECT DEFAULT_CHARACTER_SET_NAME AS DEFAULT_CHARACTER_SET_NAME, DEFAULT_COLLATION_NAME AS DEFAULT_COLLATION_NAME FROM information_schema.SCHEMATA WHERE SCHEMA_NAME = ?',
    [schema],
  );
  if (schemata.length === 0) {
    throw new ReplicoopError('database_not_found', `${db.role}: database ${schema} does not exist`, {
      details: { role: db.role, database: schema },
    });
  }

  const tables = await db.query<RawTableRow>(
    `SELECT TABLE_NAME AS TABLE_NAME, TABLE_TYPE AS TABLE_TYPE, ENGINE AS ENGINE, TABLE_COLLATION AS TABLE_COLLATION,
            TABLE_COMMENT AS TABLE_COMMENT, CREATE_OPTIONS AS CREATE_OPTIONS, TABLE_ROWS AS TABLE_ROWS,
            DATA_LENGTH AS DATA_LENGTH, INDEX_LENGTH AS INDEX_LENGTH
       FROM information_schema.TABLES WHERE TABLE_SCHEMA = ?${notIgnored('TABLE_NAME')} ORDER BY TABLE_NAME`,
    params(),
  );
  progress({ stage: 'catalog', done: 2, total: 9 });

  const columns = await db.query<RawColumnRow>(
    `SELECT TABLE_NAME AS TABLE_NAME, COLUMN_NAME AS COLUMN_NAME, ORDINAL_POSITION AS ORDINAL_POSITION,
            COLUMN_DEFAULT AS COLUMN_DEFAULT, IS_NULLABLE AS IS_NULLABLE, DATA_TYPE AS DATA_TYPE,
            CHARACTER_SET_NAME AS CHARACTER_SET_NAME, COLLATION_NAME AS COLLATION_NAME, COLUMN_TYPE AS COLUMN_TYPE,
            EXTRA AS EXTRA, COLUMN_COMMENT AS COLUMN_COMMENT, GENERATION_EXPRESSION AS GENERATION_EXPRESSION
       FROM information_schema.COLUMNS WHERE TABLE_SCHEMA = ?${notIgnored('TABLE_NAME')} ORDER BY TABLE_NAME, ORDINAL_POSITION`,
    params(),
  );
  progress({ stage: 'catalog', done: 3, total: 9 });

  const hasIgnored = !mysql && (db.server.major > 10 || (db.server.major === 10 && db.server.minor >= 6));
  const statistics = await db.query<RawStatisticsRow>(
    `SELECT TABLE_NAME AS TABLE_NAME, INDEX_NAME AS INDEX_NAME, NON_UNIQUE AS NON_UNIQUE, SEQ_IN_INDEX AS SEQ_IN_INDEX,
            COLUMN_NAME AS COLUMN_NAME, SUB_PART AS SUB_PART, INDEX_TYPE AS INDEX_TYPE, INDEX_COMMENT AS INDEX_COMMENT,
            COLLATION AS COLLATION,
            ${mysql ? "IF(IS_VISIBLE = 'NO', 'YES', 'NO')" : hasIgnored ? 'IGNORED' : "'NO'"} AS IGNORED,
            ${mysql ? 'EXPRESSION' : 'NULL'} AS EXPRESSION
       FROM information_schema.STATISTICS WHERE TABLE_SCHEMA = ?${notIgnored('TABLE_NAME')} ORDER BY TABLE_NAME, INDEX_NAME, SEQ_IN_INDEX`,
    params(),
  );
  progress({ stage: 'catalog', done: 4, total: 9 });

  const foreignKeys = await db.query<RawForeignKeyRow>(
    `SELECT k.TABLE_NAME AS TABLE_NAME, k.CONSTRAINT_NAME AS CONSTRAINT_NAME, k.COLUMN_NAME AS COLUMN_NAME,
            k.ORDINAL_POSITION AS ORDINAL_POSITION, k.REFERENCED_TABLE_SCHEMA AS REFERENCED_TABLE_SCHEMA,
            k.REFERENCED_TABLE_NAME AS REFERENCED_TABLE_NAME, k.REFERENCED_COLUMN_NAME AS REFERENCED_COLUMN_NAME,
            r.UPDATE_RULE AS UPDATE_RULE, r.DELETE_RULE AS DELETE_RULE
       FROM information_schema.KEY_COLUMN_USAGE k
       JOIN information_schema.REFERENTIAL_CONSTRAINTS r
         ON r.CONSTRAINT_SCHEMA = k.CONSTRAINT_SCHEMA AND r.CONSTRAINT_NAME = k.CONSTRAINT_NAME AND r.TABLE_NAME = k.TABLE_NAME
      WHERE k.TABLE_SCHEMA = ?${notIgnored('k.TABLE_NAME')} AND k.REFERENCED_TABLE_NAME IS NOT NULL
      ORDER BY k.TABLE_NAME, k.CONSTRAINT_NAME, k.ORDINAL_POSITION`,
    params(),
  );
  progress({ stage: 'catalog', done: 5, total: 9 });

  const checks = mysql
    ? await db.query<RawCheckRow>(
        `SELECT tc.TABLE_NAME AS TABLE_NAME, cc.CONSTRAINT_NAME AS CONSTRAINT_NAME, 'Table' AS LEVEL,
                cc.CHECK_CLAUSE AS CHECK_CLAUSE, tc.ENFORCED AS ENFORCED
           FROM information_schema.CHECK_CONSTRAINTS cc
           JOIN information_schema.TABLE_CONSTRAINTS tc
             ON tc.CONSTRAINT_SCHEMA = cc.CONSTRAINT_SCHEMA AND tc.CONSTRAINT_NAME = cc.CONSTRAINT_NAME AND tc.CONSTRAINT_TYPE = 'CHECK'
          WHERE cc.CONSTRAINT_SCHEMA = ?${notIgnored('tc.TABLE_NAME')} ORDER BY tc.TABLE_NAME, cc.CONSTRAINT_NAME`,
        params(),
      )
    : await db.query<RawCheckRow>(
        `SELECT TABLE_NAME AS TABLE_NAME, CONSTRAINT_NAME AS CONSTRAINT_NAME, LEVEL AS LEVEL, CHECK_CLAUSE AS CHECK_CLAUSE, 'YES' AS ENFORCED
           FROM information_schema.CHECK_CONSTRAINTS WHERE CONSTRAINT_SCHEMA = ?${notIgnored('TABLE_NAME')} ORDER BY TABLE_NAME, CONSTRAINT_NAME`,
        params(),
      );
  progress({ stage: 'catalog', done: 6, total: 9 });

  const views = await db.query<RawViewRow>(
    `SELECT TABLE_NAME AS TABLE_NAME, VIEW_DEFINITION AS VIEW_DEFINITION, CHECK_OPTION AS CHECK_OPTION, DEFINER AS DEFINER,
            SECURITY_TYPE AS SECURITY_TYPE, CHARACTER_SET_CLIENT AS CHARACTER_SET_CLIENT, COLLATION_CONNECTION AS COLLATION_CONNECTION,
            ${mysql ? 'NULL' : 'ALGORITHM'} AS ALGORITHM
       FROM information_schema.VIEWS WHERE TABLE_SCHEMA = ?${notIgnored('TABLE_NAME')} ORDER BY TABLE_NAME`,
    params(),
  );

  const triggerRows = await db.query<RawTriggerRow>(
    `SELECT TRIGGER_NAME AS TRIGGER_NAME, EVENT_MANIPULATION AS EVENT_MANIPULATION, EVENT_OBJECT_TABLE AS EVENT_OBJECT_TABLE,
            ACTION_ORDER AS ACTION_ORDER, ACTION_STATEMENT AS ACTION_STATEMENT, ACTION_TIMING AS ACTION_TIMING, SQL_MODE AS SQL_MODE,
            DEFINER AS DEFINER, CHARACTER_SET_CLIENT AS CHARACTER_SET_CLIENT, COLLATION_CONNECTION AS COLLATION_CONNECTION
       FROM information_schema.TRIGGERS WHERE TRIGGER_SCHEMA = ?${notIgnored('TRIGGER_NAME')}${ignoreRegex ? ' AND NOT (EVENT_OBJECT_TABLE REGEXP ?)' : ''}
      ORDER BY EVENT_OBJECT_TABLE, ACTION_TIMING, EVENT_MANIPULATION, ACTION_ORDER`,
    ignoreRegex ? [schema, ignoreRegex, ignoreRegex] : [schema],
  );
  progress({ stage: 'catalog', done: 8, total: 9 });

  const routineRows = await db.query<Omit<RawRoutineRow, 'CREATE_STATEMENT'>>(
    `SELECT ROUTINE_NAME AS ROUTINE_NAME, ROUTINE_TYPE AS ROUTINE_TYPE, DEFINER AS DEFINER, SQL_MODE AS SQL_MODE,
            CHARACTER_SET_CLIENT AS CHARACTER_SET_CLIENT, COLLATION_CONNECTION AS COLLATION_CONNECTION
       FROM information_schema.ROUTINES WHERE ROUTINE_SCHEMA = ?${notIgnored('ROUTINE_NAME')} ORDER BY ROUTINE_TYPE, ROUTINE_NAME`,
    params(),
  );
  const eventRows = await db.query<Omit<RawEventRow, 'CREATE_STATEMENT'>>(
    `SELECT EVENT_NAME AS EVENT_NAME, DEFINER AS DEFINER, SQL_MODE AS SQL_MODE, TIME_ZONE AS TIME_ZONE,
            CHARACTER_SET_CLIENT AS CHARACTER_SET_CLIENT, COLLATION_CONNECTION AS COLLATION_CONNECTION
       FROM information_schema.EVENTS WHERE EVENT_SCHEMA = ?${notIgnored('EVENT_NAME')} ORDER BY EVENT_NAME`,
    params(),
  );
  progress({ stage: 'catalog', done: 9, total: 9 });

  const sessions = [db, ...(options.extraSessions ?? [])];
  const createStatements: Record<string, string> = {};
  const unreadableTables: string[] = [];
  const showCreateTargets = tables.filter((t) => t.TABLE_TYPE !== 'VIEW' && !isIgnored(t.TABLE_NAME));
  let done = 0;
  await inParallel(sessions, showCreateTargets, async (session, table) => {
    const statement = table.TABLE_TYPE === 'SEQUENCE' ? 'SHOW CREATE SEQUENCE' : 'SHOW CREATE TABLE';
    let rows: Record<string, string>[];
    try {
      rows = await session.query<Record<string, string>>(`${statement} ${quoteIdent(table.TABLE_NAME)}`);
    } catch (error) {
      // Listed (through a column-level or non-column grant) but SHOW CREATE is refused: unknown.
      if (!hasErrno(error, ACCESS_DENIED_ERRNOS)) throw error;
      unreadableTables.push(table.TABLE_NAME);
      rows = [];
    }
    const text = rows[0]?.['Create Table'];
    if (text !== undefined) createStatements[table.TABLE_NAME] = text;
    done++;
    if (done % 25 === 0 || done === showCreateTargets.length) progress({ stage: 'tables', done, total: showCreateTargets.length });
  });

  // The original statement, byte for byte: information_schema keeps only the body, so a trigger
  // rebuilt from its parts would differ from production's in quoting, case and spacing.
  const triggers: RawTriggerRow[] = [];
  await inParallel(sessions, triggerRows, async (session, trigger) => {
    let text: string | null = null;
    try {
      const rows = await session.query<Record<string, string | null>>(`SHOW CREATE TRIGGER ${quoteIdent(trigger.TRIGGER_NAME)}`);
      text = rows[0]?.['SQL Original Statement'] ?? null;
    } catch (error) {
      if (!hasErrno(error, ACCESS_DENIED_ERRNOS)) throw error;
    }
    triggers.push({ ...trigger, CREATE_STATEMENT: text });
  });
  const triggerOrder = new Map(triggerRows.map((t, i) => [t.TRIGGER_NAME, i]));
  triggers.sort((a, b) => triggerOrder.get(a.TRIGGER_NAME)! - triggerOrder.get(b.TRIGGER_NAME)!);

  const routines: RawRoutineRow[] = [];
  await inParallel(sessions, routineRows, async (session, routine) => {
    const kind = routine.ROUTINE_TYPE === 'FUNCTION' ? 'FUNCTION' : routine.ROUTINE_TYPE === 'PROCEDURE' ? 'PROCEDURE' : null;
    let text: string | null = null;
    if (kind) {
      try {
        const rows = await session.query<Record<string, string | null>>(`SHOW CREATE ${kind} ${quoteIdent(routine.ROUTINE_NAME)}`);
        text = rows[0]?.[kind === 'FUNCTION' ? 'Create Function' : 'Create Procedure'] ?? null;
      } catch (error) {
        // 1305: listed through a routine privilege, but the body is not readable by this account.
        if (!hasErrno(error, ACCESS_DENIED_ERRNOS) && !hasErrno(error, ER_SP_DOES_NOT_EXIST)) throw error;
      }
    }
    routines.push({ ...routine, CREATE_STATEMENT: text });
  });
  progress({ stage: 'routines', done: routines.length, total: routineRows.length });

  const events: RawEventRow[] = [];
  await inParallel(sessions, eventRows, async (session, event) => {
    let text: string | null = null;
    try {
      const rows = await session.query<Record<string, string | null>>(`SHOW CREATE EVENT ${quoteIdent(event.EVENT_NAME)}`);
      text = rows[0]?.['Create Event'] ?? null;
    } catch (error) {
      if (!hasErrno(error, ACCESS_DENIED_ERRNOS)) throw error;
    }
    events.push({ ...event, CREATE_STATEMENT: text });
  });
  progress({ stage: 'events', done: events.length, total: eventRows.length });

  return {
    server: db.server,
    database: schema,
    defaultCharset: schemata[0]!.DEFAULT_CHARACTER_SET_NAME,
    defaultCollation: schemata[0]!.DEFAULT_COLLATION_NAME,
    tables,
    columns,
    statistics,
    foreignKeys,
    checks,
    views,
    triggers,
    routines: routines.sort((a, b) => compareText(a.ROUTINE_TYPE + a.ROUTINE_NAME, b.ROUTINE_TYPE + b.ROUTINE_NAME)),
    events: events.sort((a, b) => compareText(a.EVENT_NAME, b.EVENT_NAME)),
    createStatements,
    grants,
    unreadableTables: unreadableTables.sort(compareText),
  };
}

/** Runs work items over a set of sessions, one item per session at a time. */
async function inParallel<T>(
  sessions: readonly Queryable[],
  items: readonly T[],
  work: (session: Queryable, item: T) => Promise<void>,
): Promise<void> {
  let next = 0;
  await Promise.all(
    sessions.map(async (session) => {
      while (next < items.length) {
        const item = items[next++]!;
        await work(session, item);
      }
    }),
  );
}
