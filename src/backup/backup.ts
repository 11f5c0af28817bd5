import { spawn } from 'node:child_process';
import { ROW_TABLE_TYPES_SQL } from '../sql/table-types.js';
import { tableBackupDir, type BackupScope } from './backup-scope.js';
import {
  closeSync,
  createWriteStream,
  existsSync,
  fsyncSync,
  mkdirSync,
  openSync,
  readdirSync,
  renameSync,
  statSync,
  rmSync,
  unlinkSync,
} from 'node:fs';
import { join } from 'node:path';
import { Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { constants as zlibConstants, createGzip } from 'node:zlib';
import type { ConnectionTarget } from '../config/connection-target.js';
import { describeTarget } from '../config/connection-target.js';
import { SandboxSession, type Queryable } from '../db/session.js';
import { ReplicoopError } from '../errors.js';
import { builtinDump, type BackupMethod, type BackupProgress } from './builtin-dump.js';
import { childEnv, clientInvocation, DUMP_TOOLS, findTool, lastLines, waitForExit } from './client-tools.js';
import { freeSpaceOf, megabytes } from './free-space.js';
import { invalidViewsBlock, invalidViewsOf } from './invalid-views.js';

/**
 * Backup of the sandbox database: one gzip-compressed SQL file per backup, which the standard
 * client can restore by hand (`gunzip < f | mariadb db`). mariadb-dump writes it when installed;
 * otherwise the built-in dumper (builtin-dump.ts) writes the same kind of file. Restore is in
 * restore.ts.
 */

export type { BackupMethod, BackupProgress } from './builtin-dump.js';

export interface CreateBackupOptions {
  readonly target: ConnectionTarget;
  readonly dir: string;
  readonly runId: string;
  /** How many backups of this database to keep in dir, the new one included. */
  readonly keep: number;
  readonly now?: Date;
  readonly method?: BackupMethod | 'auto';
  readonly onProgress?: (progress: BackupProgress) => void;
  /**
   * Only these objects (backup.scope: plan; see backup-scope.ts), always with the built-in
   * dumper, which can select triggers and routines one by one; null or absent: everything.
   */
  readonly scope?: BackupScope | null;
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

// ---------------------------------------------------------------------------------------------
// Backup

export async function createBackup(options: CreateBackupOptions): Promise<BackupResult> {
  const { target, dir, runId } = options;
  requireSandbox(target, 'back up');
  if (!Number.isInteger(options.keep) || options.keep < 1) {
    throw new ReplicoopError('backup_invalid_keep', `backup keep must be a whole number >= 1, got ${options.keep}`);
  }
  const scope = options.scope ?? null;
  const method = scope ? 'builtin' : resolveBackupMethod(options.method ?? 'auto');
  try {
    mkdirSync(dir, { recursive: true });
  } catch (error) {
    throw new ReplicoopError('backup_failed', `cannot create the backup directory ${dir}: ${(error as Error).message}`, {
      details: { dir },
      cause: error,
    });
  }
  const file = join(dir, backupFileName(target.database, options.now ?? new Date(), runId));
  const partial = `${file}.partial`;
  const removed: string[] = [];
  let tables: number;
  try {
    tables = await writeBackup(method, target, partial, options.onProgress, scope);
  } catch (error) {
    removeQuietly(partial);
    if (!isDiskFull(error)) throw backupFailed(error, file);
    // The original design's disk_space_error strategy (ARCHITECTURE.md): make room by dropping
    // all but the newest older backup, then try once more.
    for (const old of listBackups(dir, target.database).slice(1)) {
      removeBackupFiles(old.path);
      removed.push(old.path);
    }
    try {
      tables = await writeBackup(method, target, partial, options.onProgress, scope);
    } catch (retryError) {
      removeQuietly(partial);
      if (!isDiskFull(retryError)) throw backupFailed(retryError, file);
      throw new ReplicoopError(
        'backup_disk_full',
        `the disk holding ${dir} is full: the backup does not fit even after deleting older backups`,
        {
          details: { dir, removed },
          cause: retryError,
        },
      );
    }
  }
  try {
    // The backup is the way back if the apply goes wrong: on disk before the sandbox changes.
    fsyncPath(partial);
    renameSync(partial, file);
    fsyncDirectory(dir);
  } catch (error) {
    removeQuietly(partial);
    throw new ReplicoopError('backup_failed', `cannot finish the backup file ${file}: ${(error as Error).message}`, {
      details: { file },
      cause: error,
    });
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
    let mtimeMs: number;
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
 * What the next backup of this database will take, realistically: the newest earlier backup of
 * it in dir (plus a quarter for growth) when there is one, else half the data length (a dump
 * holds no index pages, and gzip shrinks SQL text several times). Never below 1 MB.
 */
export async function estimateBackupBytes(session: Queryable, dir: string): Promise<number> {
  const previous = listBackups(dir, session.database)[0];
  if (previous) {
    try {
      return Math.max(MIN_ESTIMATE, Math.ceil(statSync(previous.path).size * 1.25));
    } catch {
      // gone meanwhile: estimate from the data
    }
  }
  const rows = await session.query<{ BYTES: string | number | null }>(
    'SELECT COALESCE(SUM(DATA_LENGTH), 0) AS BYTES FROM information_schema.TABLES WHERE TABLE_SCHEMA = ?',
    [session.database],
  );
  return Math.max(MIN_ESTIMATE, Math.ceil(Number(rows[0]?.BYTES ?? 0) * 0.5));
}

const MIN_ESTIMATE = 1024 * 1024;

/**
 * Makes room for the next backup the way the original design did (ARCHITECTURE.md:
 * disk_space_error): when dir has less free space than neededBytes, replicoop's own oldest
 * backups of this database that retention would delete after the new one anyway (all but the
 * keep - 1 newest) go first; only then is it refused. Returns the files deleted.
 */
export function ensureBackupSpace(
  dir: string,
  database: string,
  neededBytes: number,
  keep: number,
  freeBytes: (dir: string) => number = freeSpaceOf,
): string[] {
  const removed: string[] = [];
  if (freeBytes(dir) >= neededBytes) return removed;
  const expendable = listBackups(dir, database)
    .slice(Math.max(keep - 1, 0))
    .reverse();
  for (const old of expendable) {
    removeBackupFiles(old.path);
    removed.push(old.path);
    if (freeBytes(dir) >= neededBytes) return removed;
  }
  const available = freeBytes(dir);
  const kept = listBackups(dir, database).length;
  throw new ReplicoopError(
    'backup_no_space',
    `not enough free space for the backup in ${dir}: about ${megabytes(neededBytes)} MB needed, ${megabytes(available)} MB available${removed.length ? ` after deleting ${removed.length} old backup(s)` : ''}${kept ? `; ${kept} newer backup(s) of ${database} are kept (backup.keep = ${keep})` : ''}; free some space, or lower backup.keep`,
    { details: { dir, neededMb: megabytes(neededBytes), availableMb: megabytes(available), removed } },
  );
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
    throw new ReplicoopError(
      'backup_tool_missing',
      'backup method mariadb-dump requested but neither mariadb-dump nor mysqldump is on PATH',
    );
  }
  return 'builtin';
}

async function writeBackup(
  method: BackupMethod,
  target: ConnectionTarget,
  partial: string,
  onProgress: ((p: BackupProgress) => void) | undefined,
  scope: BackupScope | null,
): Promise<number> {
  // A leftover from a killed earlier attempt must not be appended to.
  removeQuietly(partial);
  const session = await SandboxSession.open(target);
  let ok = false;
  try {
    const tables = await countTables(session, scope);
    if (method === 'mariadb-dump') {
      // mariadb-dump stops at an invalid view (exit 2): it skips them, their text follows as comments.
      const invalid = await invalidViewsOf(session);
      const block = await invalidViewsBlock(session, invalid);
      await session.close();
      await runDumpTool(target, partial, tables, onProgress, invalid, block);
    } else {
      await pipeline(
        builtinDump(session, tables, onProgress, scope),
        createGzip({ level: GZIP_LEVEL }),
        createWriteStream(partial, { mode: 0o600 }),
      );
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
export const GZIP_LEVEL = zlibConstants.Z_BEST_SPEED;

async function countTables(session: SandboxSession, scope: BackupScope | null): Promise<number> {
  const rows = await session.query<{ TABLE_NAME: string }>(
    `SELECT TABLE_NAME FROM information_schema.TABLES WHERE TABLE_SCHEMA = ? AND TABLE_TYPE IN (${ROW_TABLE_TYPES_SQL})`,
    [session.database],
  );
  if (scope === null) return rows.length;
  const covered = new Set(scope.relations);
  return rows.filter((r) => covered.has(r.TABLE_NAME)).length;
}

async function runDumpTool(
  target: ConnectionTarget,
  partial: string,
  tablesTotal: number,
  onProgress: ((p: BackupProgress) => void) | undefined,
  skipViews: readonly string[],
  tail: string,
): Promise<void> {
  const tool = findTool(DUMP_TOOLS)!;
  const invocation = clientInvocation('dump', tool, target);
  try {
    const ignore = skipViews.map((view) => `--ignore-table=${target.database}.${view}`);
    const args = ignore.length === 0 ? invocation.args : [...invocation.args.slice(0, -2), ...ignore, ...invocation.args.slice(-2)];
    const child = spawn(tool, args, { stdio: ['ignore', 'pipe', 'pipe'], env: childEnv() });
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
        // A throw here (the caller stopping the backup) would escape the pipeline as an uncaught exception.
        try {
          onProgress?.({ method: 'mariadb-dump', table, tablesDone, tablesTotal, bytes });
        } catch (error) {
          done(error as Error);
          return;
        }
        done(null, chunk);
      },
    });
    let writeError: unknown = null;
    try {
      const withTail = async function* (source: AsyncIterable<Buffer>): AsyncGenerator<Buffer> {
        yield* source;
        if (tail) yield Buffer.from(tail, 'utf8');
      };
      await pipeline(child.stdout!, counter, withTail, createGzip({ level: GZIP_LEVEL }), createWriteStream(partial, { mode: 0o600 }));
    } catch (error) {
      writeError = error;
      child.kill('SIGKILL');
    }
    const { code, signal, stderr, spawnError } = await exited;
    if (writeError) throw writeError;
    if (spawnError) throw new ReplicoopError('backup_failed', `cannot run ${tool}: ${spawnError.message}`, { cause: spawnError });
    if (code !== 0) {
      throw new ReplicoopError(
        'backup_failed',
        `${tool} failed for ${describeTarget(target)} (${signal ?? `exit ${code}`}): ${lastLines(stderr)}`,
        {
          details: { tool, exitCode: code, target: describeTarget(target) },
        },
      );
    }
    onProgress?.({ method: 'mariadb-dump', table: null, tablesDone: tablesTotal, tablesTotal, bytes });
  } finally {
    invocation.cleanup();
  }
}

const DROP_TABLE_MARKER = Buffer.from('DROP TABLE IF EXISTS `');

export function requireSandbox(target: ConnectionTarget, action: string): void {
  if (target.role !== 'sandbox') {
    throw new ReplicoopError(
      'production_write_refused',
      `refused to ${action} ${describeTarget(target)}: only the sandbox database is backed up and restored`,
    );
  }
}

function applyRetention(dir: string, database: string, current: string, keep: number): string[] {
  const others = listBackups(dir, database).filter((b) => b.path !== current);
  const removed: string[] = [];
  for (const old of others.slice(Math.max(keep - 1, 0))) {
    removeBackupFiles(old.path);
    removed.push(old.path);
  }
  return removed;
}

function backupFailed(error: unknown, file: string): ReplicoopError {
  if (error instanceof ReplicoopError) return error;
  return new ReplicoopError('backup_failed', `backup ${file} failed: ${(error as Error).message ?? String(error)}`, {
    details: { file },
    cause: error,
  });
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

export function fsyncPath(path: string): void {
  const fd = openSync(path, 'r');
  try {
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}

/** Makes the rename durable; some platforms cannot fsync a directory, which is then skipped. */
export function fsyncDirectory(dir: string): void {
  try {
    fsyncPath(dir);
  } catch {
    // best effort
  }
}

/** A backup file and its run's whole-table backups (backup-scope.ts). */
function removeBackupFiles(path: string): void {
  removeQuietly(path);
  rmSync(tableBackupDir(path), { recursive: true, force: true });
}

export function removeQuietly(path: string): void {
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
