import { mkdtempSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { backupFileName, ensureBackupSpace } from '../../../src/backup/backup.js';
import { ReplicoopError } from '../../../src/errors.js';

const dirs: string[] = [];
afterAll(() => {
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

/** A directory with backups of shop, one a day, each `size` bytes; and a disk of `disk` bytes holding them. */
function withBackups(count: number, size: number): string {
  const dir = mkdtempSync(join(tmpdir(), 'replicoop-space-'));
  dirs.push(dir);
  for (let i = 0; i < count; i++)
    writeFileSync(join(dir, backupFileName('shop', new Date(Date.UTC(2026, 0, 1 + i)), `r${i}`)), Buffer.alloc(size));
  writeFileSync(join(dir, 'someone-elses-file.sql.gz'), Buffer.alloc(size));
  return dir;
}

/** Free space of a small disk that holds only this directory. */
const disk = (total: number) => (dir: string) => total - readdirSync(dir).reduce((sum, name) => sum + statSync(join(dir, name)).size, 0);

describe('ensureBackupSpace', () => {
  it('deletes nothing when there is room', () => {
    const dir = withBackups(3, 1000);
    expect(ensureBackupSpace(dir, 'shop', 1000, 2, disk(10_000))).toEqual([]);
    expect(readdirSync(dir)).toHaveLength(4);
  });

  it("deletes replicoop's own oldest backups first, only those retention would delete anyway, then goes on", () => {
    const dir = withBackups(4, 1000);
    // 5,000 used of 6,500: 1,500 free, 2,500 needed -> the oldest one goes, then there is room.
    const removed = ensureBackupSpace(dir, 'shop', 2500, 2, disk(6500));
    expect(removed.map((p) => p.split('/').pop())).toEqual([backupFileName('shop', new Date(Date.UTC(2026, 0, 1)), 'r0')]);
    expect(readdirSync(dir).sort()).toEqual(
      [
        backupFileName('shop', new Date(Date.UTC(2026, 0, 2)), 'r1'),
        backupFileName('shop', new Date(Date.UTC(2026, 0, 3)), 'r2'),
        backupFileName('shop', new Date(Date.UTC(2026, 0, 4)), 'r3'),
        'someone-elses-file.sql.gz',
      ].sort(),
    );
  });

  it('refuses when even that is not enough, keeping the newest keep - 1 backups and other files', () => {
    const dir = withBackups(3, 1000);
    let error: unknown;
    try {
      ensureBackupSpace(dir, 'shop', 5000, 2, disk(4500));
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ReplicoopError);
    expect((error as ReplicoopError).code).toBe('backup_no_space');
    expect((error as Error).message).toMatch(/after deleting 2 old backup\(s\); 1 newer backup\(s\) of shop are kept \(backup\.keep = 2\)/);
    expect(readdirSync(dir).sort()).toEqual(
      [backupFileName('shop', new Date(Date.UTC(2026, 0, 3)), 'r2'), 'someone-elses-file.sql.gz'].sort(),
    );
  });
});
