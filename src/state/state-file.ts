/**
 * The state file itself (state-store.ts keeps the runs in it): opening it in WAL mode, refusing a
 * path that holds something else, creating or checking its schema, and the one error a broken
 * file becomes.
 */
import Database from 'better-sqlite3';
import { closeSync, existsSync, mkdirSync, openSync, readSync, statSync } from 'node:fs';
import { dirname } from 'node:path';
import { ReplicoopError } from '../errors.js';

const SCHEMA_VERSION = 1;

const SCHEMA = `
CREATE TABLE runs (
  id TEXT PRIMARY KEY,
  plan_checksum TEXT NOT NULL,
  plan_path TEXT NOT NULL,
  target TEXT NOT NULL,
  target_server_id TEXT NOT NULL,
  started_at TEXT NOT NULL,
  finished_at TEXT,
  status TEXT NOT NULL CHECK (status IN ('running', 'done', 'failed', 'abandoned', 'rolled_back')),
  backup_file TEXT,
  error TEXT
);
CREATE INDEX runs_by_target ON runs (target, started_at);
CREATE TABLE steps (
  run_id TEXT NOT NULL REFERENCES runs (id) ON DELETE CASCADE,
  step_id TEXT NOT NULL,
  position INTEGER NOT NULL,
  phase TEXT NOT NULL,
  kind TEXT NOT NULL,
  status TEXT NOT NULL CHECK (status IN ('pending', 'running', 'done', 'failed', 'skipped')),
  started_at TEXT,
  finished_at TEXT,
  error TEXT,
  rows_done INTEGER NOT NULL DEFAULT 0,
  resume_key TEXT,
  PRIMARY KEY (run_id, step_id)
);
CREATE TABLE checkpoints (
  run_id TEXT NOT NULL REFERENCES runs (id) ON DELETE CASCADE,
  name TEXT NOT NULL,
  at TEXT NOT NULL,
  PRIMARY KEY (run_id, name)
);
`;

const SQLITE_HEADER = Buffer.from('SQLite format 3\0', 'latin1');

/**
 * Opens the state file, creating it (and its directory) when missing, with the store's
 * durability settings (state-store.ts). Refuses foreign files.
 */
export function openStateFile(file: string, busyTimeoutMs: number): Database.Database {
  refuseForeignFile(file);
  let db: Database.Database | undefined;
  try {
    mkdirSync(dirname(file), { recursive: true });
    db = new Database(file, { timeout: busyTimeoutMs });
    db.pragma('journal_mode = WAL');
    db.pragma('synchronous = NORMAL');
    db.pragma('foreign_keys = ON');
    migrate(db, file);
    return db;
  } catch (error) {
    db?.close();
    throw unavailable(file, error);
  }
}

/**
 * A path that holds something other than a SQLite database (a config file given by mistake, a
 * truncated copy) must be reported, never initialised over.
 */
function refuseForeignFile(file: string): void {
  let size: number;
  try {
    if (!existsSync(file)) return;
    const stat = statSync(file);
    if (stat.isDirectory()) throw new ReplicoopError('state_unavailable', `state file ${file} is a directory`);
    size = stat.size;
  } catch (error) {
    throw unavailable(file, error);
  }
  // SQLite itself treats an empty file as an empty database.
  if (size === 0) return;
  const header = Buffer.alloc(SQLITE_HEADER.length);
  let read: number;
  try {
    const fd = openSync(file, 'r');
    try {
      read = readSync(fd, header, 0, header.length, 0);
    } finally {
      closeSync(fd);
    }
  } catch (error) {
    throw unavailable(file, error);
  }
  if (read < header.length || !header.equals(SQLITE_HEADER)) {
    throw new ReplicoopError(
      'state_unavailable',
      `state file ${file} is not a SQLite database (left untouched; move it away or point "state" elsewhere)`,
      {
        details: { file },
      },
    );
  }
}

function migrate(db: Database.Database, file: string): void {
  const version = db.pragma('user_version', { simple: true }) as number;
  if (version === SCHEMA_VERSION) return;
  if (version > SCHEMA_VERSION) {
    throw new ReplicoopError(
      'state_unavailable',
      `state file ${file} was written by a newer replicoop (schema ${version}, this one knows ${SCHEMA_VERSION})`,
      {
        details: { file, schemaVersion: version },
      },
    );
  }
  db.transaction(() => {
    const tables = db.prepare("SELECT count(*) AS n FROM sqlite_master WHERE type = 'table'").get() as { n: number };
    if (tables.n > 0) {
      throw new ReplicoopError('state_unavailable', `state file ${file} is a SQLite database of some other program (left untouched)`, {
        details: { file },
      });
    }
    db.exec(SCHEMA);
    db.pragma(`user_version = ${SCHEMA_VERSION}`);
  }).immediate();
}

export function unavailable(file: string, error: unknown): ReplicoopError {
  if (error instanceof ReplicoopError) return error;
  const e = error as { code?: string; message?: string };
  const reason = (e.message ?? String(error)).split('\n')[0];
  return new ReplicoopError('state_unavailable', `state file ${file} is unusable: ${reason}${e.code ? ` (${e.code})` : ''}`, {
    details: { file, driverCode: e.code ?? null },
    cause: error,
  });
}
