import type { Connection } from 'mysql2/promise';
import { describe, expect, it } from 'vitest';
import { runCli, tempDir, writeConfig, type CliResult } from '../support/cli.js';
import { testServers, uniqueName } from '../support/servers.js';
import { SHOP_MAINTAIN, SHOP_PRODUCTION, SHOP_SANDBOX, databaseState, sides } from '../support/shop.js';

const env = { MASK_SECRET: 'mask-secret-for-tests-0123' };
/**
 * The same on both sides, so no step touches them; only a restore's drop phase does, views
 * before tables (so something is always dropped before keepme).
 */
const KEEPME = 'CREATE TABLE keepme (id INT PRIMARY KEY); INSERT INTO keepme VALUES (1); CREATE VIEW keepme_v AS SELECT id FROM keepme;';

/** Like apply-failures.test.ts: production's new UNIQUE key cannot be added over the sandbox's duplicates. */
async function setup(failing: boolean) {
  const { production, sandbox } = testServers();
  const productionDb = uniqueName('rbip');
  const sandboxDb = uniqueName('rbis');
  await production.createDatabase(productionDb);
  await sandbox.createDatabase(sandboxDb);
  await production.sql(`${SHOP_PRODUCTION}\n${KEEPME}\nALTER TABLE audit ADD UNIQUE KEY uk_msg (msg)`, productionDb);
  await sandbox.sql(`${SHOP_SANDBOX}\n${KEEPME}\n${failing ? "INSERT INTO audit (msg) VALUES ('dup'), ('dup')" : ''}`, sandboxDb);
  const dir = tempDir();
  writeConfig(dir, sides(production.port, sandbox.port, productionDb, sandboxDb), {
    maintain: SHOP_MAINTAIN,
    masking: { secret: '${MASK_SECRET}' },
    // The whole database: its restore drops everything first (a scoped one drops only what it covers).
    backup: { scope: 'full' },
  });
  const plan = await runCli(['plan', '-q'], { cwd: dir, env });
  expect(plan.code, plan.stderr).toBe(0);
  return { dir, sandboxDb };
}

/**
 * Holds a read lock on keepme, so that the restore's DROP TABLE keepme waits, and kills the
 * restore's connection there: deterministically, the restore fails in its drop phase with
 * keepme_v (at least) already dropped.
 */
async function failTheDropPhase(sandboxDb: string, run: () => Promise<CliResult>): Promise<CliResult> {
  const { sandbox } = testServers();
  const locker: Connection = await sandbox.admin(sandboxDb);
  const watcher = await sandbox.admin();
  try {
    await locker.query('LOCK TABLES keepme READ');
    const running = run();
    let killed = false;
    for (let i = 0; i < 3000 && !killed; i++) {
      const [rows] = await watcher.query(
        `SELECT ID FROM information_schema.PROCESSLIST WHERE INFO LIKE 'DROP TABLE IF EXISTS %keepme%' AND STATE LIKE '%metadata lock%'`,
      );
      const id = (rows as { ID: number }[])[0]?.ID;
      if (id !== undefined) {
        await watcher.query(`KILL CONNECTION ${Number(id)}`);
        killed = true;
      } else await new Promise((r) => setTimeout(r, 20));
    }
    expect(killed).toBe(true);
    return await running;
  } finally {
    await locker.query('UNLOCK TABLES');
    await Promise.all([locker.end(), watcher.end()]);
  }
}

async function statusOf(dir: string): Promise<{ status: string; next: string; runId: string; text: string }> {
  const json = JSON.parse((await runCli(['status', '--json'], { cwd: dir, env })).stdout) as {
    runs: { id: string; status: string }[];
    next: string;
  };
  const text = (await runCli(['status'], { cwd: dir, env })).stdout;
  return { status: json.runs[0]!.status, next: json.next, runId: json.runs[0]!.id, text };
}

describe('a rollback that stops in its drop phase', () => {
  it('apply --rollback-on-failure: the run is marked rollback incomplete, status offers rollback --run (no resume), and that restores the sandbox exactly', async () => {
    const s = await setup(true);
    const before = databaseState(testServers().sandbox.port, s.sandboxDb);
    const failed = await failTheDropPhase(s.sandboxDb, () => runCli(['apply', 'plan.json', '--rollback-on-failure'], { cwd: s.dir, env }));
    expect(failed.code).toBe(1);
    expect(failed.stderr).toContain('rolling back: restoring');
    expect(failed.stderr).toMatch(/dropping the sandbox's objects before loading the backup failed after \d+ were dropped/);
    const status = await statusOf(s.dir);
    expect(failed.stderr).toContain(`Then run: replicoop rollback --run ${status.runId}`);
    expect(status.status).toBe('abandoned');
    expect(status.text).toContain('rollback incomplete');
    expect(status.next).toMatch(new RegExp(`^replicoop rollback --run ${status.runId} `));
    expect(status.next).not.toContain('replicoop apply');

    const again = await runCli(['rollback', '--run', status.runId], { cwd: s.dir, env });
    expect(again.code, again.stderr).toBe(0);
    expect(databaseState(testServers().sandbox.port, s.sandboxDb)).toEqual(before);
    expect((await statusOf(s.dir)).status).toBe('rolled_back');
  });

  it('replicoop rollback: the same, for a run that applied', async () => {
    const s = await setup(false);
    const before = databaseState(testServers().sandbox.port, s.sandboxDb);
    const applied = await runCli(['apply', 'plan.json', '--no-validate'], { cwd: s.dir, env });
    expect(applied.code, applied.stderr).toBe(0);
    const failed = await failTheDropPhase(s.sandboxDb, () => runCli(['rollback'], { cwd: s.dir, env }));
    expect(failed.code).toBe(1);
    const status = await statusOf(s.dir);
    expect(failed.stderr).toMatch(/dropping the sandbox's objects before loading the backup failed after \d+ were dropped/);
    expect(failed.stderr).toContain(`Then run: replicoop rollback --run ${status.runId}`);
    expect(status.status).toBe('abandoned');
    expect(status.next).toMatch(new RegExp(`^replicoop rollback --run ${status.runId} `));

    const again = await runCli(['rollback', '--run', status.runId], { cwd: s.dir, env });
    expect(again.code, again.stderr).toBe(0);
    expect(databaseState(testServers().sandbox.port, s.sandboxDb)).toEqual(before);
  });
});
