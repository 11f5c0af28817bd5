/**
 * The sandbox account, for real (issue 18): checked at plan time and in apply's preflight,
 * before anything changes, naming the GRANTs it lacks. Sakila on the private servers, accounts
 * made with CREATE USER / GRANT, the built CLI (npm run build first).
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { createAccount, type TestAccount } from '../support/accounts.js';
import { runCli, tempDir, writeConfig } from '../support/cli.js';
import { fixturesFound, loadFixtureDatabases, SAKILA_TABLES } from '../support/fixtures.js';
import { testServers } from '../support/servers.js';

const SAKILA = ['sakila/sakila-schema.anydb.mysql.sql', 'sakila/sakila-data.anydb.mysql.sql'];
const accounts: TestAccount[] = [];
const databases: { productionDb: string; sandboxDb: string }[] = [];

async function sandboxAccount(prefix: string, grants: string[]): Promise<TestAccount> {
  const account = await createAccount(testServers().sandbox, prefix, grants);
  accounts.push(account);
  return account;
}

function project(
  dbs: { productionDb: string; sandboxDb: string },
  sandbox: TestAccount | null,
  extra: Record<string, unknown> = {},
): string {
  const { production: p, sandbox: s } = testServers();
  const dir = tempDir('replicoop-sbx-');
  writeConfig(
    dir,
    { productionPort: p.port, sandboxPort: s.port, ...dbs },
    {
      ...(sandbox
        ? { sandbox: { host: '127.0.0.1', port: s.port, user: sandbox.user, password: sandbox.password, database: dbs.sandboxDb } }
        : {}),
      ...extra,
    },
  );
  return dir;
}

/** Everything a sandbox holds, to show a refused apply changed nothing. */
async function sandboxFingerprint(db: string): Promise<string> {
  const rows = await testServers().sandbox.sql<Record<string, unknown>[]>(
    `SELECT (SELECT GROUP_CONCAT(TABLE_NAME, ':', TABLE_ROWS, ':', IFNULL(UPDATE_TIME, '') ORDER BY TABLE_NAME) FROM information_schema.TABLES WHERE TABLE_SCHEMA = ?) AS t,
            (SELECT GROUP_CONCAT(ROUTINE_NAME ORDER BY ROUTINE_NAME) FROM information_schema.ROUTINES WHERE ROUTINE_SCHEMA = ?) AS r,
            (SELECT GROUP_CONCAT(TRIGGER_NAME ORDER BY TRIGGER_NAME) FROM information_schema.TRIGGERS WHERE TRIGGER_SCHEMA = ?) AS g`,
    undefined,
    [db, db, db],
  );
  const checksums = await testServers().sandbox.sql<Record<string, unknown>[]>('CHECKSUM TABLE actor, payment, rental', db);
  return JSON.stringify([rows, checksums]);
}

afterAll(async () => {
  for (const a of accounts) await a.drop();
  for (const dbs of databases) {
    await testServers().production.dropDatabase(dbs.productionDb);
    await testServers().sandbox.dropDatabase(dbs.sandboxDb);
  }
});

describe.skipIf(!fixturesFound)('sandbox accounts on Sakila', () => {
  it("exactly the README's sandbox grants: plan, apply with a backup, validate, twice", async () => {
    const dbs = await loadFixtureDatabases('sbxreadme', { production: SAKILA, sandbox: [] });
    databases.push(dbs);
    const user = await sandboxAccount('sb_readme', [
      `GRANT SELECT, INSERT, DELETE, CREATE, DROP, ALTER, REFERENCES, CREATE VIEW, SHOW VIEW, TRIGGER, CREATE ROUTINE, ALTER ROUTINE, EVENT ON \`${dbs.sandboxDb}\`.*`,
      'GRANT SELECT ON mysql.proc',
    ]);
    const dir = project(dbs, user, {
      maintain: ['actor', 'customer', 'payment', 'rental', 'staff', 'store', 'address', 'city', 'country', 'inventory', 'film', 'language'],
    });
    for (const round of [1, 2]) {
      const plan = await runCli(['plan', '-q'], { cwd: dir });
      expect(plan.code, `round ${round}: ${plan.stderr}`).toBe(0);
      const apply = await runCli(['apply', 'plan.json'], { cwd: dir });
      expect(apply.code, `round ${round}: ${apply.stderr}`).toBe(0);
      expect(apply.stderr).toContain('validation passed');
    }
    expect((await runCli(['plan', '--detailed-exitcode', '-q'], { cwd: dir })).code).toBe(0);
  });

  it('ALL on the database but no SUPER: definers: keep is refused at plan time naming SET USER; current_user plans, applies and validates', async () => {
    const dbs = await loadFixtureDatabases('sbxall', { production: SAKILA, sandbox: [] });
    databases.push(dbs);
    const user = await sandboxAccount('sb_all', [`GRANT ALL PRIVILEGES ON \`${dbs.sandboxDb}\`.*`]);

    const keep = await runCli(['plan', '-q'], { cwd: project(dbs, user, { definers: 'keep' }) });
    expect(keep.code).toBe(1);
    expect(keep.stderr).toContain('the sandbox account cannot do what this plan needs:');
    expect(keep.stderr).toContain(
      `sandbox: ${user.sql} lacks SET USER (or SUPER) on *.* (needed for create routine film_in_stock with DEFINER root@`,
    );
    expect(keep.stderr).toContain(`: GRANT SET USER ON *.* TO ${user.sql}`);

    const tables = SAKILA_TABLES;
    const dir = project(dbs, user, { maintain: tables });
    expect((await runCli(['plan', '-q'], { cwd: dir })).code).toBe(0);
    const apply = await runCli(['apply', 'plan.json'], { cwd: dir });
    expect(apply.code, apply.stderr).toBe(0);
    expect(apply.stderr).toContain('validation passed');
    // The objects it made are its own: the next plan reads them, and has no schema change.
    const again = await runCli(['plan', '--detailed-exitcode', '-q'], { cwd: dir });
    expect(again.code, again.stderr).toBe(0);
  });

  it('objects owned by another definer: unreadable routine bodies cannot be planned; with the grant, apply backs up and rollback restores them as the sandbox account', async () => {
    const dbs = await loadFixtureDatabases('sbxdef', { production: SAKILA, sandbox: SAKILA });
    databases.push(dbs);
    const user = await sandboxAccount('sb_def', [`GRANT ALL PRIVILEGES ON \`${dbs.sandboxDb}\`.*`]);
    // backup.scope: full, so that the backup holds the routines (root's) that this plan does not touch.
    const dir = project(dbs, user, { maintain: ['actor'], backup: { scope: 'full' } });
    const plan = await runCli(['plan', '-q'], { cwd: dir });
    expect(plan.code).toBe(1);
    // The six routines were loaded by root: the account sees them listed (ALL includes EXECUTE) but not their bodies.
    expect(plan.stderr).toContain(
      'sandbox: cannot plan routines film_in_stock, film_not_in_stock, get_customer_balance, inventory_held_by_customer, inventory_in_stock and 1 more: body (shown only to its definer or to accounts allowed to read every routine): the sandbox account cannot read them.',
    );
    expect(plan.stderr).toContain(`Grant it with: GRANT SELECT ON \`mysql\`.\`proc\` TO ${user.sql}`);

    await testServers().sandbox.sql(`GRANT SELECT ON mysql.proc TO ${user.sql}`);
    expect((await runCli(['plan', '-q'], { cwd: dir })).code).toBe(0);
    const applied = await runCli(['apply', 'plan.json', '--no-validate'], { cwd: dir });
    expect(applied.code, applied.stderr).toBe(0);
    const rollback = await runCli(['rollback'], { cwd: dir });
    expect(rollback.code, rollback.stderr).toBe(0);
    expect(rollback.stderr).toContain(`are restored with DEFINER=CURRENT_USER (${user.user}@%): this account lacks SUPER/SET USER`);
  });

  it('a SELECT-only sandbox account and a read-but-not-write one: refused at plan time and in preflight, naming the GRANTs; nothing changes', async () => {
    const dbs = await loadFixtureDatabases('sbxro', { production: SAKILA, sandbox: SAKILA });
    databases.push(dbs);
    const selectOnly = await sandboxAccount('sb_sel', [`GRANT SELECT ON \`${dbs.sandboxDb}\`.*`]);
    const readOnly = await sandboxAccount('sb_read', [
      `GRANT SELECT, SHOW VIEW, TRIGGER, EVENT ON \`${dbs.sandboxDb}\`.*`,
      'GRANT SELECT ON mysql.proc',
    ]);
    const extra = { maintain: ['actor', 'payment'] };

    // At plan time: a SELECT-only account cannot even see its own triggers and routines.
    const selPlan = await runCli(['plan', '-q'], { cwd: project(dbs, selectOnly, extra) });
    expect(selPlan.code).toBe(1);
    expect(selPlan.stderr).toContain(
      `sandbox: cannot plan triggers (information_schema shows them only with the TRIGGER privilege): the sandbox account cannot read them. Grant it with: GRANT TRIGGER ON \`${dbs.sandboxDb}\`.* TO ${selectOnly.sql}`,
    );
    const readPlan = await runCli(['plan', '-q'], { cwd: project(dbs, readOnly, extra) });
    expect(readPlan.code).toBe(1);
    expect(readPlan.stderr).toContain(
      `sandbox: ${readOnly.sql} lacks INSERT on \`${dbs.sandboxDb}\`.* (needed for copy table actor, copy table payment): GRANT INSERT ON \`${dbs.sandboxDb}\`.* TO ${readOnly.sql}`,
    );
    expect(readPlan.stderr).toContain(`lacks DELETE on \`${dbs.sandboxDb}\`.*`);

    // In preflight: a plan made by a capable account, applied with each restricted one.
    const dir = project(dbs, null, extra);
    expect((await runCli(['plan', '-q'], { cwd: dir })).code).toBe(0);
    const before = await sandboxFingerprint(dbs.sandboxDb);
    for (const user of [selectOnly, readOnly]) {
      const other = project(dbs, user, extra);
      const { copyFileSync } = await import('node:fs');
      copyFileSync(join(dir, 'plan.json'), join(other, 'plan.json'));
      const apply = await runCli(['apply', 'plan.json'], { cwd: other });
      expect(apply.code).toBe(1);
      expect(apply.stderr).toContain('the sandbox account cannot do what the plan needs; nothing was changed:');
      expect(apply.stderr).toContain(
        `lacks INSERT on \`${dbs.sandboxDb}\`.* (needed for copy table actor, copy table payment, restoring the backup (rollback)): GRANT INSERT ON \`${dbs.sandboxDb}\`.* TO ${user.sql}`,
      );
      expect(apply.stderr).not.toContain('the sandbox changed since the plan');
      if (user === selectOnly) expect(apply.stderr).toContain(`lacks TRIGGER on \`${dbs.sandboxDb}\`.*`);
      expect(existsSync(join(other, '.replicoop', 'state.db'))).toBe(false);
    }
    expect(await sandboxFingerprint(dbs.sandboxDb)).toBe(before);
  });
});
