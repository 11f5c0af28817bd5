import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { createAccount } from '../support/accounts.js';
import { runCli, tempDir, writeConfig } from '../support/cli.js';
import { fullDump } from '../support/dump.js';
import { testServers, uniqueName } from '../support/servers.js';
import { SHOP_MAINTAIN, SHOP_PRODUCTION, SHOP_SANDBOX, sides } from '../support/shop.js';

// backup.scope: full with mariadb-dump on PATH: the backup is mariadb-dump's file. Restoring it
// must need no privilege beyond the README's sandbox GRANT (mariadb-dump's default --add-locks
// would wrap every table's rows in LOCK TABLES, which that GRANT leaves out).

const env = { MASK_SECRET: 'mask-secret-for-tests-0123' };

describe("rollback of a scope: full mariadb-dump backup by an account with exactly the README's sandbox grants", () => {
  it('restores the sandbox byte for byte: tables, rows, a view, a trigger, routines, an event and a sequence', async () => {
    const { production, sandbox } = testServers();
    const productionDb = uniqueName('fdp');
    const sandboxDb = uniqueName('fds');
    await production.createDatabase(productionDb);
    await sandbox.createDatabase(sandboxDb);
    await production.sql(SHOP_PRODUCTION, productionDb);
    const account = await createAccount(sandbox, 'fd_readme', [
      `GRANT SELECT, INSERT, DELETE, CREATE, DROP, ALTER, REFERENCES, CREATE VIEW, SHOW VIEW, TRIGGER, CREATE ROUTINE, ALTER ROUTINE, EVENT ON \`${sandboxDb}\`.*`,
      'GRANT SELECT ON mysql.proc',
    ]);
    // Owned by the sandbox account itself, so the restore loads the file as it is (no definer rewrite).
    const owner = `DEFINER=${account.sql}`;
    await sandbox.sql(
      `${SHOP_SANDBOX}
       CREATE ${owner} VIEW v_sandbox_only AS SELECT code, UPPER(name) AS uname FROM countries;
       CREATE ${owner} TRIGGER tr_sandbox_only BEFORE INSERT ON old_stuff FOR EACH ROW SET NEW.id = NEW.id + 0;
       CREATE ${owner} PROCEDURE p_sandbox_only () SELECT COUNT(*) FROM old_stuff;
       CREATE ${owner} FUNCTION f_sandbox_only (x INT) RETURNS INT DETERMINISTIC RETURN x * 2;
       CREATE ${owner} EVENT e_sandbox_only ON SCHEDULE EVERY 1 DAY STARTS '2030-01-01 00:00:00' DISABLE DO DELETE FROM old_stuff WHERE id < 0;
       CREATE SEQUENCE s_sandbox_only START WITH 100 INCREMENT BY 5;
       SELECT NEXTVAL(s_sandbox_only);`,
      sandboxDb,
    );
    try {
      const before = fullDump(sandbox.port, sandboxDb);
      expect(before).toContain('tr_sandbox_only');
      expect(before).toContain('e_sandbox_only');
      const dir = tempDir('replicoop-fulldump-');
      writeConfig(dir, sides(production.port, sandbox.port, productionDb, sandboxDb), {
        sandbox: { host: '127.0.0.1', port: sandbox.port, user: account.user, password: account.password, database: sandboxDb },
        maintain: SHOP_MAINTAIN,
        masking: { secret: '${MASK_SECRET}' },
        backup: { dir: './backups', keep: 5, scope: 'full' },
      });
      const plan = await runCli(['plan', '-q'], { cwd: dir, env });
      expect(plan.code, plan.stderr).toBe(0);
      const applied = await runCli(['apply', 'plan.json', '--no-validate'], { cwd: dir, env });
      expect(applied.code, applied.stderr).toBe(0);
      expect(applied.stderr).toMatch(/backup written: .*, mariadb-dump\)/);
      expect(fullDump(sandbox.port, sandboxDb)).not.toBe(before);

      // The backup is mariadb-dump's file, and it asks for no LOCK TABLES.
      const backups = readdirSync(join(dir, 'backups')).filter((f) => f.endsWith('.sql.gz'));
      expect(backups).toHaveLength(1);
      const text = gunzipSync(readFileSync(join(dir, 'backups', backups[0]!))).toString('utf8');
      expect(text).not.toMatch(/LOCK TABLES|DISABLE KEYS/i);

      const rollback = await runCli(['rollback'], { cwd: dir, env });
      expect(rollback.code, rollback.stderr).toBe(0);
      expect(fullDump(sandbox.port, sandboxDb)).toBe(before);
    } finally {
      await account.drop();
      await production.dropDatabase(productionDb);
      await sandbox.dropDatabase(sandboxDb);
    }
  });
});
