import { describe, expect, it } from 'vitest';
import { runCli, tempDir, writeConfig } from '../support/cli.js';
import { testServers, uniqueName } from '../support/servers.js';
import { fullDump } from '../support/dump.js';
import { SHOP_MAINTAIN, SHOP_PRODUCTION, SHOP_SANDBOX, sides } from '../support/shop.js';

const env = { MASK_SECRET: 'mask-secret-for-tests-0123', SANDBOX_PW: 'pw-sandbox-rb' };

describe('rollback by the account that ran apply (ALL on the sandbox database, no SUPER/SET USER)', () => {
  it('restores the sandbox exactly, objects root defined included (as the sandbox user, said so)', async () => {
    const { production, sandbox } = testServers();
    const productionDb = uniqueName('rbp');
    const sandboxDb = uniqueName('rbs');
    await production.createDatabase(productionDb);
    await sandbox.createDatabase(sandboxDb);
    await production.sql(SHOP_PRODUCTION, productionDb);
    await sandbox.sql(
      `${SHOP_SANDBOX}
       CREATE DEFINER=root@localhost SQL SECURITY DEFINER VIEW v_sandbox_only AS SELECT code, UPPER(name) AS uname FROM countries;
       CREATE DEFINER=root@localhost TRIGGER tr_sandbox_only BEFORE INSERT ON old_stuff FOR EACH ROW SET NEW.id = NEW.id + 0;`,
      sandboxDb,
    );
    const user = `rb_${sandboxDb.slice(-8)}`;
    await sandbox.sql(`CREATE USER '${user}'@'%' IDENTIFIED BY '${env.SANDBOX_PW}'; GRANT ALL ON \`${sandboxDb}\`.* TO '${user}'@'%'`);
    try {
      const before = fullDump(sandbox.port, sandboxDb, { maskDefiners: true });
      expect(before).toContain('tr_sandbox_only');
      const dir = tempDir();
      const config = sides(production.port, sandbox.port, productionDb, sandboxDb);
      writeConfig(dir, config, {
        sandbox: { host: '127.0.0.1', port: sandbox.port, user, password: '${SANDBOX_PW}', database: sandboxDb },
        maintain: SHOP_MAINTAIN,
        masking: { secret: '${MASK_SECRET}' },
      });
      const plan = await runCli(['plan', '-q'], { cwd: dir, env });
      expect(plan.code, plan.stderr).toBe(0);
      const applied = await runCli(['apply', 'plan.json', '--no-validate'], { cwd: dir, env });
      expect(applied.code, applied.stderr).toBe(0);
      expect(fullDump(sandbox.port, sandboxDb, { maskDefiners: true })).not.toBe(before);
      const rollback = await runCli(['rollback'], { cwd: dir, env });
      expect(rollback.code, rollback.stderr).toBe(0);
      expect(rollback.stderr).toContain(`objects defined by root@localhost are restored with DEFINER=CURRENT_USER (${user}@%)`);
      expect(fullDump(sandbox.port, sandboxDb, { maskDefiners: true })).toBe(before);
    } finally {
      await sandbox.sql(`DROP USER IF EXISTS '${user}'@'%'`);
    }
  });
});
