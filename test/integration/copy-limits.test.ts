import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SandboxSession } from '../../src/db/session.js';
import { LocalServer } from '../../dev/local-server.js';
import { CopyPair, TEST_RETRY } from '../support/copy-fixture.js';

const WIDE = `CREATE TABLE wide (id INT NOT NULL PRIMARY KEY, payload MEDIUMBLOB, note MEDIUMTEXT) DEFAULT CHARSET=utf8mb4`;
const NARROW = `CREATE TABLE narrow (id INT NOT NULL PRIMARY KEY, a INT, s VARCHAR(255))`;
// ~20 KB per row: binary bytes (hex in an INSERT, so ~40 KB of SQL) or ASCII text.
const FILL = `
INSERT INTO wide SELECT seq, IF(seq % 2 = 0, RANDOM_BYTES(1024) , NULL), IF(seq % 2 = 1, REPEAT(CONCAT('line ', seq, '\\t\\\\\\n'), 1500), NULL) FROM seq_1_to_120;
UPDATE wide SET payload = REPEAT(payload, 20) WHERE payload IS NOT NULL;
INSERT INTO narrow SELECT seq, seq * 3, REPEAT(MD5(seq), 7) FROM seq_1_to_3000;
`;

async function abortedClients(server: LocalServer): Promise<number> {
  const rows = (await server.sql("SHOW GLOBAL STATUS LIKE 'Aborted_clients'")) as { Value: string }[];
  return Number(rows[0]!.Value);
}

describe('copy into a sandbox with max_allowed_packet = 64K', () => {
  let server: LocalServer;
  let pair: CopyPair;

  beforeAll(async () => {
    server = await LocalServer.start({ name: 'copy-packet', args: ['--max-allowed-packet=64K'] });
    pair = await CopyPair.create('copy_packet', server.port);
    await pair.both(`${WIDE}; ${NARROW}`);
    await pair.prod(FILL);
  });

  afterAll(async () => {
    await pair?.production.dropDatabase(pair.database);
    await server?.destroy();
  });

  for (const method of ['insert', 'load-data'] as const) {
    it(`copies 20 KB rows with ${method}, every statement under the packet limit`, async () => {
      const session = await pair.openSandbox();
      expect(session.server.maxAllowedPacket).toBe(65536);
      await session.close();
      const [{ bytes }] = await pair.prod<[{ bytes: string }]>('SELECT SUM(LENGTH(payload)) + SUM(LENGTH(note)) AS bytes FROM wide');
      expect(Number(bytes)).toBeGreaterThan(120 * 17_000);
      const result = await pair.copy(await pair.task('wide'), null, { method, chunkRows: 50 });
      expect(result).toMatchObject({ rows: 120, method });
      const comparison = await pair.compare('wide', { rowByRow: false });
      expect(comparison.rows).toEqual([120, 120]);
      expect(comparison.checksums[1]).toBe(comparison.checksums[0]);
    });
  }

  it('halves an INSERT batch the server refuses as too large, reconnecting each time (down to 100 rows)', async () => {
    const before = await abortedClients(server);
    // Pretend the packet is 16 MiB, so that whole 2,000-row batches (~600 KB) are sent first.
    const result = await pair.copy(await pair.task('narrow'), null, {
      method: 'insert',
      chunkRows: 2000,
      maxStatementBytes: 16 * 1024 * 1024,
    });
    expect(result.rows).toBe(3000);
    const comparison = await pair.compare('narrow', { rowByRow: false });
    expect(comparison.checksums[1]).toBe(comparison.checksums[0]);
    // Rows take ~240 bytes of SQL: 2000 -> 1000 -> 500 rows are refused (each refusal closes the
    // connection), 250 rows (~60 KB) fit.
    expect((await abortedClients(server)) - before).toBeGreaterThanOrEqual(3);
  });

  it('reports a row that cannot fit any INSERT instead of looping', async () => {
    await pair.prod('CREATE TABLE huge (id INT PRIMARY KEY, b MEDIUMBLOB); INSERT INTO huge VALUES (1, REPEAT(RANDOM_BYTES(1000), 100))');
    await pair.sand('CREATE TABLE huge (id INT PRIMARY KEY, b MEDIUMBLOB)');
    await expect(pair.copy(await pair.task('huge'), null, { method: 'insert' })).rejects.toMatchObject({ code: 'copy_packet_too_large' });
  });
});

describe('copy into a sandbox started with --local-infile=0', () => {
  let server: LocalServer;
  let pair: CopyPair;

  beforeAll(async () => {
    server = await LocalServer.start({ name: 'copy-no-infile', args: ['--local-infile=0'] });
    pair = await CopyPair.create('copy_noinfile', server.port);
    await pair.both(NARROW);
    await pair.prod('INSERT INTO narrow SELECT seq, seq, MD5(seq) FROM seq_1_to_2000');
  });

  afterAll(async () => {
    await pair?.production.dropDatabase(pair.database);
    await server?.destroy();
  });

  it('falls back to INSERT under method auto', async () => {
    const result = await pair.copy(await pair.task('narrow'), null, { method: 'auto' });
    expect(result).toMatchObject({ rows: 2000, method: 'insert' });
    const comparison = await pair.compare('narrow');
    expect(comparison.differences).toEqual([]);
    expect(comparison.checksums[1]).toBe(comparison.checksums[0]);
  });

  it('refuses method load-data with a clear error, before emptying anything', async () => {
    await pair.sand('DELETE FROM narrow WHERE id > 10');
    await expect(pair.copy(await pair.task('narrow'), null, { method: 'load-data' })).rejects.toMatchObject({
      code: 'copy_load_data_refused',
      message: expect.stringMatching(/local_infile is OFF/),
    });
    expect(await pair.count('sand', 'narrow')).toBe(10);
  });
});

describe('emptying the sandbox table', () => {
  let pair: CopyPair;
  const user = `copy_nodrop_${Math.random().toString(16).slice(2, 8)}`;

  beforeAll(async () => {
    pair = await CopyPair.create('copy_empty');
    await pair.both(`${NARROW}; CREATE TABLE child (id INT PRIMARY KEY, narrow_id INT, FOREIGN KEY (narrow_id) REFERENCES narrow (id))`);
    await pair.prod('INSERT INTO narrow SELECT seq, seq, MD5(seq) FROM seq_1_to_500');
    await pair.sandbox.sql(`CREATE USER '${user}'@'%'; GRANT SELECT, INSERT, UPDATE, DELETE ON \`${pair.database}\`.* TO '${user}'@'%'`);
  });

  afterAll(async () => {
    await pair.sandbox.sql(`DROP USER IF EXISTS '${user}'@'%'`);
    await pair.drop();
  });

  it('TRUNCATEs a parent table that sandbox rows still reference (foreign_key_checks = 0)', async () => {
    await pair.sand('INSERT INTO narrow (id) VALUES (1), (9999); INSERT INTO child VALUES (1, 1)');
    const result = await pair.copy(await pair.task('narrow'));
    expect(result).toMatchObject({ rows: 500, emptiedWith: 'truncate' });
    expect(await pair.count('sand', 'narrow', 'id = 9999')).toBe(0);
    expect(await pair.count('sand', 'child')).toBe(1);
  });

  it('falls back to DELETE when TRUNCATE is refused (no DROP privilege) and says so', async () => {
    await pair.sand('INSERT INTO narrow (id) VALUES (9999)');
    const openSandbox = (): Promise<SandboxSession> => SandboxSession.open({ ...pair.sandbox.target(pair.database), user }, TEST_RETRY);
    const result = await pair.copy(await pair.task('narrow'), null, { openSandbox });
    expect(result).toMatchObject({ rows: 500, emptiedWith: 'delete' });
    const comparison = await pair.compare('narrow');
    expect(comparison.differences).toEqual([]);
  });
});
