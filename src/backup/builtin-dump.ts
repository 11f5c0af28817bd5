import type { Readable } from 'node:stream';
import { ROW_TABLE_TYPES } from '../sql/table-types.js';
import { scopeDropSection, scopeHeader, type BackupScope } from './backup-scope.js';
import { quoteIdent, quoteQualified, quoteString } from '../sql/quote.js';
import type { SandboxSession } from '../db/session.js';
import { dumpColumns, MAX_INSERT_BYTES, StatementEncoder, type ColumnRow, type DumpColumn } from './dump-encoding.js';
import { ReplicoopError } from '../errors.js';
import { invalidViewsBlock } from './invalid-views.js';
import { isUtf8 } from './sql-script-splitter.js';

/**
 * The built-in dumper: the same kind of file as mariadb-dump (DROP/CREATE per table, extended
 * INSERTs, views and stored programs in DELIMITER blocks), for hosts without mariadb-dump.
 */

export type BackupMethod = 'mariadb-dump' | 'builtin';

export interface BackupProgress {
  readonly method: BackupMethod;
  /** The table being written, when known. */
  readonly table: string | null;
  readonly tablesDone: number;
  readonly tablesTotal: number;
  /** Uncompressed SQL bytes produced so far. */
  readonly bytes: number;
}

// ---------------------------------------------------------------------------------------------
// The built-in dumper: the same kind of file as mariadb-dump, for hosts without it.

interface ProgramDefinition {
  readonly kind: 'VIEW' | 'PROCEDURE' | 'FUNCTION' | 'TRIGGER' | 'EVENT';
  readonly name: string;
  readonly create: Buffer;
  readonly sqlMode: string | null;
  readonly clientCharset: string;
  readonly collation: string;
  readonly timeZone: string | null;
}

/**
 * Dumps the sandbox database, or with a scope only the objects it covers (see backup-scope.ts):
 * the covered tables, views and sequences with their triggers, and the covered triggers,
 * routines and events, after DROP ... IF EXISTS of every covered name.
 */
export async function* builtinDump(
  session: SandboxSession,
  tablesTotal: number,
  onProgress?: (p: BackupProgress) => void,
  scope: BackupScope | null = null,
): AsyncGenerator<Buffer> {
  const db = session.database;
  // SHOW CREATE output depends on sql_mode (ANSI_QUOTES and friends): dump with none set.
  await session.execute("SET SESSION sql_mode = ''");
  await session.execute('SET SESSION sql_quote_show_create = 1');
  await session.execute('SET SESSION TRANSACTION ISOLATION LEVEL REPEATABLE READ');
  await session.execute('START TRANSACTION WITH CONSISTENT SNAPSHOT');

  const relations = scope ? new Set(scope.relations) : null;
  const objects = (
    await session.query<{ TABLE_NAME: string; TABLE_TYPE: string }>(
      'SELECT TABLE_NAME, TABLE_TYPE FROM information_schema.TABLES WHERE TABLE_SCHEMA = ? ORDER BY TABLE_NAME',
      [db],
    )
  ).filter((o) => relations === null || relations.has(o.TABLE_NAME));
  const columnRows = await session.query<ColumnRow>(
    `SELECT TABLE_NAME, COLUMN_NAME, DATA_TYPE, CHARACTER_SET_NAME, EXTRA, GENERATION_EXPRESSION
     FROM information_schema.COLUMNS WHERE TABLE_SCHEMA = ? ORDER BY TABLE_NAME, ORDINAL_POSITION`,
    [db],
  );
  const columnsOf = new Map<string, ColumnRow[]>();
  for (const row of columnRows) {
    const list = columnsOf.get(row.TABLE_NAME) ?? [];
    list.push(row);
    columnsOf.set(row.TABLE_NAME, list);
  }
  const baseTables = objects.filter((o) => ROW_TABLE_TYPES.includes(o.TABLE_TYPE)).map((o) => o.TABLE_NAME);
  const sequences = objects.filter((o) => o.TABLE_TYPE === 'SEQUENCE').map((o) => o.TABLE_NAME);
  const views = objects.filter((o) => o.TABLE_TYPE === 'VIEW').map((o) => o.TABLE_NAME);
  // An invalid view (it uses a dropped column, table or function) has no columns and cannot be
  // re-created; its definition text is kept in the file as a comment, and the backup goes on.
  const invalidViews = views.filter((view) => !columnsOf.get(view)?.length);
  const validViews = views.filter((view) => !invalidViews.includes(view));
  const invalidBlock = await invalidViewsBlock(session, invalidViews);
  const programs = await readProgramDefinitions(session, validViews, scope);

  let bytes = 0;
  let tablesDone = 0;
  const emit = (text: string | Buffer): Buffer => {
    const buf = typeof text === 'string' ? Buffer.from(text, 'utf8') : text;
    bytes += buf.length;
    return buf;
  };

  if (scope) yield emit(scopeHeader(scope));
  yield emit(dumpHeader(db));
  if (scope) yield emit(scopeDropSection(scope));

  for (const sequence of sequences) {
    const [create] = await session.queryArrays(`SHOW CREATE SEQUENCE ${quoteQualified(db, sequence)}`, [], { raw: true });
    const [next] = await session.queryArrays(`SELECT next_not_cached_value FROM ${quoteQualified(db, sequence)}`, [], { raw: true });
    yield emit(
      `DROP SEQUENCE IF EXISTS ${quoteIdent(sequence)};\n${bufferAt(create, 1, `SHOW CREATE SEQUENCE ${sequence}`).toString('utf8')};\n` +
        `DO SETVAL(${quoteIdent(sequence)}, ${bufferAt(next, 0, `next value of ${sequence}`).toString('latin1')}, 0);\n`,
    );
  }

  for (const table of baseTables) {
    onProgress?.({ method: 'builtin', table, tablesDone, tablesTotal, bytes });
    const [create] = await session.queryArrays(`SHOW CREATE TABLE ${quoteQualified(db, table)}`, [], { raw: true });
    yield emit(`\nDROP TABLE IF EXISTS ${quoteIdent(table)};\n${bufferAt(create, 1, `SHOW CREATE TABLE ${table}`).toString('utf8')};\n`);
    const columns = dumpColumns(columnsOf.get(table) ?? []);
    if (columns.length > 0) {
      for await (const statement of insertStatements(session, db, table, columns)) {
        yield emit(statement);
        onProgress?.({ method: 'builtin', table, tablesDone, tablesTotal, bytes });
      }
    }
    tablesDone++;
  }

  // Views may use each other in any order: stand-ins with the right column names first, the
  // real definitions after the stored functions they may call.
  if (validViews.length > 0) yield emit('\n');
  for (const view of validViews) {
    const standIn = (columnsOf.get(view) ?? []).map((c) => `NULL AS ${quoteIdent(c.COLUMN_NAME)}`).join(', ');
    yield emit(
      `DROP TABLE IF EXISTS ${quoteIdent(view)};\nDROP VIEW IF EXISTS ${quoteIdent(view)};\nCREATE VIEW ${quoteIdent(view)} AS SELECT ${standIn};\n`,
    );
  }
  for (const program of programs.filter((p) => p.kind === 'PROCEDURE' || p.kind === 'FUNCTION')) {
    yield emit(programBlock(`DROP ${program.kind} IF EXISTS ${quoteIdent(program.name)};\n`, program));
  }
  for (const program of programs.filter((p) => p.kind === 'VIEW')) {
    yield emit(programBlock(`DROP VIEW IF EXISTS ${quoteIdent(program.name)};\n`, program));
  }
  // Triggers after all data, so that loading rows does not fire them.
  for (const program of programs.filter((p) => p.kind === 'TRIGGER')) {
    yield emit(programBlock(`DROP TRIGGER IF EXISTS ${quoteIdent(program.name)};\n`, program));
  }
  for (const program of programs.filter((p) => p.kind === 'EVENT')) {
    yield emit(programBlock(`DROP EVENT IF EXISTS ${quoteIdent(program.name)};\n`, program));
  }
  if (invalidBlock) yield emit(invalidBlock);
  yield emit(DUMP_FOOTER);
  await session.execute('COMMIT');
  onProgress?.({ method: 'builtin', table: null, tablesDone, tablesTotal, bytes });
}

function dumpHeader(db: string): string {
  return `-- replicoop backup of ${db.replace(/[\r\n]/g, ' ')} (built-in dumper)
SET @OLD_CHARACTER_SET_CLIENT=@@CHARACTER_SET_CLIENT;
SET @OLD_CHARACTER_SET_RESULTS=@@CHARACTER_SET_RESULTS;
SET @OLD_COLLATION_CONNECTION=@@COLLATION_CONNECTION;
SET NAMES utf8mb4;
SET @OLD_TIME_ZONE=@@TIME_ZONE;
SET TIME_ZONE='+00:00';
SET @OLD_UNIQUE_CHECKS=@@UNIQUE_CHECKS, UNIQUE_CHECKS=0;
SET @OLD_FOREIGN_KEY_CHECKS=@@FOREIGN_KEY_CHECKS, FOREIGN_KEY_CHECKS=0;
SET @OLD_SQL_MODE=@@SQL_MODE, SQL_MODE='NO_AUTO_VALUE_ON_ZERO';
SET @OLD_SQL_NOTES=@@SQL_NOTES, SQL_NOTES=0;
`;
}

const DUMP_FOOTER = `
SET TIME_ZONE=@OLD_TIME_ZONE;
SET SQL_MODE=@OLD_SQL_MODE;
SET FOREIGN_KEY_CHECKS=@OLD_FOREIGN_KEY_CHECKS;
SET UNIQUE_CHECKS=@OLD_UNIQUE_CHECKS;
SET CHARACTER_SET_CLIENT=@OLD_CHARACTER_SET_CLIENT;
SET CHARACTER_SET_RESULTS=@OLD_CHARACTER_SET_RESULTS;
SET COLLATION_CONNECTION=@OLD_COLLATION_CONNECTION;
SET SQL_NOTES=@OLD_SQL_NOTES;
`;

/**
 * A stored program is recreated under the sql_mode, client character set, collation and (for
 * events) time zone it was created with: they are part of its definition.
 */
function programBlock(drop: string, program: ProgramDefinition): Buffer {
  const text = program.create.toString('latin1');
  const delimiter = [';;', '$$', '//', ';;;;', '$$$$'].find((d) => !text.includes(d)) ?? '$$$$$$';
  const settings = [
    ...(program.sqlMode !== null ? [`SET SESSION sql_mode = ${quoteString(program.sqlMode)};`] : []),
    ...(program.timeZone !== null ? [`SET SESSION time_zone = ${quoteString(program.timeZone)};`] : []),
    `SET SESSION character_set_client = ${program.clientCharset};`,
    `SET SESSION collation_connection = ${program.collation};`,
  ];
  return Buffer.concat([
    Buffer.from(`\n${drop}${settings.join('\n')}\nDELIMITER ${delimiter}\n`, 'utf8'),
    program.create,
    Buffer.from(
      `${delimiter}\nDELIMITER ;\nSET NAMES utf8mb4;\nSET SESSION sql_mode = 'NO_AUTO_VALUE_ON_ZERO';\nSET SESSION time_zone = '+00:00';\n`,
      'utf8',
    ),
  ]);
}

/**
 * Definitions are read with character_set_results = binary, as mariadb-dump does: the text
 * comes back in the character set of the client that created the object, which is then set
 * again before recreating it. When those bytes are not UTF-8 (a latin1 client and non-ASCII
 * text), the object is dumped as UTF-8 instead, so the file stays loadable by the built-in
 * restore; its character_set_client then becomes utf8mb4.
 */
async function readProgramDefinitions(
  session: SandboxSession,
  views: readonly string[],
  scope: BackupScope | null,
): Promise<ProgramDefinition[]> {
  const db = session.database;
  const covered = (names: readonly string[] | undefined) => {
    const set = names ? new Set(names) : null;
    return (name: string): boolean => set === null || set.has(name);
  };
  const routineCovered = covered(scope?.routines);
  const eventCovered = covered(scope?.events);
  const triggerCovered = covered(scope?.triggers);
  const tableCovered = covered(scope?.relations);
  const routines = (
    await session.query<{ ROUTINE_NAME: string; ROUTINE_TYPE: 'PROCEDURE' | 'FUNCTION' }>(
      "SELECT ROUTINE_NAME, ROUTINE_TYPE FROM information_schema.ROUTINES WHERE ROUTINE_SCHEMA = ? AND ROUTINE_TYPE IN ('PROCEDURE', 'FUNCTION') ORDER BY ROUTINE_TYPE, ROUTINE_NAME",
      [db],
    )
  ).filter((r) => routineCovered(r.ROUTINE_NAME));
  // Creation order is what sets ACTION_ORDER among triggers of the same table and event. A
  // scoped dump holds the covered triggers and those of the covered tables (DROP TABLE drops them).
  const triggers = (
    await session.query<{ TRIGGER_NAME: string; EVENT_OBJECT_TABLE: string }>(
      'SELECT TRIGGER_NAME, EVENT_OBJECT_TABLE FROM information_schema.TRIGGERS WHERE TRIGGER_SCHEMA = ? ORDER BY EVENT_OBJECT_TABLE, ACTION_TIMING, EVENT_MANIPULATION, ACTION_ORDER',
      [db],
    )
  ).filter((t) => scope === null || triggerCovered(t.TRIGGER_NAME) || tableCovered(t.EVENT_OBJECT_TABLE));
  const events = (
    await session.query<{ EVENT_NAME: string }>(
      'SELECT EVENT_NAME FROM information_schema.EVENTS WHERE EVENT_SCHEMA = ? ORDER BY EVENT_NAME',
      [db],
    )
  ).filter((e) => eventCovered(e.EVENT_NAME));

  const wanted: { kind: ProgramDefinition['kind']; name: string }[] = [
    ...routines.map((r) => ({ kind: r.ROUTINE_TYPE, name: r.ROUTINE_NAME })),
    ...views.map((name) => ({ kind: 'VIEW' as const, name })),
    ...triggers.map((t) => ({ kind: 'TRIGGER' as const, name: t.TRIGGER_NAME })),
    ...events.map((e) => ({ kind: 'EVENT' as const, name: e.EVENT_NAME })),
  ];
  const out: ProgramDefinition[] = [];
  await session.execute('SET SESSION character_set_results = binary');
  try {
    for (const { kind, name } of wanted) {
      let definition = await showCreateProgram(session, kind, name);
      if (!isUtf8(definition.create)) {
        await session.execute('SET SESSION character_set_results = utf8mb4');
        definition = { ...(await showCreateProgram(session, kind, name)), clientCharset: 'utf8mb4' };
        await session.execute('SET SESSION character_set_results = binary');
      }
      out.push(definition);
    }
  } finally {
    await session.execute('SET SESSION character_set_results = utf8mb4');
  }
  return out;
}

async function showCreateProgram(session: SandboxSession, kind: ProgramDefinition['kind'], name: string): Promise<ProgramDefinition> {
  const [row] = await session.queryArrays(`SHOW CREATE ${kind} ${quoteQualified(session.database, name)}`, [], { raw: true });
  const what = `${kind.toLowerCase()} ${session.database}.${name}`;
  // Column positions are the same on MariaDB and MySQL.
  const layout = {
    VIEW: { create: 1, sqlMode: -1, timeZone: -1, cs: 2, coll: 3 },
    PROCEDURE: { create: 2, sqlMode: 1, timeZone: -1, cs: 3, coll: 4 },
    FUNCTION: { create: 2, sqlMode: 1, timeZone: -1, cs: 3, coll: 4 },
    TRIGGER: { create: 2, sqlMode: 1, timeZone: -1, cs: 3, coll: 4 },
    EVENT: { create: 3, sqlMode: 1, timeZone: 2, cs: 4, coll: 5 },
  }[kind];
  if (!row || row[layout.create] === null || row[layout.create] === undefined) {
    throw new ReplicoopError('backup_failed', `cannot read the definition of ${what}: the sandbox user lacks the privilege to see it`, {
      details: { kind, name },
    });
  }
  const text = (index: number) => (index < 0 ? null : bufferAt(row, index, what).toString('utf8'));
  return {
    kind,
    name,
    create: bufferAt(row, layout.create, what),
    sqlMode: text(layout.sqlMode),
    timeZone: text(layout.timeZone),
    clientCharset: charsetName(text(layout.cs)!, what),
    collation: charsetName(text(layout.coll)!, what),
  };
}

/**
 * The table's rows as extended INSERTs of at most `limit` bytes (one row more when a single row
 * is larger), encoded straight from packed rows (db/packed-rows.ts) into statement buffers: no
 * Buffer per value and none per row, which at a million rows is most of the dump's CPU time.
 */
async function* insertStatements(
  session: SandboxSession,
  db: string,
  table: string,
  columns: readonly DumpColumn[],
): AsyncGenerator<Buffer> {
  const head = Buffer.from(`INSERT INTO ${quoteIdent(table)} (${columns.map((c) => quoteIdent(c.name)).join(', ')}) VALUES\n`, 'utf8');
  const limit = Math.min(MAX_INSERT_BYTES, Math.floor(session.server.maxAllowedPacket / 2));
  const stream: Readable = session.streamPacked(`SELECT ${columns.map((c) => c.select).join(', ')} FROM ${quoteQualified(db, table)}`);
  const encoder = new StatementEncoder(head, columns, limit);
  for await (const row of stream as AsyncIterable<Buffer>) {
    const full = encoder.add(row);
    if (full) yield full;
  }
  const last = encoder.finish();
  if (last) yield last;
}

function bufferAt(row: readonly unknown[] | undefined, index: number, what: string): Buffer {
  const value = row?.[index];
  if (!Buffer.isBuffer(value)) throw new ReplicoopError('backup_failed', `unexpected empty result reading ${what}`);
  return value;
}

function charsetName(name: string, what: string): string {
  if (!/^[A-Za-z0-9_]+$/.test(name)) throw new ReplicoopError('backup_failed', `unexpected character set name "${name}" for ${what}`);
  return name;
}
