import { describe, expect, it } from 'vitest';
import { ProductionSession, SandboxSession } from '../../src/db/session.js';
import { quoteIdent, quoteQualified, quoteString } from '../../src/sql/quote.js';
import { freePort, LocalServer } from '../../dev/local-server.js';
import { testServers, uniqueName } from '../support/servers.js';

describe('sessions', () => {
  it('production sessions are read-only at the server and refuse writes before sending them', async () => {
    const { production } = testServers();
    const db = uniqueName('ro');
    await production.createDatabase(db);
    await production.sql('CREATE TABLE t (id INT PRIMARY KEY)', db);
    const session = await ProductionSession.open(production.target(db));
    try {
      const [row] = await session.query<{ ro: number }>('SELECT @@session.tx_read_only AS ro');
      expect(Number(row!.ro)).toBe(1);
      for (const sql of [
        'INSERT INTO t VALUES (1)',
        'DELETE FROM t',
        'DROP TABLE t',
        'SET GLOBAL max_connections = 10',
        'SELECT * FROM t FOR UPDATE',
        "SELECT 1 INTO OUTFILE '/tmp/x'",
      ]) {
        await expect(session.query(sql)).rejects.toMatchObject({ code: 'production_write_refused' });
      }
      // Reads work, inside the consistent snapshot the copy and checksums use.
      await session.startSnapshot();
      await expect(session.query('SELECT COUNT(*) AS n FROM t')).resolves.toEqual([{ n: '0' }]);
      await session.commit();
    } finally {
      await session.close();
    }
    const [count] = await production.sql<{ n: number }[]>('SELECT COUNT(*) AS n FROM t', db);
    expect(Number(count!.n)).toBe(0);
  });

  it('retries a server that comes up late (3 attempts, backoff factor 2), then connects', async () => {
    const port = await freePort();
    const retries: number[] = [];
    const late = (async () => {
      await new Promise((r) => setTimeout(r, 300));
      return LocalServer.start({ name: 'late', port });
    })();
    const session = await ProductionSession.open(
      { role: 'production', host: '127.0.0.1', port, user: 'root', password: '', database: 'mysql' },
      { attempts: 6, baseDelayMs: 250, factor: 2, onRetry: ({ delayMs }) => retries.push(delayMs) },
    );
    const server = await late;
    try {
      expect(retries.length).toBeGreaterThanOrEqual(1);
      expect(retries.slice(0, 2)).toEqual([250, 500].slice(0, Math.min(2, retries.length)));
      expect(session.server.flavor).toBe('mariadb');
    } finally {
      await session.close();
      await server.destroy();
    }
  });

  it('does not retry a wrong password or an unknown database, and says so', async () => {
    const { production } = testServers();
    await production.sql("CREATE USER IF NOT EXISTS 'pw_user'@'127.0.0.1' IDENTIFIED BY 'right-password'");
    const started = Date.now();
    await expect(ProductionSession.open({ ...production.target('mysql'), user: 'pw_user', password: 'wrong-password' })).rejects.toThrow(
      /^production: access denied \(check user and password\); not retried \(127\.0\.0\.1:\d+\/mysql, user pw_user\)$/,
    );
    await expect(SandboxSession.open({ ...testServers().sandbox.target('no_such_db'), role: 'sandbox' })).rejects.toThrow(
      /^sandbox: database no_such_db does not exist \(127\.0\.0\.1:\d+\/no_such_db\); create it first \(CREATE DATABASE `no_such_db`\) and plan again; not retried$/,
    );
    // Not retried: far less than the first backoff delay.
    expect(Date.now() - started).toBeLessThan(60_000);
  });

  it('reports the flavor, version and identity of the server', async () => {
    const session = await SandboxSession.open(testServers().sandbox.target('mysql'));
    try {
      expect(session.server).toMatchObject({ flavor: 'mariadb', major: 10, port: testServers().sandbox.port });
      expect(session.server.serverId).toMatch(/:\d+$/);
    } finally {
      await session.close();
    }
  });
});

describe('quoting', () => {
  it('quotes identifiers by doubling backticks, and string literals the way SHOW CREATE does', () => {
    expect(quoteIdent('select')).toBe('`select`');
    expect(quoteIdent('a`b')).toBe('`a``b`');
    expect(quoteIdent("x'; DROP TABLE y; --")).toBe("`x'; DROP TABLE y; --`");
    expect(quoteQualified('d`b', 't')).toBe('`d``b`.`t`');
    expect(quoteString("it's \\ new\nline")).toBe("'it''s \\\\ new\\nline'");
  });

  it('hostile names survive a real round trip', async () => {
    const { sandbox } = testServers();
    const db = uniqueName('q');
    await sandbox.createDatabase(db);
    const session = await SandboxSession.open(sandbox.target(db));
    const names = ['select', 'a`b', "x'; DROP TABLE y; --", 'spa ce', 'ünï ☕', '"dq"'];
    try {
      for (const name of names) await session.execute(`CREATE TABLE ${quoteIdent(name)} (${quoteIdent(name)} INT)`);
      const rows = await session.query<{ TABLE_NAME: string }>(
        'SELECT TABLE_NAME FROM information_schema.TABLES WHERE TABLE_SCHEMA = ? ORDER BY TABLE_NAME',
        [db],
      );
      expect(rows.map((r) => r.TABLE_NAME).sort()).toEqual([...names].sort());
    } finally {
      await session.close();
    }
  });
});
