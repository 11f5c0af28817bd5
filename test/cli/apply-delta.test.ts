import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli, tempDir, writeConfig } from '../support/cli.js';
import { fixturesFound, fixturesSkipReason, loadFixtureDatabases, SAKILA_TABLES } from '../support/fixtures.js';
import { testServers } from '../support/servers.js';
import { databaseState, sides } from '../support/shop.js';

const SECRET = 'mask-secret-for-tests-0123';
const env = { MASK_SECRET: SECRET };

/** Every maintained table: a where (shaping rental and payment through the closure), constant masks, and one keyed mask. */
const MAINTAIN = SAKILA_TABLES.map((t) => {
  if (t === 'customer') return { table: t, where: 'store_id = 1', mask: { email: 'null' } };
  if (t === 'staff') return { table: t, mask: { password: 'null' } };
  if (t === 'address') return { table: t, mask: { phone: { fixed: '555-0100' } } };
  if (t === 'actor') return { table: t, mask: { last_name: 'hash' } };
  return t;
});

/** Changes of every kind, in production (its triggers keep film_text in step with film). */
const CHANGES = `SET FOREIGN_KEY_CHECKS = 0;
UPDATE film SET description = CONCAT(description, ' (remastered)') WHERE film_id % 7 = 0;
UPDATE film SET original_language_id = 2 WHERE film_id IN (10, 11);
UPDATE film SET original_language_id = NULL WHERE film_id = 10;
UPDATE address SET address2 = 'Suite 9' WHERE address2 IS NULL AND address_id < 20;
UPDATE address SET postal_code = NULL WHERE address_id = 30;
UPDATE address SET phone = '1234' WHERE address_id = 31;
DELETE FROM film_actor WHERE actor_id = 5;
INSERT INTO actor (actor_id, first_name, last_name) VALUES (201, 'NEW', 'ACTOR');
UPDATE film_actor SET actor_id = 201 WHERE actor_id = 7;
DELETE FROM payment WHERE payment_id % 53 = 0;
INSERT INTO payment (customer_id, staff_id, rental_id, amount, payment_date)
  SELECT customer_id, staff_id, rental_id, 1.23, '2026-01-01 00:00:00' FROM payment WHERE payment_id < 60;
UPDATE payment SET amount = amount + 1 WHERE payment_id % 97 = 1;
UPDATE customer SET store_id = 3 - store_id WHERE customer_id BETWEEN 1 AND 8;
UPDATE customer SET email = NULL WHERE customer_id = 9;
UPDATE staff SET password = 'changed' WHERE staff_id = 1;
UPDATE rental SET return_date = NULL WHERE rental_id IN (100, 101);
UPDATE rental SET return_date = '2026-02-02 00:00:00' WHERE rental_id IN (15000, 15001);
UPDATE rental SET rental_id = 20000 WHERE rental_id = 16049;
UPDATE payment SET rental_id = 20000 WHERE rental_id = 16049;
SET FOREIGN_KEY_CHECKS = 1;`;

async function setup(prefix: string): Promise<{ dir: string; productionDb: string; sandboxDb: string }> {
  const { production, sandbox } = testServers();
  const { productionDb, sandboxDb } = await loadFixtureDatabases(prefix, {
    production: ['sakila/sakila-schema.anydb.mysql.sql', 'sakila/sakila-data.anydb.mysql.sql'],
    sandbox: [],
  });
  const dir = tempDir();
  writeConfig(dir, sides(production.port, sandbox.port, productionDb, sandboxDb), {
    maintain: MAINTAIN,
    masking: { secret: '${MASK_SECRET}' },
    copy: { chunkRows: 2000, concurrency: 2 },
  });
  return { dir, productionDb, sandboxDb };
}

async function cli(dir: string, args: string[], extraEnv: Record<string, string> = {}) {
  return runCli(args, { cwd: dir, env: { ...env, ...extraEnv }, timeoutMs: 300_000 });
}

async function planAndApply(dir: string, planFile: string, applyArgs: string[] = []): Promise<string> {
  const plan = await cli(dir, ['plan', '-q', '-o', planFile]);
  expect(plan.code, plan.stderr).toBe(0);
  const apply = await cli(dir, ['apply', planFile, ...applyArgs]);
  expect(apply.code, apply.stdout + apply.stderr).toBe(0);
  return apply.stdout + apply.stderr;
}

/** Every value of every sandbox table in hex, rows sorted: the row-by-row comparison. */
async function sandboxRows(database: string): Promise<Record<string, string>> {
  const { sandbox } = testServers();
  const out: Record<string, string> = {};
  for (const table of SAKILA_TABLES) {
    const columns = await sandbox.sql<{ name: string }[]>(
      'SELECT COLUMN_NAME AS name FROM information_schema.COLUMNS WHERE TABLE_SCHEMA = DATABASE() AND TABLE_NAME = ? ORDER BY ORDINAL_POSITION',
      database,
      [table],
    );
    const list = columns.map((c) => `HEX(\`${c.name}\`)`).join(', ');
    const rows = await sandbox.sql<Record<string, unknown>[]>(`SELECT ${list} FROM \`${table}\``, database);
    out[table] = JSON.stringify(rows.map((r) => JSON.stringify(r)).sort());
  }
  return out;
}

describe.skipIf(!fixturesFound)(`delta refresh of Sakila${fixturesFound ? '' : ` (skipped: ${fixturesSkipReason})`}`, () => {
  it('after changes of every kind ends as a full copy would, validates, reports per table, and rolls back exactly', async () => {
    const s = await setup('delta_sakila');
    await planAndApply(s.dir, 'first.json');
    await testServers().production.sql(CHANGES, s.productionDb);

    const plan = await cli(s.dir, ['plan', '-o', 'plan.json']);
    expect(plan.code, plan.stderr).toBe(0);
    expect(plan.stdout).toMatch(/film {2}key=film_id.*\n\s+delta copy: compares/);
    expect(plan.stdout).toContain('full copy: the hash mask on last_name is computed by replicoop');
    const planJson = JSON.parse(readFileSync(join(s.dir, 'plan.json'), 'utf8')) as {
      steps: { object: string; data: { mode: string } | null }[];
    };
    const modes = Object.fromEntries(planJson.steps.filter((x) => x.data).map((x) => [x.object, x.data!.mode]));
    expect(modes).toMatchObject({ actor: 'full', film: 'delta', payment: 'delta', rental: 'delta', customer: 'delta', address: 'delta' });

    const before = databaseState(testServers().sandbox.port, s.sandboxDb);
    const apply = await cli(s.dir, ['apply', 'plan.json']);
    expect(apply.code, apply.stdout + apply.stderr).toBe(0);
    expect(apply.stdout + apply.stderr).toMatch(/payment: [\d,]+ rows \(delta: \d+ ranges compared, \d+ rewritten; \d+ deleted/);
    const report = readdirSync(join(s.dir, 'reports'))
      .filter((f) => f.endsWith('.md'))
      .sort();
    const markdown = readFileSync(join(s.dir, 'reports', report[report.length - 1]!), 'utf8');
    expect(markdown).toContain(
      '| Table | Mode | Ranges compared | Ranges rewritten | Deleted | Replaced | Inserted | Unchanged | Seconds |',
    );
    const paymentLine = markdown.split('\n').find((l) => l.startsWith('| `payment` | delta |'))!;
    const [compared, rewritten, deleted, replaced, inserted, unchanged] = paymentLine
      .split('|')
      .slice(3, 9)
      .map((v) => Number(v.trim().replace(/,/g, '')));
    expect(compared).toBeGreaterThan(0);
    expect(rewritten).toBeGreaterThan(0);
    expect(deleted).toBeGreaterThan(0);
    expect(replaced).toBeGreaterThan(0);
    expect(inserted).toBeGreaterThan(0);
    expect(unchanged).toBeGreaterThan(deleted! + replaced! + inserted!);
    expect(markdown).toMatch(/proven equal by the delta copy/);

    // The whole validation, with every checksum, agrees.
    const validate = await cli(s.dir, ['validate', '--plan', 'plan.json']);
    expect(validate.code, validate.stdout + validate.stderr).toBe(0);
    const afterDelta = databaseState(testServers().sandbox.port, s.sandboxDb);
    const rowsAfterDelta = await sandboxRows(s.sandboxDb);

    const rollback = await cli(s.dir, ['rollback']);
    expect(rollback.code, rollback.stderr).toBe(0);
    expect(databaseState(testServers().sandbox.port, s.sandboxDb)).toEqual(before);

    // The same refresh as a full copy leaves exactly what the delta left.
    await planAndApply(s.dir, 'full.json', ['--full']);
    expect(databaseState(testServers().sandbox.port, s.sandboxDb)).toEqual(afterDelta);
    expect(await sandboxRows(s.sandboxDb)).toEqual(rowsAfterDelta);
  });

  it('killed with SIGKILL during a delta copy at several points, resumes to the same sandbox', async () => {
    const s = await setup('delta_kill');
    await planAndApply(s.dir, 'first.json');
    await testServers().production.sql(CHANGES, s.productionDb);
    const plan = await cli(s.dir, ['plan', '-q', '-o', 'plan.json']);
    expect(plan.code, plan.stderr).toBe(0);
    const steps = (JSON.parse(readFileSync(join(s.dir, 'plan.json'), 'utf8')) as { steps: { id: string; object: string }[] }).steps;
    const payment = steps.find((x) => x.object === 'payment')!.id;
    const rental = steps.find((x) => x.object === 'rental')!.id;
    for (const point of [`range-committed:${rental}:1`, `range:${rental}:2`, `range-committed:${payment}:2`]) {
      const crashed = await cli(s.dir, ['apply', 'plan.json'], { REPLICOOP_FAULT: point });
      expect(crashed.signal, `${point}: ${crashed.stdout}${crashed.stderr}`).toBe('SIGKILL');
    }
    const resumed = await cli(s.dir, ['apply', 'plan.json']);
    expect(resumed.code, resumed.stdout + resumed.stderr).toBe(0);
    const validate = await cli(s.dir, ['validate', '--plan', 'plan.json']);
    expect(validate.code, validate.stdout + validate.stderr).toBe(0);
    const afterResume = databaseState(testServers().sandbox.port, s.sandboxDb);
    const rowsAfterResume = await sandboxRows(s.sandboxDb);
    await planAndApply(s.dir, 'full.json', ['--full']);
    expect(databaseState(testServers().sandbox.port, s.sandboxDb)).toEqual(afterResume);
    expect(await sandboxRows(s.sandboxDb)).toEqual(rowsAfterResume);
  });
});
