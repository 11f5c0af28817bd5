import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { createBackup, estimateBackupBytes, sandboxSizeBytes } from '../../../src/backup/backup.js';
import { SandboxSession } from '../../../src/db/session.js';
import { testServers, uniqueName } from '../../support/servers.js';

const { sandbox } = testServers();
const db = uniqueName('est');
const dir = mkdtempSync(join(tmpdir(), 'replicoop-estimate-'));
afterAll(async () => {
  await sandbox.dropDatabase(db);
  rmSync(dir, { recursive: true, force: true });
});

describe('the backup size estimate', () => {
  it('is near the real backup: from the data length at first, from the last backup afterwards', async () => {
    await sandbox.createDatabase(db);
    await sandbox.sql(
      `CREATE TABLE t (id INT PRIMARY KEY, txt VARCHAR(400) NOT NULL, n DECIMAL(10,2), KEY (txt(20)), KEY (n));
       INSERT INTO t SELECT seq, CONCAT(REPEAT(CHAR(65 + seq % 26), 50), MD5(seq)), seq / 7 FROM seq_1_to_100000;
       ANALYZE TABLE t`,
      db,
    );
    const session = await SandboxSession.open(sandbox.target(db, 'sandbox'));
    try {
      const first = await estimateBackupBytes(session, dir);
      const oldEstimate = await sandboxSizeBytes(session);
      const backup = await createBackup({ target: sandbox.target(db, 'sandbox'), dir, runId: 'r1', keep: 2, method: 'mariadb-dump' });
      const actual = statSync(backup.file).size;
      // Figures for the record (the old estimate was data + index length).
      console.log(`backup ${actual} bytes; estimate ${first} (data length / 2); old estimate ${oldEstimate}`);
      expect(first).toBeLessThan(oldEstimate);
      expect(first).toBeGreaterThanOrEqual(actual);
      expect(await estimateBackupBytes(session, dir)).toBe(Math.max(1024 * 1024, Math.ceil(actual * 1.25)));
    } finally {
      await session.close();
    }
  });
});
