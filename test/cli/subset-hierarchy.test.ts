import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli, tempDir, writeConfig } from '../support/cli.js';
import { testServers, uniqueName, type TestServer } from '../support/servers.js';
import { sides } from '../support/shop.js';
import { count, hierarchy, hierarchyClosureSql, orphans, refresh, type HierarchyCounts } from '../support/subset.js';

/**
 * Issue 16 on the generated 3-level hierarchy (region <- office <- employee, the region <-> office
 * cycle, two self-references), with a where on every level: each subset.follow mode gives zero
 * orphans and row counts equal to the closure computed by one recursive SQL query over
 * production's rows (test/support/subset.ts); sample/limit pick the same rows on every refresh;
 * validate fails once a subset refresh is damaged; a cycle that needs more rounds than plan
 * unrolls is a plan error naming the foreign key. (subset.follow has two modes, children and
 * parents; the "both" was an example, see README "Subsets".)
 */

type PlanJson = { steps: { data: { table: string; estimatedRows: number; subset?: { cut: string[] } } | null }[] };

async function sandboxCounts(sandbox: TestServer, sandboxDb: string): Promise<HierarchyCounts> {
  const n = (table: string) => count(sandbox, sandboxDb, `SELECT COUNT(*) AS n FROM ${table}`);
  return { region: await n('region'), office: await n('office'), employee: await n('employee') };
}

const WHERE = { region: 'id <= 3', office: 'id % 4 <> 0', employee: 'id % 3 <> 0' };

describe('subset closure of the hierarchy under each subset.follow mode, a where on every level', () => {
  const seeds = {
    // children: a child's seed rows are those under its parent's seed rows (pass 1), then every referenced row.
    children: {
      region: `SELECT id FROM region WHERE ${WHERE.region}`,
      office: `SELECT id FROM office WHERE ${WHERE.office} AND region_id IN (SELECT id FROM region WHERE ${WHERE.region})`,
      employee: `SELECT id FROM employee WHERE ${WHERE.employee} AND office_id IN (SELECT id FROM office WHERE ${WHERE.office} AND region_id IN (SELECT id FROM region WHERE ${WHERE.region}))`,
    },
    // parents: every table keeps the rows of its own where, then every referenced row.
    parents: {
      region: `SELECT id FROM region WHERE ${WHERE.region}`,
      office: `SELECT id FROM office WHERE ${WHERE.office}`,
      employee: `SELECT id FROM employee WHERE ${WHERE.employee}`,
    },
  };
  const seen: Partial<Record<keyof typeof seeds, HierarchyCounts>> = {};

  for (const follow of ['children', 'parents'] as const) {
    it(`follow: ${follow}: zero orphans, counts equal the recursive SQL closure, the cycle cut`, async () => {
      const { production, sandbox, productionDb, sandboxDb } = await hierarchy();
      const dir = tempDir();
      writeConfig(dir, sides(production.port, sandbox.port, productionDb, sandboxDb), {
        maintain: [
          { table: 'region', where: WHERE.region },
          { table: 'office', where: WHERE.office },
          { table: 'employee', where: WHERE.employee },
        ],
        subset: { follow },
        state: './state.db',
        logs: './logs',
        reports: './reports',
      });
      const plan = JSON.parse(await refresh(dir)) as PlanJson;
      const data = (table: string) => plan.steps.find((s) => s.data?.table === table)!.data!;
      expect(data('region').subset!.cut).toEqual(['region.fk_region_capital']);
      expect(Object.values(await orphans(sandbox, sandboxDb))).toEqual([0, 0, 0, 0, 0]);
      const want = await hierarchyClosureSql(production, productionDb, seeds[follow]);
      expect(await sandboxCounts(sandbox, sandboxDb)).toEqual(want);
      for (const table of ['region', 'office', 'employee'] as const) expect(data(table).estimatedRows, table).toBe(want[table]);
      expect(want.employee).toBeLessThan(5000);
      seen[follow] = want;
      await production.dropDatabase(productionDb);
      await sandbox.dropDatabase(sandboxDb);
    }, 180_000);
  }

  it('the two modes differ on these wheres (so each test proves its own mode)', () => {
    expect(seen.children && seen.parents, 'both mode tests ran').toBeTruthy();
    expect(seen.parents!.employee).toBeGreaterThan(seen.children!.employee);
  });
});

describe('sample and limit on the hierarchy', () => {
  it('pick the same rows on two refreshes (the sandbox emptied in between, production grown), closed like a where', async () => {
    const { production, sandbox, productionDb, sandboxDb } = await hierarchy();
    const dir = tempDir();
    writeConfig(dir, sides(production.port, sandbox.port, productionDb, sandboxDb), {
      maintain: ['region', { table: 'office', sample: '50%', limit: 30 }, 'employee'],
      state: './state.db',
      logs: './logs',
      reports: './reports',
    });
    const ids = async (table: string): Promise<number[]> =>
      (await sandbox.sql<{ id: number }[]>(`SELECT id FROM ${table} ORDER BY id`, sandboxDb)).map((r) => r.id);
    await refresh(dir);
    const first = { office: await ids('office'), employee: await ids('employee') };
    const sampled = 'SELECT id FROM (SELECT id FROM office WHERE CRC32(id) % 1000000 < 500000 ORDER BY id LIMIT 30) x';
    const want = await hierarchyClosureSql(production, productionDb, {
      region: 'SELECT id FROM region',
      office: sampled,
      employee: `SELECT id FROM employee WHERE office_id IN (${sampled})`,
    });
    expect(await sandboxCounts(sandbox, sandboxDb)).toEqual(want);
    expect(first.office.length).toBeGreaterThanOrEqual(30);
    expect(Object.values(await orphans(sandbox, sandboxDb))).toEqual([0, 0, 0, 0, 0]);

    // Offices past the last sampled key, without employees: the first 30 sampled by key stay the same.
    await production.sql('INSERT INTO office SELECT seq, ((seq - 1) % 10) + 1, NULL FROM seq_201_to_260', productionDb);
    await sandbox.sql('SET foreign_key_checks = 0; DELETE FROM employee; DELETE FROM office; DELETE FROM region;', sandboxDb);
    await refresh(dir);
    expect({ office: await ids('office'), employee: await ids('employee') }).toEqual(first);
    await production.dropDatabase(productionDb);
    await sandbox.dropDatabase(sandboxDb);
  }, 180_000);
});

describe('validate after a damaged subset refresh', () => {
  it('fails (non-zero) once a parent row of the subset is deleted in the sandbox, naming the orphans', async () => {
    const { production, sandbox, productionDb, sandboxDb } = await hierarchy();
    const dir = tempDir();
    writeConfig(dir, sides(production.port, sandbox.port, productionDb, sandboxDb), {
      maintain: [{ table: 'region', where: 'id <= 2' }, 'office', 'employee'],
      state: './state.db',
      logs: './logs',
      reports: './reports',
    });
    await refresh(dir);
    const office = (await sandbox.sql<{ id: number }[]>('SELECT MIN(office_id) AS id FROM employee', sandboxDb))[0]!.id;
    await sandbox.sql(`SET foreign_key_checks = 0; DELETE FROM office WHERE id = ${Number(office)}`, sandboxDb);
    const validate = await runCli(['validate', '--strict'], { cwd: dir });
    expect(validate.code).not.toBe(0);
    expect(validate.stdout + validate.stderr).toMatch(/of employee \(office_id\) points? at no office \(id\) row/);
    await production.dropDatabase(productionDb);
    await sandbox.dropDatabase(sandboxDb);
  }, 180_000);
});

describe('a cycle whose data needs more rounds than plan unrolls', () => {
  it('fails the plan naming the cut foreign key, and writes no plan', async () => {
    const { production, sandbox } = testServers();
    const productionDb = uniqueName('chain_p');
    const sandboxDb = uniqueName('chain_s');
    await production.createDatabase(productionDb);
    await sandbox.createDatabase(sandboxDb);
    // Region i's capital is office i + 1, which lies in region i + 1: each round of the closure
    // pulls one more region and its capital points one further, eight regions deep.
    await production.sql(
      `CREATE TABLE region (id INT PRIMARY KEY, capital_office_id INT NULL) ENGINE=InnoDB;
       CREATE TABLE office (id INT PRIMARY KEY, region_id INT NOT NULL, KEY (region_id)) ENGINE=InnoDB;
       INSERT INTO region SELECT seq, IF(seq < 8, seq + 1, NULL) FROM seq_1_to_8;
       INSERT INTO office SELECT seq, seq FROM seq_1_to_8;
       ALTER TABLE region ADD CONSTRAINT fk_region_capital FOREIGN KEY (capital_office_id) REFERENCES office (id);
       ALTER TABLE office ADD CONSTRAINT fk_office_region FOREIGN KEY (region_id) REFERENCES region (id);`,
      productionDb,
    );
    const dir = tempDir();
    writeConfig(dir, sides(production.port, sandbox.port, productionDb, sandboxDb), {
      maintain: [{ table: 'region', where: 'id = 1' }, 'office'],
      state: './state.db',
      logs: './logs',
      reports: './reports',
    });
    const plan = await runCli(['plan', '-q'], { cwd: dir });
    expect(plan.code).toBe(1);
    expect(plan.stderr).toMatch(
      /replicoop\.yaml: \/subset: foreign key fk_region_capital was cut to break a cycle between maintain tables, and after 4 rounds of closure \d+ copied rows? of region would point at office rows that are not copied; give region or office a where that keeps them together, or copy office whole/,
    );
    expect(existsSync(join(dir, 'plan.json'))).toBe(false);
    await production.dropDatabase(productionDb);
    await sandbox.dropDatabase(sandboxDb);
  }, 120_000);
});
