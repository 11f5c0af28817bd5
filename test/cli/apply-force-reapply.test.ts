import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli, tempDir, writeConfig } from '../support/cli.js';
import { testServers, uniqueName } from '../support/servers.js';
import { sides } from '../support/shop.js';

// apply --force of a plan that already finished (issue 18, fault-injection soak): each step is
// checked first, and one whose effect is already there is not run again. Before, a rename
// (RENAME of a table that is gone) and the drop of a foreign key of a table dropped later
// (ALTER of a table that is gone) had no expectation and failed when run again.

const PRODUCTION = `
CREATE TABLE countries (code CHAR(2) PRIMARY KEY, name VARCHAR(64) NOT NULL);
CREATE TABLE users (id INT PRIMARY KEY, name VARCHAR(40), email VARCHAR(80));
INSERT INTO countries VALUES ('BR','Brazil'),('PT','Portugal');
`;

// users was people; legacy (gone from production) has a key to countries, which changes first.
const SANDBOX = `
CREATE TABLE countries (code CHAR(2) PRIMARY KEY, name VARCHAR(40) NOT NULL);
CREATE TABLE people (id INT PRIMARY KEY, name VARCHAR(40));
CREATE TABLE legacy (id INT PRIMARY KEY, country CHAR(2), CONSTRAINT fk_legacy_country FOREIGN KEY (country) REFERENCES countries (code));
INSERT INTO countries VALUES ('BR','Brazil');
INSERT INTO people VALUES (1, 'kept one'), (2, 'kept two');
INSERT INTO legacy VALUES (1, 'BR');
`;

describe('apply --force of a finished plan with a rename and a foreign key drop', () => {
  it('recognises both as done, runs no DDL again, exits 0, and the sandbox keeps its rows and matches production', async () => {
    const { production, sandbox } = testServers();
    const productionDb = uniqueName('frp');
    const sandboxDb = uniqueName('frs');
    await production.createDatabase(productionDb);
    await sandbox.createDatabase(sandboxDb);
    await production.sql(PRODUCTION, productionDb);
    await sandbox.sql(SANDBOX, sandboxDb);
    try {
      const dir = tempDir('replicoop-force-');
      writeConfig(dir, sides(production.port, sandbox.port, productionDb, sandboxDb), {
        maintain: ['countries'],
        renames: { people: 'users' },
      });
      const plan = await runCli(['plan', '-q'], { cwd: dir });
      expect(plan.code, plan.stderr).toBe(0);
      const steps = (JSON.parse(readFileSync(join(dir, 'plan.json'), 'utf8')) as { steps: { id: string; sql: string[] }[] }).steps;
      const rename = steps.find((s) => s.sql[0]!.startsWith('RENAME TABLE `people` TO `users`'));
      const fkDrop = steps.find((s) => /^ALTER TABLE `legacy`\s+DROP FOREIGN KEY/.test(s.sql[0]!));
      expect(rename, JSON.stringify(steps)).toBeDefined();
      expect(fkDrop, JSON.stringify(steps)).toBeDefined();

      const first = await runCli(['apply', 'plan.json', '--no-validate'], { cwd: dir });
      expect(first.code, first.stderr).toBe(0);

      const forced = await runCli(['apply', 'plan.json', '--force', '--no-validate', '--no-backup'], { cwd: dir });
      expect(forced.code, forced.stderr).toBe(0);
      for (const step of [rename!, fkDrop!])
        expect(forced.stderr).toContain(`✓ ${step.id}: its effect is already in the sandbox (checked against the plan), not run again`);
      expect(forced.stderr).not.toMatch(/doesn't exist|failed/);

      const rows = await sandbox.sql<{ id: number; name: string }[]>('SELECT id, name FROM users ORDER BY id', sandboxDb);
      expect(rows).toEqual([
        { id: 1, name: 'kept one' },
        { id: 2, name: 'kept two' },
      ]);
      const again = await runCli(['plan', '-q', '--detailed-exitcode', '-o', 'again.json'], { cwd: dir });
      expect(again.code, again.stdout + again.stderr).toBe(0);
    } finally {
      await production.dropDatabase(productionDb);
      await sandbox.dropDatabase(sandboxDb);
    }
  });
});
