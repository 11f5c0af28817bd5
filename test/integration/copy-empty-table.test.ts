import { describe, expect, it } from 'vitest';
import { emptyTable } from '../../src/copy/copy-sessions.js';
import { CopyPair } from '../support/copy-fixture.js';

// TRUNCATE of a parent table waits for a lock on its child tables: while a child's copy holds a
// chunk transaction open (two tables copied at once), it would wait innodb_lock_wait_timeout
// (50 s) and fail. It is retried briefly, then the parent is emptied with DELETE.
describe('emptying a parent table while its child is being written', () => {
  async function setup(prefix: string) {
    const pair = await CopyPair.create(prefix);
    await pair.sand(
      'CREATE TABLE p (id INT PRIMARY KEY); CREATE TABLE c (id INT PRIMARY KEY, p_id INT, CONSTRAINT fk_c FOREIGN KEY (p_id) REFERENCES p (id))',
    );
    await pair.sand('INSERT INTO p SELECT seq FROM seq_1_to_100');
    const child = await pair.openSandbox();
    await child.execute('SET SESSION foreign_key_checks = 0');
    await child.execute('START TRANSACTION');
    await child.execute('INSERT INTO c VALUES (1, 1)');
    const emptier = await pair.openSandbox();
    await emptier.execute('SET SESSION foreign_key_checks = 0');
    return { pair, child, emptier };
  }

  it('falls back to DELETE when the child stays busy, and restores the lock wait setting', async () => {
    const { pair, child, emptier } = await setup('empty_busy');
    try {
      const started = Date.now();
      await expect(emptyTable(emptier, 'p')).resolves.toBe('delete');
      expect(Date.now() - started).toBeLessThan(20_000);
      const rows = await emptier.query<{ n: number; restored: number }>(
        'SELECT COUNT(*) AS n, @@SESSION.innodb_lock_wait_timeout = @@GLOBAL.innodb_lock_wait_timeout AS restored FROM p',
      );
      expect([Number(rows[0]!.n), Number(rows[0]!.restored)]).toEqual([0, 1]);
    } finally {
      await child.execute('ROLLBACK');
      await Promise.all([child.close(), emptier.close()]);
    }
    expect(Number((await pair.sand<{ n: number }[]>('SELECT COUNT(*) AS n FROM c'))[0]!.n)).toBe(0);
  });

  it('truncates once the child transaction ends', async () => {
    const { child, emptier } = await setup('empty_later');
    try {
      const commitSoon = new Promise<void>((resolve) => setTimeout(() => void child.execute('COMMIT').then(() => resolve()), 300));
      await expect(emptyTable(emptier, 'p')).resolves.toBe('truncate');
      await commitSoon;
    } finally {
      await Promise.all([child.close(), emptier.close()]);
    }
  });
});
