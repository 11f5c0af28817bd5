import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli, tempDir, writeConfig } from '../support/cli.js';
import { fixturesFound, fixturesSkipReason, loadFixtureDatabases, SAKILA_TABLES } from '../support/fixtures.js';
import { testServers, uniqueName } from '../support/servers.js';
import { sides } from '../support/shop.js';

/** Issue 16: personal data must not reach the sandbox by accident (masking.require, passthrough, newColumns). */

const env = { MASK_SECRET: 'mask-secret-for-gate-tests' };

/** "table.column" of every gate line in stderr. */
function flagged(stderr: string): string[] {
  return [...stderr.matchAll(/column (\w+\.\w+) looks like personal data/g)].map((m) => m[1]!).sort();
}

describe.skipIf(!fixturesFound)(`masking gate on the default policy${fixturesFound ? '' : ` (skipped: ${fixturesSkipReason})`}`, () => {
  it('Sakila: plan fails naming every personal column and the line to add; masks and passthroughs settle it', async () => {
    const { production, sandbox } = testServers();
    const { productionDb, sandboxDb } = await loadFixtureDatabases('skgate', {
      production: ['sakila/sakila-schema.anydb.mysql.sql'],
      sandbox: [],
    });
    const dir = tempDir();
    const base = { masking: { secret: '${MASK_SECRET}', require: 'default' }, state: './state.db', logs: './logs', reports: './reports' };
    writeConfig(dir, sides(production.port, sandbox.port, productionDb, sandboxDb), { ...base, maintain: SAKILA_TABLES });
    const failed = await runCli(['plan', '-q'], { cwd: dir, env });
    expect(failed.code).toBe(1);
    expect(flagged(failed.stderr)).toEqual([
      'actor.first_name',
      'actor.last_name',
      'address.address',
      'address.address2',
      'address.phone',
      'customer.email',
      'customer.first_name',
      'customer.last_name',
      'staff.email',
      'staff.first_name',
      'staff.last_name',
      'staff.password',
    ]);
    expect(failed.stderr).toContain(
      `replicoop.yaml: /maintain/5: column customer.email looks like personal data (email) and has no mask: add "mask: { email: email }" to this entry (write it as { table: customer, mask: { email: email } }), or "passthrough: [email]" to copy it as it is`,
    );
    expect(failed.stderr).toMatch(
      /staff\.password looks like personal data \(credential\) and has no mask: add "mask: \{ password: hash \}"/,
    );
    expect(readdirSafe(dir)).not.toContain('plan.json');

    const settled = SAKILA_TABLES.map((t) => {
      if (t === 'actor') return { table: t, passthrough: ['first_name', 'last_name'] };
      if (t === 'address') return { table: t, mask: { address: 'redact', address2: 'null', phone: 'phone' } };
      if (t === 'customer') return { table: t, mask: { email: 'email', first_name: 'name', last_name: 'name' } };
      if (t === 'staff') return { table: t, mask: { email: 'email', first_name: 'name', last_name: 'name', password: 'null' } };
      return t;
    });
    writeConfig(dir, sides(production.port, sandbox.port, productionDb, sandboxDb), { ...base, maintain: settled });
    const ok = await runCli(['plan', '-q'], { cwd: dir, env });
    expect(ok.code, ok.stderr).toBe(0);
    const plan = JSON.parse(readFileSync(join(dir, 'plan.json'), 'utf8')) as {
      steps: { data: { table: string; passthroughColumns?: string[]; maskedColumns: { column: string }[] } | null }[];
    };
    const actor = plan.steps.find((s) => s.data?.table === 'actor')!.data!;
    expect(actor.passthroughColumns).toEqual(['first_name', 'last_name']);
    expect(plan.steps.find((s) => s.data?.table === 'staff')!.data!.maskedColumns.map((m) => m.column)).toEqual([
      'email',
      'first_name',
      'last_name',
      'password',
    ]);
    await production.dropDatabase(productionDb);
    await sandbox.dropDatabase(sandboxDb);
  }, 120_000);

  it('employees: first_name, last_name and birth_date are flagged', async () => {
    const { production, sandbox } = testServers();
    const { productionDb, sandboxDb } = await loadFixtureDatabases('empgate', {
      production: ['employees/employees.anydb.mysql.sql'],
      sandbox: [],
    });
    const dir = tempDir();
    writeConfig(dir, sides(production.port, sandbox.port, productionDb, sandboxDb), {
      maintain: ['employees', 'departments', 'dept_emp', 'dept_manager', 'titles', 'salaries'],
      masking: { require: ['default'] },
      state: './state.db',
    });
    const failed = await runCli(['plan', '-q'], { cwd: dir, env });
    expect(failed.code).toBe(1);
    expect(flagged(failed.stderr)).toEqual(['employees.birth_date', 'employees.first_name', 'employees.last_name']);
    expect(failed.stderr).toContain(
      'employees.birth_date looks like personal data (birth date) and has no mask: add "mask: { birth_date: { fixed: "1970-01-01" } }"',
    );
    await production.dropDatabase(productionDb);
    await sandbox.dropDatabase(sandboxDb);
  }, 120_000);
});

function readdirSafe(dir: string): string[] {
  try {
    return readdirSync(dir);
  } catch {
    return [];
  }
}

describe('masking gate: columns new in production since the last applied plan', () => {
  it('fails the plan until the column is masked or passed through (newColumns: fail), lists it with warn', async () => {
    const { production, sandbox } = testServers();
    const productionDb = uniqueName('newcol_p');
    const sandboxDb = uniqueName('newcol_s');
    await production.createDatabase(productionDb);
    await sandbox.createDatabase(sandboxDb);
    await production.sql(
      "CREATE TABLE people (id INT PRIMARY KEY, email VARCHAR(100) NOT NULL, city VARCHAR(40)); INSERT INTO people SELECT seq, CONCAT('p', seq, '@real.example'), 'Lisbon' FROM seq_1_to_50;",
      productionDb,
    );
    const dir = tempDir();
    const write = (extra: Record<string, unknown> = {}) =>
      writeConfig(dir, sides(production.port, sandbox.port, productionDb, sandboxDb), {
        maintain: [{ table: 'people', mask: { email: 'email' } }],
        masking: { secret: '${MASK_SECRET}', require: 'default', ...extra },
        state: './state.db',
        logs: './logs',
        reports: './reports',
      });
    write();
    expect((await runCli(['plan', '-q'], { cwd: dir, env })).code).toBe(0);
    const applied = await runCli(['apply', 'plan.json', '--no-backup', '-q'], { cwd: dir, env });
    expect(applied.code, applied.stderr).toBe(0);
    // A migration adds a column that no name pattern catches.
    await production.sql('ALTER TABLE people ADD COLUMN remarks VARCHAR(200) NULL', productionDb);
    const refused = await runCli(['plan', '-q', '-o', 'next.json'], { cwd: dir, env });
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain(
      'replicoop.yaml: /maintain/0: column people.remarks is new in production since the last applied plan and is not masked: add "mask: { remarks: <rule> }" or "passthrough: [remarks]" to this entry (masking.newColumns: fail)',
    );
    write({ newColumns: 'warn' });
    const warned = await runCli(['plan', '-o', 'next.json'], { cwd: dir, env });
    expect(warned.code, warned.stderr).toBe(0);
    expect(warned.stdout).toContain('new in production since the last applied plan, not masked: remarks');
    const plan = JSON.parse(readFileSync(join(dir, 'next.json'), 'utf8')) as {
      steps: { data: { table: string; newUnmaskedColumns?: string[] } | null }[];
    };
    expect(plan.steps.find((s) => s.data?.table === 'people')!.data!.newUnmaskedColumns).toEqual(['remarks']);
    await production.dropDatabase(productionDb);
    await sandbox.dropDatabase(sandboxDb);
  }, 120_000);
});
