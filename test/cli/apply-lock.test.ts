import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli, tempDir, writeConfig } from '../support/cli.js';
import { testServers, uniqueName } from '../support/servers.js';
import { SHOP_PRODUCTION, SHOP_SANDBOX, sides } from '../support/shop.js';

describe('the apply lock connection is killed on the server mid-copy', () => {
  it('the run stops before writing again, resumable, and the next apply resumes and converges', async () => {
    const { production, sandbox } = testServers();
    const productionDb = uniqueName('lockp');
    const sandboxDb = uniqueName('locks');
    await production.createDatabase(productionDb);
    await sandbox.createDatabase(sandboxDb);
    await production.sql(
      `${SHOP_PRODUCTION}\nINSERT INTO events SELECT seq, seq % 17, NULL, '2025-01-01' FROM seq_60001_to_400000`,
      productionDb,
    );
    await sandbox.sql(SHOP_SANDBOX, sandboxDb);
    const dir = tempDir();
    writeConfig(dir, sides(production.port, sandbox.port, productionDb, sandboxDb), {
      maintain: ['events'],
      copy: { chunkRows: 2000, concurrency: 1, method: 'insert' },
    });
    expect((await runCli(['plan', '-q'], { cwd: dir })).code).toBe(0);

    let finished: Awaited<ReturnType<typeof runCli>> | null = null;
    const apply = runCli(['apply', 'plan.json', '--no-validate'], { cwd: dir }).then((r) => (finished = r));
    const { default: Database } = await import('better-sqlite3');
    let rowsAtKill = 0;
    for (let i = 0; i < 1800 && !finished; i++) {
      await new Promise((r) => setTimeout(r, 50));
      try {
        const state = new Database(join(dir, '.replicoop', 'state.db'), { readonly: true });
        const row = state.prepare("SELECT MAX(rows_done) AS n FROM steps WHERE kind = 'copy_table'").get() as { n: number | null };
        state.close();
        rowsAtKill = row.n ?? 0;
        if (rowsAtKill >= 20_000) break;
      } catch {
        // not created yet
      }
    }
    expect(rowsAtKill, JSON.stringify(finished)).toBeGreaterThanOrEqual(20_000);
    const [holder] = await sandbox.sql<{ id: number | null }[]>('SELECT IS_USED_LOCK(?) AS id', undefined, [`replicoop:${sandboxDb}`]);
    expect(holder!.id).not.toBeNull();
    await sandbox.sql(`KILL ${Number(holder!.id)}`);

    const stopped = await apply;
    expect(stopped.code).toBe(1);
    expect(stopped.stderr).toContain('the apply lock of the sandbox was lost');
    // It stopped instead of copying on: far from the 340,000 rows of the table.
    const state = new Database(join(dir, '.replicoop', 'state.db'), { readonly: true });
    const after = state.prepare("SELECT status, rows_done AS n FROM steps WHERE kind = 'copy_table'").get() as {
      status: string;
      n: number;
    };
    const run = state.prepare('SELECT status FROM runs').get() as { status: string };
    state.close();
    expect(after.status).toBe('failed');
    expect(after.n).toBeLessThan(340_000);
    expect(run.status).toBe('failed');

    const resumed = await runCli(['apply', 'plan.json'], { cwd: dir });
    expect(resumed.code, resumed.stderr).toBe(0);
    expect(resumed.stderr).toContain('resuming run');
    const [prodSum] = await production.sql<{ Checksum: string }[]>('CHECKSUM TABLE events EXTENDED', productionDb);
    const [sandSum] = await sandbox.sql<{ Checksum: string }[]>('CHECKSUM TABLE events EXTENDED', sandboxDb);
    expect(sandSum!.Checksum).toBe(prodSum!.Checksum);
  });
});

describe('the apply lock connection is killed on the server during the backup', () => {
  it('the run stops before it records the backup or writes, resumable, and the next apply converges', async () => {
    const { production, sandbox } = testServers();
    const productionDb = uniqueName('lbkp');
    const sandboxDb = uniqueName('lbks');
    await production.createDatabase(productionDb);
    await sandbox.createDatabase(sandboxDb);
    await production.sql(SHOP_PRODUCTION, productionDb);
    // Rows that make the whole-database backup last seconds, so the kill lands while it runs.
    await sandbox.sql(
      `${SHOP_SANDBOX}\nINSERT INTO events SELECT seq, seq % 17, UNHEX(SHA2(seq, 256)), '2020-01-01' FROM seq_1000000_to_1800000`,
      sandboxDb,
    );
    const dir = tempDir();
    writeConfig(dir, sides(production.port, sandbox.port, productionDb, sandboxDb), {
      maintain: ['events'],
      backup: { scope: 'full' },
    });
    expect((await runCli(['plan', '-q'], { cwd: dir })).code).toBe(0);

    let finished: Awaited<ReturnType<typeof runCli>> | null = null;
    const apply = runCli(['apply', 'plan.json', '--no-validate'], { cwd: dir }).then((r) => (finished = r));
    const backups = join(dir, 'backups');
    const partial = (): boolean => existsSync(backups) && readdirSync(backups).some((f) => f.endsWith('.partial'));
    for (let i = 0; i < 3000 && !finished && !partial(); i++) await new Promise((r) => setTimeout(r, 20));
    expect(partial(), JSON.stringify(finished)).toBe(true);
    const [holder] = await sandbox.sql<{ id: number | null }[]>('SELECT IS_USED_LOCK(?) AS id', undefined, [`replicoop:${sandboxDb}`]);
    expect(holder!.id).not.toBeNull();
    await sandbox.sql(`KILL ${Number(holder!.id)}`);

    const stopped = await apply;
    expect(stopped.code, stopped.stderr).toBe(1);
    expect(stopped.stderr).toContain('the apply lock of the sandbox was lost');
    const { default: Database } = await import('better-sqlite3');
    const state = new Database(join(dir, '.replicoop', 'state.db'), { readonly: true });
    const run = state.prepare('SELECT id, status, backup_file AS backupFile FROM runs').get() as {
      id: string;
      status: string;
      backupFile: string | null;
    };
    const steps = state.prepare('SELECT DISTINCT status FROM steps').all() as { status: string }[];
    state.close();
    // Not recorded (a second apply may have written while it ran), and none left behind to be mistaken for one.
    expect(run.backupFile).toBeNull();
    expect(readdirSync(backups).filter((f) => f.endsWith('.sql.gz') || f.endsWith('.partial'))).toEqual([]);
    expect(run.status).toBe('failed');
    expect(steps.map((s) => s.status)).toEqual(['pending']);
    const [count] = await sandbox.sql<{ n: number }[]>('SELECT COUNT(*) AS n FROM events', sandboxDb);
    expect(Number(count!.n)).toBe(800_002);

    const resumed = await runCli(['apply', 'plan.json'], { cwd: dir });
    expect(resumed.code, resumed.stderr).toBe(0);
    expect(resumed.stderr).toContain(`resuming run ${run.id}`);
    expect(resumed.stderr).toContain('backup written');
    const [prodSum] = await production.sql<{ Checksum: string }[]>('CHECKSUM TABLE events EXTENDED', productionDb);
    const [sandSum] = await sandbox.sql<{ Checksum: string }[]>('CHECKSUM TABLE events EXTENDED', sandboxDb);
    expect(sandSum!.Checksum).toBe(prodSum!.Checksum);
  });
});

describe('the lock held by a statement still running (a killed apply leaves one behind)', () => {
  it('waits for it with a countdown instead of failing, then applies', async () => {
    const { production, sandbox } = testServers();
    const productionDb = uniqueName('orphp');
    const sandboxDb = uniqueName('orphs');
    await production.createDatabase(productionDb);
    await sandbox.createDatabase(sandboxDb);
    await production.sql(SHOP_PRODUCTION, productionDb);
    await sandbox.sql(SHOP_SANDBOX, sandboxDb);
    const dir = tempDir();
    writeConfig(dir, sides(production.port, sandbox.port, productionDb, sandboxDb), { maintain: ['events'] });
    expect((await runCli(['plan', '-q'], { cwd: dir })).code).toBe(0);
    // What the server does after kill -9 of an apply in the middle of a long statement: the lock stays with a busy connection.
    const orphan = await sandbox.admin();
    await orphan.query('SELECT GET_LOCK(?, 0)', [`replicoop:${sandboxDb}`]);
    const busy = orphan.query('SELECT SLEEP(6)').then(() => orphan.end());
    const applied = await runCli(['apply', 'plan.json', '--no-validate'], { cwd: dir });
    await busy;
    expect(applied.code, applied.stderr).toBe(0);
    expect(applied.stderr).toMatch(
      /the apply lock is held by connection \d+, which is running "SELECT SLEEP\(6\)".*most likely the last statement of a previous apply that was killed/,
    );
  });

  it('refuses at once when the holder is idle (a live apply)', async () => {
    const { production, sandbox } = testServers();
    const productionDb = uniqueName('idlep');
    const sandboxDb = uniqueName('idles');
    await production.createDatabase(productionDb);
    await sandbox.createDatabase(sandboxDb);
    await production.sql(SHOP_PRODUCTION, productionDb);
    await sandbox.sql(SHOP_SANDBOX, sandboxDb);
    const dir = tempDir();
    writeConfig(dir, sides(production.port, sandbox.port, productionDb, sandboxDb), { maintain: ['events'] });
    expect((await runCli(['plan', '-q'], { cwd: dir })).code).toBe(0);
    const holder = await sandbox.admin();
    try {
      await holder.query('SELECT GET_LOCK(?, 0)', [`replicoop:${sandboxDb}`]);
      const refused = await runCli(['apply', 'plan.json', '--no-validate'], { cwd: dir });
      expect(refused.code).toBe(1);
      expect(refused.stderr).toMatch(
        /another replicoop apply or rollback is running against sandbox \S+ \(lock \S+ held by connection \d+\); wait for it to finish/,
      );
    } finally {
      await holder.end();
    }
  });
});
