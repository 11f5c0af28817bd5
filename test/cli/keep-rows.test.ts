import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli, tempDir, writeConfig } from '../support/cli.js';
import { testServers, uniqueName } from '../support/servers.js';
import { sides } from '../support/shop.js';

/** Issue 16: maintain[].keep keeps the developers' own sandbox rows through refreshes. */
describe('keep: sandbox rows that survive a refresh', () => {
  it('keeps matching rows through two refreshes, says how many rows each deletes, refuses a key collision', async () => {
    const { production, sandbox } = testServers();
    const productionDb = uniqueName('keep_p');
    const sandboxDb = uniqueName('keep_s');
    await production.createDatabase(productionDb);
    await sandbox.createDatabase(sandboxDb);
    const ddl = 'CREATE TABLE accounts (id INT PRIMARY KEY, name VARCHAR(40) NOT NULL, note VARCHAR(40) NULL);';
    await production.sql(`${ddl} INSERT INTO accounts SELECT seq, CONCAT('user ', seq), NULL FROM seq_1_to_100;`, productionDb);
    await sandbox.sql(
      `${ddl} INSERT INTO accounts VALUES (1001, 'test alice', 'mine'), (1002, 'test bob', NULL), (1003, 'test carol', 'x'); INSERT INTO accounts SELECT seq, 'stale', NULL FROM seq_1_to_5;`,
      sandboxDb,
    );
    const dir = tempDir();
    writeConfig(dir, sides(production.port, sandbox.port, productionDb, sandboxDb), {
      maintain: [{ table: 'accounts', keep: "name LIKE 'test %'" }],
      state: './state.db',
      logs: './logs',
      reports: './reports',
    });
    const refresh = async (expectKeep: { keptRows: number; deletedRows: number }): Promise<void> => {
      const plan = await runCli(['plan'], { cwd: dir });
      expect(plan.code, plan.stderr).toBe(0);
      expect(plan.stdout).toContain(
        `keeps ${expectKeep.keptRows} sandbox rows where name LIKE 'test %'; deletes ${expectKeep.deletedRows}`,
      );
      const json = JSON.parse(readFileSync(join(dir, 'plan.json'), 'utf8')) as { steps: { data: { keep?: unknown } | null }[] };
      expect(json.steps.find((s) => s.data)!.data!.keep).toEqual({ where: "name LIKE 'test %'", ...expectKeep });
      const apply = await runCli(['apply', 'plan.json', '--no-backup', '-q'], { cwd: dir });
      expect(apply.code, apply.stdout + apply.stderr).toBe(0);
      const validate = await runCli(['validate', '--strict', '-q'], { cwd: dir });
      expect(validate.code, validate.stdout + validate.stderr).toBe(0);
    };
    const rows = async () =>
      sandbox.sql<{ id: number; name: string; note: string | null }[]>(
        'SELECT id, name, note FROM accounts WHERE id > 1000 ORDER BY id',
        sandboxDb,
      );
    const total = async () => Number((await sandbox.sql<{ n: number }[]>('SELECT COUNT(*) AS n FROM accounts', sandboxDb))[0]!.n);

    await refresh({ keptRows: 3, deletedRows: 5 });
    expect(await total()).toBe(103);
    expect(await rows()).toEqual([
      { id: 1001, name: 'test alice', note: 'mine' },
      { id: 1002, name: 'test bob', note: null },
      { id: 1003, name: 'test carol', note: 'x' },
    ]);

    // Second refresh: production grew, a developer added a test row.
    await production.sql("INSERT INTO accounts SELECT seq, CONCAT('user ', seq), NULL FROM seq_101_to_110", productionDb);
    await sandbox.sql("INSERT INTO accounts VALUES (1004, 'test dave', NULL)", sandboxDb);
    await refresh({ keptRows: 4, deletedRows: 100 });
    expect(await total()).toBe(114);
    expect((await rows()).map((r) => r.id)).toEqual([1001, 1002, 1003, 1004]);

    // A kept row with a production key would collide mid-copy: the plan refuses it.
    await sandbox.sql("UPDATE accounts SET name = 'test eve' WHERE id = 50", sandboxDb);
    const refused = await runCli(['plan', '-q', '-o', 'refused.json'], { cwd: dir });
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain(
      `replicoop.yaml: /maintain/0/keep: 1 sandbox row of accounts kept by maintain[].keep ("name LIKE 'test %'") has the value of a unique key of a production row the refresh copies (key PRIMARY: id=50)`,
    );
    await production.dropDatabase(productionDb);
    await sandbox.dropDatabase(sandboxDb);
  }, 120_000);

  it('refuses a collision on any unique key at plan time, and at apply (full and delta copy) names it before a kept row is lost', async () => {
    const { production, sandbox } = testServers();
    const productionDb = uniqueName('keepu_p');
    const sandboxDb = uniqueName('keepu_s');
    await production.createDatabase(productionDb);
    await sandbox.createDatabase(sandboxDb);
    const ddl = 'CREATE TABLE accounts (id INT PRIMARY KEY, email VARCHAR(60) NOT NULL UNIQUE, name VARCHAR(40) NOT NULL);';
    await production.sql(
      `${ddl} INSERT INTO accounts SELECT seq, CONCAT('user', seq, '@example.com'), CONCAT('user ', seq) FROM seq_1_to_100;`,
      productionDb,
    );
    // The kept row's id is free in production; its email is production's row 7 (the collation is case-insensitive).
    await sandbox.sql(
      `${ddl} INSERT INTO accounts VALUES (1001, 'USER7@example.com', 'test dev'); INSERT INTO accounts SELECT seq, CONCAT('stale', seq), 'stale' FROM seq_1_to_5;`,
      sandboxDb,
    );
    const dir = tempDir();
    writeConfig(dir, sides(production.port, sandbox.port, productionDb, sandboxDb), {
      maintain: [{ table: 'accounts', keep: "name LIKE 'test %'" }],
      state: './state.db',
      logs: './logs',
      reports: './reports',
    });
    const keptRow = async () => sandbox.sql<{ id: number; email: string }[]>('SELECT id, email FROM accounts WHERE id > 1000', sandboxDb);
    const total = async () => Number((await sandbox.sql<{ n: number }[]>('SELECT COUNT(*) AS n FROM accounts', sandboxDb))[0]!.n);

    // Plan time: the unique key email, not only the chunk key (id).
    const refused = await runCli(['plan', '-q'], { cwd: dir });
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain(
      `replicoop.yaml: /maintain/0/keep: 1 sandbox row of accounts kept by maintain[].keep ("name LIKE 'test %'") has the value of a unique key of a production row the refresh copies (key email: email=user7@example.com)`,
    );

    // Apply time, full copy: production gains the kept row's email after the plan.
    await sandbox.sql("UPDATE accounts SET email = 'dev@test.example' WHERE id = 1001", sandboxDb);
    expect((await runCli(['plan', '-q'], { cwd: dir })).code).toBe(0);
    await production.sql("INSERT INTO accounts VALUES (101, 'dev@test.example', 'user 101')", productionDb);
    const full = await runCli(['apply', 'plan.json', '--no-backup', '--full'], { cwd: dir });
    expect(full.code, full.stdout + full.stderr).toBe(1);
    expect(full.stdout + full.stderr).toContain(
      `accounts: 1 sandbox row of accounts kept by maintain[].keep ("name LIKE 'test %'") has the value of a unique key of a production row the refresh copies (key email: email=dev@test.example); give the sandbox rows key values production does not use, or narrow keep; nothing was deleted`,
    );
    // Checked before the table was emptied: the stale rows are still there, and the kept row.
    expect(await total()).toBe(6);
    expect(await keptRow()).toEqual([{ id: 1001, email: 'dev@test.example' }]);
    // Resumable: once the kept row has its own value, the same run goes on.
    await sandbox.sql("UPDATE accounts SET email = 'dev2@test.example' WHERE id = 1001", sandboxDb);
    const resumed = await runCli(['apply', 'plan.json', '--no-backup', '--full', '-q'], { cwd: dir });
    expect(resumed.code, resumed.stdout + resumed.stderr).toBe(0);
    expect(await total()).toBe(102);

    // Apply time, delta copy: the plan's delta inserts production's new row and hits the kept one.
    const plan = await runCli(['plan', '-q'], { cwd: dir });
    expect(plan.code, plan.stderr).toBe(0);
    const json = JSON.parse(readFileSync(join(dir, 'plan.json'), 'utf8')) as { steps: { data: { mode?: string } | null }[] };
    expect(json.steps.find((s) => s.data)!.data!.mode).toBe('delta');
    await production.sql("INSERT INTO accounts VALUES (102, 'dev2@test.example', 'user 102')", productionDb);
    const delta = await runCli(['apply', 'plan.json', '--no-backup'], { cwd: dir });
    expect(delta.code, delta.stdout + delta.stderr).toBe(1);
    expect(delta.stdout + delta.stderr).toMatch(
      /accounts: a production row collides with a sandbox row kept by maintain\[\]\.keep \("name LIKE 'test %'"\): Duplicate entry 'dev2@test\.example' for key '(accounts\.)?email'; the chunk was rolled back and the kept rows are untouched/,
    );
    expect(await keptRow()).toEqual([{ id: 1001, email: 'dev2@test.example' }]);
    expect(await total()).toBe(102);
    // Resumable here too.
    await sandbox.sql("UPDATE accounts SET email = 'dev3@test.example' WHERE id = 1001", sandboxDb);
    const deltaResumed = await runCli(['apply', 'plan.json', '--no-backup', '-q'], { cwd: dir });
    expect(deltaResumed.code, deltaResumed.stdout + deltaResumed.stderr).toBe(0);
    expect(await total()).toBe(103);
    expect(await keptRow()).toEqual([{ id: 1001, email: 'dev3@test.example' }]);
    await production.dropDatabase(productionDb);
    await sandbox.dropDatabase(sandboxDb);
  }, 180_000);

  it('reports a collision on a masked unique key, which only the copy can see, as the keep collision it is (full copy)', async () => {
    const { production, sandbox } = testServers();
    const productionDb = uniqueName('keepm_p');
    const sandboxDb = uniqueName('keepm_s');
    await production.createDatabase(productionDb);
    await sandbox.createDatabase(sandboxDb);
    const ddl = 'CREATE TABLE accounts (id INT PRIMARY KEY, email VARCHAR(60) NOT NULL UNIQUE, name VARCHAR(40) NOT NULL);';
    await production.sql(
      `${ddl} INSERT INTO accounts SELECT seq, CONCAT('user', seq, '@example.com'), CONCAT('user ', seq) FROM seq_1_to_100;`,
      productionDb,
    );
    await sandbox.sql(`${ddl} INSERT INTO accounts VALUES (1001, 'dev@test.example', 'test dev');`, sandboxDb);
    const dir = tempDir();
    const env = { MASK_SECRET: 'mask-secret-for-keep-tests' };
    writeConfig(dir, sides(production.port, sandbox.port, productionDb, sandboxDb), {
      maintain: [{ table: 'accounts', keep: "name LIKE 'test %'", mask: { email: 'email' } }],
      masking: { secret: '${MASK_SECRET}' },
      state: './state.db',
      logs: './logs',
      reports: './reports',
    });
    const plan = await runCli(['plan', '-q'], { cwd: dir, env });
    expect(plan.code, plan.stderr).toBe(0);
    expect((await runCli(['apply', 'plan.json', '--no-backup', '-q'], { cwd: dir, env })).code).toBe(0);
    // The kept row takes the masked email production's row 5 gets: plan cannot compare it unmasked.
    const masked = (await sandbox.sql<{ email: string }[]>('SELECT email FROM accounts WHERE id = 5', sandboxDb))[0]!.email;
    await sandbox.sql(`UPDATE accounts SET email = 'moved' WHERE id = 5; UPDATE accounts SET email = ? WHERE id = 1001`, sandboxDb, [
      masked,
    ]);
    expect((await runCli(['plan', '-q'], { cwd: dir, env })).code).toBe(0);
    const failed = await runCli(['apply', 'plan.json', '--no-backup', '--full'], { cwd: dir, env });
    expect(failed.code, failed.stdout + failed.stderr).toBe(1);
    expect(failed.stdout + failed.stderr).toMatch(
      /accounts: a production row collides with a sandbox row kept by maintain\[\]\.keep \("name LIKE 'test %'"\): Duplicate entry '[0-9a-f]+@example\.com' for key '(accounts\.)?email'; the chunk was rolled back and the kept rows are untouched/,
    );
    expect(await sandbox.sql('SELECT id, email FROM accounts WHERE id > 1000', sandboxDb)).toEqual([{ id: 1001, email: masked }]);
    await production.dropDatabase(productionDb);
    await sandbox.dropDatabase(sandboxDb);
  }, 120_000);
});
