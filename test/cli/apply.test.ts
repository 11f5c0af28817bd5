import { existsSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import mysql from 'mysql2/promise';
import { beforeAll, describe, expect, it } from 'vitest';
import { runCli, tempDir, writeConfig } from '../support/cli.js';
import { fixturesFound, loadFixtureDatabases } from '../support/fixtures.js';
import { testServers, uniqueName } from '../support/servers.js';
import { SHOP_MAINTAIN, SHOP_PRODUCTION, SHOP_SANDBOX, databaseState, sides } from '../support/shop.js';

const SECRET = 'mask-secret-for-tests-0123';

interface Setup {
  readonly dir: string;
  readonly productionDb: string;
  readonly sandboxDb: string;
}

async function setup(extra: Record<string, unknown> = {}): Promise<Setup> {
  const { production, sandbox } = testServers();
  const productionDb = uniqueName('shop');
  const sandboxDb = uniqueName('shopsb');
  await production.createDatabase(productionDb);
  await sandbox.createDatabase(sandboxDb);
  await production.sql(SHOP_PRODUCTION, productionDb);
  await sandbox.sql(SHOP_SANDBOX, sandboxDb);
  const dir = tempDir();
  writeConfig(dir, sides(production.port, sandbox.port, productionDb, sandboxDb), {
    maintain: SHOP_MAINTAIN,
    masking: { secret: '${MASK_SECRET}' },
    copy: { chunkRows: 1000, concurrency: 2 },
    ...extra,
  });
  return { dir, productionDb, sandboxDb };
}

const env = { MASK_SECRET: SECRET };

async function plan(s: Setup, args: string[] = []) {
  const result = await runCli(['plan', '-q', ...args], { cwd: s.dir, env });
  expect(result.code, result.stderr).toBe(0);
  return result;
}

async function count(database: string, sql: string): Promise<number> {
  const rows = await testServers().sandbox.sql<{ n: number }[]>(sql, database);
  return Number(rows[0]!.n);
}

/** After apply: structure converged (next plan has no schema change) and the data is exact. */
async function assertConverged(s: Setup): Promise<void> {
  const replan = await runCli(['plan', '-q', '--detailed-exitcode', '-o', 'replan.json'], { cwd: s.dir, env });
  expect(replan.code, replan.stdout + replan.stderr).toBe(0);
  const { production, sandbox } = testServers();
  for (const table of ['countries', 'events']) {
    const [prod] = await production.sql<{ Checksum: string }[]>(`CHECKSUM TABLE \`${table}\` EXTENDED`, s.productionDb);
    const [sand] = await sandbox.sql<{ Checksum: string }[]>(`CHECKSUM TABLE \`${table}\` EXTENDED`, s.sandboxDb);
    expect(sand!.Checksum, table).toBe(prod!.Checksum);
  }
  expect(await count(s.sandboxDb, 'SELECT COUNT(*) AS n FROM customers')).toBe(1800);
  // orders follow the customers' where (subset closure): only orders of customers that are copied.
  expect(await count(s.sandboxDb, 'SELECT COUNT(*) AS n FROM orders')).toBe(18000);
  expect(
    await count(s.sandboxDb, 'SELECT COUNT(*) AS n FROM orders o LEFT JOIN customers c ON c.id = o.customer_id WHERE c.id IS NULL'),
  ).toBe(0);
  expect(await count(s.sandboxDb, "SELECT COUNT(*) AS n FROM customers WHERE email LIKE '%@shop.example'")).toBe(0);
  expect(await count(s.sandboxDb, 'SELECT COUNT(DISTINCT email) AS n FROM customers')).toBe(1800);
  expect(await count(s.sandboxDb, 'SELECT COUNT(*) AS n FROM events')).toBe(60000);
  // Structure-only table: sandbox rows kept; the trigger did not fire while orders were copied.
  expect(await count(s.sandboxDb, 'SELECT COUNT(*) AS n FROM audit')).toBe(2);
}

describe('replicoop apply', () => {
  beforeAll(() => {
    expect(existsSync(join(process.cwd(), 'dist', 'src', 'cli', 'main.js'))).toBe(true);
  });

  it('applies a plan: backup, structure, masked data, post steps, report and log; a new plan is then empty', async () => {
    const s = await setup();
    await plan(s);
    const before = databaseState(testServers().sandbox.port, s.sandboxDb);
    // Not a terminal: copy progress comes as plain lines (here every millisecond instead of 10 s).
    const result = await runCli(['apply', 'plan.json'], { cwd: s.dir, env: { ...env, REPLICOOP_PROGRESS_MS: '1' } });
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toContain('## replicoop apply succeeded');
    expect(result.stdout).toContain('| Records replicated | 79,805 |');
    expect(result.stderr).toMatch(/^copying events: [\d,]+ \/ ~60,000 rows \(\d+%\)/m);
    // The closing validation reports its progress the same way.
    expect(result.stderr).toMatch(/^validating \d\/4 tables, \d+\/\d+ chunks, [\d,]+ rows/m);
    await assertConverged(s);
    const reports = readdirSync(join(s.dir, 'reports'));
    expect(reports.filter((f) => f.endsWith('.json'))).toHaveLength(1);
    const report = JSON.parse(
      readFileSync(
        join(
          s.dir,
          'reports',
          reports.find((f) => f.endsWith('.json'))!,
        ),
        'utf8',
      ),
    );
    expect(report).toMatchObject({
      success: true,
      total_records_replicated: 79805,
      maintain_tables: 4,
      maintain_table_names: ['countries', 'customers', 'events', 'orders'], // copy order: parents first
      errors: [],
    });
    expect(report.tables_processed).toBe(report.maintain_tables + report.structure_only_tables);
    expect(report.checkpoints.map((c: { name: string }) => c.name)).toEqual([
      'config_loaded',
      'connections_established',
      'backup_created',
      'structures_analyzed',
      'replication_planned',
      'structures_replicated',
      'data_replicated',
      ...(report.validation ? ['validation_completed'] : []),
      'operation_finished',
    ]);
    const logs = readdirSync(join(s.dir, 'logs'));
    expect(logs[0]).toMatch(/^replicoop_\d{8}\.log$/);
    const log = readFileSync(join(s.dir, 'logs', logs[0]!), 'utf8');
    expect(log).toContain('checkpoint backup_created');
    expect(log).toMatch(/progress: events: [\d,]+ \/ ~60,000 rows/);
    for (const text of [log, JSON.stringify(report), readFileSync(join(s.dir, 'plan.json'), 'utf8')]) expect(text).not.toContain(SECRET);

    // Rollback restores the exact pre-apply state: same schema dump, same CHECKSUM TABLE everywhere.
    const rollback = await runCli(['rollback'], { cwd: s.dir, env });
    expect(rollback.code, rollback.stderr).toBe(0);
    expect(databaseState(testServers().sandbox.port, s.sandboxDb)).toEqual(before);
    const status = await runCli(['status'], { cwd: s.dir, env });
    expect(status.stdout).toContain('rolled_back');
  });

  it('refuses a tampered, truncated, stale or foreign plan and writes nothing', async () => {
    const s = await setup();
    await plan(s);
    const before = databaseState(testServers().sandbox.port, s.sandboxDb);
    const original = readFileSync(join(s.dir, 'plan.json'), 'utf8');

    writeFileSync(join(s.dir, 'edited.json'), original.replace('DROP TABLE `old_stuff`', 'DROP TABLE `audit`'));
    const edited = await runCli(['apply', 'edited.json'], { cwd: s.dir, env });
    expect(edited.code).toBe(1);
    expect(edited.stderr).toContain('error: edited.json was modified after it was created (checksum mismatch)');

    writeFileSync(join(s.dir, 'truncated.json'), original.slice(0, original.length / 2));
    const truncated = await runCli(['apply', 'truncated.json'], { cwd: s.dir, env });
    expect(truncated.code).toBe(1);
    expect(truncated.stderr).toContain('error: truncated.json is not valid JSON (truncated or edited?)');

    const missing = await runCli(['apply', 'nope.json'], { cwd: s.dir, env });
    expect(missing.code).toBe(1);
    expect(missing.stderr).toContain('error: nope.json: file not found (run replicoop plan first)');

    // Another sandbox database than the plan's target.
    const otherDb = uniqueName('other');
    await testServers().sandbox.createDatabase(otherDb);
    const otherDir = tempDir();
    writeConfig(otherDir, sides(testServers().production.port, testServers().sandbox.port, s.productionDb, otherDb), {
      maintain: SHOP_MAINTAIN,
      masking: { secret: SECRET },
    });
    writeFileSync(join(otherDir, 'plan.json'), original);
    const wrong = await runCli(['apply', 'plan.json'], { cwd: otherDir, env });
    expect(wrong.code).toBe(1);
    expect(wrong.stderr).toMatch(
      /error: plan\.json was made for sandbox shopsb_\w+ on server .*, but the configured sandbox is other_\w+ on .*; refusing to use it here/,
    );

    // The sandbox changed after the plan was made.
    await testServers().sandbox.sql('ALTER TABLE audit ADD COLUMN sneaky INT', s.sandboxDb);
    const stale = await runCli(['apply', 'plan.json'], { cwd: s.dir, env });
    expect(stale.code).toBe(1);
    expect(stale.stderr).toContain(
      'error: the sandbox changed since the plan was made (alter table audit); run replicoop plan again, or apply anyway with --force',
    );
    await testServers().sandbox.sql('ALTER TABLE audit DROP COLUMN sneaky', s.sandboxDb);

    expect(existsSync(join(s.dir, '.replicoop', 'state.db'))).toBe(false);
    expect(existsSync(join(s.dir, 'backups'))).toBe(false);
    expect(databaseState(testServers().sandbox.port, s.sandboxDb)).toEqual(before);
  });

  it('refuses to run while another apply holds the sandbox lock', async () => {
    const s = await setup();
    await plan(s);
    const holder = await mysql.createConnection({ host: '127.0.0.1', port: testServers().sandbox.port, user: 'root', password: '' });
    try {
      await holder.query('SELECT GET_LOCK(?, 0)', [`replicoop:${s.sandboxDb}`]);
      const result = await runCli(['apply', 'plan.json'], { cwd: s.dir, env });
      expect(result.code).toBe(1);
      expect(result.stderr).toMatch(
        /error: another replicoop apply or rollback is running against sandbox shopsb_\w+ \(lock replicoop:shopsb_\w+ held by connection \d+\); wait for it to finish/,
      );
    } finally {
      await holder.end();
    }
    expect(existsSync(join(s.dir, '.replicoop', 'state.db'))).toBe(false);
  });

  const crashPoints: [string, (steps: string[]) => string, string?][] = [
    ['during the backup', () => 'backup'],
    ['between two DDL steps', (steps) => `after:${steps.find((id) => id.includes('alter-table'))!}`],
    [
      'after an ALTER committed but before it was recorded',
      (steps) => `committed:${steps.find((id) => id.includes('alter-table-orders'))!}`,
      'alter-table-orders: already applied before the interruption',
    ],
    ['in the middle of a multi-statement step', (steps) => `statement:${steps.find((id) => id.includes('create-trigger'))!}:2`],
    ['after the first chunk of a copy', (steps) => `chunk:${steps.find((id) => id.includes('copy-table-events'))!}:1`],
    ['deep inside a copy', (steps) => `chunk:${steps.find((id) => id.includes('copy-table-events'))!}:37`],
  ];
  for (const [label, point, expectedNote] of crashPoints) {
    it(`resumes after kill -9 ${label}: converges with no duplicate or missing rows`, async () => {
      const s = await setup();
      await plan(s);
      const steps = (JSON.parse(readFileSync(join(s.dir, 'plan.json'), 'utf8')) as { steps: { id: string }[] }).steps.map((x) => x.id);
      const crashed = await runCli(['apply', 'plan.json'], { cwd: s.dir, env: { ...env, REPLICOOP_FAULT: point(steps) } });
      expect(crashed.signal).toBe('SIGKILL');
      const status = await runCli(['status', '--json'], { cwd: s.dir, env });
      expect(JSON.parse(status.stdout).runs[0].status).toBe('running');
      const resumed = await runCli(['apply', 'plan.json'], { cwd: s.dir, env });
      expect(resumed.code, resumed.stderr).toBe(0);
      expect(resumed.stderr).toMatch(/resuming run \d{8}-\d{6}-[0-9a-f]{4}/);
      if (expectedNote) expect(resumed.stderr).toContain(expectedNote);
      await assertConverged(s);
      const duplicates = await count(s.sandboxDb, 'SELECT COUNT(*) - COUNT(DISTINCT id) AS n FROM events');
      expect(duplicates).toBe(0);
    });
  }

  it('a different plan while a run is unfinished is refused, naming --restart and rollback; --restart starts over', async () => {
    const s = await setup();
    await plan(s);
    const steps = (JSON.parse(readFileSync(join(s.dir, 'plan.json'), 'utf8')) as { steps: { id: string }[] }).steps.map((x) => x.id);
    const crashed = await runCli(['apply', 'plan.json'], { cwd: s.dir, env: { ...env, REPLICOOP_FAULT: `after:${steps[0]}` } });
    expect(crashed.signal).toBe('SIGKILL');
    await runCli(['plan', '-q', '-o', 'second.json', '--force'], { cwd: s.dir, env });
    const second = await runCli(['plan', '-q', '-o', 'second.json'], { cwd: s.dir, env });
    expect(second.code).toBe(0);
    const refused = await runCli(['apply', 'second.json'], { cwd: s.dir, env });
    expect(refused.code).toBe(1);
    expect(refused.stderr).toMatch(
      /of another plan \(plan\.json\) is unfinished for this sandbox \(running\); resume it with replicoop apply plan\.json, or abandon it and apply this plan with replicoop apply second\.json --restart, or restore its backup with replicoop rollback --run \S+/,
    );
    const restarted = await runCli(['apply', 'second.json', '--restart'], { cwd: s.dir, env });
    expect(restarted.code, restarted.stderr).toBe(0);
    expect(restarted.stderr).toContain('(--restart)');
    await assertConverged(s);
  });
});

describe('replicoop apply options', () => {
  it('--force applies over a drifted sandbox (loudly); --no-backup skips the backup and rollback then says there is none', async () => {
    const s = await setup();
    await plan(s);
    await testServers().sandbox.sql('ALTER TABLE audit ADD COLUMN sneaky INT', s.sandboxDb);
    const forced = await runCli(['apply', 'plan.json', '--force', '--no-backup', '--no-validate'], { cwd: s.dir, env });
    expect(forced.code, forced.stderr).toBe(0);
    expect(forced.stderr).toContain(
      'warning: --no-backup: the sandbox is NOT backed up; replicoop rollback will not be able to restore it',
    );
    expect(forced.stderr).toContain('warning: the sandbox changed since the plan was made (alter table audit); applying anyway (--force)');
    expect(existsSync(join(s.dir, 'backups'))).toBe(false);
    const rollback = await runCli(['rollback'], { cwd: s.dir, env });
    expect(rollback.code).toBe(1);
    expect(rollback.stderr).toMatch(
      /^error: no run of sandbox 127\.0\.0\.1:\d+\/shopsb_\w+ has a backup to restore \(replicoop status lists the runs\)$/m,
    );
  });

  it('rollback --run <id> restores that run; an unknown id is an error', async () => {
    const s = await setup();
    await plan(s);
    const before = databaseState(testServers().sandbox.port, s.sandboxDb);
    expect((await runCli(['apply', 'plan.json', '--no-validate'], { cwd: s.dir, env })).code).toBe(0);
    const runId = JSON.parse((await runCli(['status', '--json'], { cwd: s.dir, env })).stdout).runs[0].id as string;
    const unknown = await runCli(['rollback', '--run', 'nope'], { cwd: s.dir, env });
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toContain(`error: run nope is not recorded in`);
    const rollback = await runCli(['rollback', '--run', runId, '--json'], { cwd: s.dir, env });
    expect(rollback.code, rollback.stderr).toBe(0);
    expect(JSON.parse(rollback.stdout)).toMatchObject({ runId, status: 'rolled_back' });
    expect(databaseState(testServers().sandbox.port, s.sandboxDb)).toEqual(before);
  });

  it.skipIf(!fixturesFound)(
    'a fixture pair with nothing maintained (MediaWiki 1.43 -> 1.45): after apply, a new plan has no steps at all',
    async () => {
      const { production, sandbox } = testServers();
      const { productionDb, sandboxDb } = await loadFixtureDatabases('mw', {
        production: ['mediawiki/mediawiki-1.45.0.mysql.sql'],
        sandbox: ['mediawiki/mediawiki-1.43.0.mysql.sql'],
      });
      const dir = tempDir();
      writeConfig(dir, sides(production.port, sandbox.port, productionDb, sandboxDb));
      expect((await runCli(['plan', '-q'], { cwd: dir })).code).toBe(0);
      const applied = await runCli(['apply', 'plan.json'], { cwd: dir });
      expect(applied.code, applied.stderr).toBe(0);
      expect(applied.stdout).toContain('| Validation | passed');
      const again = await runCli(['plan', '--json', '-o', 'again.json'], { cwd: dir });
      expect(JSON.parse(again.stdout).steps).toEqual([]);
    },
  );
});
