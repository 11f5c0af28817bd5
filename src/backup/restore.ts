import { spawn } from 'node:child_process';
import { createReadStream, existsSync, statSync } from 'node:fs';
import { pipeline as pipelineCallback, Transform, Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { createGunzip } from 'node:zlib';
import type { ConnectionTarget } from '../config/connection-target.js';
import { quoteQualified } from '../sql/quote.js';
import { SandboxSession } from '../db/session.js';
import { hasErrno } from '../db/sql-error.js';
import { ReplicoopError } from '../errors.js';
import { requireSandbox } from './backup.js';
import { childEnv, clientInvocation, CLIENT_TOOLS, findTool, lastLines, waitForExit } from './client-tools.js';
import { decodeUtf8, SqlScriptSplitter, type SqlStatement } from './sql-script-splitter.js';
import { ER_EMPTY_QUERY } from '../sql/errno.js';

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
}

export interface RestoreResult {
  readonly method: RestoreMethod;
  /** Uncompressed SQL bytes loaded. */
  readonly bytes: number;
  /** Objects dropped before loading (tables, views, sequences, routines, events). */
  readonly dropped: number;
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
      if (hasErrno(error, ER_EMPTY_QUERY)) return;
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

