import { describe, expect, it } from 'vitest';
import { SessionPool } from '../../../src/db/session-pool.js';

// A stand-in with a private field, like the real sessions: methods must run on the object itself.
class FakeSession {
  static opened = 0;
  readonly id = ++FakeSession.opened;
  #state = 'open';
  closes = 0;
  get closed(): boolean {
    return this.#state !== 'open';
  }
  query(): string {
    return `session ${this.id} is ${this.#state}`;
  }
  async close(): Promise<void> {
    this.closes++;
    this.#state = 'closed';
  }
  destroy(): void {
    this.#state = 'destroyed';
  }
}

describe('SessionPool', () => {
  it('lends a session whose close() gives it back for the next acquire', async () => {
    const pool = new SessionPool(async () => new FakeSession());
    const first = await pool.acquire();
    expect(first.query()).toMatch(/is open$/);
    expect(first).toBeInstanceOf(FakeSession);
    await first.close();
    expect(first.closed).toBe(true); // closed for the borrower...
    expect(pool.idle).toBe(1);
    const second = await pool.acquire();
    expect(second.id).toBe(first.id); // ...but the connection lives on
    expect(second.closed).toBe(false);
    expect(second.closes).toBe(0);
    await second.close();
    await second.close(); // a second close does not return it twice
    expect(pool.idle).toBe(1);
  });

  it('drops destroyed sessions and skips sessions that died while idle', async () => {
    const pool = new SessionPool(async () => new FakeSession());
    const a = await pool.acquire();
    const b = await pool.acquire();
    a.destroy();
    expect(pool.idle).toBe(0);
    await b.close();
    const idle = await pool.acquire();
    expect(idle.id).toBe(b.id);
    idle.destroy(); // the real session is gone now
    await idle.close();
    expect(pool.idle).toBe(0);
    const fresh = await pool.acquire();
    expect([a.id, b.id]).not.toContain(fresh.id);
  });

  it('drain closes what is idle', async () => {
    const pool = new SessionPool(async () => new FakeSession());
    const sessions = [await pool.acquire(), await pool.acquire()];
    const ids = sessions.map((s) => s.id);
    for (const s of sessions) await s.close();
    const reopened = [await pool.acquire(), await pool.acquire()];
    expect(reopened.map((s) => s.closes)).toEqual([0, 0]);
    for (const s of reopened) await s.close();
    await pool.drain();
    expect(pool.idle).toBe(0);
    expect(reopened.map((s) => s.closes)).toEqual([1, 1]); // really closed now, once each
    expect(reopened.map((s) => s.id).sort()).toEqual([...ids].sort());
  });
});
