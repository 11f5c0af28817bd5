import { existsSync, mkdirSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Ajv } from 'ajv';
import { describe, expect, it } from 'vitest';
import { schemaPath } from '../../src/package-info.js';
import { runCli, tempDir, writeConfig } from '../support/cli.js';
import { fixturesFound, loadFixtureDatabases } from '../support/fixtures.js';
import { mermaidBlock, mermaidParser } from '../support/mermaid.js';
import { testServers, uniqueName } from '../support/servers.js';
import { SHOP_MAINTAIN, SHOP_PRODUCTION, SHOP_SANDBOX, sides } from '../support/shop.js';

const PASSWORD = 'Pr0d-S3cret!pw';
const SECRET = 'mask-secret-for-plan-tests';

async function shop(options: { sameSchema?: boolean; readOnlyUser?: boolean } = {}) {
  const { production, sandbox } = testServers();
  const productionDb = uniqueName('pshop');
  const sandboxDb = uniqueName('pshopsb');
  await production.createDatabase(productionDb);
  await sandbox.createDatabase(sandboxDb);
  await production.sql(SHOP_PRODUCTION, productionDb);
  await sandbox.sql(options.sameSchema ? SHOP_PRODUCTION : SHOP_SANDBOX, sandboxDb);
  const dir = tempDir();
  const user = `ro_${productionDb.slice(-8)}`;
  if (options.readOnlyUser) {
    // The README's GRANT for the read-only production user.
    await production.sql(
      `CREATE USER '${user}'@'127.0.0.1' IDENTIFIED BY '${PASSWORD}'; GRANT SELECT, SHOW VIEW, TRIGGER, EVENT ON \`${productionDb}\`.* TO '${user}'@'127.0.0.1'; GRANT SELECT ON mysql.proc TO '${user}'@'127.0.0.1'`,
    );
  }
  writeConfig(dir, sides(production.port, sandbox.port, productionDb, sandboxDb), {
    ...(options.readOnlyUser
      ? { production: { host: '127.0.0.1', port: production.port, user, password: '${PROD_DB_PASSWORD}', database: productionDb } }
      : {}),
    maintain: SHOP_MAINTAIN,
    masking: { secret: '${MASK_SECRET}' },
  });
  return { dir, productionDb, sandboxDb };
}

const env = { PROD_DB_PASSWORD: PASSWORD, MASK_SECRET: SECRET };

describe('replicoop plan', () => {
  it('exits 2 with --detailed-exitcode when the schemas differ, writes a schema-valid file, and never shows a password', async () => {
    const s = await shop({ readOnlyUser: true });
    const result = await runCli(['plan', '--detailed-exitcode', '-v'], { cwd: s.dir, env });
    expect(result.code, result.stderr).toBe(2);
    expect(result.stdout).toMatch(/^~ table orders \(change\): \S.*\n/m);
    expect(result.stdout).toContain('- table old_stuff (drop) DESTRUCTIVE');
    expect(result.stdout).toMatch(/\d{4}-copy-table-events: events {2}key=id {2}~[\d,]+ rows/);
    const text = readFileSync(join(s.dir, 'plan.json'), 'utf8');
    const ajv = new Ajv({ allErrors: true, strict: false, allowUnionTypes: true });
    const validate = ajv.compile(JSON.parse(readFileSync(schemaPath('plan'), 'utf8')));
    expect(validate(JSON.parse(text)), JSON.stringify(validate.errors)).toBe(true);
    const logs = readdirSync(join(s.dir, 'logs'));
    const log = readFileSync(join(s.dir, 'logs', logs[0]!), 'utf8');
    expect(log).toMatch(/plan plan\.json written: \d+ steps/);
    for (const output of [text, result.stdout, result.stderr, log]) {
      expect(output).not.toContain(PASSWORD);
      expect(output).not.toContain(SECRET);
      expect(output).not.toContain('ro_');
    }
  });

  it('exits 0 with --detailed-exitcode when only data would be refreshed', async () => {
    const s = await shop({ sameSchema: true });
    const result = await runCli(['plan', '--detailed-exitcode'], { cwd: s.dir, env });
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toContain('No schema changes: the sandbox structure matches production.');
    expect(result.stdout).toContain('Data refresh (maintain tables):');
  });

  it('is deterministic: two plans of the same databases differ only in their creation time', async () => {
    const s = await shop();
    expect((await runCli(['plan', '-q', '-o', 'a.json'], { cwd: s.dir, env })).code).toBe(0);
    expect((await runCli(['plan', '-q', '-o', 'b.json'], { cwd: s.dir, env })).code).toBe(0);
    const strip = (file: string) => readFileSync(join(s.dir, file), 'utf8').replace(/"createdAt": "[^"]+"/, '"createdAt": "X"');
    const a = strip('a.json');
    expect(a).toBe(strip('b.json'));
    // Keys are sorted at every level, so the file diffs cleanly in git.
    const top = Object.keys(JSON.parse(a));
    expect(top).toEqual([...top].sort());
  });

  it('prints parseable JSON with --json (and --format json)', async () => {
    const s = await shop();
    for (const args of [['--json'], ['--format', 'json']]) {
      const result = await runCli(['plan', ...args], { cwd: s.dir, env });
      expect(result.code).toBe(0);
      const json = JSON.parse(result.stdout);
      expect(json.schemaChanges).toBe(true);
      expect(json.summary).toMatchObject({ tablesAltered: 5, tablesDropped: 1, maintainTables: 4, dataSteps: 4 });
      expect(json.steps.map((step: { id: string }) => step.id)).toContain(json.steps[0].id);
      expect(json.snapshots).toBeUndefined();
    }
  });

  it('a bad config or an unreachable server gives one clear line, exit 1, and no plan file', async () => {
    const dir = tempDir();
    writeFileSync(
      join(dir, 'replicoop.yaml'),
      'production: { user: ro, database: shop, port: "x" }\nsandbox: { user: root, database: sb }\n',
    );
    const bad = await runCli(['plan'], { cwd: dir });
    expect(bad.code).toBe(1);
    expect(bad.stderr.trim()).toBe('error: replicoop.yaml: /production/port: must be integer');
    expect(bad.stdout).toBe('');
    writeConfig(dir, sides(1, 2, 'a', 'b'));
    const unreachable = await runCli(['plan'], { cwd: dir });
    expect(unreachable.code).toBe(1);
    // Each retry is said as it happens (issue 18), then one error line.
    expect(unreachable.stderr.trim().split('\n')).toEqual([
      'warning: connecting to production 127.0.0.1:1/a failed (ECONNREFUSED); attempt 2/3 in 1.0 s',
      'warning: connecting to production 127.0.0.1:1/a failed (ECONNREFUSED); attempt 3/3 in 2.0 s',
      'error: production: cannot connect to 127.0.0.1:1/a (ECONNREFUSED) after 3 attempts',
    ]);
    expect(existsSync(join(dir, 'plan.json'))).toBe(false);
  });

  it('refuses a maintain table that production lacks and a where filter the server rejects, at plan time', async () => {
    const s = await shop();
    const { production, sandbox } = testServers();
    writeConfig(s.dir, sides(production.port, sandbox.port, s.productionDb, s.sandboxDb), {
      maintain: [
        'countries',
        'no_such_table',
        { table: 'orders', where: 'no_such_column > 1' },
        { table: 'customers', mask: { emial: 'null' } },
      ],
    });
    const result = await runCli(['plan'], { cwd: s.dir });
    expect(result.code).toBe(1);
    expect(result.stderr).toContain(
      'error: replicoop.yaml: /maintain/1: maintain table "no_such_table" does not exist in production database',
    );
    expect(result.stderr).toContain(
      `error: replicoop.yaml: /maintain/2/where: production rejects the filter for table "orders": Unknown column 'no_such_column' in 'WHERE'`,
    );
    // A mask problem names the table and the column; the pointer follows.
    expect(result.stderr).toContain(
      'error: replicoop.yaml: maintain customers: mask emial: table "customers" has no column "emial" (/maintain/3/mask/emial)',
    );
    expect(existsSync(join(s.dir, 'plan.json'))).toBe(false);
  });

  it('refuses to maintain a table whose rows live on another server (FEDERATED): the copy would write there', async () => {
    const s = await shop();
    const { production, sandbox } = testServers();
    await production.sql("INSTALL SONAME 'ha_federatedx'").catch(() => undefined);
    await production.sql(
      `CREATE TABLE remote_countries (code CHAR(2) NOT NULL PRIMARY KEY, name VARCHAR(60) NOT NULL) ENGINE=FEDERATED CONNECTION='mysql://root@127.0.0.1:${production.port}/${s.productionDb}/countries'`,
      s.productionDb,
    );
    writeConfig(s.dir, sides(production.port, sandbox.port, s.productionDb, s.sandboxDb), { maintain: ['countries', 'remote_countries'] });
    const result = await runCli(['plan'], { cwd: s.dir });
    expect(result.code).toBe(1);
    expect(result.stderr.trim()).toBe(
      'error: replicoop.yaml: /maintain/1: maintain table "remote_countries" uses engine FEDERATED: its rows live on another server, and refreshing them through the sandbox would write there; keep it structure-only',
    );
    expect(existsSync(join(s.dir, 'plan.json'))).toBe(false);
  });

  it.skipIf(!fixturesFound)("draws Sakila's maintained tables and their neighbours in Mermaid that Mermaid's parser accepts", async () => {
    const { production, sandbox } = testServers();
    const sakila = ['sakila/sakila-schema.anydb.mysql.sql', 'sakila/sakila-data.anydb.mysql.sql'];
    const { productionDb, sandboxDb } = await loadFixtureDatabases('sak', { production: sakila, sandbox: sakila });
    const dir = tempDir();
    writeConfig(dir, sides(production.port, sandbox.port, productionDb, sandboxDb), {
      maintain: ['country', 'city', 'address', 'store', 'staff', { table: 'customer', where: 'store_id = 1', mask: { email: 'null' } }],
    });
    const result = await runCli(['plan', '--format', 'markdown'], { cwd: dir });
    expect(result.code, result.stderr).toBe(0);
    const diagram = mermaidBlock(result.stdout);
    expect(diagram).not.toBeNull();
    const parse = await mermaidParser();
    await expect(parse(diagram!)).resolves.toMatchObject({ diagramType: 'flowchart-v2' });
    // Copy order, filter and masks on the maintained tables; store <-> staff is a cycle.
    // customer is a subset by its own where: the node shows that where, not the closure's effective filter.
    expect(diagram).toMatch(/customer<br\/>copy \d · ~[\d,]+ rows<br\/>subset · where store_id = 1<br\/>masked: email"\]/);
    expect(diagram).toMatch(/-\.->\|"fk_staff_store[^"]*"\|/);
    // staff's only subset fact is the cut of fk_staff_store: its rows are copied whole, so it is no subset.
    expect(diagram).toMatch(/\["staff<br\/>copy \d · ~[\d,]+ rows"\]/);
    expect(diagram).toMatch(/-\.->\|"fk_staff_store · cut"\|/);
    expect(diagram).toMatch(/\("rental<br\/>structure only"\)/);
  });

  it.skipIf(!fixturesFound)('renders Markdown for a pull request (golden file, WordPress 6.8 -> 6.9 multisite)', async () => {
    const { production, sandbox } = testServers();
    const { productionDb, sandboxDb } = await loadFixtureDatabases('wp', {
      production: ['wordpress/wordpress-6.9.0.multisite.mysql.sql'],
      sandbox: ['wordpress/wordpress-6.8.0.multisite.mysql.sql'],
    });
    const dir = tempDir();
    writeConfig(dir, sides(production.port, sandbox.port, productionDb, sandboxDb), { maintain: ['wp_options'] });
    const result = await runCli(['plan', '--format', 'markdown'], { cwd: dir });
    expect(result.code, result.stderr).toBe(0);
    const normalised = result.stdout
      .replaceAll(productionDb, 'wp_production')
      .replaceAll(sandboxDb, 'wp_sandbox')
      .replace(/127\.0\.0\.1:\d+/g, '127.0.0.1:PORT')
      .replace(/mariadb [^ ]+ at/g, 'mariadb VERSION at')
      .replace(/Plan checksum `[0-9a-f]+`/, 'Plan checksum `CHECKSUM`');
    const golden = join(process.cwd(), 'test', 'golden', 'plan-wordpress-6.8-6.9-multisite.md');
    if (process.env.UPDATE_GOLDEN) {
      mkdirSync(join(process.cwd(), 'test', 'golden'), { recursive: true });
      writeFileSync(golden, normalised);
    }
    expect(normalised).toBe(readFileSync(golden, 'utf8'));
  });
});
