import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli, tempDir, writeConfig } from '../support/cli.js';
import { testServers, uniqueName } from '../support/servers.js';
import { sides } from '../support/shop.js';

/** Issue 17: the apply report carries validation's warnings, under the original design's field names. */
describe('the apply report of a run whose validation warns', () => {
  it("lists validation's warnings under warnings, not as errors, and counts every production table as processed", async () => {
    const { production, sandbox } = testServers();
    const productionDb = uniqueName('rep_p');
    const sandboxDb = uniqueName('rep_s');
    await production.createDatabase(productionDb);
    await sandbox.createDatabase(sandboxDb);
    const ddl = `CREATE TABLE parent (id INT PRIMARY KEY);
      CREATE TABLE child (id INT PRIMARY KEY, parent_id INT NULL, CONSTRAINT fk_child_parent FOREIGN KEY (parent_id) REFERENCES parent (id));
      CREATE TABLE other (id INT PRIMARY KEY);`;
    await production.sql(`${ddl} INSERT INTO parent SELECT seq FROM seq_1_to_10;`, productionDb);
    // The sandbox's structure-only child points at parent 11, which the refresh of parent removes.
    await sandbox.sql(`${ddl} INSERT INTO parent SELECT seq FROM seq_1_to_11; INSERT INTO child VALUES (1, 11), (2, 1);`, sandboxDb);
    const dir = tempDir();
    writeConfig(dir, sides(production.port, sandbox.port, productionDb, sandboxDb), { maintain: ['parent'] });
    const plan = await runCli(['plan'], { cwd: dir });
    expect(plan.code, plan.stderr).toBe(0);
    const apply = await runCli(['apply', 'plan.json', '--no-backup'], { cwd: dir });
    expect(apply.code, apply.stderr).toBe(0);
    const file = readdirSync(join(dir, 'reports')).find((f) => f.startsWith('apply_') && f.endsWith('.json'))!;
    const report = JSON.parse(readFileSync(join(dir, 'reports', file), 'utf8')) as Record<string, unknown>;
    expect(report).toMatchObject({
      tables_processed: 3,
      maintain_tables: 1,
      structure_only_tables: 2,
      total_records_replicated: 10,
      backup_created: null,
      success: true,
      errors: [],
    });
    expect(report.warnings).toEqual(
      expect.arrayContaining(['validation: integrity: 1 row of child points at no parent row (foreign key fk_child_parent)']),
    );
    const markdown = readFileSync(join(dir, 'reports', file.replace(/\.json$/, '.md')), 'utf8');
    expect(markdown).toContain('### Warnings\n');
    expect(markdown).not.toContain('### Errors');
    expect(markdown.match(/1 row of child points at no parent row/g)).toHaveLength(1);
  });
});
