import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LocalServer } from '../../dev/local-server.js';
import { runCli, tempDir, writeConfig } from '../support/cli.js';
import { freshDatabases } from '../support/converge.js';
import { testServers, uniqueName } from '../support/servers.js';
import { SHOP_MAINTAIN, SHOP_PRODUCTION, SHOP_SANDBOX, databaseState, sides } from '../support/shop.js';

const env = { MASK_SECRET: 'mask-secret-for-tests-0123' };

/** A sandbox whose structure-only table holds duplicates, so production's new UNIQUE key cannot be added. */
async function failingSetup(extra: Record<string, unknown> = {}) {
  const { production, sandbox } = testServers();
  const productionDb = uniqueName('shopf');
  const sandboxDb = uniqueName('shopfsb');
  await production.createDatabase(productionDb);
  await sandbox.createDatabase(sandboxDb);
  await production.sql(`${SHOP_PRODUCTION}\nALTER TABLE audit ADD UNIQUE KEY uk_msg (msg)`, productionDb);
  await sandbox.sql(`${SHOP_SANDBOX}\nINSERT INTO audit (msg) VALUES ('dup'), ('dup')`, sandboxDb);
  const dir = tempDir();
  writeConfig(dir, sides(production.port, sandbox.port, productionDb, sandboxDb), {
    maintain: SHOP_MAINTAIN,
    masking: { secret: '${MASK_SECRET}' },
    ...extra,
  });
  const plan = await runCli(['plan', '-q'], { cwd: dir, env });
  expect(plan.code, plan.stderr).toBe(0);
  return { dir, sandboxDb };
}

describe('apply failures', () => {
  it('a failed step keeps the run resumable, names both ways out, and rollback restores the exact pre-apply state', async () => {
    const s = await failingSetup();
    const before = databaseState(testServers().sandbox.port, s.sandboxDb);
    const failed = await runCli(['apply', 'plan.json'], { cwd: s.dir, env });
    expect(failed.code).toBe(1);
    expect(failed.stderr).toMatch(/error: apply failed: \d{4}-alter-table-audit: sandbox: Duplicate entry 'dup' for key 'uk_msg'/);
    expect(failed.stderr).toContain(
      'Ways out: fix the cause, then run "replicoop apply plan.json" again to resume from the failed step, or "replicoop rollback" to restore the backup',
    );
    const status = JSON.parse((await runCli(['status', '--json'], { cwd: s.dir, env })).stdout);
    expect(status.runs[0].status).toBe('failed');
    expect(status.runs[0].failedStep.stepId).toMatch(/alter-table-audit$/);
    const rollback = await runCli(['rollback'], { cwd: s.dir, env });
    expect(rollback.code, rollback.stderr).toBe(0);
    expect(databaseState(testServers().sandbox.port, s.sandboxDb)).toEqual(before);
  });

  it('the other way out works too: with the cause fixed, apply of the same plan resumes from the failed step and converges', async () => {
    const s = await failingSetup();
    const failed = await runCli(['apply', 'plan.json'], { cwd: s.dir, env });
    expect(failed.code).toBe(1);
    const firstRun = JSON.parse((await runCli(['status', '--json'], { cwd: s.dir, env })).stdout).runs[0];
    // The cause: the sandbox's duplicate rows that production's new UNIQUE key refuses.
    await testServers().sandbox.sql("DELETE FROM audit WHERE msg = 'dup' LIMIT 1", s.sandboxDb);
    const resumed = await runCli(['apply', 'plan.json'], { cwd: s.dir, env });
    expect(resumed.code, resumed.stderr).toBe(0);
    expect(resumed.stderr).toContain('validation passed');
    const status = JSON.parse((await runCli(['status', '--json'], { cwd: s.dir, env })).stdout);
    expect(status.runs[0].id).toBe(firstRun.id);
    expect(status.runs[0].status).toBe('done');
    const again = await runCli(['plan', '-q', '--detailed-exitcode', '-o', 'again.json'], { cwd: s.dir, env });
    expect(again.code, again.stdout + again.stderr).toBe(0);
  });

  it('--rollback-on-failure restores the backup by itself', async () => {
    const s = await failingSetup();
    const before = databaseState(testServers().sandbox.port, s.sandboxDb);
    const failed = await runCli(['apply', 'plan.json', '--rollback-on-failure'], { cwd: s.dir, env });
    expect(failed.code).toBe(1);
    expect(failed.stderr).toContain('the sandbox was restored from its backup (rolled back)');
    expect(databaseState(testServers().sandbox.port, s.sandboxDb)).toEqual(before);
    const report = readFileSync(
      join(
        s.dir,
        'reports',
        (await import('node:fs')).readdirSync(join(s.dir, 'reports')).find((f) => f.endsWith('.json'))!,
      ),
      'utf8',
    );
    expect(JSON.parse(report)).toMatchObject({ success: false, status: 'rolled_back' });
  });
});

describe('the sandbox server dies mid-apply', () => {
  let production: LocalServer;
  let sandbox: LocalServer;
  beforeAll(async () => {
    [production, sandbox] = await Promise.all([LocalServer.start({ name: 'crash-prod' }), LocalServer.start({ name: 'crash-sandbox' })]);
  });
  afterAll(async () => {
    await Promise.all([production?.destroy(), sandbox?.destroy()]);
  });

  it('kill -9 of the sandbox server during the copy, restart, apply again: resumes and converges', async () => {
    const db = 'shop';
    await production.sql(`CREATE DATABASE ${db}`);
    await sandbox.sql(`CREATE DATABASE ${db}`);
    await production.sql(`${SHOP_PRODUCTION}\nINSERT INTO events SELECT seq, seq % 17, NULL, '2025-01-01' FROM seq_60001_to_400000`, db);
    await sandbox.sql(SHOP_SANDBOX, db);
    const dir = tempDir();
    writeConfig(dir, sides(production.port, sandbox.port, db, db), {
      maintain: ['events'],
      copy: { chunkRows: 2000, concurrency: 1, method: 'insert' },
    });
    expect((await runCli(['plan', '-q'], { cwd: dir })).code).toBe(0);

    const apply = runCli(['apply', 'plan.json', '--no-validate'], { cwd: dir });
    // Wait until the copy has committed some chunks, then pull the plug on the sandbox server.
    const { default: Database } = await import('better-sqlite3');
    for (let i = 0; i < 600; i++) {
      await new Promise((r) => setTimeout(r, 50));
      try {
        const state = new Database(join(dir, '.replicoop', 'state.db'), { readonly: true });
        const row = state.prepare("SELECT MAX(rows_done) AS n FROM steps WHERE kind = 'copy_table'").get() as { n: number | null };
        state.close();
        if ((row.n ?? 0) >= 20_000) break;
      } catch {
        // not created yet
      }
    }
    await sandbox.kill();
    const crashed = await apply;
    expect(crashed.code).toBe(1);
    await sandbox.launch();
    const resumed = await runCli(['apply', 'plan.json'], { cwd: dir });
    expect(resumed.code, resumed.stderr).toBe(0);
    expect(resumed.stderr).toContain('resuming run');
    const [prodSum] = (await production.sql('CHECKSUM TABLE events EXTENDED', db)) as { Checksum: string }[];
    const [sandSum] = (await sandbox.sql('CHECKSUM TABLE events EXTENDED', db)) as { Checksum: string }[];
    expect(sandSum!.Checksum).toBe(prodSum!.Checksum);
    const replan = await runCli(['plan', '-q', '--detailed-exitcode', '-o', 'again.json'], { cwd: dir });
    expect(replan.code).toBe(0);
  });
});

describe('a DDL step interrupted between its statements', () => {
  it('resumes after the statements that committed (re-running them would fail: the column exists)', async () => {
    const { production, sandbox } = testServers();
    const { production: productionDb, sandbox: sandboxDb } = await freshDatabases('ddlstmt');
    await sandbox.sql(
      `CREATE TABLE pt (id INT NOT NULL, d DATE NOT NULL, PRIMARY KEY (id, d)) PARTITION BY RANGE (YEAR(d)) (PARTITION p0 VALUES LESS THAN (2020), PARTITION pmax VALUES LESS THAN MAXVALUE);
       INSERT INTO pt VALUES (1, '2019-05-05'), (2, '2021-05-05')`,
      sandboxDb,
    );
    await production.sql(
      `CREATE TABLE pt (id INT NOT NULL, d DATE NOT NULL, note VARCHAR(10), PRIMARY KEY (id)) PARTITION BY HASH (id) PARTITIONS 2`,
      productionDb,
    );
    const dir = tempDir();
    writeConfig(dir, sides(production.port, sandbox.port, productionDb, sandboxDb));
    expect((await runCli(['plan', '-q'], { cwd: dir })).code).toBe(0);
    const step = (JSON.parse(readFileSync(join(dir, 'plan.json'), 'utf8')) as { steps: { id: string; sql: string[] }[] }).steps.find((s) =>
      s.id.includes('alter-table-pt'),
    )!;
    expect(step.sql.map((sql) => sql.split('\n')[0])).toEqual([
      'ALTER TABLE `pt` REMOVE PARTITIONING',
      'ALTER TABLE `pt`',
      'ALTER TABLE `pt` PARTITION BY HASH (`id`) PARTITIONS 2',
    ]);
    // Killed before the third statement: the first two (partitioning removed, column added) committed.
    const crashed = await runCli(['apply', 'plan.json'], { cwd: dir, env: { REPLICOOP_FAULT: `statement:${step.id}:3` } });
    expect(crashed.signal).toBe('SIGKILL');
    const resumed = await runCli(['apply', 'plan.json'], { cwd: dir });
    expect(resumed.code, resumed.stderr).toBe(0);
    expect((await runCli(['plan', '-q', '--detailed-exitcode'], { cwd: dir })).code).toBe(0);
    const rows = await sandbox.sql<{ n: number }[]>('SELECT COUNT(*) AS n FROM pt', sandboxDb);
    expect(Number(rows[0]!.n)).toBe(2);
  });
});
