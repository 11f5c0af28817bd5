import { mkdirSync, renameSync, statSync, existsSync, createWriteStream } from 'node:fs';
import { dirname } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { createGzip } from 'node:zlib';
import type { ConnectionTarget } from '../config/connection-target.js';
import { SandboxSession } from '../db/session.js';
import { ReplicoopError } from '../errors.js';
import { fsyncDirectory, fsyncPath, GZIP_LEVEL, removeQuietly, requireSandbox } from './backup.js';
import { tableBackupPath } from './backup-scope.js';
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
