import { rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli, tempDir, writeConfig } from '../support/cli.js';
import { testServers, uniqueName } from '../support/servers.js';
import { SHOP_PRODUCTION, SHOP_SANDBOX, sides } from '../support/shop.js';

describe('a backup that fails (not an interrupt)', () => {
  it('marks the run failed with one clear error line, changes nothing, and the next apply resumes it', async () => {
    const { production, sandbox } = testServers();
    const productionDb = uniqueName('bkfp');
    const sandboxDb = uniqueName('bkfs');
    await production.createDatabase(productionDb);
    await sandbox.createDatabase(sandboxDb);
    await production.sql(SHOP_PRODUCTION, productionDb);
    await sandbox.sql(SHOP_SANDBOX, sandboxDb);
    const dir = tempDir();
    // A file where the backup folder's parent should be: creating the folder fails.
    writeFileSync(join(dir, 'blocker'), 'not a folder');
    writeConfig(dir, sides(production.port, sandbox.port, productionDb, sandboxDb), {
      maintain: ['events'],
      backup: { dir: 'blocker/backups' },
    });
    expect((await runCli(['plan', '-q'], { cwd: dir })).code).toBe(0);

    const failed = await runCli(['apply', 'plan.json', '--no-validate'], { cwd: dir });
    expect(failed.code).toBe(1);
    const errors = failed.stderr.split('\n').filter((line) => line.startsWith('error:'));
    expect(errors).toHaveLength(1);
    expect(errors[0]).toMatch(
      /^error: the backup failed, before anything in the sandbox changed: cannot create the backup directory .*blocker\/backups: ENOTDIR.*; once that is fixed, run (\S+) continues with a fresh backup when you run replicoop apply plan\.json again$/,
    );
    const status = JSON.parse((await runCli(['status', '--json'], { cwd: dir })).stdout) as {
      runs: { id: string; status: string; steps: { done: number; pending: number; total: number } }[];
    };
    expect(status.runs[0]!.status).toBe('failed');
    expect(status.runs[0]!.steps.pending).toBe(status.runs[0]!.steps.total);
    expect(errors[0]).toContain(`run ${status.runs[0]!.id} continues`);
    const [count] = await sandbox.sql<{ n: number }[]>('SELECT COUNT(*) AS n FROM events', sandboxDb);
    expect(Number(count!.n)).toBe(1);

    rmSync(join(dir, 'blocker'));
    const resumed = await runCli(['apply', 'plan.json', '--no-validate'], { cwd: dir });
    expect(resumed.code, resumed.stderr).toBe(0);
    expect(resumed.stderr).toContain(`resuming run ${status.runs[0]!.id}`);
    expect(resumed.stderr).toContain('backup written');
  });
});
