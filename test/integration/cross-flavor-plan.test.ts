import { describe, expect, it } from 'vitest';
import { renderPlanText } from '../../src/report/render-plan.js';
import type { Snapshot } from '../../src/snapshot/model.js';
import { applyDdl, freshDatabases, planFor, snapshotOf } from '../support/converge.js';
import { testServers } from '../support/servers.js';

/**
 * No MySQL 8 server runs here: production is read from MariaDB and given the names MySQL 8 would
 * show (flavor, utf8mb4_0900_ai_ci in a column and inside a view and a CHECK), then planned and
 * applied on the real MariaDB sandbox. The plan's printed warning says which collation is used,
 * and every CREATE is accepted.
 */
describe('a MySQL 8 production planned for a MariaDB sandbox', () => {
  it('prints the collation warning line and creates every object with the mapped collation', async () => {
    const dbs = await freshDatabases('xflavor');
    const { production, sandbox } = testServers();
    await production.sql(
      `CREATE TABLE t (id INT NOT NULL PRIMARY KEY, name VARCHAR(20) COLLATE utf8mb4_general_ci,
         CONSTRAINT ck_name CHECK (name COLLATE utf8mb4_general_ci <> 'x'));
       CREATE VIEW v AS SELECT name FROM t WHERE name = 'a' COLLATE utf8mb4_general_ci`,
      dbs.production,
    );
    const read = await snapshotOf('production', dbs.production);
    const asMysql = (text: string): string => text.replaceAll('utf8mb4_general_ci', 'utf8mb4_0900_ai_ci');
    const mysql: Snapshot = {
      ...read,
      flavor: 'mysql',
      serverVersion: '8.0.36',
      tables: read.tables.map((t) => ({
        ...t,
        columns: t.columns.map((c) => (c.name === 'name' ? { ...c, collation: 'utf8mb4_0900_ai_ci' } : c)),
        checks: t.checks.map((k) => ({ ...k, clause: asMysql(k.clause) })),
      })),
      views: read.views.map((v) => ({ ...v, definition: asMysql(v.definition) })),
    };
    expect(JSON.stringify(mysql.views) + JSON.stringify(mysql.tables)).toContain('utf8mb4_0900_ai_ci');

    const plan = planFor(mysql, await snapshotOf('sandbox', dbs.sandbox));
    const lines = renderPlanText(plan).split('\n');
    expect(lines.filter((line) => line.startsWith('! '))).toEqual([
      "! collation utf8mb4_0900_ai_ci (MySQL) is created as utf8mb4_uca1400_nopad_ai_ci in the mariadb sandbox, the closest it has (UCA 14.0.0, NO PAD like MySQL's): column t.name, CHECK ck_name of table t, view v",
    ]);

    expect(await applyDdl(plan, dbs.sandbox)).toEqual([]);
    const [column] = await sandbox.sql<{ c: string }[]>(
      "SELECT COLLATION_NAME AS c FROM information_schema.COLUMNS WHERE TABLE_SCHEMA = DATABASE() AND TABLE_NAME = 't' AND COLUMN_NAME = 'name'",
      dbs.sandbox,
    );
    expect(column!.c).toBe('utf8mb4_uca1400_nopad_ai_ci');
    const [view] = await sandbox.sql<{ d: string }[]>(
      "SELECT VIEW_DEFINITION AS d FROM information_schema.VIEWS WHERE TABLE_SCHEMA = DATABASE() AND TABLE_NAME = 'v'",
      dbs.sandbox,
    );
    expect(view!.d).toContain('utf8mb4_uca1400_nopad_ai_ci');
    const [check] = await sandbox.sql<{ c: string }[]>(
      "SELECT CHECK_CLAUSE AS c FROM information_schema.CHECK_CONSTRAINTS WHERE CONSTRAINT_SCHEMA = DATABASE() AND CONSTRAINT_NAME = 'ck_name'",
      dbs.sandbox,
    );
    expect(check!.c).toContain('utf8mb4_uca1400_nopad_ai_ci');
    await Promise.all([production.dropDatabase(dbs.production), sandbox.dropDatabase(dbs.sandbox)]);
  });
});
