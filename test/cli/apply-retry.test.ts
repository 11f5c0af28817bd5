import { connect, createServer, type Socket } from 'node:net';
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

/** A port that forwards to the sandbox server until closed; then nothing listens there (ECONNREFUSED). */
async function forwarder(to: number): Promise<{ port: number; close: () => Promise<void> }> {
  const sockets = new Set<Socket>();
  const server = createServer((client) => {
    const upstream = connect(to, '127.0.0.1');
    for (const s of [client, upstream]) {
      sockets.add(s);
      s.on('error', () => undefined);
      s.on('close', () => sockets.delete(s));
    }
    client.pipe(upstream).pipe(client);
    client.on('close', () => upstream.destroy());
    upstream.on('close', () => client.destroy());
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  const port = (server.address() as { port: number }).port;
  return {
    port,
    close: async () => {
      for (const s of sockets) s.destroy();
      await new Promise<void>((r) => server.close(() => r()));
    },
  };
}

describe('connection retries of plan, validate and rollback', () => {
  it('are printed one by one too, like apply prints them', async () => {
    const { production, sandbox } = testServers();
    const productionDb = uniqueName('retcp');
    const sandboxDb = uniqueName('retcs');
    await production.createDatabase(productionDb);
    await sandbox.createDatabase(sandboxDb);
    await production.sql(SHOP_PRODUCTION, productionDb);
    await sandbox.sql(SHOP_SANDBOX, sandboxDb);
    const dir = tempDir();
    // The sandbox through a port the test can close: the run (recorded under that address) can then be rolled back.
    const proxy = await forwarder(sandbox.port);
    writeConfig(dir, sides(production.port, proxy.port, productionDb, sandboxDb), { maintain: ['events'] });
    expect((await runCli(['plan', '-q'], { cwd: dir })).code).toBe(0);
    const applied = await runCli(['apply', 'plan.json', '--no-validate'], { cwd: dir });
    expect(applied.code, applied.stderr).toBe(0);
    await proxy.close();
    for (const args of [['plan', '-q', '-o', 'again.json'], ['validate'], ['rollback']]) {
      const result = await runCli(args, { cwd: dir });
      expect(result.code, `${args[0]}: ${result.stderr}`).toBe(1);
      for (const line of ['attempt 2/3 in 1.0 s', 'attempt 3/3 in 2.0 s'])
        expect(result.stderr, args[0]).toContain(
          `warning: connecting to sandbox 127.0.0.1:${proxy.port}/${sandboxDb} failed (ECONNREFUSED); ${line}`,
        );
      expect(result.stderr, args[0]).toMatch(/error: sandbox: cannot connect to .* after 3 attempts/);
    }
  });
});

describe('a connection lost during the validation inside apply', () => {
  it('is retried like the copy (said on stderr), and the run ends validated with its report', async () => {
    const { production, sandbox } = testServers();
    const productionDb = uniqueName('rvp');
    const sandboxDb = uniqueName('rvs');
    await production.createDatabase(productionDb);
    await sandbox.createDatabase(sandboxDb);
    await production.sql(
      `CREATE TABLE big (id INT PRIMARY KEY, a VARCHAR(40), b BIGINT);
       INSERT INTO big SELECT seq, MD5(seq), seq * 7 FROM seq_1_to_20000`,
      productionDb,
    );
    const dir = tempDir();
    writeConfig(dir, sides(production.port, sandbox.port, productionDb, sandboxDb), { maintain: ['big'] });
    expect((await runCli(['plan', '-q'], { cwd: dir })).code).toBe(0);
    // Deterministic: once the copy step is done, the test holds a write lock on the sandbox table, so
    // validation's checksum query on it waits (it cannot finish first); the test then kills that
    // waiting query's connection and releases the lock. The retried validation must pass.
    const locker = await sandbox.admin(sandboxDb);
    let lockTaken: Promise<unknown> | null = null;
    const applying = runCli(['apply', 'plan.json', '--no-backup'], {
      cwd: dir,
      onStderr: (soFar) => {
        if (lockTaken === null && soFar.includes('✓ 0002-copy-table-big')) lockTaken = locker.query('LOCK TABLES big WRITE');
      },
    });
    let killed: number | null = null;
    const watcher = await sandbox.admin();
    try {
      const deadline = Date.now() + 110_000;
      while (killed === null && Date.now() < deadline) {
        const [rows] = await watcher.query(
          `SELECT ID FROM information_schema.PROCESSLIST
            WHERE INFO LIKE '%CRC32(SHA1(%' AND INFO NOT LIKE '%PROCESSLIST%' AND STATE LIKE '%metadata lock%' LIMIT 1`,
        );
        const id = (rows as { ID: number }[])[0]?.ID;
        if (id !== undefined) {
          await watcher.query(`KILL CONNECTION ${Number(id)}`);
          killed = Number(id);
        } else await new Promise((r) => setTimeout(r, 20));
      }
    } finally {
      await lockTaken;
      await locker.query('UNLOCK TABLES');
      await locker.end();
      await watcher.end();
    }
    const result = await applying;
    expect(killed, result.stderr).not.toBeNull();
    expect(result.stderr).toMatch(/warning: validation: connection lost \(.+\); attempt 2\/3 in 1\.0 s/);
    expect(result.code, result.stderr).toBe(0);
    expect(result.stderr).toContain('validation passed');
  });
});
