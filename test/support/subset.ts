import { expect } from 'vitest';
import { runCli } from './cli.js';
import { testServers, uniqueName, type TestServer } from './servers.js';

/**
 * Helpers of the subset tests (issue 16): counts, an orphan check and a closure computed in SQL,
 * all independent of replicoop's own code.
 */

export async function count(server: TestServer, database: string, sql: string): Promise<number> {
  const rows = await server.sql<{ n: number | string }[]>(sql, database);
  return Number(rows[0]!.n);
}

/** Orphan rows of every foreign key in `database`, by an outer join (independent of replicoop's check). */
export async function orphans(server: TestServer, database: string): Promise<Record<string, number>> {
  const fks = await server.sql<{ name: string; child: string; col: string; parent: string; ref: string }[]>(
    `SELECT k.CONSTRAINT_NAME AS name, k.TABLE_NAME AS child, k.COLUMN_NAME AS col, k.REFERENCED_TABLE_NAME AS parent, k.REFERENCED_COLUMN_NAME AS ref
       FROM information_schema.KEY_COLUMN_USAGE k WHERE k.TABLE_SCHEMA = ? AND k.REFERENCED_TABLE_NAME IS NOT NULL ORDER BY name`,
    database,
    [database],
  );
  expect(fks.length).toBeGreaterThan(0);
  const out: Record<string, number> = {};
  for (const f of fks) {
    out[`${f.child}.${f.name}`] = await count(
      server,
      database,
      `SELECT COUNT(*) AS n FROM \`${f.child}\` c LEFT JOIN \`${f.parent}\` p ON p.\`${f.ref}\` = c.\`${f.col}\` WHERE c.\`${f.col}\` IS NOT NULL AND p.\`${f.ref}\` IS NULL`,
    );
  }
  return out;
}

/** plan --json, apply (which validates), validate --strict; returns the plan's JSON output. */
export async function refresh(dir: string, applyArgs: readonly string[] = []): Promise<string> {
  const plan = await runCli(['plan', '--json'], { cwd: dir });
  expect(plan.code, plan.stderr).toBe(0);
  const apply = await runCli(['apply', 'plan.json', '--no-backup', '-q', ...applyArgs], { cwd: dir });
  expect(apply.code, apply.stdout + apply.stderr).toBe(0);
  const validate = await runCli(['validate', '--strict', '-q'], { cwd: dir });
  expect(validate.code, validate.stdout + validate.stderr).toBe(0);
  return plan.stdout;
}

/** region (3rd level) <- office (2nd, self-reference parent_id) <- employee (1st, self-reference manager_id); region -> office closes a cycle. */
export const HIERARCHY = `
CREATE TABLE region (id INT PRIMARY KEY, name VARCHAR(20) NOT NULL, capital_office_id INT NULL) ENGINE=InnoDB;
CREATE TABLE office (id INT PRIMARY KEY, region_id INT NOT NULL, parent_id INT NULL, KEY (region_id), KEY (parent_id)) ENGINE=InnoDB;
CREATE TABLE employee (id INT PRIMARY KEY, office_id INT NOT NULL, manager_id INT NULL, name VARCHAR(40) NOT NULL, KEY (office_id), KEY (manager_id)) ENGINE=InnoDB;
`;

export const HIERARCHY_DATA = `
INSERT INTO region SELECT seq, CONCAT('r', seq), seq FROM seq_1_to_10;
INSERT INTO office SELECT seq, ((seq - 1) % 10) + 1, IF(seq <= 10, NULL, ((seq * 7) % (seq - 1)) + 1) FROM seq_1_to_200;
INSERT INTO employee SELECT seq, ((seq * 13) % 200) + 1, IF(seq <= 200, NULL, ((seq * 31) % (seq - 1)) + 1), CONCAT('e', seq) FROM seq_1_to_5000;
ALTER TABLE region ADD CONSTRAINT fk_region_capital FOREIGN KEY (capital_office_id) REFERENCES office (id);
ALTER TABLE office ADD CONSTRAINT fk_office_region FOREIGN KEY (region_id) REFERENCES region (id), ADD CONSTRAINT fk_office_parent FOREIGN KEY (parent_id) REFERENCES office (id);
ALTER TABLE employee ADD CONSTRAINT fk_employee_office FOREIGN KEY (office_id) REFERENCES office (id), ADD CONSTRAINT fk_employee_manager FOREIGN KEY (manager_id) REFERENCES employee (id);
`;

export type HierarchyCounts = { region: number; office: number; employee: number };

/**
 * The closure in one recursive SQL query over the rows: the seed rows of each table, then every
 * row a kept row references (any of the five foreign keys), until nothing is added. `seeds` are
 * SELECTs of ids per table.
 */
export async function hierarchyClosureSql(
  server: TestServer,
  database: string,
  seeds: { readonly region: string; readonly office: string; readonly employee: string },
): Promise<HierarchyCounts> {
  const t = (name: string): string => `CAST('${name}' AS CHAR(10))`;
  const rows = await server.sql<{ t: string; n: number | string }[]>(
    `WITH RECURSIVE edges (ct, cid, pt, pid) AS (
       SELECT ${t('office')}, id, ${t('region')}, region_id FROM office
       UNION ALL SELECT ${t('office')}, id, ${t('office')}, parent_id FROM office WHERE parent_id IS NOT NULL
       UNION ALL SELECT ${t('employee')}, id, ${t('office')}, office_id FROM employee
       UNION ALL SELECT ${t('employee')}, id, ${t('employee')}, manager_id FROM employee WHERE manager_id IS NOT NULL
       UNION ALL SELECT ${t('region')}, id, ${t('office')}, capital_office_id FROM region WHERE capital_office_id IS NOT NULL
     ), kept (t, id) AS (
       SELECT ${t('region')}, id FROM (${seeds.region}) s
       UNION SELECT ${t('office')}, id FROM (${seeds.office}) s
       UNION SELECT ${t('employee')}, id FROM (${seeds.employee}) s
       UNION SELECT e.pt, e.pid FROM kept k JOIN edges e ON e.ct = k.t AND e.cid = k.id
     )
     SELECT t, COUNT(*) AS n FROM kept GROUP BY t`,
    database,
  );
  const of = (name: string): number => Number(rows.find((r) => r.t === name)?.n ?? 0);
  return { region: of('region'), office: of('office'), employee: of('employee') };
}

/** Fresh databases on both test servers, production holding the hierarchy and its rows. */
export async function hierarchy(): Promise<{ production: TestServer; sandbox: TestServer; productionDb: string; sandboxDb: string }> {
  const { production, sandbox } = testServers();
  const productionDb = uniqueName('hier_p');
  const sandboxDb = uniqueName('hier_s');
  await production.createDatabase(productionDb);
  await sandbox.createDatabase(sandboxDb);
  await production.sql(HIERARCHY + HIERARCHY_DATA, productionDb);
  return { production, sandbox, productionDb, sandboxDb };
}
