import { existsSync, statfsSync } from 'node:fs';
import { dirname } from 'node:path';
import { ReplicoopError } from '../errors.js';

/**
 * Throws backup_no_space when dir (or the nearest existing parent) has less free space than
 * neededBytes. The caller passes an estimate such as sandboxSizeBytes(): data plus index
 * length, which is usually well above the size of the compressed dump.
 */
export function checkFreeSpace(dir: string, neededBytes: number): { availableBytes: number } {
  const availableBytes = freeSpaceOf(dir);
  if (availableBytes < neededBytes) {
    throw new ReplicoopError(
      'backup_no_space',
      `not enough free space for the backup in ${dir}: about ${megabytes(neededBytes)} MB needed, ${megabytes(availableBytes)} MB available`,
      { details: { dir, neededMb: megabytes(neededBytes), availableMb: megabytes(availableBytes) } },
    );
  }
  return { availableBytes };
}

/** Bytes an unprivileged writer may still use in dir; a dir not created yet is measured at its nearest existing parent. */
export function freeSpaceOf(dir: string): number {
  let probe = dir;
  while (!existsSync(probe) && dirname(probe) !== probe) probe = dirname(probe);
  try {
    const stats = statfsSync(probe);
    return Number(stats.bavail) * Number(stats.bsize);
  } catch (error) {
    throw new ReplicoopError('backup_failed', `cannot read the free space of ${dir}: ${(error as Error).message}`, {
      details: { dir },
      cause: error,
    });
  }
}

/** Rounded up, so a shortfall never reads as "0 MB needed". */
export function megabytes(bytes: number): number {
  return Math.ceil(bytes / (1024 * 1024));
}
