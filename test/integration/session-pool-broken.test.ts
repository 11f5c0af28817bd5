import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SessionPool } from '../../src/db/session-pool.js';
import { SandboxSession } from '../../src/db/session.js';
import { LocalServer } from '../../dev/local-server.js';

// A pooled connection whose server went away must not be lent again.
describe('session pool and a server that went away', () => {
  let server: LocalServer;
  beforeAll(async () => {
    server = await LocalServer.start({ name: 'pool-broken' });
    await server.sql('CREATE DATABASE pooled');
  });
  afterAll(async () => {
    await server.destroy();
  });

  it('opens a new connection instead of lending one the server dropped while it was idle', async () => {
    const target = { role: 'sandbox' as const, host: '127.0.0.1', port: server.port, user: 'root', password: '', database: 'pooled' };
    const raw = await SandboxSession.open(target);
    let opened = 0;
    const pool = new SessionPool(async () =>
      opened++ === 0 ? raw : SandboxSession.open(target, { attempts: 5, baseDelayMs: 200, factor: 1 }),
    );
    const first = await pool.acquire();
    await first.close();
    expect(pool.idle).toBe(1);
    expect(raw.closed).toBe(false);

    await server.kill();
    for (let i = 0; i < 100 && !raw.closed; i++) await new Promise((r) => setTimeout(r, 50));
    expect(raw.closed).toBe(true);
    await server.restart();

    const second = await pool.acquire();
    expect(opened).toBe(2);
    expect(await second.query<{ one: number }>('SELECT 1 AS one')).toEqual([{ one: 1 }]);
    await second.close();
    await pool.drain();
    expect(pool.idle).toBe(0);
  });
});
