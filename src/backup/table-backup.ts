import { mkdirSync, renameSync, statSync, existsSync, createWriteStream } from 'node:fs';
import { dirname } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { createGzip } from 'node:zlib';
import type { ConnectionTarget } from '../config/connection-target.js';
import type { DeltaBackup, LeafChange } from '../copy/copy-task.js';
import { SandboxSession } from '../db/session.js';
import { ReplicoopError } from '../errors.js';
import { fsyncDirectory, fsyncPath, GZIP_LEVEL, removeQuietly, requireSandbox } from './backup.js';
import { rowBackupPaths, tableBackupPath } from './backup-scope.js';
import { RowBackup } from './row-backup.js';
import { builtinDump } from './builtin-dump.js';

export interface TableBackupResult {
  readonly file: string;
  readonly bytes: number;
  readonly seconds: number;
}

/**
 * The whole-table backup a scoped run takes of a table just before the delta copy first writes
 * to it (copy-on-first-write: a table the delta finds equal is never dumped). Returns null when
 * this run already holds it (a resumed run: the table may have changed since, the file is the
 * state before the run). Written to a .partial, fsynced and renamed: a kill leaves no file that
 * looks finished, and the table is not written until this returns.
 */
export async function createTableBackup(target: ConnectionTarget, mainFile: string, table: string): Promise<TableBackupResult | null> {
  requireSandbox(target, 'back up');
  const file = tableBackupPath(mainFile, table);
  if (existsSync(file)) return null;
  const started = performance.now();
  const partial = `${file}.partial`;
  removeQuietly(partial);
  const session = await SandboxSession.open(target);
  let ok = false;
  try {
    mkdirSync(dirname(file), { recursive: true, mode: 0o700 });
    await pipeline(
      builtinDump(session, 1, undefined, { relations: [table], triggers: [], routines: [], events: [] }),
      createGzip({ level: GZIP_LEVEL }),
      createWriteStream(partial, { mode: 0o600 }),
    );
    fsyncPath(partial);
    renameSync(partial, file);
    fsyncDirectory(dirname(file));
    ok = true;
  } catch (error) {
    removeQuietly(partial);
    throw new ReplicoopError(
      'backup_failed',
      `cannot back up table ${table} to ${file} before writing to it: ${(error as Error).message}`,
      {
        details: { file, table },
        cause: error,
      },
    );
  } finally {
    if (ok) await session.close();
    else session.destroy();
  }
  return { file, bytes: statSync(file).size, seconds: (performance.now() - started) / 1000 };
}

export interface SavedBackup {
  readonly kind: 'table' | 'rows';
  readonly file: string;
  readonly bytes: number;
  readonly seconds: number;
  /** The first save of this table in this process (worth a log line). */
  readonly first: boolean;
}

export interface DeltaBackupOptions {
  readonly target: ConnectionTarget;
  /** The run's main backup file (its .tables folder holds these backups). */
  readonly mainFile: string;
  readonly table: string;
  /**
   * Row by row: the names of every trigger the table has before or after the run, which the
   * rollback drops before putting rows back; each must be in the main backup, which re-creates
   * them. Null: back the table up whole before its first write.
   */
  readonly rowLevel: { readonly triggers: readonly string[] } | null;
  readonly onSaved: (saved: SavedBackup) => void;
}

/**
 * The backup of a delta-copied table during a scoped run: the rows each leaf deletes or
 * overwrites, saved just before it writes them (row-backup.ts); the whole table instead where
 * rows cannot be put back one by one (rowLevel null, a system-versioned table), and before a
 * write that may change rows outside its leaf (REPLACE). Once a whole-table backup exists it
 * covers every later write, and nothing more is saved: a rollback loads it, then puts back the
 * rows saved before it.
 */
export function deltaBackup(options: DeltaBackupOptions): DeltaBackup {
  const wholeFile = tableBackupPath(options.mainFile, options.table);
  let rows: RowBackup | null | undefined;
  let first = true;
  const saved = (s: Omit<SavedBackup, 'first'>): void => {
    options.onSaved({ ...s, first });
    first = false;
  };
  const whole = async (): Promise<void> => {
    const taken = await createTableBackup(options.target, options.mainFile, options.table);
    if (taken !== null) saved({ kind: 'table', ...taken });
  };
  return {
    async beforeLeaf(change: LeafChange): Promise<void> {
      if (existsSync(wholeFile)) return;
      if (options.rowLevel === null) return whole();
      const started = performance.now();
      const paths = rowBackupPaths(options.mainFile, options.table);
      if (rows === undefined) rows = await RowBackup.open(change.sandbox, paths, options.table, options.rowLevel.triggers);
      if (rows === null) return whole();
      const bytes = await rows.record(change);
      if (bytes > 0) saved({ kind: 'rows', file: paths.rows, bytes, seconds: (performance.now() - started) / 1000 });
    },
    async beforeWideWrite(): Promise<void> {
      if (!existsSync(wholeFile)) await whole();
    },
  };
}
