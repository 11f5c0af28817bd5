import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { packageRoot } from '../../src/package-info.js';
import { converge, convergeLoaded, freshDatabases, snapshotOf } from '../support/converge.js';
import { diffSnapshots } from '../../src/diff/diff-snapshots.js';
import { testServers } from '../support/servers.js';

const kinds = (changes: readonly { kind: string; name: string }[]) => changes.map((c) => `${c.kind} ${c.name}`).sort();

describe('schema engine: every kind of object converges on a real server', () => {
  it('columns: types, unsigned/zerofill, defaults and expressions, ON UPDATE, generated, invisible, comments, charsets', async () => {
    const result = await converge(
      'cols',
      `CREATE TABLE t (id INT PRIMARY KEY, a INT, b VARCHAR(10), c DATETIME, d TEXT, drop_me INT)`,
      `CREATE TABLE t (
         id INT UNSIGNED NOT NULL AUTO_INCREMENT PRIMARY KEY,
         a BIGINT(20) ZEROFILL DEFAULT 7,
         b VARCHAR(40) CHARACTER SET latin1 COLLATE latin1_bin NOT NULL DEFAULT 'it''s \\\\ "x"' COMMENT 'note ''q''',
         c TIMESTAMP(6) NOT NULL DEFAULT CURRENT_TIMESTAMP(6) ON UPDATE CURRENT_TIMESTAMP(6),
         d TEXT COLLATE utf8mb4_unicode_ci,
         e DATE DEFAULT (CURDATE() + INTERVAL 1 DAY),
         f VARCHAR(36) DEFAULT UUID(),
         g INT AS (a * 2) VIRTUAL,
         h VARCHAR(60) AS (CONCAT(b, '-x')) STORED,
         i INT INVISIBLE DEFAULT 5,
         j JSON,
         k BIT(3) DEFAULT b'101',
         l DECIMAL(65,30) DEFAULT 0.5,
         m ENUM('a','b''c') NOT NULL DEFAULT 'a',
         n SET('x','y') DEFAULT 'x,y',
         o YEAR DEFAULT 2024,
         p DOUBLE DEFAULT -1.5e10,
         q POINT NOT NULL,
         r BLOB,
         s TINYINT(1) NOT NULL DEFAULT 0
       )`,
    );
    expect(kinds(result.before)).toEqual(['alter_table t']);
  });

  it('indexes: unique, fulltext, spatial, prefix, DESC, IGNORED, comments, explicit USING, long unique', async () => {
    const result = await converge(
      'idx',
      `CREATE TABLE t (id INT PRIMARY KEY, a VARCHAR(100), b VARCHAR(100), c TEXT, g POINT NOT NULL, KEY old_a (a), UNIQUE KEY u_b (b))`,
      `CREATE TABLE t (id INT PRIMARY KEY, a VARCHAR(100), b VARCHAR(100), c TEXT, g POINT NOT NULL,
         KEY a_prefix (a(10), b DESC) COMMENT 'prefix and desc',
         UNIQUE KEY u_b (b, a),
         FULLTEXT KEY ft_c (c),
         SPATIAL KEY sp_g (g),
         KEY ign (b) IGNORED,
         KEY hashed (a) USING BTREE,
         UNIQUE KEY long_c (c) USING HASH)`,
    );
    expect(kinds(result.before)).toEqual(['alter_table t']);
  });

  it('primary key change, engine, comment, row format and charset of a table', async () => {
    const result = await converge(
      'opts',
      `CREATE TABLE t (a INT NOT NULL, b INT NOT NULL, PRIMARY KEY (a)) ENGINE=MyISAM COMMENT='old' ROW_FORMAT=FIXED DEFAULT CHARSET=latin1`,
      `CREATE TABLE t (a INT NOT NULL, b INT NOT NULL, PRIMARY KEY (a, b)) ENGINE=InnoDB COMMENT='new ''one''' ROW_FORMAT=DYNAMIC DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci STATS_PERSISTENT=1`,
    );
    const alter = result.plan.steps.find((s) => s.kind === 'alter_table')!;
    expect(alter.sql[0]).toContain('ENGINE=InnoDB');
    expect(alter.sql[0]).toContain('ADD PRIMARY KEY (`a`,`b`)');
    expect(alter.destructive).toBe(false);
  });

  it('foreign keys: actions, multi-column, self-reference, a cycle, and new tables created parents first', async () => {
    const result = await converge(
      'fks',
      `CREATE TABLE parent (id INT PRIMARY KEY, code INT, UNIQUE KEY (id, code));
       CREATE TABLE child (id INT PRIMARY KEY, parent_id INT, code INT, CONSTRAINT fk_child_parent FOREIGN KEY (parent_id) REFERENCES parent (id) ON DELETE CASCADE)`,
      `CREATE TABLE parent (id INT PRIMARY KEY, code INT, boss INT, UNIQUE KEY (id, code), CONSTRAINT fk_boss FOREIGN KEY (boss) REFERENCES parent (id));
       CREATE TABLE child (id INT PRIMARY KEY, parent_id INT, code INT, CONSTRAINT fk_child_parent FOREIGN KEY (parent_id, code) REFERENCES parent (id, code) ON DELETE SET NULL ON UPDATE CASCADE);
       CREATE TABLE a (id INT PRIMARY KEY, b_id INT);
       CREATE TABLE b (id INT PRIMARY KEY, a_id INT, CONSTRAINT fk_b_a FOREIGN KEY (a_id) REFERENCES a (id));
       ALTER TABLE a ADD CONSTRAINT fk_a_b FOREIGN KEY (b_id) REFERENCES b (id);
       CREATE TABLE leaf (id INT PRIMARY KEY, child_id INT, CONSTRAINT fk_leaf_child FOREIGN KEY (child_id) REFERENCES child (id))`,
    );
    const ids = result.plan.steps.map((s) => s.id);
    expect(ids.some((id) => id.includes('add-foreign-keys'))).toBe(true);
    expect(result.warnings).toEqual([]);
  });

  it('RESTRICT and NO ACTION, implicit and explicit default collations, utf8 and utf8mb3, spellings of CURRENT_TIMESTAMP are not differences', async () => {
    const dbs = await freshDatabases('norm');
    const { production, sandbox } = testServers();
    await production.sql(
      `CREATE TABLE p (id INT PRIMARY KEY);
       CREATE TABLE c (id INT PRIMARY KEY, pid INT, ts TIMESTAMP NOT NULL DEFAULT CURRENT_TIMESTAMP ON UPDATE CURRENT_TIMESTAMP, name VARCHAR(10), legacy VARCHAR(5) CHARACTER SET utf8,
          KEY k2 (name), KEY k1 (ts), CONSTRAINT fk FOREIGN KEY (pid) REFERENCES p (id) ON DELETE RESTRICT)`,
      dbs.production,
    );
    await sandbox.sql(
      `CREATE TABLE p (id INT PRIMARY KEY);
       CREATE TABLE c (id INT PRIMARY KEY, pid INT, ts TIMESTAMP NOT NULL DEFAULT now() ON UPDATE current_timestamp(), name VARCHAR(10) CHARACTER SET utf8mb4 COLLATE utf8mb4_general_ci, legacy VARCHAR(5) CHARACTER SET utf8mb3,
          KEY k1 (ts), KEY k2 (name), CONSTRAINT fk FOREIGN KEY (pid) REFERENCES p (id) ON DELETE NO ACTION)`,
      dbs.sandbox,
    );
    const diff = diffSnapshots(await snapshotOf('sandbox', dbs.sandbox), await snapshotOf('production', dbs.production));
    expect(diff).toEqual([]);
  });

  it('CHECK constraints, table and column level', async () => {
    const result = await converge(
      'chk',
      `CREATE TABLE t (a INT, b INT, CONSTRAINT old_chk CHECK (a > 0), CONSTRAINT same CHECK (b > 1))`,
      `CREATE TABLE t (a INT CHECK (a < 100), b INT, CONSTRAINT same CHECK (b > 2), CONSTRAINT \`odd \`\` name\` CHECK (a <> b))`,
    );
    expect(kinds(result.before)).toEqual(['alter_table t']);
  });

  it('partitioning: added, changed and removed', async () => {
    await converge(
      'part1',
      `CREATE TABLE t (id INT NOT NULL, y INT NOT NULL, PRIMARY KEY (id, y))`,
      `CREATE TABLE t (id INT NOT NULL, y INT NOT NULL, PRIMARY KEY (id, y)) PARTITION BY RANGE (y) (PARTITION p0 VALUES LESS THAN (2000), PARTITION p1 VALUES LESS THAN MAXVALUE)`,
    );
    await converge(
      'part2',
      `CREATE TABLE t (id INT NOT NULL, y INT NOT NULL, PRIMARY KEY (id, y)) PARTITION BY HASH (id) PARTITIONS 4`,
      `CREATE TABLE t (id INT NOT NULL, y INT NOT NULL, PRIMARY KEY (id, y)) PARTITION BY KEY (id) PARTITIONS 3`,
    );
    await converge(
      'part3',
      `CREATE TABLE t (id INT NOT NULL PRIMARY KEY) PARTITION BY HASH (id) PARTITIONS 2`,
      `CREATE TABLE t (id INT NOT NULL PRIMARY KEY)`,
    );
  });

  it('column reorder, enum changes and drops are planned in place and flagged destructive where data can be lost', async () => {
    const result = await converge(
      'reorder',
      `CREATE TABLE t (id INT PRIMARY KEY, c INT, a INT, b INT, e ENUM('x','y','z'), gone INT, s VARCHAR(20))`,
      `CREATE TABLE t (id INT PRIMARY KEY, a INT, b INT, c INT, n INT, e ENUM('x','y','w'), s VARCHAR(10))`,
    );
    const alter = result.plan.steps.find((s) => s.kind === 'alter_table')!;
    expect(alter.destructive).toBe(true);
    expect(alter.reason).toContain("ENUM values removed ('z')");
    expect(alter.reason).toContain('column gone: dropped with its data');
    expect(alter.reason).toContain('shortened from varchar(20) to varchar(10)');
    expect(alter.sql).toHaveLength(1);
  });

  it('views on views, triggers (two on one event), routines and events whose DEFINER does not exist in the sandbox', async () => {
    const definer = 'DEFINER=`nobody_here`@`localhost`';
    // The definer exists on production only.
    await testServers().production.sql(
      "CREATE USER IF NOT EXISTS 'nobody_here'@'localhost'; GRANT ALL ON *.* TO 'nobody_here'@'localhost'",
    );
    const result = await converge(
      'objs',
      `CREATE TABLE t (id INT PRIMARY KEY, v INT);
       CREATE VIEW v_old AS SELECT id FROM t;
       CREATE TRIGGER t_old BEFORE INSERT ON t FOR EACH ROW SET NEW.v = 0;
       CREATE PROCEDURE p_old() SELECT 1;`,
      `CREATE TABLE t (id INT PRIMARY KEY, v INT);
       CREATE TABLE log (id INT AUTO_INCREMENT PRIMARY KEY, msg VARCHAR(50));
       CREATE ${definer} VIEW v_base AS SELECT id, v FROM t WHERE v > 0;
       CREATE ${definer} SQL SECURITY INVOKER VIEW v_top AS SELECT id FROM v_base WITH CHECK OPTION;
       CREATE ${definer} TRIGGER t_one BEFORE INSERT ON t FOR EACH ROW SET NEW.v = NEW.v + 1;
       CREATE ${definer} TRIGGER t_two BEFORE INSERT ON t FOR EACH ROW FOLLOWS t_one SET NEW.v = NEW.v * 2;
       CREATE ${definer} TRIGGER t_log AFTER DELETE ON t FOR EACH ROW INSERT INTO log (msg) VALUES (CONCAT('deleted ', OLD.id));
       CREATE ${definer} FUNCTION f_double(x INT) RETURNS INT DETERMINISTIC RETURN x * 2;
       CREATE ${definer} PROCEDURE p_count(OUT n INT) COMMENT 'counts' BEGIN SELECT COUNT(*) INTO n FROM t; END;
       CREATE ${definer} EVENT e_cleanup ON SCHEDULE EVERY 1 DAY STARTS '2030-01-01 00:00:00' DISABLE DO DELETE FROM log WHERE id < 0;`,
    );
    expect(kinds(result.before)).toEqual([
      'create_event e_cleanup',
      'create_routine f_double',
      'create_routine p_count',
      'create_table log',
      'create_trigger t_log',
      'create_trigger t_one',
      'create_trigger t_two',
      'create_view v_base',
      'create_view v_top',
      'drop_routine p_old',
      'drop_trigger t_old',
      'drop_view v_old',
    ]);
    const viewOrder = result.plan.steps.filter((s) => s.kind === 'create_view').map((s) => s.object);
    expect(viewOrder).toEqual(['v_base', 'v_top']);
    // The rewritten definer is the applying user, so the objects work in the sandbox.
    const rows = await testServers().sandbox.sql<{ DEFINER: string }[]>(
      `SELECT DEFINER FROM information_schema.ROUTINES WHERE ROUTINE_SCHEMA = ?`,
      undefined,
      [result.sandbox],
    );
    expect(rows.map((r) => r.DEFINER)).toEqual(['root@127.0.0.1', 'root@127.0.0.1']);
    await testServers().sandbox.sql('INSERT INTO t VALUES (1, 3)', result.sandbox);
    const [row] = await testServers().sandbox.sql<{ v: number }[]>('SELECT v FROM t', result.sandbox);
    expect(Number(row!.v)).toBe(8);
  });

  it('hostile identifiers: reserved words, backticks, quotes, spaces, non-ASCII', async () => {
    const result = await converge(
      'hostile',
      `CREATE TABLE \`select\` (\`order\` INT PRIMARY KEY)`,
      `CREATE TABLE \`select\` (\`order\` INT PRIMARY KEY, \`we\`\`ird "col" 'x'\` VARCHAR(5), \`naïve café ☕\` INT, KEY \`key with space\` (\`naïve café ☕\`));
       CREATE TABLE \`tab\`\`le ; DROP TABLE x\` (id INT PRIMARY KEY, s INT, CONSTRAINT \`fk "q"\` FOREIGN KEY (s) REFERENCES \`select\` (\`order\`));
       CREATE VIEW \`vue ünï\` AS SELECT \`order\` FROM \`select\``,
    );
    expect(kinds(result.before)).toEqual(['alter_table select', 'create_table tab`le ; DROP TABLE x', 'create_view vue ünï']);
  });

  it('sequences', async () => {
    await converge(
      'seq',
      `CREATE SEQUENCE s_old; CREATE SEQUENCE s_changed INCREMENT BY 1`,
      `CREATE SEQUENCE s_new START WITH 100 INCREMENT BY 5; CREATE SEQUENCE s_changed INCREMENT BY 2`,
    );
  });

  it('structure-only tables keep their rows across a compatible ALTER', async () => {
    const result = await converge(
      'keep',
      `CREATE TABLE t (id INT PRIMARY KEY, name VARCHAR(10), qty SMALLINT);
       INSERT INTO t VALUES (1, 'one', 10), (2, 'two', 20), (3, NULL, NULL);`,
      `CREATE TABLE t (id INT PRIMARY KEY, name VARCHAR(50), qty INT, note VARCHAR(20), KEY by_name (name))`,
    );
    expect(result.plan.steps.every((s) => !s.destructive)).toBe(true);
    const rows = await testServers().sandbox.sql<{ id: number; name: string | null; qty: number | null; note: string | null }[]>(
      'SELECT id, name, qty, note FROM t ORDER BY id',
      result.sandbox,
    );
    expect(rows.map((r) => [Number(r.id), r.name, r.qty === null ? null : Number(r.qty), r.note])).toEqual([
      [1, 'one', 10, null],
      [2, 'two', 20, null],
      [3, null, null, null],
    ]);
  });

  it('ignored objects are neither read nor touched', async () => {
    const result = await converge(
      'ign',
      `CREATE TABLE tmp_scratch (id INT); CREATE TABLE keep_me (id INT PRIMARY KEY)`,
      `CREATE TABLE keep_me (id INT PRIMARY KEY, x INT); CREATE TABLE audit_old (id INT)`,
      { ignore: ['tmp_*', '*_old'] },
    );
    expect(kinds(result.before)).toEqual(['alter_table keep_me']);
    const tables = await testServers().sandbox.sql<{ TABLE_NAME: string }[]>(
      'SELECT TABLE_NAME FROM information_schema.TABLES WHERE TABLE_SCHEMA = ? ORDER BY TABLE_NAME',
      undefined,
      [result.sandbox],
    );
    expect(tables.map((t) => t.TABLE_NAME)).toEqual(['keep_me', 'tmp_scratch']);
  });
});

describe('kitchen sink: most MariaDB features at once, every direction', () => {
  const sink = join(packageRoot, 'test', 'fixtures', 'kitchen-sink.sql');
  const changes = join(packageRoot, 'test', 'fixtures', 'kitchen-sink-changes.sql');
  const changed = [sink, changes];
  const load = async (sandboxFiles: string | string[] | null, productionFiles: string | string[] | null) => {
    const dbs = await freshDatabases('sink');
    for (const file of [productionFiles ?? []].flat()) await testServers().production.loadFile(file, dbs.production);
    for (const file of [sandboxFiles ?? []].flat()) await testServers().sandbox.loadFile(file, dbs.sandbox);
    return convergeLoaded(dbs);
  };
  it('empty -> sink', async () => {
    const result = await load(null, sink);
    expect(result.productionSnapshot.unsupported).toEqual([]);
    expect(result.plan.summary.tablesCreated).toBe(2);
  });
  it('sink -> empty', async () => {
    expect((await load(sink, null)).plan.summary.tablesDropped).toBe(2);
  });
  it('sink -> changed sink', async () => {
    expect((await load(sink, changed)).plan.summary.tablesAltered).toBe(2);
  });
  it('changed sink -> sink', async () => {
    expect((await load(changed, sink)).plan.summary.tablesAltered).toBe(2);
  });
});
