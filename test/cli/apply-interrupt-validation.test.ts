import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { CLI, runCli, tempDir, writeConfig } from '../support/cli.js';
import { testServers, uniqueName } from '../support/servers.js';
import { SHOP_PRODUCTION, SHOP_SANDBOX, sides } from '../support/shop.js';

describe('stopping an apply during its validation', () => {
  it('SIGTERM (no terminal) as the validation starts: exit 130, the run is not done, and a resume only validates', async () => {
    const { production, sandbox } = testServers();
    const productionDb = uniqueName('ivp');
    const sandboxDb = uniqueName('ivs');
    await production.createDatabase(productionDb);
    await sandbox.createDatabase(sandboxDb);
    await production.sql(SHOP_PRODUCTION, productionDb);
    await sandbox.sql(SHOP_SANDBOX, sandboxDb);
    const dir = tempDir();
    writeConfig(dir, sides(production.port, sandbox.port, productionDb, sandboxDb), { maintain: ['events', 'orders'] });
    expect((await runCli(['plan', '-q'], { cwd: dir })).code).toBe(0);

    const child = spawn(process.execPath, [CLI, 'apply', 'plan.json'], {
      cwd: dir,
      env: { ...process.env, NO_COLOR: '1', CI: 'true' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stderr = '';
    let sent = false;
    child.stderr.on('data', (d: Buffer) => {
      stderr += d.toString();
      if (!sent && stderr.includes('validating the sandbox against production')) {
        sent = true;
        child.kill('SIGTERM');
      }
    });
    const code = await new Promise<number | null>((r) => child.once('close', (c) => r(c)));
    expect(sent).toBe(true);
    expect(code, stderr).toBe(130);
    expect(stderr).toContain('SIGTERM: stopping at the next safe point');
    expect(stderr).toMatch(/not validated: a resume only validates/);
    expect(stderr).toMatch(/apply interrupted: run \S+ stopped at a safe point/);
    expect(stderr).not.toContain('validation passed');

    const { default: Database } = await import('better-sqlite3');
    const state = new Database(join(dir, '.replicoop', 'state.db'), { readonly: true });
    const run = state.prepare('SELECT id, status FROM runs').get() as { id: string; status: string };
    const steps = state.prepare('SELECT DISTINCT status FROM steps').all() as { status: string }[];
    const validated = state.prepare("SELECT COUNT(*) AS n FROM checkpoints WHERE name = 'validation_completed'").get() as { n: number };
    state.close();
    expect(run.status).toBe('failed');
    expect(steps.map((s) => s.status)).toEqual(['done']);
    expect(validated.n).toBe(0);

    const resumed = await runCli(['apply', 'plan.json'], { cwd: dir });
    expect(resumed.code, resumed.stderr).toBe(0);
    expect(resumed.stderr).toContain(`resuming run ${run.id}`);
    expect(resumed.stderr).toContain('validation passed');
    // No step runs again (each one that runs says "✓ <step>").
    expect(resumed.stderr).not.toContain('✓');
  });
});
