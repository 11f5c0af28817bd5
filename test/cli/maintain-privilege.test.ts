import { describe, expect, it } from 'vitest';
import { runCli, tempDir, writeConfig } from '../support/cli.js';
import { testServers, uniqueName } from '../support/servers.js';
import { sides } from '../support/shop.js';

/** Issue 18: a production user without SELECT on one maintained table gets the GRANT, not "missing" or "changed". */
describe('a maintain table the production user may not read', () => {
  it('plan names the missing SELECT privilege and the GRANT that fixes it', async () => {
    const { production, sandbox } = testServers();
    const productionDb = uniqueName('priv_p');
    const sandboxDb = uniqueName('priv_s');
    const user = uniqueName('ro');
    await production.createDatabase(productionDb);
    await sandbox.createDatabase(sandboxDb);
    await production.sql(
      'CREATE TABLE readable (id INT PRIMARY KEY); CREATE TABLE secret_stuff (id INT PRIMARY KEY); INSERT INTO readable VALUES (1); INSERT INTO secret_stuff VALUES (1);',
      productionDb,
    );
    await production.sql(
      `CREATE USER '${user}'@'%' IDENTIFIED BY 'pw-${user}'; GRANT SELECT, SHOW VIEW, TRIGGER ON \`${productionDb}\`.\`readable\` TO '${user}'@'%'; GRANT EVENT ON \`${productionDb}\`.* TO '${user}'@'%'`,
    );
    try {
      const dir = tempDir();
      writeConfig(dir, sides(production.port, sandbox.port, productionDb, sandboxDb), {
        production: { host: '127.0.0.1', port: production.port, user, password: `pw-${user}`, database: productionDb },
        maintain: ['readable', 'secret_stuff'],
        state: './state.db',
      });
      const result = await runCli(['plan', '-q'], { cwd: dir });
      expect(result.code).toBe(1);
      expect(result.stderr).toContain(
        `replicoop.yaml: /maintain/1: production account cannot read every column of maintain table "secret_stuff": GRANT SELECT ON \`${productionDb}\`.\`secret_stuff\` TO '${user}'@'%'`,
      );
      expect(result.stderr.trim().split('\n')).toHaveLength(1);
      expect(result.stderr).not.toMatch(/does not exist|production changed/);
      expect(result.stderr).not.toContain(`pw-${user}`);
    } finally {
      await production.sql(`DROP USER IF EXISTS '${user}'@'%'`);
      await production.dropDatabase(productionDb);
      await sandbox.dropDatabase(sandboxDb);
    }
  }, 60_000);
});
