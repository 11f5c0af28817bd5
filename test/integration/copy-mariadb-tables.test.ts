import { describe, expect, it } from 'vitest';
import { runCli, tempDir, writeConfig } from '../support/cli.js';
import { testServers, uniqueName } from '../support/servers.js';

// Tables whose rows only MariaDB can hold, and keys whose order is not byte order, copied in
// chunks of 100 rows through the whole command line: plan, apply, validate, then a refresh.
const PRODUCTION = `
CREATE TABLE sv (id INT PRIMARY KEY, x INT) WITH SYSTEM VERSIONING;
CREATE TABLE sv_cols (id INT PRIMARY KEY, x INT, y INT WITHOUT SYSTEM VERSIONING,
  rs TIMESTAMP(6) AS ROW START INVISIBLE, re TIMESTAMP(6) AS ROW END INVISIBLE, PERIOD FOR SYSTEM_TIME(rs, re)) WITH SYSTEM VERSIONING;
CREATE TABLE sv_parts (id INT PRIMARY KEY, t INT) WITH SYSTEM VERSIONING
  PARTITION BY SYSTEM_TIME INTERVAL 1 MONTH (PARTITION p0 HISTORY, PARTITION pn CURRENT);
CREATE TABLE app_time (id INT, s DATE NOT NULL, e DATE NOT NULL, v INT, PERIOD FOR p(s, e), UNIQUE KEY u (id, p WITHOUT OVERLAPS));
CREATE TABLE compressed (id INT PRIMARY KEY, c TEXT COMPRESSED, v VARCHAR(100) COMPRESSED);
CREATE TABLE addresses (id INT PRIMARY KEY, ip INET6, ip4 INET4, u UUID);
CREATE TABLE enum_key (e ENUM('z','a','m') NOT NULL PRIMARY KEY, v INT);
CREATE TABLE float_key (f FLOAT NOT NULL PRIMARY KEY, v INT);
CREATE TABLE ci_key (s VARCHAR(20) COLLATE utf8mb4_general_ci NOT NULL PRIMARY KEY, v INT);
CREATE TABLE temporal_key (d DATETIME(3) NOT NULL, b BINARY(3) NOT NULL, v INT, PRIMARY KEY (d, b));
INSERT INTO sv SELECT seq, seq FROM seq_1_to_250; UPDATE sv SET x = x + 1 WHERE id <= 10;
INSERT INTO sv_cols (id, x, y) SELECT seq, seq, seq FROM seq_1_to_250;
INSERT INTO sv_parts SELECT seq, seq FROM seq_1_to_250; UPDATE sv_parts SET t = 5 WHERE id < 50;
INSERT INTO app_time VALUES (1, '2020-01-01', '2021-01-01', 1), (1, '2021-01-01', '2022-01-01', 2), (2, '2020-01-01', '2020-02-01', 3);
INSERT INTO compressed VALUES (1, REPEAT('abc', 1000), 'x'), (2, NULL, '');
INSERT INTO addresses VALUES (1, '::1', '1.2.3.4', '123e4567-e89b-12d3-a456-426614174000'), (2, NULL, NULL, NULL);
INSERT INTO enum_key VALUES ('a', 1), ('m', 2), ('z', 3);
INSERT INTO float_key SELECT seq / 7 + 10, seq FROM seq_1_to_700;
INSERT INTO ci_key SELECT CONCAT(IF(seq % 2, 'K', 'k'), seq, IF(seq % 3 = 0, 'é', '')), seq FROM seq_1_to_700;
INSERT INTO temporal_key SELECT '2021-01-01' + INTERVAL (seq % 50) SECOND, UNHEX(LPAD(HEX(seq), 6, '0')), seq FROM seq_1_to_700;
`;
const TABLES = ['sv', 'sv_cols', 'sv_parts', 'app_time', 'compressed', 'addresses', 'enum_key', 'float_key', 'ci_key', 'temporal_key'];

describe('copy: MariaDB-only tables and keys that do not sort as bytes', () => {
  it('system-versioned, application-time, compressed, INET/UUID tables and ENUM, FLOAT, collated and temporal keys', async () => {
    const { production, sandbox } = testServers();
    const db = uniqueName('mdb_tables');
    await production.createDatabase(db);
    await sandbox.createDatabase(db);
    await production.sql(PRODUCTION, db);
    const dir = tempDir();
    writeConfig(
      dir,
      { productionPort: production.port, sandboxPort: sandbox.port, productionDb: db, sandboxDb: db },
      { maintain: TABLES, copy: { chunkRows: 100 } },
    );

    // Round 1 fills the sandbox (full copies); round 2 refreshes after production changed (delta
    // copies write exactly those changes).
    for (const round of [1, 2]) {
      const plan = await runCli(['plan', '-q'], { cwd: dir });
      expect(plan.code, plan.stderr).toBe(0);
      const apply = await runCli(['apply', 'plan.json'], { cwd: dir });
      expect(apply.code, apply.stderr).toBe(0);
      if (round === 1) expect(apply.stderr).toContain(`validation passed: structure matches, ${TABLES.length} tables match`);
      else
        expect(apply.stderr).toMatch(
          /validation passed: structure matches, 1 table matches \(3 rows\), 9 tables proven equal by the delta copy/,
        );
      if (round === 2) {
        expect(apply.stderr).toMatch(/copy-table-float-key: 467 rows \(delta: .*; 233 deleted, 0 replaced, 0 inserted, 467 unchanged\)/);
        expect(apply.stderr).toMatch(/copy-table-sv: 250 rows \(delta: .*; 0 deleted, 50 replaced, 0 inserted, 200 unchanged\)/);
      }
      // A system-versioned table cannot be truncated: emptied with DELETE, history removed too; the
      // rows a delta copy rewrites leave no history either.
      const history = await sandbox.sql<{ n: number }[]>('SELECT COUNT(*) AS n FROM sv FOR SYSTEM_TIME ALL', db);
      expect(Number(history[0]!.n)).toBe(250);
      if (round === 1) await production.sql('UPDATE sv SET x = x * 2 WHERE id > 200; DELETE FROM float_key WHERE v % 3 = 0', db);
    }
    // The second run's backup holds the first run's rows, system-versioned tables included.
    const rollback = await runCli(['rollback'], { cwd: dir });
    expect(rollback.code, rollback.stderr).toBe(0);
    const restored = await sandbox.sql<{ n: number; doubled: number }[]>(
      'SELECT COUNT(*) AS n, SUM(id > 200 AND x = id * 2) AS doubled FROM sv',
      db,
    );
    expect([Number(restored[0]!.n), Number(restored[0]!.doubled)]).toEqual([250, 0]);
    const floats = await sandbox.sql<{ n: number }[]>('SELECT COUNT(*) AS n FROM float_key', db);
    expect(Number(floats[0]!.n)).toBe(700);
    // Forward again (the same changes, written by delta), then once more with nothing changed
    // (nothing written), then prove it.
    await runCli(['plan', '-q'], { cwd: dir });
    expect((await runCli(['apply', 'plan.json', '-q'], { cwd: dir })).code).toBe(0);
    await runCli(['plan', '-q'], { cwd: dir });
    const unchanged = await runCli(['apply', 'plan.json'], { cwd: dir });
    expect(unchanged.code, unchanged.stderr).toBe(0);
    expect(unchanged.stderr.match(/ 0 rewritten; 0 deleted, 0 replaced, 0 inserted/g)?.length, unchanged.stderr).toBe(9);
    const validate = await runCli(['validate'], { cwd: dir });
    expect(validate.code, validate.stdout).toBe(0);
    expect(validate.stdout).toContain('system-versioning columns rs, re not compared: the sandbox sets them when rows are written');
    expect(validate.stdout).toMatch(/ok +float_key +key f +467 rows/);
  });
});
