/**
 * Least-privilege accounts, for real (issue 18): what an account cannot read is unknown, never
 * absent. Sakila in production and in the sandbox (identical), restricted accounts created on the
 * private servers with CREATE USER / GRANT, plans made through runPlan with a real config file.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config/load-config.js';
import { ReplicoopError } from '../../src/errors.js';
import { runPlan } from '../../src/plan/run-plan.js';
import type { Plan } from '../../src/plan/plan-types.js';
import { ProductionSession } from '../../src/db/session.js';
import { introspectSchema } from '../../src/introspect/introspect-schema.js';
import { parseSnapshot } from '../../src/introspect/parse-snapshot.js';
import { createAccount, type TestAccount } from '../support/accounts.js';
import { planFor, snapshotOf } from '../support/converge.js';
import { runCli, tempDir, writeConfig } from '../support/cli.js';
import { fullDump } from '../support/dump.js';
import { fixturesFound, loadFixtureDatabases } from '../support/fixtures.js';
import { testServers } from '../support/servers.js';

const SAKILA = ['sakila/sakila-schema.anydb.mysql.sql', 'sakila/sakila-data.anydb.mysql.sql'];

let productionDb = '';
let sandboxDb = '';
const accounts: TestAccount[] = [];

async function productionAccount(prefix: string, grants: (db: string) => string[]): Promise<TestAccount> {
  const account = await createAccount(testServers().production, prefix, grants(productionDb));
  accounts.push(account);
  return account;
}

function configWith(production: TestAccount | null, extra: Record<string, unknown> = {}, sandbox: TestAccount | null = null) {
  return loadConfig('replicoop.yaml', {}, projectDir(production, extra, sandbox));
}

function projectDir(production: TestAccount | null, extra: Record<string, unknown> = {}, sandbox: TestAccount | null = null): string {
  const { production: p, sandbox: s } = testServers();
  const dir = tempDir('replicoop-priv-');
  writeConfig(
    dir,
    { productionPort: p.port, sandboxPort: s.port, productionDb, sandboxDb },
    {
      ...(production
        ? { production: { host: '127.0.0.1', port: p.port, user: production.user, password: production.password, database: productionDb } }
        : {}),
      ...(sandbox
        ? { sandbox: { host: '127.0.0.1', port: s.port, user: sandbox.user, password: sandbox.password, database: sandboxDb } }
        : {}),
      ...extra,
    },
  );
  return dir;
}

async function planError(config: ReturnType<typeof loadConfig>): Promise<ReplicoopError> {
  const error = await runPlan(config, { readers: 1, createdAt: '2026-01-01T00:00:00.000Z' }).then(
    () => null,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(ReplicoopError);
  return error as ReplicoopError;
}

const plan = (config: ReturnType<typeof loadConfig>): Promise<Plan> =>
  runPlan(config, { readers: 1, createdAt: '2026-01-01T00:00:00.000Z' });

/** No step drops, re-creates or creates anything the sandbox already has (identical schemas). */
function expectNothingDroppedOrRecreated(p: Plan): void {
  const touching = p.steps.filter((s) => s.schemaChange).map((s) => `${s.kind} ${s.object}`);
  expect(touching).toEqual([]);
  expect(p.steps.filter((s) => s.destructive).map((s) => s.id)).toEqual([]);
}

/**
 * The sandbox's maintained rows drifted (so apply really changes them), and its whole dump before
 * the apply: what `replicoop rollback` by the same project must give back byte for byte.
 */
async function driftAndDump(table: 'actor' | 'payment'): Promise<string> {
  const column = table === 'actor' ? 'last_name' : 'amount';
  const value = table === 'actor' ? "'SANDBOX ONLY'" : '0.01';
  await testServers().sandbox.sql(`UPDATE \`${sandboxDb}\`.\`${table}\` SET ${column} = ${value} WHERE ${table}_id <= 3`);
  return fullDump(testServers().sandbox.port, sandboxDb);
}

/** apply changed the sandbox; rollback (exit 0) restores the dump taken before it exactly. */
async function expectRollbackRestores(dir: string, before: string): Promise<void> {
  expect(fullDump(testServers().sandbox.port, sandboxDb)).not.toBe(before);
  const rollback = await runCli(['rollback'], { cwd: dir });
  expect(rollback.code, rollback.stdout + rollback.stderr).toBe(0);
  expect(fullDump(testServers().sandbox.port, sandboxDb)).toBe(before);
}

const README_GRANTS = (db: string): string[] => [`GRANT SELECT, SHOW VIEW, TRIGGER, EVENT ON \`${db}\`.*`, 'GRANT SELECT ON mysql.proc'];

describe.skipIf(!fixturesFound)('least-privilege production accounts on Sakila', () => {
  beforeAll(async () => {
    ({ productionDb, sandboxDb } = await loadFixtureDatabases('priv', { production: SAKILA, sandbox: SAKILA }));
  });
  afterAll(async () => {
    for (const a of accounts) await a.drop();
    const { production, sandbox } = testServers();
    await production.dropDatabase(productionDb);
    await sandbox.dropDatabase(sandboxDb);
  });

  it('reproduction: the same reads without knowing the grants plan DROP for every routine and trigger and re-create the tables with foreign keys', async () => {
    const ro = await productionAccount('ro_repro', (db) => [`GRANT SELECT ON \`${db}\`.*`]);
    const session = await ProductionSession.open({
      ...testServers().production.target(productionDb),
      user: ro.user,
      password: ro.password,
    });
    const raw = await introspectSchema(session).finally(() => session.close());
    const blind = planFor(parseSnapshot({ ...raw, grants: null }), await snapshotOf('sandbox', sandboxDb));
    const kinds = blind.steps.map((s) => s.kind);
    expect(kinds.filter((k) => k === 'drop_routine')).toHaveLength(6);
    expect(kinds.filter((k) => k === 'drop_trigger')).toHaveLength(6);
    expect(blind.steps.filter((s) => s.kind === 'recreate_table' && s.destructive).map((s) => s.object)).toEqual([
      'address',
      'city',
      'customer',
      'film',
      'film_actor',
      'film_category',
      'inventory',
      'payment',
      'rental',
      'staff',
      'store',
    ]);
    // Knowing the grants, the same rows give unknowns instead, and the plan refuses.
    expect(parseSnapshot(raw).unknown!.length).toBeGreaterThan(10);
  });

  it("with exactly the README's grants: nothing unknown, no schema change, the maintain table is copied", async () => {
    const ro = await productionAccount('ro_readme', README_GRANTS);
    const p = await plan(configWith(ro, { maintain: ['actor', 'payment'] }));
    expect(p.snapshots.production.unknown).toEqual([]);
    expect(p.snapshots.production.routines).toHaveLength(6);
    expect(p.snapshots.production.triggers).toHaveLength(6);
    expectNothingDroppedOrRecreated(p);
    // payment's trigger is lifted around its copy and re-created from production's definition.
    expect(p.steps.map((s) => `${s.kind} ${s.object}`)).toEqual([
      'drop_trigger payment_date',
      'copy_table actor',
      'copy_table payment',
      'create_trigger payment_date',
    ]);
    expect(p.summary.untouched).toBeUndefined();
    // And through the command line: apply and validate with this production account.
    const dir = projectDir(ro, { maintain: ['actor', 'payment'] });
    const before = await driftAndDump('actor');
    expect((await runCli(['plan', '-q'], { cwd: dir })).code).toBe(0);
    const apply = await runCli(['apply', 'plan.json'], { cwd: dir });
    expect(apply.code, apply.stderr).toBe(0);
    expect(apply.stderr).toContain('validation passed');
    expect((await runCli(['validate', '-q'], { cwd: dir })).code).toBe(0);
    await expectRollbackRestores(dir, before);
  });

  it('without SELECT ON mysql.proc: the plan fails with one line naming the GRANT, never DROP ROUTINE', async () => {
    const ro = await productionAccount('ro_noproc', (db) => [`GRANT SELECT, SHOW VIEW, TRIGGER, EVENT ON \`${db}\`.*`]);
    const error = await planError(configWith(ro));
    expect(error.code).toBe('unknown_objects');
    expect(error.message.split('\n')).toEqual([
      `production: the account cannot read stored procedures and functions (MariaDB shows them only with SELECT on mysql.proc). Grant it with: GRANT SELECT ON \`mysql\`.\`proc\` TO ${ro.sql} (or set unknown: { routines: skip } in the config to leave them untouched in the sandbox)`,
    ]);
    // Told to leave routines alone: the six sandbox routines stay, and the plan says so.
    const p = await plan(configWith(ro, { unknown: { routines: 'skip' } }));
    expectNothingDroppedOrRecreated(p);
    expect(p.summary.untouched).toEqual([
      {
        side: 'production',
        kind: 'routine',
        name: null,
        what: expect.stringContaining('stored procedures'),
        grant: `GRANT SELECT ON \`mysql\`.\`proc\` TO ${ro.sql}`,
      },
    ]);
    expect(p.settings.unknown).toEqual({ routines: 'skip' });
    // Applied and validated: the sandbox keeps its six routines.
    const dir = projectDir(ro, { unknown: { routines: 'skip' }, maintain: ['actor'] });
    const before = await driftAndDump('actor');
    const planned = await runCli(['plan'], { cwd: dir });
    expect(planned.code).toBe(0);
    expect(planned.stdout).toContain(`left untouched (unknown: skip): production: stored procedures and functions`);
    const apply = await runCli(['apply', 'plan.json'], { cwd: dir });
    expect(apply.code, apply.stderr).toBe(0);
    expect(apply.stderr).toContain('validation passed');
    const routines = await testServers().sandbox.sql<{ n: number }[]>(
      'SELECT COUNT(*) AS n FROM information_schema.ROUTINES WHERE ROUTINE_SCHEMA = ?',
      undefined,
      [sandboxDb],
    );
    expect(Number(routines[0]!.n)).toBe(6);
    // validate cannot prove what it cannot read: with skip a warning, without it a failure naming the GRANT.
    const skipped = await runCli(['validate'], { cwd: dir });
    expect(skipped.code, skipped.stdout + skipped.stderr).toBe(0);
    const unreadable = `the production account cannot read stored procedures and functions (MariaDB shows them only with SELECT on mysql.proc): not compared (grant it with: GRANT SELECT ON \`mysql\`.\`proc\` TO ${ro.sql})`;
    expect(skipped.stdout + skipped.stderr).toContain(unreadable);
    const strict = await runCli(['validate'], { cwd: projectDir(ro, { maintain: ['actor'] }) });
    expect(strict.code, strict.stdout + strict.stderr).toBe(2);
    expect(strict.stdout + strict.stderr).toContain(unreadable);
    expect(strict.stdout + strict.stderr).not.toMatch(/routine film_in_stock.*(missing|extra)/);
    // The routines replicoop could not read were never touched, so the rollback has nothing of theirs to restore.
    await expectRollbackRestores(dir, before);
  });

  it('with SELECT only: triggers, routines, events and the tables whose foreign keys are hidden are unknown, never dropped or re-created', async () => {
    const ro = await productionAccount('ro_select', (db) => [`GRANT SELECT ON \`${db}\`.*`]);
    const error = await planError(configWith(ro));
    const lines = error.message.split('\n');
    // One line per missing GRANT.
    expect(lines.map((l) => /Grant it with: (.*?) \(or set/.exec(l)?.[1]).sort()).toEqual([
      `GRANT EVENT ON \`${productionDb}\`.* TO ${ro.sql}`,
      `GRANT SELECT ON \`mysql\`.\`proc\` TO ${ro.sql}`,
      `GRANT SELECT, SHOW VIEW ON \`${productionDb}\`.* TO ${ro.sql}`,
      `GRANT SHOW VIEW ON \`${productionDb}\`.* TO ${ro.sql}`,
      `GRANT TRIGGER ON \`${productionDb}\`.* TO ${ro.sql}`,
    ]);
    expect(lines.find((l) => l.includes('GRANT SHOW VIEW ON'))).toContain(
      'tables address, city, customer, film, film_actor and 6 more: foreign keys and CHECK constraints',
    );
    // The hidden foreign keys: every Sakila table that has one, and none that does not.
    const fkTables = error.details.missing as { grant: string; objects: { kind: string; name: string | null }[] }[];
    const hiddenFks = fkTables
      .find((m) => m.grant.startsWith('GRANT SHOW VIEW'))!
      .objects.map((o) => o.name)
      .sort();
    expect(hiddenFks).toEqual([
      'address',
      'city',
      'customer',
      'film',
      'film_actor',
      'film_category',
      'inventory',
      'payment',
      'rental',
      'staff',
      'store',
    ]);

    const p = await plan(
      configWith(ro, {
        unknown: { tables: 'skip', views: 'skip', triggers: 'skip', routines: 'skip', events: 'skip' },
        maintain: ['payment'],
      }),
    );
    // Nothing the sandbox has is dropped or re-created; payment's own trigger is lifted around its copy and put back as it was.
    expect(p.steps.filter((s) => s.destructive)).toEqual([]);
    expect(p.steps.map((s) => `${s.kind} ${s.object}`)).toEqual([
      'drop_trigger payment_date',
      'copy_table payment',
      'create_trigger payment_date',
    ]);
    expect(p.summary.tablesRecreated).toBe(0);
    expect(p.summary.untouched!.length).toBeGreaterThan(10);
    // Applied and validated: payment's rows refreshed, its trigger back, nothing else touched.
    const dir = projectDir(ro, {
      unknown: { tables: 'skip', views: 'skip', triggers: 'skip', routines: 'skip', events: 'skip' },
      maintain: ['payment'],
    });
    const before = await driftAndDump('payment');
    expect((await runCli(['plan', '-q'], { cwd: dir })).code).toBe(0);
    const apply = await runCli(['apply', 'plan.json'], { cwd: dir });
    expect(apply.code, apply.stderr).toBe(0);
    expect(apply.stderr).toContain('validation passed');
    const objects = await testServers().sandbox.sql<{ n: number }[]>(
      `SELECT (SELECT COUNT(*) FROM information_schema.TRIGGERS WHERE TRIGGER_SCHEMA = ?) + (SELECT COUNT(*) FROM information_schema.ROUTINES WHERE ROUTINE_SCHEMA = ?) + (SELECT COUNT(*) FROM information_schema.VIEWS WHERE TABLE_SCHEMA = ?) + (SELECT COUNT(*) FROM information_schema.REFERENTIAL_CONSTRAINTS WHERE CONSTRAINT_SCHEMA = ?) AS n`,
      undefined,
      [sandboxDb, sandboxDb, sandboxDb, sandboxDb],
    );
    expect(Number(objects[0]!.n)).toBe(6 + 6 + 7 + 22);
    await expectRollbackRestores(dir, before);
  });

  it('without SELECT on one structure-only table: never re-created; on a maintained table: a missing-privilege error naming the GRANT', async () => {
    const tables = await testServers().production.sql<{ t: string }[]>(
      "SELECT TABLE_NAME AS t FROM information_schema.TABLES WHERE TABLE_SCHEMA = ? AND TABLE_NAME <> 'film_text'",
      undefined,
      [productionDb],
    );
    const ro = await productionAccount('ro_notext', (db) =>
      [...README_GRANTS(db), ...tables.map(({ t }) => `GRANT SELECT ON \`${db}\`.\`${t}\``)]
        .filter((g) => !g.startsWith('GRANT SELECT, SHOW VIEW'))
        .concat([`GRANT SHOW VIEW, TRIGGER, EVENT ON \`${db}\`.*`]),
    );
    const error = await planError(configWith(ro));
    expect(error.message.split('\n')).toEqual([
      `production: the account cannot read table film_text: columns (information_schema lists only columns the account holds SELECT, INSERT, UPDATE or REFERENCES on). Grant it with: GRANT SELECT ON \`${productionDb}\`.\`film_text\` TO ${ro.sql} (or set unknown: { tables: skip } in the config to leave them untouched in the sandbox)`,
    ]);
    const p = await plan(configWith(ro, { unknown: { tables: 'skip' } }));
    expectNothingDroppedOrRecreated(p);

    const maintained = await planError(configWith(ro, { maintain: ['actor', 'film_text'], unknown: { tables: 'skip' } }));
    expect(maintained.code).toBe('missing_privilege');
    expect(maintained.message).toBe(
      `replicoop.yaml: /maintain/1: production account cannot read every column of maintain table "film_text": GRANT SELECT ON \`${productionDb}\`.\`film_text\` TO ${ro.sql}`,
    );
  });

  it('table-level and column-level grants only: the table list is unknown, a column-only table is unknown; nothing is dropped', async () => {
    const ro = await productionAccount('ro_tables', (db) => [
      `GRANT SELECT (\`actor_id\`, \`first_name\`) ON \`${db}\`.\`actor\``,
      `GRANT SELECT, SHOW VIEW, TRIGGER ON \`${db}\`.\`film\``,
      'GRANT SELECT ON mysql.proc',
    ]);
    const error = await planError(configWith(ro));
    const lines = error.message.split('\n');
    expect(lines.find((l) => l.includes(`GRANT SELECT ON \`${productionDb}\`.\`actor\``))).toContain(
      'table actor: definition (SHOW CREATE is refused',
    );
    expect(lines.find((l) => l.includes(`GRANT SELECT, SHOW VIEW ON \`${productionDb}\`.*`))).toContain(
      'the list of tables (the account holds table-level grants only',
    );
    const p = await plan(configWith(ro, { unknown: { tables: 'skip', views: 'skip', triggers: 'skip', events: 'skip' } }));
    // Production shows two tables; the sandbox's other fourteen and its views are not dropped.
    expect(p.snapshots.production.tables.map((t) => t.name)).toEqual(['film']);
    expectNothingDroppedOrRecreated(p);
  });

  it('a grant revoked between plan and apply: apply refuses naming the GRANT, not "production changed"', async () => {
    const ro = await productionAccount('ro_revoke', README_GRANTS);
    const dir = projectDir(ro, { maintain: ['actor'] });
    expect((await runCli(['plan', '-q'], { cwd: dir })).code).toBe(0);
    await testServers().production.sql(`REVOKE SELECT ON mysql.proc FROM ${ro.sql}`);
    const apply = await runCli(['apply', 'plan.json'], { cwd: dir });
    expect(apply.code).toBe(1);
    expect(apply.stderr).toContain(
      `production: the account cannot read stored procedures and functions (MariaDB shows them only with SELECT on mysql.proc). Grant it with: GRANT SELECT ON \`mysql\`.\`proc\` TO ${ro.sql}`,
    );
    expect(apply.stderr).not.toContain('changed');
  });

  it('grants through a role and a wildcard database grant count as held', async () => {
    const { production } = testServers();
    const role = `r_${productionDb}`.slice(0, 60);
    await production.sql(
      `CREATE ROLE \`${role}\`; GRANT SELECT, SHOW VIEW, TRIGGER, EVENT ON \`${productionDb.slice(0, 6)}%\`.* TO \`${role}\`; GRANT SELECT ON mysql.proc TO \`${role}\``,
    );
    try {
      const ro = await productionAccount('ro_role', () => [`GRANT \`${role}\``]);
      await production.sql(`SET DEFAULT ROLE \`${role}\` FOR ${ro.sql}`);
      const p = await plan(configWith(ro));
      expect(p.snapshots.production.unknown).toEqual([]);
      expectNothingDroppedOrRecreated(p);
    } finally {
      await production.sql(`DROP ROLE IF EXISTS \`${role}\``);
    }
  });
});
