import type { SandboxSession } from '../db/session.js';
import { ReplicoopError } from '../errors.js';

/**
 * One apply (or rollback) at a time per sandbox: a named server lock on the sandbox connection,
 * which the server frees by itself if the process dies.
 */
export function lockName(database: string): string {
  return `replicoop:${database}`.slice(0, 64);
}

export async function acquireApplyLock(sandbox: SandboxSession): Promise<void> {
  const name = lockName(sandbox.database);
  const [row] = await sandbox.query<{ got: number | string | null }>('SELECT GET_LOCK(?, 0) AS got', [name]);
  if (Number(row?.got) !== 1) {
    const [holder] = await sandbox.query<{ holder: number | string | null }>('SELECT IS_USED_LOCK(?) AS holder', [name]);
    throw new ReplicoopError('sandbox_locked', `another replicoop apply or rollback is running against sandbox ${sandbox.database} (lock ${name} held by connection ${String(holder?.holder ?? '?')}); wait for it to finish`);
  }
}

export async function releaseApplyLock(sandbox: SandboxSession): Promise<void> {
  await sandbox.query('SELECT RELEASE_LOCK(?)', [lockName(sandbox.database)]);
}
