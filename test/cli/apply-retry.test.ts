import { createServer } from 'node:net';
import { describe, expect, it } from 'vitest';
import { runCli, tempDir, writeConfig } from '../support/cli.js';
import { testServers, uniqueName } from '../support/servers.js';
import { SHOP_PRODUCTION, SHOP_SANDBOX, sides } from '../support/shop.js';

async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  const port = (server.address() as { port: number }).port;
  await new Promise<void>((r) => server.close(() => r()));
  return port;
}

describe('connection retries', () => {
  it('are printed one by one (what, attempt n/m, wait), not only logged', async () => {
    const { production, sandbox } = testServers();
    const productionDb = uniqueName('retp');
    const sandboxDb = uniqueName('rets');
    await production.createDatabase(productionDb);
    await sandbox.createDatabase(sandboxDb);
    await production.sql(SHOP_PRODUCTION, productionDb);
    await sandbox.sql(SHOP_SANDBOX, sandboxDb);
    const dir = tempDir();
    writeConfig(dir, sides(production.port, sandbox.port, productionDb, sandboxDb), { maintain: ['events'] });
    expect((await runCli(['plan', '-q'], { cwd: dir })).code).toBe(0);
    const port = await closedPort();
    writeConfig(dir, sides(production.port, port, productionDb, sandboxDb), { maintain: ['events'] });
    const result = await runCli(['apply', 'plan.json'], { cwd: dir });
    expect(result.code).toBe(1);
    expect(result.stderr).toContain(
      `warning: connecting to sandbox 127.0.0.1:${port}/${sandboxDb} failed (ECONNREFUSED); attempt 2/3 in 1.0 s`,
    );
    expect(result.stderr).toContain(
      `warning: connecting to sandbox 127.0.0.1:${port}/${sandboxDb} failed (ECONNREFUSED); attempt 3/3 in 2.0 s`,
    );
    expect(result.stderr).toMatch(/error: sandbox: cannot connect to .* after 3 attempts/);
  });
});
