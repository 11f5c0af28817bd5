import { execFileSync, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createBackup, listBackups, sandboxSizeBytes, type BackupMethod, type BackupProgress } from '../../../src/backup/backup.js';
import { clientInvocation } from '../../../src/backup/client-tools.js';
import { checkFreeSpace } from '../../../src/backup/free-space.js';
import { restoreBackup, type RestoreMethod } from '../../../src/backup/restore.js';
import { SandboxSession } from '../../../src/db/session.js';
import { ReplicoopError } from '../../../src/errors.js';
import { testServers, uniqueName, type TestServer } from '../../support/servers.js';

const { sandbox } = testServers();
const created: string[] = [];
const users: string[] = [];
const dirs: string[] = [];

afterAll(async () => {
  for (const db of created) await sandbox.dropDatabase(db);
  for (const user of users) await sandbox.sql(`DROP USER IF EXISTS ${user}`);
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

async function newDatabase(prefix: string): Promise<string> {
  const db = uniqueName(prefix);
  created.push(db);
  await sandbox.createDatabase(db);
  return db;
}

function tempDir(prefix = 'replicoop-backup-'): string {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  dirs.push(dir);
  return dir;
}

const BLOB = randomBytes(300_000);
const ALL_BYTES = Buffer.from(Array.from({ length: 256 }, (_, i) => i));
const TRICKY_TEXT = 'it\'s "q" back\\slash\nnew\r\tline \x1a ? ; -- x /* y */ # z DELIMITER ;; \0 end';

/** Every kind of object and value that a dump can get wrong. */
async function buildFixture(db: string): Promise<void> {
  const conn = await sandbox.admin(db);
  const run = async (sql: string, params: unknown[] = []) => {
    await conn.query(sql, params);
  };
  try {
    await run('CREATE TABLE parent (id INT PRIMARY KEY, name VARCHAR(50) NOT NULL) ENGINE=InnoDB');
    await run(`CREATE TABLE tricky (
      id INT AUTO_INCREMENT PRIMARY KEY,
      parent_id INT NULL,
      s VARCHAR(200) NULL,
      emoji VARCHAR(50) CHARACTER SET utf8mb4 COLLATE utf8mb4_bin NULL,
      l1 VARCHAR(300) CHARACTER SET latin1 NULL,
      sj VARCHAR(20) CHARACTER SET sjis NULL,
      bin VARBINARY(256) NULL,
      blb LONGBLOB NULL,
      dt DATETIME(6) NULL,
      ts TIMESTAMP(3) NULL DEFAULT NULL,
      d DATE NULL,
      t TIME(2) NULL,
      y YEAR NULL,
      bits BIT(10) NULL,
      j JSON NULL,
      g GEOMETRY NULL,
      dec65 DECIMAL(65,30) NULL,
      f FLOAT NULL,
      dbl DOUBLE NULL,
      e ENUM('a','b','c d') NULL,
      st SET('x','y','z') NULL,
      big BIGINT UNSIGNED NULL,
      gen INT AS (id * 2) VIRTUAL,
      CONSTRAINT fk_tricky_parent FOREIGN KEY (parent_id) REFERENCES parent (id) ON DELETE CASCADE,
      KEY s_prefix (s(10))
    ) ENGINE=InnoDB AUTO_INCREMENT=100 COMMENT='tricky ''values'' 😀'`);
    await run('CREATE TABLE node_a (id INT PRIMARY KEY, b_id INT NULL, KEY (b_id)) ENGINE=InnoDB');
    await run(
      'CREATE TABLE node_b (id INT PRIMARY KEY, a_id INT NULL, CONSTRAINT fk_b_a FOREIGN KEY (a_id) REFERENCES node_a (id)) ENGINE=InnoDB',
    );
    await run('ALTER TABLE node_a ADD CONSTRAINT fk_a_b FOREIGN KEY (b_id) REFERENCES node_b (id)');
    await run('CREATE TABLE bulk (id INT PRIMARY KEY, txt VARCHAR(400) NOT NULL, n DECIMAL(10,2)) ENGINE=InnoDB');

    await run("INSERT INTO parent VALUES (1, 'one'), (2, 'two'), (3, 'drei ü')");
    await run("SET SESSION sql_mode = CONCAT(@@sql_mode, ',NO_AUTO_VALUE_ON_ZERO')");
    await run("INSERT INTO tricky (id, s) VALUES (0, 'zero id')");
    await run('INSERT INTO tricky (id) VALUES (1)');
    await run(
      "INSERT INTO tricky (id, parent_id, s, emoji, l1, sj, bin, blb, j, e, st) VALUES (2, 1, '', '', '', '', '', '', '[]', 'a', '')",
    );
    await run(
      `INSERT INTO tricky (id, parent_id, s, emoji, l1, sj, bin, blb, dt, ts, d, t, y, bits, j, g, dec65, f, dbl, e, st, big) VALUES
       (3, 2, ?, '😀 héllo 中文', CAST(? AS CHAR CHARACTER SET latin1), 'テスト', ?, ?, '2024-02-29 23:59:59.123456', '2038-01-19 03:14:07.999',
        '0000-00-00', '-838:59:59.00', 2155, b'1010101010', '{"a": [1, 2.5, "x\\\\"y"], "emoji": "😀", "nl": "a\\\\nb"}',
        ST_GeomFromText('POLYGON((0 0,10 0,10 10,0 10,0 0))', 4326),
        -12345678901234567890123456789012345.123456789012345678901234567890, 3.14159, 2.718281828459045, 'c d', 'x,z', 18446744073709551615)`,
      [TRICKY_TEXT, ALL_BYTES, ALL_BYTES, BLOB],
    );
    await run("INSERT INTO tricky (parent_id, s, dbl, f) VALUES (3, 'auto id', 1e-300, -0.5)");
    await run('SET SESSION foreign_key_checks = 0');
    await run('INSERT INTO node_a VALUES (1, 10), (2, NULL)');
    await run('INSERT INTO node_b VALUES (10, 1), (20, 2)');
    await run('SET SESSION foreign_key_checks = 1');
    await run('INSERT INTO bulk SELECT seq, REPEAT(CHAR(65 + seq % 26), 300 + seq % 50), seq / 7 FROM seq_1_to_5000');

    await run('CREATE SEQUENCE seq_orders START WITH 1000 INCREMENT BY 5');
    await run('SELECT NEXTVAL(seq_orders), NEXTVAL(seq_orders)');

    await run('CREATE FUNCTION f_double(x INT) RETURNS INT DETERMINISTIC RETURN x * 2');
    await run(`CREATE PROCEDURE p_report()
BEGIN
  -- a comment; with a semicolon
  /* and a block; comment */
  SELECT 'a;b' AS x;
  SELECT COUNT(*) FROM parent;
END`);
    await run("SET SESSION sql_mode = 'ANSI_QUOTES,STRICT_ALL_TABLES'");
    await run('CREATE PROCEDURE p_ansi() SELECT "id" FROM parent');
    await run('SET SESSION sql_mode = DEFAULT');

    await run('CREATE VIEW v_parent AS SELECT id, UPPER(name) AS uname FROM parent');
    // Sorts before the view it uses: restore must not depend on name order.
    await run('CREATE VIEW a_on_view AS SELECT uname FROM v_parent WHERE id > 1');
    await run("CREATE VIEW v_fn AS SELECT f_double(id) AS d, '😀' AS e FROM parent");

    // Created after the data: if restore fired them, names would change.
    await run("CREATE TRIGGER tr_z_first BEFORE INSERT ON parent FOR EACH ROW SET NEW.name = CONCAT(NEW.name, '!')");
    await run(`CREATE TRIGGER tr_a_second BEFORE INSERT ON parent FOR EACH ROW FOLLOWS tr_z_first
BEGIN
  -- second; runs after the first
  SET NEW.name = CONCAT(NEW.name, '?');
END`);
    await run("INSERT INTO parent VALUES (4, 'four')");

    await run("SET SESSION time_zone = '+02:00'");
    await run(
      "CREATE EVENT ev_cleanup ON SCHEDULE EVERY 1 DAY STARTS '2030-01-01 00:00:00' ON COMPLETION PRESERVE DISABLE DO DELETE FROM parent WHERE id < 0",
    );
  } finally {
    await conn.end();
  }
}

/** Breaks the fixture in every way restore has to undo. */
async function mutate(db: string): Promise<void> {
  await sandbox.sql(
    `DROP VIEW v_fn; DROP PROCEDURE p_report; DROP TRIGGER tr_a_second; DROP SEQUENCE seq_orders;
     ALTER TABLE parent ADD COLUMN extra INT;
     UPDATE tricky SET s = 'changed', blb = NULL WHERE id = 3;
     DELETE FROM bulk WHERE id < 100;
     CREATE TABLE new_table (id INT PRIMARY KEY);
     CREATE VIEW v_new AS SELECT 1 AS one;
     CREATE SEQUENCE seq_new;
     CREATE PROCEDURE p_new() SELECT 1;
     CREATE EVENT ev_new ON SCHEDULE EVERY 1 HOUR DISABLE DO SELECT 1;
     CREATE FUNCTION f_double2(x INT) RETURNS INT RETURN x * 2;
     INSERT INTO parent (id, name) VALUES (5, 'five');`,
    db,
  );
}

type Snapshot = Record<string, unknown>;

/** SHOW CREATE of every object and CHECKSUM TABLE of every table. */
async function snapshot(server: TestServer, db: string): Promise<Snapshot> {
  const conn = await server.admin(db);
  const q = async (sql: string, params: unknown[] = []) => (await conn.query(sql, params))[0] as Record<string, unknown>[];
  const out: Snapshot = {};
  try {
    const tables = await q('SELECT TABLE_NAME, TABLE_TYPE FROM information_schema.TABLES WHERE TABLE_SCHEMA = ? ORDER BY TABLE_NAME', [db]);
    for (const { TABLE_NAME: name, TABLE_TYPE: type } of tables as { TABLE_NAME: string; TABLE_TYPE: string }[]) {
      const id = `\`${name}\``;
      if (type === 'VIEW') out[`view ${name}`] = await q(`SHOW CREATE VIEW ${id}`);
      else if (type === 'SEQUENCE')
        out[`sequence ${name}`] = { create: await q(`SHOW CREATE SEQUENCE ${id}`), state: await q(`SELECT * FROM ${id}`) };
      else {
        out[`table ${name}`] = {
          create: await q(`SHOW CREATE TABLE ${id}`),
          // CHECKSUM TABLE names the table with its database: keep only the number.
          checksum: (await q(`CHECKSUM TABLE ${id} EXTENDED`)).map((r) => r.Checksum),
          rows: await q(`SELECT COUNT(*) AS n FROM ${id}`),
        };
      }
    }
    const routines = await q(
      'SELECT ROUTINE_NAME, ROUTINE_TYPE FROM information_schema.ROUTINES WHERE ROUTINE_SCHEMA = ? ORDER BY ROUTINE_NAME',
      [db],
    );
    for (const r of routines as { ROUTINE_NAME: string; ROUTINE_TYPE: string }[]) {
      out[`${r.ROUTINE_TYPE.toLowerCase()} ${r.ROUTINE_NAME}`] = await q(`SHOW CREATE ${r.ROUTINE_TYPE} \`${r.ROUTINE_NAME}\``);
    }
    const triggers = await q(
      'SELECT TRIGGER_NAME, ACTION_ORDER FROM information_schema.TRIGGERS WHERE TRIGGER_SCHEMA = ? ORDER BY TRIGGER_NAME',
      [db],
    );
    for (const t of triggers as { TRIGGER_NAME: string; ACTION_ORDER: unknown }[]) {
      const rows = await q(`SHOW CREATE TRIGGER \`${t.TRIGGER_NAME}\``);
      // The creation time is the one thing a restore cannot keep.
      out[`trigger ${t.TRIGGER_NAME}`] = { create: rows.map(({ Created: _created, ...rest }) => rest), order: t.ACTION_ORDER };
    }
    const events = await q('SELECT EVENT_NAME FROM information_schema.EVENTS WHERE EVENT_SCHEMA = ? ORDER BY EVENT_NAME', [db]);
    for (const e of events as { EVENT_NAME: string }[]) out[`event ${e.EVENT_NAME}`] = await q(`SHOW CREATE EVENT \`${e.EVENT_NAME}\``);
  } finally {
    await conn.end();
  }
  return out;
}

function expectFixtureShape(snap: Snapshot): void {
  expect(Object.keys(snap).sort()).toEqual(
    [
      'event ev_cleanup',
      'function f_double',
      'procedure p_ansi',
      'procedure p_report',
      'sequence seq_orders',
      'table bulk',
      'table node_a',
      'table node_b',
      'table parent',
      'table tricky',
      'trigger tr_a_second',
      'trigger tr_z_first',
      'view a_on_view',
      'view v_fn',
      'view v_parent',
    ].sort(),
  );
}

/**
 * The standard client, as a person would restore by hand: gunzip < file | mariadb --comments db.
 * Without --comments the client strips comments out of routine and trigger bodies (true of any
 * mariadb-dump file too): the objects work but their SHOW CREATE text differs.
 */
function restoreByHand(file: string, db: string): void {
  const result = spawnSync(
    'sh',
    ['-c', `gunzip < "$1" | mariadb --no-defaults --comments -h127.0.0.1 -P"$2" -uroot "$3"`, 'sh', file, String(sandbox.port), db],
    {
      encoding: 'utf8',
    },
  );
  expect(result.stderr).toBe('');
  expect(result.status).toBe(0);
}

const COMBINATIONS: [BackupMethod, RestoreMethod][] = [
  ['mariadb-dump', 'client'],
  ['mariadb-dump', 'builtin'],
  ['builtin', 'builtin'],
  ['builtin', 'client'],
];

describe.each(COMBINATIONS)('backup with %s, restore with %s', (backupMethod, restoreMethod) => {
  it('brings every object and every row back exactly', async () => {
    const db = await newDatabase('bk');
    await buildFixture(db);
    const before = await snapshot(sandbox, db);
    expectFixtureShape(before);

    const dir = tempDir();
    const progress: BackupProgress[] = [];
    const backup = await createBackup({
      target: sandbox.target(db, 'sandbox'),
      dir,
      runId: 'run1',
      keep: 3,
      method: backupMethod,
      onProgress: (p) => progress.push(p),
    });
    expect(backup.method).toBe(backupMethod);
    expect(backup.tables).toBe(5);
    expect(backup.file).toMatch(new RegExp(`/backup_${db}_\\d{8}_\\d{6}_run1\\.sql\\.gz$`));
    expect(backup.bytes).toBe(statSync(backup.file).size);
    expect(statSync(backup.file).mode & 0o777).toBe(0o600);
    expect(readdirSync(dir)).toEqual([backup.file.split('/').pop()]);
    expect(progress.at(-1)).toMatchObject({ method: backupMethod, tablesDone: 5, tablesTotal: 5 });
    expect(progress.at(-1)!.bytes).toBeGreaterThan(BLOB.length);

    await mutate(db);
    expect(await snapshot(sandbox, db)).not.toEqual(before);

    const phases = new Set<string>();
    let lastRead = 0;
    const restored = await restoreBackup({
      target: sandbox.target(db, 'sandbox'),
      file: backup.file,
      method: restoreMethod,
      onProgress: (p) => {
        phases.add(p.phase);
        if (p.phase === 'load') lastRead = p.bytesRead;
      },
    });
    expect(restored.method).toBe(restoreMethod);
    expect([...phases]).toEqual(['verify', 'drop', 'load']);
    expect(lastRead).toBe(backup.bytes);
    expect(restored.dropped).toBeGreaterThan(10);
    expect(await snapshot(sandbox, db)).toEqual(before);

    // The trigger did not fire while the rows were loaded, and the values are the bytes themselves.
    const [row] = await sandbox.sql<Record<string, unknown>[]>(
      'SELECT s, HEX(l1) AS l1, bin, blb, sj, HEX(sj) AS sjhex FROM tricky WHERE id = 3',
      db,
    );
    expect(row!.s).toBe(TRICKY_TEXT);
    expect(row!.l1).toBe(ALL_BYTES.toString('hex').toUpperCase());
    expect(Buffer.compare(row!.bin as Buffer, ALL_BYTES)).toBe(0);
    expect(Buffer.compare(row!.blb as Buffer, BLOB)).toBe(0);
    expect(row!.sj).toBe('テスト');
    const names = await sandbox.sql<{ name: string }[]>('SELECT name FROM parent ORDER BY id', db);
    expect(names.map((r) => r.name)).toEqual(['one', 'two', 'drei ü', 'four!?']);
  });
});

describe.each(['mariadb-dump', 'builtin'] as BackupMethod[])('a %s backup', (method) => {
  it('restores by hand with gunzip and the mariadb client into a fresh database', async () => {
    const db = await newDatabase('bksrc');
    await buildFixture(db);
    const before = await snapshot(sandbox, db);
    const backup = await createBackup({ target: sandbox.target(db, 'sandbox'), dir: tempDir(), runId: 'r', keep: 1, method });
    const fresh = await newDatabase('bkfresh');
    restoreByHand(backup.file, fresh);
    expect(await snapshot(sandbox, fresh)).toEqual(before);
  });
});

describe('retention', () => {
  it('keeps the newest backups of that database and leaves other files alone', async () => {
    const db = await newDatabase('bkkeep');
    await sandbox.sql('CREATE TABLE t (id INT PRIMARY KEY); INSERT INTO t VALUES (1)', db);
    const dir = tempDir();
    const otherDb = join(dir, 'backup_otherdb_20200101_000000_x.sql.gz');
    const unrelated = join(dir, 'notes.txt');
    writeFileSync(otherDb, 'x');
    writeFileSync(unrelated, 'x');
    const target = sandbox.target(db, 'sandbox');
    const first = await createBackup({ target, dir, runId: 'r1', keep: 2, now: new Date('2026-01-01T10:00:00Z'), method: 'builtin' });
    const second = await createBackup({ target, dir, runId: 'r2', keep: 2, now: new Date('2026-01-02T10:00:00Z'), method: 'builtin' });
    expect(second.removed).toEqual([]);
    const third = await createBackup({ target, dir, runId: 'r3', keep: 2, now: new Date('2026-01-03T10:00:00Z'), method: 'mariadb-dump' });
    expect(third.removed).toEqual([first.file]);
    expect(listBackups(dir, db).map((b) => b.path)).toEqual([third.file, second.file]);
    expect(existsSync(otherDb)).toBe(true);
    expect(existsSync(unrelated)).toBe(true);
  });
});

describe('secrets', () => {
  it('keeps the password out of the process arguments, the backup and the option file left behind', async () => {
    const db = await newDatabase('bkpw');
    await sandbox.sql("CREATE TABLE t (id INT PRIMARY KEY, v VARCHAR(10)); INSERT INTO t VALUES (1, 'a')", db);
    const user = `rc_${randomBytes(3).toString('hex')}`;
    const password = `p"a\\s's#w;rd $x ${randomBytes(4).toString('hex')}`;
    users.push(`'${user}'@'127.0.0.1'`);
    await sandbox.sql(`CREATE USER ?@'127.0.0.1' IDENTIFIED BY ?; GRANT ALL ON \`${db}\`.* TO ?@'127.0.0.1'`, undefined, [
      user,
      password,
      user,
    ]);
    const target = { role: 'sandbox' as const, host: '127.0.0.1', port: sandbox.port, user, password, database: db };

    for (const kind of ['dump', 'client'] as const) {
      const invocation = clientInvocation(kind, kind === 'dump' ? 'mariadb-dump' : 'mariadb', target);
      try {
        expect(invocation.args.join(' ')).not.toContain(password);
        expect(invocation.args.join(' ')).not.toContain(user);
        expect(invocation.args[0]).toBe(`--defaults-file=${invocation.defaultsFile}`);
        expect(statSync(invocation.defaultsFile).mode & 0o777).toBe(0o600);
        expect(readFileSync(invocation.defaultsFile, 'utf8')).toContain('protocol=TCP');
      } finally {
        invocation.cleanup();
      }
      expect(existsSync(invocation.defaultsFile)).toBe(false);
    }

    const tmpBefore = new Set(readdirSync(tmpdir()).filter((n) => n.startsWith('replicoop-client-')));
    for (const method of ['mariadb-dump', 'builtin'] as const) {
      const backup = await createBackup({ target, dir: tempDir(), runId: method, keep: 1, method });
      const sql = gunzipSync(readFileSync(backup.file)).toString('utf8');
      expect(sql).toContain('INSERT INTO `t`');
      expect(sql).not.toContain(password);
      await sandbox.sql('INSERT INTO t VALUES (2, "b")', db);
      await restoreBackup({ target, file: backup.file, method: method === 'builtin' ? 'builtin' : 'client' });
      expect(await sandbox.sql('SELECT id FROM t', db)).toEqual([{ id: 1 }]);
    }
    const leftovers = readdirSync(tmpdir()).filter((n) => n.startsWith('replicoop-client-') && !tmpBefore.has(n));
    expect(leftovers).toEqual([]);
  });
});

describe('failures', () => {
  it.each(['mariadb-dump', 'builtin'] as BackupMethod[])('a failed %s backup leaves no file behind', async (method) => {
    const db = await newDatabase('bkfail');
    // A routine root defined, which a user with ALL on the database only may not read (no SELECT on mysql.proc).
    await sandbox.sql(
      'CREATE TABLE t (id INT PRIMARY KEY); INSERT INTO t VALUES (1); CREATE DEFINER=root@localhost PROCEDURE broken() SELECT 1',
      db,
    );
    const user = `bkf_${db.slice(-8)}`;
    users.push(`'${user}'@'%'`);
    await sandbox.sql(`CREATE USER '${user}'@'%' IDENTIFIED BY 'pw-bkf'; GRANT ALL ON \`${db}\`.* TO '${user}'@'%'`);
    const dir = tempDir();
    let caught: unknown;
    try {
      await createBackup({ target: { ...sandbox.target(db, 'sandbox'), user, password: 'pw-bkf' }, dir, runId: 'x', keep: 2, method });
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(ReplicoopError);
    expect((caught as ReplicoopError).code).toBe('backup_failed');
    expect((caught as Error).message).toMatch(/broken/);
    expect(readdirSync(dir)).toEqual([]);
  });

  it('refuses a damaged backup before touching the sandbox', async () => {
    const db = await newDatabase('bkdamaged');
    await sandbox.sql('CREATE TABLE t (id INT PRIMARY KEY); INSERT INTO t VALUES (1), (2)', db);
    const backup = await createBackup({ target: sandbox.target(db, 'sandbox'), dir: tempDir(), runId: 'x', keep: 1, method: 'builtin' });
    const bytes = readFileSync(backup.file);
    writeFileSync(backup.file, bytes.subarray(0, bytes.length - 12));
    await sandbox.sql('INSERT INTO t VALUES (3)', db);
    await expect(restoreBackup({ target: sandbox.target(db, 'sandbox'), file: backup.file })).rejects.toMatchObject({
      code: 'restore_failed',
      message: expect.stringMatching(/damaged.*not touched/),
    });
    expect(await sandbox.sql('SELECT COUNT(*) AS n FROM t', db)).toEqual([{ n: '3' }]);
  });

  it('reports the failing line when the built-in restore hits an error', async () => {
    const db = await newDatabase('bkbadsql');
    const dir = tempDir();
    const file = join(dir, 'bad.sql.gz');
    const { gzipSync } = await import('node:zlib');
    writeFileSync(file, gzipSync('CREATE TABLE ok (id INT);\n\nINSERT INTO missing VALUES (1);\n'));
    await expect(restoreBackup({ target: sandbox.target(db, 'sandbox'), file, method: 'builtin' })).rejects.toMatchObject({
      code: 'restore_failed',
      message: expect.stringMatching(/line 3 \(1 statements had run\): .*missing/),
    });
    await expect(restoreBackup({ target: sandbox.target(db, 'sandbox'), file, method: 'client' })).rejects.toMatchObject({
      code: 'restore_failed',
      message: expect.stringMatching(/ERROR 1146.*line 3/),
    });
  });

  it('never backs up or restores a production target', async () => {
    const target = { ...sandbox.target('whatever'), role: 'production' as const };
    await expect(createBackup({ target, dir: tempDir(), runId: 'x', keep: 1 })).rejects.toMatchObject({ code: 'production_write_refused' });
    await expect(restoreBackup({ target, file: '/nonexistent' })).rejects.toMatchObject({ code: 'production_write_refused' });
  });
});

describe('character sets of stored programs', () => {
  it('keeps a routine created by a latin1 client exact with the client, and readable with the built-in path', async () => {
    const db = await newDatabase('bkl1');
    const load = spawnSync(
      'mariadb',
      ['--no-defaults', '-h127.0.0.1', `-P${sandbox.port}`, '-uroot', '--default-character-set=latin1', db],
      {
        input: Buffer.concat([Buffer.from("CREATE PROCEDURE p_cafe() SELECT 'caf"), Buffer.from([0xe9]), Buffer.from("' AS word;\n")]),
      },
    );
    expect(load.status).toBe(0);
    const show = async () => (await sandbox.sql<Record<string, unknown>[]>('SHOW CREATE PROCEDURE p_cafe', db))[0]!;
    const word = async () => ((await sandbox.sql<unknown[][]>('CALL p_cafe()', db))[0] as { word: string }[])[0]!.word;
    const original = await show();
    expect(original.character_set_client).toBe('latin1');
    expect(await word()).toBe('café');

    const dump = await createBackup({ target: sandbox.target(db, 'sandbox'), dir: tempDir(), runId: 'd', keep: 1, method: 'mariadb-dump' });
    await restoreBackup({ target: sandbox.target(db, 'sandbox'), file: dump.file, method: 'client' });
    expect(await show()).toEqual(original);
    // Those latin1 bytes cannot travel through the UTF-8 connection of the built-in restore.
    await expect(restoreBackup({ target: sandbox.target(db, 'sandbox'), file: dump.file, method: 'builtin' })).rejects.toMatchObject({
      code: 'restore_unsupported',
    });

    await restoreBackup({ target: sandbox.target(db, 'sandbox'), file: dump.file, method: 'client' });
    const builtin = await createBackup({ target: sandbox.target(db, 'sandbox'), dir: tempDir(), runId: 'b', keep: 1, method: 'builtin' });
    await restoreBackup({ target: sandbox.target(db, 'sandbox'), file: builtin.file, method: 'builtin' });
    expect(await word()).toBe('café');
    expect((await show()).character_set_client).toBe('utf8mb4');
  });
});

describe('free space', () => {
  it('estimates the sandbox size and refuses when the disk is too small', async () => {
    const db = await newDatabase('bkspace');
    await sandbox.sql(
      'CREATE TABLE t (id INT PRIMARY KEY, v VARCHAR(100)); INSERT INTO t SELECT seq, REPEAT("x", 100) FROM seq_1_to_2000; ANALYZE TABLE t',
      db,
    );
    const session = await SandboxSession.open(sandbox.target(db, 'sandbox'));
    let size: number;
    try {
      size = await sandboxSizeBytes(session);
    } finally {
      await session.close();
    }
    expect(size).toBeGreaterThan(100_000);
    const dir = join(tempDir(), 'not', 'yet', 'created');
    expect(checkFreeSpace(dir, size).availableBytes).toBeGreaterThan(size);
    let caught: unknown;
    try {
      checkFreeSpace(dir, 1e18);
    } catch (error) {
      caught = error;
    }
    expect((caught as ReplicoopError).code).toBe('backup_no_space');
    expect((caught as Error).message).toMatch(/about 953674316407 MB needed, \d+ MB available/);
    expect((caught as Error).message).toContain(dir);
  });
});

// A real full disk: a small tmpfs. Needs root (mount); skipped elsewhere.
const canMount = (() => {
  if (typeof process.getuid !== 'function' || process.getuid() !== 0) return false;
  const probe = mkdtempSync(join(tmpdir(), 'replicoop-mount-probe-'));
  const ok = spawnSync('mount', ['-t', 'tmpfs', '-o', 'size=64k', 'tmpfs', probe]).status === 0;
  if (ok) spawnSync('umount', [probe]);
  rmSync(probe, { recursive: true, force: true });
  return ok;
})();

describe.skipIf(!canMount)('a full disk', () => {
  const CAPACITY = 1024 * 1024;
  let mountPoint: string;
  let db: string;
  // The size of this database's backup with each method (the files are byte-for-byte stable).
  const sizes = new Map<BackupMethod, number>();

  beforeAll(async () => {
    db = await newDatabase('bkfull');
    await sandbox.sql('CREATE TABLE t (id INT PRIMARY KEY, b LONGBLOB)', db);
    // Random bytes do not compress: a backup of roughly 200-300 KB.
    await sandbox.sql('INSERT INTO t VALUES (1, ?)', db, [randomBytes(200_000)]);
    for (const method of ['builtin', 'mariadb-dump'] as const) {
      const probe = await createBackup({ target: sandbox.target(db, 'sandbox'), dir: tempDir(), runId: 'c', keep: 1, method });
      sizes.set(method, probe.bytes);
    }
    mountPoint = mkdtempSync(join(tmpdir(), 'replicoop-full-'));
    execFileSync('mount', ['-t', 'tmpfs', '-o', `size=${CAPACITY}`, 'tmpfs', mountPoint]);
  });

  afterAll(() => {
    if (mountPoint) {
      spawnSync('umount', [mountPoint]);
      rmSync(mountPoint, { recursive: true, force: true });
    }
  });

  it.each(['builtin', 'mariadb-dump'] as BackupMethod[])('%s: deletes all but the newest older backup and retries once', async (method) => {
    const size = sizes.get(method)!;
    expect(2 * size).toBeLessThan(CAPACITY);
    const dir = join(mountPoint, method);
    mkdirSync(dir);
    try {
      const oldest = join(dir, `backup_${db}_20200101_000000_a.sql.gz`);
      const newest = join(dir, `backup_${db}_20200102_000000_b.sql.gz`);
      // Half a backup of room: the first attempt fails; deleting the oldest makes enough.
      writeFileSync(oldest, randomBytes(size));
      writeFileSync(newest, randomBytes(CAPACITY - size - Math.floor(size / 2)));
      const backup = await createBackup({ target: sandbox.target(db, 'sandbox'), dir, runId: 'c', keep: 5, method });
      expect(backup.removed).toEqual([oldest]);
      expect(listBackups(dir, db).map((b) => b.path)).toEqual([backup.file, newest]);
      expect(backup.bytes).toBe(size);
      expect(readdirSync(dir).some((n) => n.endsWith('.partial'))).toBe(false);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('gives up with backup_disk_full when even that is not enough, leaving no partial file', async () => {
    const size = sizes.get('builtin')!;
    const dir = join(mountPoint, 'full');
    mkdirSync(dir);
    try {
      const newest = join(dir, `backup_${db}_20200102_000000_b.sql.gz`);
      writeFileSync(newest, randomBytes(CAPACITY - Math.floor(size / 2)));
      let caught: unknown;
      try {
        await createBackup({ target: sandbox.target(db, 'sandbox'), dir, runId: 'c', keep: 5, method: 'builtin' });
      } catch (error) {
        caught = error;
      }
      expect((caught as ReplicoopError).code).toBe('backup_disk_full');
      expect((caught as Error).message).toContain(dir);
      expect(readdirSync(dir)).toEqual([newest.split('/').pop()]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
