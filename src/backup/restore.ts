import { spawn } from 'node:child_process';
import { createReadStream, existsSync, statSync } from 'node:fs';
import { PassThrough, pipeline as pipelineCallback, type Readable, Transform, Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { createGunzip } from 'node:zlib';
import type { ConnectionTarget } from '../config/connection-target.js';
import { quoteQualified } from '../sql/quote.js';
import { SandboxSession, type RetryPolicy } from '../db/session.js';
import { hasErrno } from '../db/sql-error.js';
import { ReplicoopError } from '../errors.js';
import { requireSandbox } from './backup.js';
import { childEnv, clientInvocation, CLIENT_TOOLS, findTool, lastLines, waitForExit } from './client-tools.js';
import { decodeUtf8, SqlScriptSplitter, type SqlStatement } from './sql-script-splitter.js';
import { ACCESS_DENIED_ERRNOS, ER_EMPTY_QUERY, ER_PROCACCESS_DENIED, ER_SPECIFIC_ACCESS_DENIED } from '../sql/errno.js';
import { INVALID_VIEW_MARKER } from './invalid-views.js';
import { ROW_KEYS_SUFFIX, ROW_ROWS_SUFFIX, SCOPED_BACKUP_MARKER, tableBackupsOf } from './backup-scope.js';
import { rowBackupExtent } from './row-backup.js';
import { definerClause, formatAccount, parseAccount, sameAccount, withCurrentUserDefiner, type Definer } from './definers.js';

/**
 * Restore of a backup file into the sandbox database, with the standard client when installed,
 * otherwise statement by statement through the built-in splitter.
 */

export type RestoreMethod = 'client' | 'builtin';

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
  /** Things the user should know about how the backup was restored (definers rewritten). */
  readonly onNote?: (text: string) => void;
  /** Connection retries of the restore's session (the CLI's says each one). */
  readonly retry?: RetryPolicy;
}

export interface RestoreResult {
  readonly method: RestoreMethod;
  /** Uncompressed SQL bytes loaded. */
  readonly bytes: number;
  /** Objects dropped before loading (tables, views, sequences, routines, events). */
  readonly dropped: number;
  /** Definers (user@host) whose objects were re-created with DEFINER=CURRENT_USER. */
  readonly definersRewritten: readonly string[];
  /** Views that were invalid when backed up: their definitions are comments in the file, not re-created. */
  readonly invalidViews: readonly string[];
  /** A backup of only what the plan could change (backup-scope.ts): nothing else was dropped. */
  readonly scoped: boolean;
  /** The files loaded, in order (a scoped run's whole-table backups, then the main file). */
  readonly files: readonly string[];
}

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
  // A scoped run's whole-table backups load first; the main file (with the trigger definitions) last.
  const files = [...tableBackupsOf(file), file];

  const invalidViews: string[] = [];
  let scoped = false;
  for (const f of files) {
    const verified = await verifyGzip(f, statSync(f).size, onProgress);
    invalidViews.push(...verified.invalidViews);
    if (f === file) scoped = verified.scoped;
  }
  if (invalidViews.length > 0) {
    options.onNote?.(
      `views ${invalidViews.join(', ')} were invalid when backed up (they use a dropped table, column or function) and are not re-created; their definitions are comments in ${file}`,
    );
  }

  const session = await SandboxSession.open(target, options.retry);
  let ok = false;
  try {
    // Before anything is dropped: can this account re-create every object of the backup?
    const definers = await checkDefiners(session, files);
    let used = method;
    if (definers.rewriteFor) {
      const names = definers.foreign.join(', ');
      if (definers.nonUtf8Line !== null) {
        throw new ReplicoopError(
          'restore_privilege_missing',
          `the backup ${file} has objects defined by ${names}, which ${formatAccount(definers.rewriteFor)} may not re-create as they are (it lacks SUPER/SET USER), and line ${definers.nonUtf8Line} is not UTF-8, so the built-in restore cannot rewrite their definers; the sandbox was not touched. Grant the privilege (GRANT SET USER ON *.* TO ${formatAccount(definers.rewriteFor)}, or SUPER; on MySQL SET_USER_ID) and run the restore again`,
          { details: { file, definers: definers.foreign } },
        );
      }
      used = 'builtin';
      options.onNote?.(
        `objects defined by ${names} are restored with DEFINER=CURRENT_USER (${formatAccount(definers.rewriteFor)}): this account lacks SUPER/SET USER, which re-creating them as they were needs`,
      );
    }
    // A scoped backup drops what it covers itself (DROP ... IF EXISTS first): nothing else goes.
    let dropped = 0;
    if (!scoped) {
      onProgress?.({ phase: 'drop', bytesRead: 0, totalBytes: statSync(file).size });
      dropped = await dropEverything(session);
    }
    let bytes = 0;
    if (used === 'client') await session.close();
    for (const f of files) {
      const size = statSync(f).size;
      bytes +=
        used === 'client'
          ? await loadWithClient(target, f, size, onProgress)
          : await loadBuiltin(session, f, size, onProgress, definers.rewriteFor);
    }
    ok = true;
    return Object.freeze({
      method: used,
      bytes,
      dropped,
      definersRewritten: definers.rewriteFor ? definers.foreign : [],
      invalidViews: [...new Set(invalidViews)],
      scoped,
      files,
    });
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

function isRowBackup(file: string): boolean {
  return file.endsWith(ROW_KEYS_SUFFIX) || file.endsWith(ROW_ROWS_SUFFIX);
}

/**
 * The SQL text of a backup file: a gzip file decompressed (gunzip checks its CRC as it goes), a
 * row backup's plain file up to its last complete part (row-backup.ts).
 */
function openSqlFile(file: string): { source: Readable; decode: Transform } {
  if (!isRowBackup(file)) return { source: createReadStream(file), decode: createGunzip() };
  return { source: createReadStream(file, { start: 0, end: rowBackupExtent(file) - 1 }), decode: new PassThrough() };
}

/** Checks the file end to end; returns the invalid views whose definitions it carries as comments. */
async function verifyGzip(
  file: string,
  totalBytes: number,
  onProgress?: (p: RestoreProgress) => void,
): Promise<{ invalidViews: string[]; scoped: boolean }> {
  if (isRowBackup(file)) {
    rowBackupExtent(file);
    return { invalidViews: [], scoped: false };
  }
  let bytesRead = 0;
  let first = true;
  let scoped = false;
  const scopeMarker = Buffer.from(SCOPED_BACKUP_MARKER);
  const invalidViews: string[] = [];
  const marker = Buffer.from(`\n${INVALID_VIEW_MARKER}\``);
  let carry = Buffer.alloc(0);
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
      write(chunk: Buffer, _encoding, done) {
        const text = Buffer.concat([carry, chunk]);
        if (first) scoped = text.subarray(0, scopeMarker.length).equals(scopeMarker);
        first = false;
        for (let at = text.indexOf(marker); at !== -1; at = text.indexOf(marker, at + 1)) {
          const end = text.indexOf('` (', at + marker.length);
          if (end !== -1) invalidViews.push(text.toString('utf8', at + marker.length, end).replace(/``/g, '`'));
        }
        // Enough for a marker and a view name across the chunk boundary (one found twice is listed once).
        carry = Buffer.from(text.subarray(Math.max(0, text.length - 400)));
        done();
      },
    });
    await pipeline(createReadStream(file), counter, createGunzip(), discard);
    return { invalidViews: [...new Set(invalidViews)], scoped };
  } catch (error) {
    throw new ReplicoopError(
      'restore_failed',
      `backup file ${file} is damaged or not a gzip file (${(error as Error).message}); the sandbox was not touched`,
      {
        details: { file },
        cause: error,
      },
    );
  }
}

/**
 * A failure here, once something was dropped, leaves the sandbox partly restored: it says so
 * (details.partial), so that the run is marked 'rollback incomplete' and never resumed.
 */
async function dropEverything(session: SandboxSession): Promise<number> {
  const counter = { dropped: 0 };
  try {
    return await dropAll(session, counter);
  } catch (error) {
    const message = (error as Error).message ?? String(error);
    if (counter.dropped === 0)
      throw new ReplicoopError(
        'restore_failed',
        `dropping the sandbox's objects before loading the backup failed before any was dropped: ${message}; ${missingHint(error)}the sandbox was not touched`,
        { details: { partial: false }, cause: error },
      );
    throw new ReplicoopError(
      'restore_failed',
      `dropping the sandbox's objects before loading the backup failed after ${counter.dropped} were dropped: ${message}; ${missingHint(error)}the sandbox is partly restored: finish with the restore again once that is fixed (it starts over from the backup)`,
      { details: { partial: true, dropped: counter.dropped }, cause: error },
    );
  }
}

async function dropAll(session: SandboxSession, counter: { dropped: number }): Promise<number> {
  const db = session.database;
  await session.execute('SET SESSION foreign_key_checks = 0');
  const events = await session.query<{ EVENT_NAME: string }>('SELECT EVENT_NAME FROM information_schema.EVENTS WHERE EVENT_SCHEMA = ?', [
    db,
  ]);
  for (const e of events) {
    await session.execute(`DROP EVENT IF EXISTS ${quoteQualified(db, e.EVENT_NAME)}`);
    counter.dropped++;
  }
  const routines = await session.query<{ ROUTINE_NAME: string; ROUTINE_TYPE: string }>(
    "SELECT ROUTINE_NAME, ROUTINE_TYPE FROM information_schema.ROUTINES WHERE ROUTINE_SCHEMA = ? AND ROUTINE_TYPE IN ('PROCEDURE', 'FUNCTION')",
    [db],
  );
  for (const r of routines) {
    await session.execute(
      `DROP ${r.ROUTINE_TYPE === 'FUNCTION' ? 'FUNCTION' : 'PROCEDURE'} IF EXISTS ${quoteQualified(db, r.ROUTINE_NAME)}`,
    );
    counter.dropped++;
  }
  const tables = await session.query<{ TABLE_NAME: string; TABLE_TYPE: string }>(
    "SELECT TABLE_NAME, TABLE_TYPE FROM information_schema.TABLES WHERE TABLE_SCHEMA = ? AND TABLE_TYPE <> 'TEMPORARY' ORDER BY TABLE_TYPE = 'VIEW' DESC",
    [db],
  );
  for (const t of tables) {
    // Triggers go with their tables.
    const what = t.TABLE_TYPE === 'VIEW' ? 'VIEW' : t.TABLE_TYPE === 'SEQUENCE' ? 'SEQUENCE' : 'TABLE';
    await session.execute(`DROP ${what} IF EXISTS ${quoteQualified(db, t.TABLE_NAME)}`);
    counter.dropped++;
  }
  await session.execute('SET SESSION foreign_key_checks = 1');
  return counter.dropped;
}

async function loadWithClient(
  target: ConnectionTarget,
  file: string,
  totalBytes: number,
  onProgress?: (p: RestoreProgress) => void,
): Promise<number> {
  const tool = findTool(CLIENT_TOOLS)!;
  const invocation = clientInvocation('client', tool, target);
  try {
    const child = spawn(tool, invocation.args, { stdio: ['pipe', 'ignore', 'pipe'], env: childEnv() });
    const exited = waitForExit(child);
    let bytesRead = 0;
    let bytes = 0;
    let feedError: unknown = null;
    try {
      const { source, decode } = openSqlFile(file);
      await pipeline(
        source,
        new Transform({
          transform(chunk: Buffer, _encoding, done) {
            bytesRead += chunk.length;
            onProgress?.({ phase: 'load', bytesRead, totalBytes });
            done(null, chunk);
          },
        }),
        decode,
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
      throw new ReplicoopError(
        'restore_failed',
        `restoring ${file} with ${tool} failed (${signal ?? `exit ${code}`}): ${lastLines(stderr)}; the sandbox is partly restored, run the restore again`,
        {
          details: { file, tool, exitCode: code },
        },
      );
    }
    if (feedError) {
      throw new ReplicoopError('restore_failed', `restoring ${file} failed while reading it: ${(feedError as Error).message}`, {
        details: { file },
        cause: feedError,
      });
    }
    return bytes;
  } finally {
    invocation.cleanup();
  }
}

async function loadBuiltin(
  session: SandboxSession,
  file: string,
  totalBytes: number,
  onProgress?: (p: RestoreProgress) => void,
  rewriteFor: Definer | null = null,
): Promise<number> {
  let statements = 0;
  let bytesRead = 0;
  let bytes = 0;
  const { source, decode } = openSqlFile(file);
  const sql = pipelineCallback(
    source,
    new Transform({
      transform(chunk: Buffer, _encoding, done) {
        bytesRead += chunk.length;
        done(null, chunk);
      },
    }),
    decode,
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
    const clause = rewriteFor ? definerClause(text) : null;
    const sql = clause && !sameAccount(clause.definer, rewriteFor!) ? withCurrentUserDefiner(text, clause) : text;
    try {
      await session.execute(sql);
      statements++;
    } catch (error) {
      // A statement made only of a version comment the server skips is "empty": harmless.
      if (hasErrno(error, ER_EMPTY_QUERY)) return;
      throw new ReplicoopError(
        'restore_failed',
        `restoring ${file} failed at line ${statement.line} (${statements} statements had run): ${(error as Error).message}; ${missingHint(error)}the sandbox is partly restored: finish with the restore again once that is fixed (it starts over from the backup)`,
        {
          details: { file, line: statement.line, statementsDone: statements, partial: true },
          cause: error,
        },
      );
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
    throw new ReplicoopError('restore_failed', `restoring ${file} failed while reading it: ${(error as Error).message}`, {
      details: { file },
      cause: error,
    });
  }
  return bytes;
}

interface DefinerCheck {
  /** The restoring account when it must re-create some objects as itself; null when it may keep every definer. */
  readonly rewriteFor: Definer | null;
  /** Definers (user@host) in the backup other than the restoring account. */
  readonly foreign: readonly string[];
  /** First statement that is not UTF-8 (the built-in restore cannot send it), null if none. */
  readonly nonUtf8Line: number | null;
}

// Privileges that let an account name another definer (MariaDB SET USER since 10.5.2, MySQL SET_USER_ID, SET_ANY_DEFINER from 8.2).
const DEFINER_PRIVILEGES = new Set(['SUPER', 'SET USER', 'SET_USER_ID', 'SET_ANY_DEFINER']);

/** Reads the backup once more (it was just verified) only when the account may not keep others' definers. */
async function checkDefiners(session: SandboxSession, files: readonly string[]): Promise<DefinerCheck> {
  const [row] = await session.query<{ account: string }>('SELECT CURRENT_USER() AS account');
  const account = parseAccount(String(row?.account ?? ''));
  const privileges = await session.query<{ PRIVILEGE_TYPE: string }>('SELECT PRIVILEGE_TYPE FROM information_schema.USER_PRIVILEGES');
  if (privileges.some((p) => DEFINER_PRIVILEGES.has(String(p.PRIVILEGE_TYPE).toUpperCase())))
    return { rewriteFor: null, foreign: [], nonUtf8Line: null };
  const foreign = new Set<string>();
  let nonUtf8Line: number | null = null;
  const look = (statement: SqlStatement): void => {
    const text = decodeUtf8(statement.sql);
    if (text === null) {
      nonUtf8Line ??= statement.line;
      return;
    }
    const clause = definerClause(text);
    if (clause && !sameAccount(clause.definer, account)) foreign.add(formatAccount(clause.definer));
  };
  for (const file of files) {
    // A row backup holds rows and DELETEs, never a definer.
    if (isRowBackup(file)) continue;
    const splitter = new SqlScriptSplitter();
    for await (const chunk of createReadStream(file).pipe(createGunzip()) as AsyncIterable<Buffer>)
      for (const statement of splitter.push(chunk)) look(statement);
    for (const statement of splitter.end()) look(statement);
  }
  return { rewriteFor: foreign.size > 0 ? account : null, foreign: [...foreign].sort(), nonUtf8Line };
}

/** What a failed restore statement lacks, when the server says (access denied), as the start of a sentence. */
function missingHint(error: unknown): string {
  const message = (error as Error).message ?? '';
  if (hasErrno(error, ER_SPECIFIC_ACCESS_DENIED)) {
    const privilege = /need (?:the |at least one of the )?\(?([A-Z_ ,]+?)\)? privilege/i.exec(message)?.[1];
    return `the sandbox account lacks ${privilege ? `the ${privilege} privilege` : 'a global privilege'} (GRANT ${privilege ?? 'SUPER'} ON *.* TO the sandbox user); `;
  }
  if (hasErrno(error, ACCESS_DENIED_ERRNOS) || hasErrno(error, ER_PROCACCESS_DENIED))
    return 'the sandbox account lacks a privilege on the sandbox database (GRANT ALL ON the sandbox database TO the sandbox user); ';
  return '';
}
