import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import {
  accessSync,
  closeSync,
  constants as fsConstants,
  createReadStream,
  createWriteStream,
  existsSync,
  fsyncSync,
  mkdirSync,
  mkdtempSync,
  openSync,
  readdirSync,
  renameSync,
  rmSync,
  statSync,
  statfsSync,
  unlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter as pathDelimiter, dirname, join } from 'node:path';
import { pipeline as pipelineCallback, Transform, Writable, type Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { constants as zlibConstants, createGunzip, createGzip } from 'node:zlib';
import type { ConnectionTarget } from '../config/connection-target.js';
import { describeTarget } from '../config/connection-target.js';
import { quoteIdent, quoteQualified, quoteString } from '../sql/quote.js';
import { SandboxSession, type Queryable } from '../db/session.js';
import { errnoOf } from '../db/sql-error.js';
import { ReplicoopError, maskSecrets } from '../errors.js';

/**
 * Backup and restore of the sandbox database: one gzip-compressed SQL file per backup, which
 * the standard client can restore by hand (`gunzip < f | mariadb db`). mariadb-dump writes it
 * when installed; otherwise a built-in dumper writes the same kind of file.
 */

export type BackupMethod = 'mariadb-dump' | 'builtin';
export type RestoreMethod = 'client' | 'builtin';

export interface BackupProgress {
  readonly method: BackupMethod;
  /** The table being written, when known. */
  readonly table: string | null;
  readonly tablesDone: number;
  readonly tablesTotal: number;
  /** Uncompressed SQL bytes produced so far. */
  readonly bytes: number;
}

export interface CreateBackupOptions {
  readonly target: ConnectionTarget;
  readonly dir: string;
  readonly runId: string;
  /** How many backups of this database to keep in dir, the new one included. */
  readonly keep: number;
  readonly now?: Date;
  readonly method?: BackupMethod | 'auto';
  readonly onProgress?: (progress: BackupProgress) => void;
}

export interface BackupResult {
  readonly file: string;
  /** Size of the compressed file. */
  readonly bytes: number;
  readonly method: BackupMethod;
  /** Base tables in the backup (views, sequences and stored programs not counted). */
  readonly tables: number;
  /** Older backups deleted by retention or to make room on a full disk. */
  readonly removed: readonly string[];
}

export interface RestoreProgress {
  readonly phase: 'verify' | 'drop' | 'load';
  /** Compressed bytes read from the file in this phase. */
  readonly bytesRead: number;
  readonly totalBytes: number;
}

export interface RestoreOptions {
  readonly target: ConnectionTarget;
  readonly file: string;
  readonly method?: RestoreMethod | 'auto';
  readonly onProgress?: (progress: RestoreProgress) => void;
}

export interface RestoreResult {
  readonly method: RestoreMethod;
  /** Uncompressed SQL bytes loaded. */
  readonly bytes: number;
  /** Objects dropped before loading (tables, views, sequences, routines, events). */
  readonly dropped: number;
}

// ---------------------------------------------------------------------------------------------
// Backup

export async function createBackup(options: CreateBackupOptions): Promise<BackupResult> {
  const { target, dir, runId } = options;
  requireSandbox(target, 'back up');
  if (!Number.isInteger(options.keep) || options.keep < 1) {
    throw new ReplicoopError('backup_invalid_keep', `backup keep must be a whole number >= 1, got ${options.keep}`);
  }
  const method = resolveBackupMethod(options.method ?? 'auto');
  try {
    mkdirSync(dir, { recursive: true });
  } catch (error) {
    throw new ReplicoopError('backup_failed', `cannot create the backup directory ${dir}: ${(error as Error).message}`, { details: { dir }, cause: error });
  }
  const file = join(dir, backupFileName(target.database, options.now ?? new Date(), runId));
  const partial = `${file}.partial`;
  const removed: string[] = [];
  let tables: number;
  try {
    tables = await writeBackup(method, target, partial, options.onProgress);
  } catch (error) {
    removeQuietly(partial);
    if (!isDiskFull(error)) throw backupFailed(error, file);
    // The design's disk_space_error strategy: make room by dropping all but the newest older
    // backup, then try once more.
    for (const old of listBackups(dir, target.database).slice(1)) {
      removeQuietly(old.path);
      removed.push(old.path);
    }
    try {
      tables = await writeBackup(method, target, partial, options.onProgress);
    } catch (retryError) {
      removeQuietly(partial);
      if (!isDiskFull(retryError)) throw backupFailed(retryError, file);
      throw new ReplicoopError('backup_disk_full', `the disk holding ${dir} is full: the backup does not fit even after deleting older backups`, {
        details: { dir, removed },
        cause: retryError,
      });
    }
  }
  try {
    // The backup is the way back if the apply goes wrong: on disk before the sandbox changes.
    fsyncPath(partial);
    renameSync(partial, file);
    fsyncDirectory(dir);
  } catch (error) {
    removeQuietly(partial);
    throw new ReplicoopError('backup_failed', `cannot finish the backup file ${file}: ${(error as Error).message}`, { details: { file }, cause: error });
  }
  removed.push(...applyRetention(dir, target.database, file, options.keep));
  return Object.freeze({ file, bytes: statSync(file).size, method, tables, removed: Object.freeze(removed) });
}

/** `backup_<database>_<YYYYMMDD_HHMMSS>_<runId>.sql.gz`, UTC, names made safe for a file system. */
export function backupFileName(database: string, now: Date, runId: string): string {
  const iso = now.toISOString();
  const stamp = `${iso.slice(0, 4)}${iso.slice(5, 7)}${iso.slice(8, 10)}_${iso.slice(11, 13)}${iso.slice(14, 16)}${iso.slice(17, 19)}`;
  return `backup_${fileSafe(database)}_${stamp}_${fileSafe(runId)}.sql.gz`;
}

export interface BackupFile {
  readonly path: string;
  readonly stamp: string;
  readonly runId: string;
  readonly mtimeMs: number;
}

/** The backups of one database in dir, newest first. */
export function listBackups(dir: string, database: string): readonly BackupFile[] {
  if (!existsSync(dir)) return [];
  const pattern = new RegExp(`^backup_${escapeRegExp(fileSafe(database))}_(\\d{8}_\\d{6})_(.+)\\.sql\\.gz$`);
  const found: BackupFile[] = [];
  for (const name of readdirSync(dir)) {
    const m = pattern.exec(name);
    if (!m) continue;
    const path = join(dir, name);
    let mtimeMs = 0;
    try {
      mtimeMs = statSync(path).mtimeMs;
    } catch {
      continue;
    }
    found.push(Object.freeze({ path, stamp: m[1]!, runId: m[2]!, mtimeMs }));
  }
  return found.sort((a, b) => b.stamp.localeCompare(a.stamp) || b.mtimeMs - a.mtimeMs || b.path.localeCompare(a.path));
}

/**
 * Throws backup_no_space when dir (or the nearest existing parent) has less free space than
 * neededBytes. The caller passes an estimate such as sandboxSizeBytes(): data plus index
 * length, which is usually well above the size of the compressed dump.
 */
export function checkFreeSpace(dir: string, neededBytes: number): { availableBytes: number } {
  let probe = dir;
  while (!existsSync(probe) && dirname(probe) !== probe) probe = dirname(probe);
  let availableBytes: number;
  try {
    const stats = statfsSync(probe);
    availableBytes = Number(stats.bavail) * Number(stats.bsize);
  } catch (error) {
    throw new ReplicoopError('backup_failed', `cannot read the free space of ${dir}: ${(error as Error).message}`, { details: { dir }, cause: error });
  }
  if (availableBytes < neededBytes) {
    throw new ReplicoopError(
      'backup_no_space',
      `not enough free space for the backup in ${dir}: about ${megabytes(neededBytes)} MB needed, ${megabytes(availableBytes)} MB available`,
      { details: { dir, neededMb: megabytes(neededBytes), availableMb: megabytes(availableBytes) } },
    );
  }
  return { availableBytes };
}

/** Data plus index length of the database as information_schema reports it. */
export async function sandboxSizeBytes(session: Queryable): Promise<number> {
  const rows = await session.query<{ BYTES: string | number | null }>(
    'SELECT COALESCE(SUM(DATA_LENGTH + INDEX_LENGTH), 0) AS BYTES FROM information_schema.TABLES WHERE TABLE_SCHEMA = ?',
    [session.database],
  );
  return Number(rows[0]?.BYTES ?? 0);
}

function resolveBackupMethod(requested: BackupMethod | 'auto'): BackupMethod {
  if (requested === 'builtin') return 'builtin';
  const dump = findTool(DUMP_TOOLS);
  if (dump) return 'mariadb-dump';
  if (requested === 'mariadb-dump') {
    throw new ReplicoopError('backup_tool_missing', 'backup method mariadb-dump requested but neither mariadb-dump nor mysqldump is on PATH');
  }
  return 'builtin';
}

async function writeBackup(method: BackupMethod, target: ConnectionTarget, partial: string, onProgress?: (p: BackupProgress) => void): Promise<number> {
  // A leftover from a killed earlier attempt must not be appended to.
  removeQuietly(partial);
  const session = await SandboxSession.open(target);
  let ok = false;
  try {
    const tables = await countTables(session);
    if (method === 'mariadb-dump') {
      await session.close();
      await runDumpTool(target, partial, tables, onProgress);
    } else {
      await pipeline(builtinDump(session, tables, onProgress), createGzip({ level: GZIP_LEVEL }), createWriteStream(partial, { mode: 0o600 }));
    }
    ok = true;
    return tables;
  } finally {
    // A dump interrupted mid-result leaves unread rows on the connection: drop it, don't wait.
    if (ok) await session.close();
    else session.destroy();
  }
}

// A backup runs before every apply, on its critical path: favour speed over size.
const GZIP_LEVEL = zlibConstants.Z_BEST_SPEED;

async function countTables(session: SandboxSession): Promise<number> {
  const rows = await session.query<{ N: string | number }>(
    "SELECT COUNT(*) AS N FROM information_schema.TABLES WHERE TABLE_SCHEMA = ? AND TABLE_TYPE IN ('BASE TABLE', 'SYSTEM VERSIONED')",
    [session.database],
  );
  return Number(rows[0]?.N ?? 0);
}

async function runDumpTool(target: ConnectionTarget, partial: string, tablesTotal: number, onProgress?: (p: BackupProgress) => void): Promise<void> {
  const tool = findTool(DUMP_TOOLS)!;
  const invocation = clientInvocation('dump', tool, target);
  try {
    const child = spawn(tool, invocation.args, { stdio: ['ignore', 'pipe', 'pipe'], env: childEnv() });
    const exited = waitForExit(child);
    let bytes = 0;
    let tablesDone = 0;
    let table: string | null = null;
    const counter = new Transform({
      transform(chunk: Buffer, _encoding, done) {
        bytes += chunk.length;
        // Progress only: a marker split across two chunks is merely not counted.
        let at = chunk.indexOf(DROP_TABLE_MARKER);
        while (at !== -1) {
          const nameStart = at + DROP_TABLE_MARKER.length;
          const nameEnd = chunk.indexOf(0x60, nameStart);
          if (nameEnd !== -1) table = chunk.toString('utf8', nameStart, nameEnd);
          tablesDone = Math.min(tablesDone + 1, tablesTotal);
          at = chunk.indexOf(DROP_TABLE_MARKER, nameStart);
        }
        onProgress?.({ method: 'mariadb-dump', table, tablesDone, tablesTotal, bytes });
        done(null, chunk);
      },
    });
    let writeError: unknown = null;
    try {
      await pipeline(child.stdout!, counter, createGzip({ level: GZIP_LEVEL }), createWriteStream(partial, { mode: 0o600 }));
    } catch (error) {
      writeError = error;
      child.kill('SIGKILL');
    }
    const { code, signal, stderr, spawnError } = await exited;
    if (writeError) throw writeError;
    if (spawnError) throw new ReplicoopError('backup_failed', `cannot run ${tool}: ${spawnError.message}`, { cause: spawnError });
    if (code !== 0) {
      throw new ReplicoopError('backup_failed', `${tool} failed for ${describeTarget(target)} (${signal ?? `exit ${code}`}): ${lastLines(stderr)}`, {
        details: { tool, exitCode: code, target: describeTarget(target) },
      });
    }
    onProgress?.({ method: 'mariadb-dump', table: null, tablesDone: tablesTotal, tablesTotal, bytes });
  } finally {
    invocation.cleanup();
  }
}

const DROP_TABLE_MARKER = Buffer.from('DROP TABLE IF EXISTS `');

// ---------------------------------------------------------------------------------------------
// The built-in dumper: the same kind of file as mariadb-dump, for hosts without it.

// Above this an extended INSERT is cut, like mariadb-dump's net_buffer_length.
const MAX_INSERT_BYTES = 1_000_000;

// Character sets whose every stored string survives the trip to utf8mb4 text and back. Text in
// any other character set is dumped as hex of its own bytes, which the column takes verbatim.
const TEXT_SAFE_CHARSETS = new Set(['utf8mb4', 'utf8mb3', 'utf8', 'ascii', 'latin1', 'ucs2', 'utf16', 'utf16le', 'utf32']);
const NUMERIC_TYPES = new Set(['tinyint', 'smallint', 'mediumint', 'int', 'integer', 'bigint', 'decimal', 'numeric', 'float', 'double', 'real', 'double precision']);
const BINARY_TYPES = new Set([
  'bit',
  'binary',
  'varbinary',
  'tinyblob',
  'blob',
  'mediumblob',
  'longblob',
  'geometry',
  'point',
  'linestring',
  'polygon',
  'multipoint',
  'multilinestring',
  'multipolygon',
  'geometrycollection',
  'geomcollection',
  'vector',
]);
const TEXT_TYPES = new Set(['char', 'varchar', 'tinytext', 'text', 'mediumtext', 'longtext']);

type ValueEncoding = 'raw' | 'hex' | 'quoted';

interface DumpColumn {
  readonly name: string;
  readonly select: string;
  readonly encoding: ValueEncoding;
}

interface ColumnRow {
  TABLE_NAME: string;
  COLUMN_NAME: string;
  DATA_TYPE: string;
  CHARACTER_SET_NAME: string | null;
  EXTRA: string | null;
  GENERATION_EXPRESSION: string | null;
}

interface ProgramDefinition {
  readonly kind: 'VIEW' | 'PROCEDURE' | 'FUNCTION' | 'TRIGGER' | 'EVENT';
  readonly name: string;
  readonly create: Buffer;
  readonly sqlMode: string | null;
  readonly clientCharset: string;
  readonly collation: string;
  readonly timeZone: string | null;
}

async function* builtinDump(session: SandboxSession, tablesTotal: number, onProgress?: (p: BackupProgress) => void): AsyncGenerator<Buffer> {
  const db = session.database;
  // SHOW CREATE output depends on sql_mode (ANSI_QUOTES and friends): dump with none set.
  await session.execute("SET SESSION sql_mode = ''");
  await session.execute('SET SESSION sql_quote_show_create = 1');
  await session.execute('SET SESSION TRANSACTION ISOLATION LEVEL REPEATABLE READ');
  await session.execute('START TRANSACTION WITH CONSISTENT SNAPSHOT');

  const objects = await session.query<{ TABLE_NAME: string; TABLE_TYPE: string }>(
    'SELECT TABLE_NAME, TABLE_TYPE FROM information_schema.TABLES WHERE TABLE_SCHEMA = ? ORDER BY TABLE_NAME',
    [db],
  );
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
  const baseTables = objects.filter((o) => o.TABLE_TYPE === 'BASE TABLE' || o.TABLE_TYPE === 'SYSTEM VERSIONED').map((o) => o.TABLE_NAME);
  const sequences = objects.filter((o) => o.TABLE_TYPE === 'SEQUENCE').map((o) => o.TABLE_NAME);
  const views = objects.filter((o) => o.TABLE_TYPE === 'VIEW').map((o) => o.TABLE_NAME);
  for (const view of views) {
    if (!columnsOf.get(view)?.length) {
      throw new ReplicoopError('backup_failed', `view ${db}.${view} is invalid (it references a missing table, column or function); fix or drop it before backing up`, {
        details: { view },
      });
    }
  }
  const programs = await readProgramDefinitions(session, views);

  let bytes = 0;
  let tablesDone = 0;
  const emit = (text: string | Buffer): Buffer => {
    const buf = typeof text === 'string' ? Buffer.from(text, 'utf8') : text;
    bytes += buf.length;
    return buf;
  };

  yield emit(dumpHeader(db));

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
  if (views.length > 0) yield emit('\n');
  for (const view of views) {
    const standIn = (columnsOf.get(view) ?? []).map((c) => `NULL AS ${quoteIdent(c.COLUMN_NAME)}`).join(', ');
    yield emit(`DROP TABLE IF EXISTS ${quoteIdent(view)};\nDROP VIEW IF EXISTS ${quoteIdent(view)};\nCREATE VIEW ${quoteIdent(view)} AS SELECT ${standIn};\n`);
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
    Buffer.from(`${delimiter}\nDELIMITER ;\nSET NAMES utf8mb4;\nSET SESSION sql_mode = 'NO_AUTO_VALUE_ON_ZERO';\nSET SESSION time_zone = '+00:00';\n`, 'utf8'),
  ]);
}

/**
 * Definitions are read with character_set_results = binary, as mariadb-dump does: the text
 * comes back in the character set of the client that created the object, which is then set
 * again before recreating it. When those bytes are not UTF-8 (a latin1 client and non-ASCII
 * text), the object is dumped as UTF-8 instead, so the file stays loadable by the built-in
 * restore; its character_set_client then becomes utf8mb4.
 */
async function readProgramDefinitions(session: SandboxSession, views: readonly string[]): Promise<ProgramDefinition[]> {
  const db = session.database;
  const routines = await session.query<{ ROUTINE_NAME: string; ROUTINE_TYPE: 'PROCEDURE' | 'FUNCTION' }>(
    "SELECT ROUTINE_NAME, ROUTINE_TYPE FROM information_schema.ROUTINES WHERE ROUTINE_SCHEMA = ? AND ROUTINE_TYPE IN ('PROCEDURE', 'FUNCTION') ORDER BY ROUTINE_TYPE, ROUTINE_NAME",
    [db],
  );
  // Creation order is what sets ACTION_ORDER among triggers of the same table and event.
  const triggers = await session.query<{ TRIGGER_NAME: string }>(
    'SELECT TRIGGER_NAME FROM information_schema.TRIGGERS WHERE TRIGGER_SCHEMA = ? ORDER BY EVENT_OBJECT_TABLE, ACTION_TIMING, EVENT_MANIPULATION, ACTION_ORDER',
    [db],
  );
  const events = await session.query<{ EVENT_NAME: string }>('SELECT EVENT_NAME FROM information_schema.EVENTS WHERE EVENT_SCHEMA = ? ORDER BY EVENT_NAME', [db]);

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
    throw new ReplicoopError('backup_failed', `cannot read the definition of ${what}: the sandbox user lacks the privilege to see it`, { details: { kind, name } });
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

function dumpColumns(rows: readonly ColumnRow[]): DumpColumn[] {
  const out: DumpColumn[] = [];
  for (const row of rows) {
    const extra = (row.EXTRA ?? '').toUpperCase();
    // Generated values are recomputed by the server; system-versioning periods are set by it.
    if ((row.GENERATION_EXPRESSION ?? '') !== '' || /\b(?:VIRTUAL|STORED|PERSISTENT) GENERATED\b/.test(extra) || /\bROW (?:START|END)\b/.test(extra)) continue;
    const type = row.DATA_TYPE.toLowerCase();
    const ident = quoteIdent(row.COLUMN_NAME);
    if (NUMERIC_TYPES.has(type)) out.push({ name: row.COLUMN_NAME, select: ident, encoding: 'raw' });
    else if (BINARY_TYPES.has(type)) out.push({ name: row.COLUMN_NAME, select: ident, encoding: 'hex' });
    else if (TEXT_TYPES.has(type) && row.CHARACTER_SET_NAME && !TEXT_SAFE_CHARSETS.has(row.CHARACTER_SET_NAME.toLowerCase())) {
      out.push({ name: row.COLUMN_NAME, select: `CAST(${ident} AS BINARY)`, encoding: 'hex' });
    } else out.push({ name: row.COLUMN_NAME, select: ident, encoding: 'quoted' });
  }
  return out;
}

async function* insertStatements(session: SandboxSession, db: string, table: string, columns: readonly DumpColumn[]): AsyncGenerator<Buffer> {
  const head = Buffer.from(`INSERT INTO ${quoteIdent(table)} (${columns.map((c) => quoteIdent(c.name)).join(', ')}) VALUES\n`, 'utf8');
  const limit = Math.min(MAX_INSERT_BYTES, Math.floor(session.server.maxAllowedPacket / 2));
  const stream: Readable = session.streamRows(`SELECT ${columns.map((c) => c.select).join(', ')} FROM ${quoteQualified(db, table)}`, [], { raw: true });
  let parts: Buffer[] = [];
  let size = 0;
  for await (const row of stream as AsyncIterable<(Buffer | null)[]>) {
    const encoded = encodeRow(row, columns);
    if (size > 0 && size + encoded.length > limit) {
      parts.push(STATEMENT_END);
      yield Buffer.concat(parts);
      parts = [];
      size = 0;
    }
    if (size === 0) {
      parts.push(head);
      size = head.length;
    } else {
      parts.push(ROW_SEPARATOR);
      size += ROW_SEPARATOR.length;
    }
    parts.push(encoded);
    size += encoded.length;
  }
  if (size > 0) {
    parts.push(STATEMENT_END);
    yield Buffer.concat(parts);
  }
}

const STATEMENT_END = Buffer.from(';\n');
const ROW_SEPARATOR = Buffer.from(',\n');
const NULL_WORD = Buffer.from('NULL');
const EMPTY_STRING = Buffer.from("''");
const COMMA = Buffer.from(',');
const OPEN = Buffer.from('(');
const CLOSE = Buffer.from(')');
const QUOTE = Buffer.from("'");

function encodeRow(row: readonly (Buffer | null)[], columns: readonly DumpColumn[]): Buffer {
  const parts: Buffer[] = [OPEN];
  for (let i = 0; i < columns.length; i++) {
    if (i > 0) parts.push(COMMA);
    const value = row[i];
    if (value === null || value === undefined) {
      parts.push(NULL_WORD);
      continue;
    }
    switch (columns[i]!.encoding) {
      case 'raw':
        parts.push(value);
        break;
      case 'hex':
        parts.push(value.length === 0 ? EMPTY_STRING : Buffer.from(`0x${value.toString('hex')}`, 'latin1'));
        break;
      case 'quoted':
        parts.push(QUOTE, escapeBytes(value), QUOTE);
        break;
    }
  }
  parts.push(CLOSE);
  return Buffer.concat(parts);
}

/**
 * mysql_real_escape_string over UTF-8 bytes. Safe byte by byte because no byte of a UTF-8
 * multi-byte sequence is below 0x80.
 */
export function escapeBytes(value: Buffer): Buffer {
  let extra = 0;
  for (let i = 0; i < value.length; i++) if (ESCAPES[value[i]!] !== 0) extra++;
  if (extra === 0) return value;
  const out = Buffer.allocUnsafe(value.length + extra);
  let o = 0;
  for (let i = 0; i < value.length; i++) {
    const b = value[i]!;
    const escaped = ESCAPES[b]!;
    if (escaped !== 0) {
      out[o++] = 0x5c;
      out[o++] = escaped;
    } else out[o++] = b;
  }
  return out;
}

const ESCAPES = new Uint8Array(256);
ESCAPES[0x00] = 0x30; // \0
ESCAPES[0x0a] = 0x6e; // \n
ESCAPES[0x0d] = 0x72; // \r
ESCAPES[0x1a] = 0x5a; // \Z
ESCAPES[0x5c] = 0x5c; // \\
ESCAPES[0x27] = 0x27; // \'
ESCAPES[0x22] = 0x22; // \"

// ---------------------------------------------------------------------------------------------
// Restore

/**
 * Makes the sandbox database equal to the backup: everything in it is dropped first, then the
 * file is loaded. The file is checked end to end before anything is dropped, so a damaged
 * backup never costs the current contents. Not atomic: if loading fails midway the database is
 * partly restored, and running restore again starts over cleanly.
 */
export async function restoreBackup(options: RestoreOptions): Promise<RestoreResult> {
  const { target, file, onProgress } = options;
  requireSandbox(target, 'restore');
  if (!existsSync(file)) throw new ReplicoopError('restore_failed', `backup file ${file} does not exist`, { details: { file } });
  const method = resolveRestoreMethod(options.method ?? 'auto');
  const totalBytes = statSync(file).size;

  await verifyGzip(file, totalBytes, onProgress);

  const session = await SandboxSession.open(target);
  let ok = false;
  try {
    onProgress?.({ phase: 'drop', bytesRead: 0, totalBytes });
    const dropped = await dropEverything(session);
    let bytes: number;
    if (method === 'client') {
      await session.close();
      bytes = await loadWithClient(target, file, totalBytes, onProgress);
    } else {
      bytes = await loadBuiltin(session, file, totalBytes, onProgress);
    }
    ok = true;
    return Object.freeze({ method, bytes, dropped });
  } finally {
    if (ok) await session.close();
    else session.destroy();
  }
}

function resolveRestoreMethod(requested: RestoreMethod | 'auto'): RestoreMethod {
  if (requested === 'builtin') return 'builtin';
  if (findTool(CLIENT_TOOLS)) return 'client';
  if (requested === 'client') {
    throw new ReplicoopError('restore_tool_missing', 'restore method client requested but neither mariadb nor mysql is on PATH');
  }
  return 'builtin';
}

async function verifyGzip(file: string, totalBytes: number, onProgress?: (p: RestoreProgress) => void): Promise<void> {
  let bytesRead = 0;
  const counter = new Transform({
    transform(chunk: Buffer, _encoding, done) {
      bytesRead += chunk.length;
      onProgress?.({ phase: 'verify', bytesRead, totalBytes });
      done(null, chunk);
    },
  });
  try {
    // Decompressing to the end is the check: gzip verifies its CRC and length trailer.
    const discard = new Writable({
      write(_chunk, _encoding, done) {
        done();
      },
    });
    await pipeline(createReadStream(file), counter, createGunzip(), discard);
  } catch (error) {
    throw new ReplicoopError('restore_failed', `backup file ${file} is damaged or not a gzip file (${(error as Error).message}); the sandbox was not touched`, {
      details: { file },
      cause: error,
    });
  }
}

async function dropEverything(session: SandboxSession): Promise<number> {
  const db = session.database;
  await session.execute('SET SESSION foreign_key_checks = 0');
  let dropped = 0;
  const events = await session.query<{ EVENT_NAME: string }>('SELECT EVENT_NAME FROM information_schema.EVENTS WHERE EVENT_SCHEMA = ?', [db]);
  for (const e of events) {
    await session.execute(`DROP EVENT IF EXISTS ${quoteQualified(db, e.EVENT_NAME)}`);
    dropped++;
  }
  const routines = await session.query<{ ROUTINE_NAME: string; ROUTINE_TYPE: string }>(
    "SELECT ROUTINE_NAME, ROUTINE_TYPE FROM information_schema.ROUTINES WHERE ROUTINE_SCHEMA = ? AND ROUTINE_TYPE IN ('PROCEDURE', 'FUNCTION')",
    [db],
  );
  for (const r of routines) {
    await session.execute(`DROP ${r.ROUTINE_TYPE === 'FUNCTION' ? 'FUNCTION' : 'PROCEDURE'} IF EXISTS ${quoteQualified(db, r.ROUTINE_NAME)}`);
    dropped++;
  }
  const tables = await session.query<{ TABLE_NAME: string; TABLE_TYPE: string }>(
    "SELECT TABLE_NAME, TABLE_TYPE FROM information_schema.TABLES WHERE TABLE_SCHEMA = ? AND TABLE_TYPE <> 'TEMPORARY' ORDER BY TABLE_TYPE = 'VIEW' DESC",
    [db],
  );
  for (const t of tables) {
    // Triggers go with their tables.
    const what = t.TABLE_TYPE === 'VIEW' ? 'VIEW' : t.TABLE_TYPE === 'SEQUENCE' ? 'SEQUENCE' : 'TABLE';
    await session.execute(`DROP ${what} IF EXISTS ${quoteQualified(db, t.TABLE_NAME)}`);
    dropped++;
  }
  await session.execute('SET SESSION foreign_key_checks = 1');
  return dropped;
}

async function loadWithClient(target: ConnectionTarget, file: string, totalBytes: number, onProgress?: (p: RestoreProgress) => void): Promise<number> {
  const tool = findTool(CLIENT_TOOLS)!;
  const invocation = clientInvocation('client', tool, target);
  try {
    const child = spawn(tool, invocation.args, { stdio: ['pipe', 'ignore', 'pipe'], env: childEnv() });
    const exited = waitForExit(child);
    let bytesRead = 0;
    let bytes = 0;
    let feedError: unknown = null;
    try {
      await pipeline(
        createReadStream(file),
        new Transform({
          transform(chunk: Buffer, _encoding, done) {
            bytesRead += chunk.length;
            onProgress?.({ phase: 'load', bytesRead, totalBytes });
            done(null, chunk);
          },
        }),
        createGunzip(),
        new Transform({
          transform(chunk: Buffer, _encoding, done) {
            bytes += chunk.length;
            done(null, chunk);
          },
        }),
        child.stdin!,
      );
    } catch (error) {
      // Usually EPIPE because the client stopped at an error: its exit status tells why.
      feedError = error;
    }
    const { code, signal, stderr, spawnError } = await exited;
    if (spawnError) throw new ReplicoopError('restore_failed', `cannot run ${tool}: ${spawnError.message}`, { cause: spawnError });
    if (code !== 0) {
      throw new ReplicoopError('restore_failed', `restoring ${file} with ${tool} failed (${signal ?? `exit ${code}`}): ${lastLines(stderr)}; the sandbox is partly restored, run the restore again`, {
        details: { file, tool, exitCode: code },
      });
    }
    if (feedError) {
      throw new ReplicoopError('restore_failed', `restoring ${file} failed while reading it: ${(feedError as Error).message}`, { details: { file }, cause: feedError });
    }
    return bytes;
  } finally {
    invocation.cleanup();
  }
}

async function loadBuiltin(session: SandboxSession, file: string, totalBytes: number, onProgress?: (p: RestoreProgress) => void): Promise<number> {
  let bytesRead = 0;
  let bytes = 0;
  const sql = pipelineCallback(
    createReadStream(file),
    new Transform({
      transform(chunk: Buffer, _encoding, done) {
        bytesRead += chunk.length;
        done(null, chunk);
      },
    }),
    createGunzip(),
    () => undefined,
  );
  const splitter = new SqlScriptSplitter();
  const run = async (statement: SqlStatement) => {
    const text = decodeUtf8(statement.sql);
    if (text === null) {
      throw new ReplicoopError(
        'restore_unsupported',
        `line ${statement.line} of ${file} is not UTF-8 text, which the built-in restore cannot send; install the mariadb client (apt-get install mariadb-client) and restore again`,
        { details: { file, line: statement.line } },
      );
    }
    try {
      await session.execute(text);
    } catch (error) {
      // A statement made only of a version comment the server skips is "empty": harmless.
      if (errnoOf(error) === 1065) return;
      throw new ReplicoopError('restore_failed', `restoring ${file} failed at line ${statement.line}: ${(error as Error).message}; the sandbox is partly restored, run the restore again`, {
        details: { file, line: statement.line },
        cause: error,
      });
    }
  };
  try {
    for await (const chunk of sql as AsyncIterable<Buffer>) {
      bytes += chunk.length;
      for (const statement of splitter.push(chunk)) await run(statement);
      onProgress?.({ phase: 'load', bytesRead, totalBytes });
    }
    for (const statement of splitter.end()) await run(statement);
  } catch (error) {
    sql.destroy();
    if (error instanceof ReplicoopError) throw error;
    throw new ReplicoopError('restore_failed', `restoring ${file} failed while reading it: ${(error as Error).message}`, { details: { file }, cause: error });
  }
  return bytes;
}

// ---------------------------------------------------------------------------------------------
// The statement splitter of the built-in restore

export interface SqlStatement {
  /** The statement without its delimiter or surrounding whitespace; leading comments kept (the server ignores them). */
  readonly sql: Buffer;
  /** 1-based line where the statement's first meaningful byte is. */
  readonly line: number;
}

const enum ScanState {
  Normal,
  SingleQuote,
  DoubleQuote,
  Backtick,
  LineComment,
  BlockComment,
}

const LF = 0x0a;
const BACKSLASH = 0x5c;
const DELIMITER_WORD = Buffer.from('delimiter');

/**
 * Cuts a SQL script into statements the way the mariadb client does: DELIMITER lines change
 * the delimiter, which only counts outside quotes and comments; executable comments
 * (/*! ... *\/, /*M! ... *\/) are kept as code and never cut. Works on bytes, fed in chunks of
 * any size, so a statement or a multi-byte character may straddle chunks.
 */
export class SqlScriptSplitter {
  #buf = Buffer.alloc(64 * 1024);
  #len = 0;
  #pos = 0;
  #start = 0;
  #state = ScanState.Normal;
  #inExecComment = false;
  #hasContent = false;
  #delimiter = Buffer.from(';');
  #line = 1;
  #statementLine = 1;

  push(chunk: Buffer): SqlStatement[] {
    this.#append(chunk);
    return this.#scan(false);
  }

  end(): SqlStatement[] {
    const out = this.#scan(true);
    if (this.#hasContent) out.push(this.#statement(this.#len));
    this.#start = this.#len;
    this.#hasContent = false;
    return out;
  }

  #append(chunk: Buffer): void {
    if (this.#buf.length - this.#len < chunk.length) {
      // Drop what was already handed out before growing.
      const keep = this.#len - this.#start;
      const needed = keep + chunk.length;
      const target = needed > this.#buf.length / 2 ? Buffer.alloc(Math.max(needed * 2, this.#buf.length)) : this.#buf;
      this.#buf.copy(target, 0, this.#start, this.#len);
      this.#buf = target;
      this.#pos -= this.#start;
      this.#len = keep;
      this.#start = 0;
    }
    chunk.copy(this.#buf, this.#len);
    this.#len += chunk.length;
  }

  #statement(end: number): SqlStatement {
    let from = this.#start;
    let stop = end;
    while (from < stop && isSpace(this.#buf[from]!)) from++;
    while (stop > from && isSpace(this.#buf[stop - 1]!)) stop--;
    return { sql: Buffer.from(this.#buf.subarray(from, stop)), line: this.#statementLine };
  }

  #content(): void {
    if (!this.#hasContent) {
      this.#hasContent = true;
      this.#statementLine = this.#line;
    }
  }

  #scan(final: boolean): SqlStatement[] {
    const out: SqlStatement[] = [];
    const buf = this.#buf;
    const len = this.#len;
    let pos = this.#pos;
    // Returning "need more input" keeps pos at the byte that could not be decided yet.
    scan: while (pos < len) {
      const b = buf[pos]!;
      switch (this.#state) {
        case ScanState.SingleQuote:
        case ScanState.DoubleQuote:
        case ScanState.Backtick: {
          const quote = this.#state === ScanState.SingleQuote ? 0x27 : this.#state === ScanState.DoubleQuote ? 0x22 : 0x60;
          if (b === LF) this.#line++;
          else if (b === BACKSLASH && quote !== 0x60) {
            if (pos + 1 >= len) {
              if (!final) break scan;
            } else {
              if (buf[pos + 1] === LF) this.#line++;
              pos++;
            }
          } else if (b === quote) this.#state = ScanState.Normal;
          pos++;
          continue;
        }
        case ScanState.LineComment:
          if (b === LF) this.#state = ScanState.Normal;
          else pos++;
          continue;
        case ScanState.BlockComment:
          if (b === LF) this.#line++;
          else if (b === 0x2a) {
            if (pos + 1 >= len && !final) break scan;
            if (buf[pos + 1] === 0x2f) {
              this.#state = ScanState.Normal;
              pos += 2;
              continue;
            }
          }
          pos++;
          continue;
        case ScanState.Normal:
          break;
      }

      if (b === LF) {
        this.#line++;
        pos++;
        continue;
      }
      if (!this.#hasContent && !this.#inExecComment && (b === 0x64 || b === 0x44)) {
        // A DELIMITER command can only start a statement.
        if (len - pos < DELIMITER_WORD.length + 1 && !final) break scan;
        if (startsWithWord(buf, pos, len, DELIMITER_WORD)) {
          let lineEnd = buf.indexOf(LF, pos);
          if (lineEnd === -1 || lineEnd >= len) {
            if (!final) break scan;
            lineEnd = len;
          }
          const m = /^delimiter[ \t]+(\S+)/i.exec(buf.toString('latin1', pos, lineEnd));
          if (m) {
            this.#delimiter = Buffer.from(m[1]!, 'latin1');
            pos = lineEnd;
            this.#start = lineEnd;
            continue;
          }
        }
      }
      if (!this.#inExecComment && b === this.#delimiter[0]) {
        const dl = this.#delimiter.length;
        if (pos + dl > len && !final) break scan;
        if (buf.compare(this.#delimiter, 0, dl, pos, pos + dl) === 0) {
          if (this.#hasContent) out.push(this.#statement(pos));
          pos += dl;
          this.#start = pos;
          this.#hasContent = false;
          continue;
        }
      }
      if (b === 0x27 || b === 0x22 || b === 0x60) {
        this.#content();
        this.#state = b === 0x27 ? ScanState.SingleQuote : b === 0x22 ? ScanState.DoubleQuote : ScanState.Backtick;
        pos++;
        continue;
      }
      if (b === 0x23) {
        this.#state = ScanState.LineComment;
        pos++;
        continue;
      }
      if (b === 0x2d) {
        if (pos + 2 >= len && !final) break scan;
        // "--" starts a comment only when followed by a space or control character.
        if (buf[pos + 1] === 0x2d && (pos + 2 >= len || buf[pos + 2]! <= 0x20)) {
          this.#state = ScanState.LineComment;
          pos += 2;
          continue;
        }
      }
      if (b === 0x2f) {
        if (pos + 3 >= len && !final) break scan;
        if (buf[pos + 1] === 0x2a) {
          const bang = buf[pos + 2] === 0x21 ? 3 : buf[pos + 2] === 0x4d && buf[pos + 3] === 0x21 ? 4 : 0;
          if (bang > 0) {
            this.#content();
            this.#inExecComment = true;
            pos += bang;
          } else {
            this.#state = ScanState.BlockComment;
            pos += 2;
          }
          continue;
        }
      }
      if (b === 0x2a && this.#inExecComment) {
        if (pos + 1 >= len && !final) break scan;
        if (buf[pos + 1] === 0x2f) {
          this.#inExecComment = false;
          pos += 2;
          continue;
        }
      }
      if (!isSpace(b)) this.#content();
      pos++;
    }
    this.#pos = pos;
    return out;
  }
}

function isSpace(b: number): boolean {
  return b === 0x20 || b === 0x09 || b === 0x0a || b === 0x0d || b === 0x0b || b === 0x0c;
}

function startsWithWord(buf: Buffer, pos: number, len: number, word: Buffer): boolean {
  if (len - pos <= word.length) return false;
  for (let i = 0; i < word.length; i++) if ((buf[pos + i]! | 0x20) !== word[i]) return false;
  const next = buf[pos + word.length]!;
  return next === 0x20 || next === 0x09;
}

// ---------------------------------------------------------------------------------------------
// Running mariadb-dump and mariadb without putting the password on the command line

const DUMP_TOOLS = ['mariadb-dump', 'mysqldump'] as const;
const CLIENT_TOOLS = ['mariadb', 'mysql'] as const;

export interface ClientInvocation {
  readonly args: readonly string[];
  /** The 0600 option file holding the connection settings, password included. */
  readonly defaultsFile: string;
  cleanup(): void;
}

/**
 * The arguments for mariadb-dump ('dump') or the mariadb client ('client'). Connection
 * settings, the password above all, go into a private option file: arguments are visible to
 * every user in `ps`, and MYSQL_PWD is deprecated and readable in /proc/<pid>/environ.
 */
export function clientInvocation(kind: 'dump' | 'client', tool: string, target: ConnectionTarget): ClientInvocation {
  const dir = mkdtempSync(join(tmpdir(), 'replicoop-client-'));
  const defaultsFile = join(dir, 'client.cnf');
  const lines = ['[client]', `user=${optionValue(target.user)}`, `password=${optionValue(target.password)}`];
  if (target.socket) lines.push(`socket=${optionValue(target.socket)}`, 'protocol=SOCKET');
  // Without protocol=TCP, host "localhost" would silently mean the default socket: maybe another server.
  else lines.push(`host=${optionValue(target.host)}`, `port=${target.port}`, 'protocol=TCP');
  if (target.ssl) {
    // loose-: each client knows only its own spelling and must not fail on the other's.
    lines.push('loose-ssl');
    if (target.ssl.ca) {
      const caFile = join(dir, 'ca.pem');
      writeFileSync(caFile, target.ssl.ca, { mode: 0o600 });
      lines.push(`loose-ssl-ca=${optionValue(caFile)}`);
    }
    const verify = target.ssl.rejectUnauthorized ?? true;
    lines.push(verify ? 'loose-ssl-verify-server-cert' : 'loose-skip-ssl-verify-server-cert');
    lines.push(`loose-ssl-mode=${verify ? (target.ssl.ca ? 'VERIFY_CA' : 'VERIFY_IDENTITY') : 'REQUIRED'}`);
  }
  if (kind === 'dump' && !isMariaDbTool(tool)) {
    // MySQL's mysqldump: no GTID_PURGED line (it would fail on a sandbox with GTIDs), and no
    // column statistics query (MariaDB servers lack the table).
    lines.push('[mysqldump]', 'loose-set-gtid-purged=OFF', 'loose-column-statistics=0');
  }
  writeFileSync(defaultsFile, lines.join('\n') + '\n', { mode: 0o600 });
  const common = [`--defaults-file=${defaultsFile}`, '--default-character-set=utf8mb4'];
  const args =
    kind === 'dump'
      ? [
          ...common,
          '--single-transaction',
          '--quick',
          '--routines',
          '--triggers',
          '--events',
          '--hex-blob',
          '--skip-comments',
          '--skip-dump-date',
          '--no-create-db',
          '--add-drop-table',
          '--no-tablespaces',
          // The default --tz-utc is kept: TIMESTAMPs are dumped in UTC and the file sets
          // time_zone='+00:00' before loading them, so they come back exact.
          '--',
          target.database,
        ]
      : [
          ...common,
          '--batch',
          // Binary mode: bytes go to the server as they are (no \r\n rewriting inside routine
          // bodies) and no client command other than DELIMITER runs from a backup file.
          '--binary-mode',
          // Comments inside routine bodies are part of their definition.
          '--comments',
          '--max-allowed-packet=1073741824',
          `--database=${target.database}`,
        ];
  return {
    args: Object.freeze(args),
    defaultsFile,
    cleanup: () => rmSync(dir, { recursive: true, force: true }),
  };
}

/** An option-file value: always double-quoted, with the escapes my_load_defaults understands. */
function optionValue(value: string): string {
  return '"' + value.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n').replace(/\r/g, '\\r').replace(/\t/g, '\\t') + '"';
}

const toolFlavors = new Map<string, boolean>();

function isMariaDbTool(tool: string): boolean {
  let mariadb = toolFlavors.get(tool);
  if (mariadb === undefined) {
    const result = spawnSync(tool, ['--version'], { encoding: 'utf8' });
    mariadb = /mariadb/i.test(`${result.stdout ?? ''}${result.stderr ?? ''}`);
    toolFlavors.set(tool, mariadb);
  }
  return mariadb;
}

function findTool(names: readonly string[]): string | null {
  const dirs = (process.env.PATH ?? '').split(pathDelimiter).filter(Boolean);
  for (const name of names) {
    for (const dir of dirs) {
      const candidate = join(dir, name);
      try {
        accessSync(candidate, fsConstants.X_OK);
        if (statSync(candidate).isFile()) return candidate;
      } catch {
        // not here
      }
    }
  }
  return null;
}

/** The environment for client tools, without variables that would override the option file. */
function childEnv(): NodeJS.ProcessEnv {
  const env = { ...process.env };
  for (const name of ['MYSQL_PWD', 'MYSQL_HOST', 'MYSQL_TCP_PORT', 'MYSQL_UNIX_PORT', 'MYSQL_TEST_LOGIN_FILE', 'MARIADB_HOST']) delete env[name];
  return env;
}

interface ExitInfo {
  code: number | null;
  signal: NodeJS.Signals | null;
  stderr: string;
  spawnError: Error | null;
}

function waitForExit(child: ChildProcess): Promise<ExitInfo> {
  return new Promise((resolve) => {
    let stderr = '';
    child.stderr?.on('data', (d: Buffer) => {
      if (stderr.length < 64 * 1024) stderr += d.toString('utf8');
    });
    child.once('error', (error) => resolve({ code: null, signal: null, stderr, spawnError: error }));
    child.once('close', (code, signal) => resolve({ code, signal, stderr, spawnError: null }));
  });
}

// ---------------------------------------------------------------------------------------------
// Small helpers

function requireSandbox(target: ConnectionTarget, action: string): void {
  if (target.role !== 'sandbox') {
    throw new ReplicoopError('production_write_refused', `refused to ${action} ${describeTarget(target)}: only the sandbox database is backed up and restored`);
  }
}

function applyRetention(dir: string, database: string, current: string, keep: number): string[] {
  const others = listBackups(dir, database).filter((b) => b.path !== current);
  const removed: string[] = [];
  for (const old of others.slice(Math.max(keep - 1, 0))) {
    removeQuietly(old.path);
    removed.push(old.path);
  }
  return removed;
}

function backupFailed(error: unknown, file: string): ReplicoopError {
  if (error instanceof ReplicoopError) return error;
  return new ReplicoopError('backup_failed', `backup ${file} failed: ${(error as Error).message ?? String(error)}`, { details: { file }, cause: error });
}

function isDiskFull(error: unknown): boolean {
  let e: unknown = error;
  for (let depth = 0; e && depth < 5; depth++) {
    const code = (e as { code?: string }).code;
    if (code === 'ENOSPC' || code === 'EDQUOT') return true;
    e = (e as { cause?: unknown }).cause;
  }
  return false;
}

function fsyncPath(path: string): void {
  const fd = openSync(path, 'r');
  try {
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}

/** Makes the rename durable; some platforms cannot fsync a directory, which is then skipped. */
function fsyncDirectory(dir: string): void {
  try {
    fsyncPath(dir);
  } catch {
    // best effort
  }
}

function removeQuietly(path: string): void {
  try {
    unlinkSync(path);
  } catch {
    // already gone
  }
}

function fileSafe(name: string): string {
  return name.replace(/[^\p{L}\p{N}_$-]/gu, '_');
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

function megabytes(bytes: number): number {
  return Math.ceil(bytes / (1024 * 1024));
}

function lastLines(text: string): string {
  const lines = maskSecrets(text)
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l && !/^Warning: /i.test(l));
  return lines.slice(-3).join(' | ') || 'no error output';
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

const utf8Decoder = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

function decodeUtf8(bytes: Buffer): string | null {
  try {
    return utf8Decoder.decode(bytes);
  } catch {
    return null;
  }
}

function isUtf8(bytes: Buffer): boolean {
  return decodeUtf8(bytes) !== null;
}
