import { describe, expect, it } from 'vitest';
import { runDdlStep } from '../../src/apply/run-ddl-step.js';
import { SandboxSession } from '../../src/db/session.js';
import type { PlanStep } from '../../src/plan/plan-types.js';
import { renderPlanText } from '../../src/report/render-plan.js';
import { converge, convergeLoaded, freshDatabases } from '../support/converge.js';
import { testServers, uniqueName } from '../support/servers.js';

const cases: [string, string, string][] = [
  ['sysver', '', `CREATE TABLE sv (id INT PRIMARY KEY, x INT) WITH SYSTEM VERSIONING`],
  [
    'sysver-cols',
    '',
    `CREATE TABLE sv2 (id INT PRIMARY KEY, x INT, y INT WITHOUT SYSTEM VERSIONING, rs TIMESTAMP(6) AS ROW START INVISIBLE, re TIMESTAMP(6) AS ROW END INVISIBLE, PERIOD FOR SYSTEM_TIME(rs, re)) WITH SYSTEM VERSIONING`,
  ],
  ['sysver-add', `CREATE TABLE sv (id INT PRIMARY KEY, x INT)`, `CREATE TABLE sv (id INT PRIMARY KEY, x INT) WITH SYSTEM VERSIONING`],
  ['apptime', '', `CREATE TABLE ap (id INT, s DATE NOT NULL, e DATE NOT NULL, PERIOD FOR p(s, e), UNIQUE KEY u (id, p WITHOUT OVERLAPS))`],
  ['compressed', '', `CREATE TABLE cc (id INT PRIMARY KEY, c TEXT COMPRESSED, v VARCHAR(100) COMPRESSED)`],
  ['inet-uuid', '', `CREATE TABLE iu (id INT PRIMARY KEY, ip INET6 DEFAULT '::1', ip4 INET4, u UUID DEFAULT UUID())`],
  [
    'inet-uuid-change',
    `CREATE TABLE iu (id INT PRIMARY KEY, ip VARCHAR(39), u CHAR(36))`,
    `CREATE TABLE iu (id INT PRIMARY KEY, ip INET6, u UUID)`,
  ],
  [
    'engines',
    '',
    `CREATE TABLE a1 (id INT PRIMARY KEY) ENGINE=Aria TRANSACTIONAL=1 PAGE_CHECKSUM=1; CREATE TABLE m1 (id INT PRIMARY KEY) ENGINE=MEMORY; CREATE TABLE my (id INT PRIMARY KEY, t TEXT, FULLTEXT(t)) ENGINE=MyISAM PACK_KEYS=1 CHECKSUM=1 DELAY_KEY_WRITE=1`,
  ],
  [
    'tableopts',
    '',
    `CREATE TABLE o1 (id INT PRIMARY KEY) STATS_PERSISTENT=1 STATS_AUTO_RECALC=0 STATS_SAMPLE_PAGES=20 ROW_FORMAT=COMPRESSED KEY_BLOCK_SIZE=8; CREATE TABLE o2 (id INT PRIMARY KEY) PAGE_COMPRESSED=1 PAGE_COMPRESSION_LEVEL=3; CREATE TABLE o3 (id INT AUTO_INCREMENT PRIMARY KEY) AUTO_INCREMENT=1000 MAX_ROWS=100 MIN_ROWS=10 AVG_ROW_LENGTH=50`,
  ],
  [
    'partitions',
    '',
    `CREATE TABLE p1 (id INT, d DATE, PRIMARY KEY (id, d)) PARTITION BY RANGE COLUMNS(d) (PARTITION p0 VALUES LESS THAN ('2020-01-01'), PARTITION p1 VALUES LESS THAN (MAXVALUE));
    CREATE TABLE p2 (id INT PRIMARY KEY) PARTITION BY HASH(id) PARTITIONS 4;
    CREATE TABLE p3 (id INT, c CHAR(2), PRIMARY KEY(id, c)) PARTITION BY LIST COLUMNS(c) (PARTITION a VALUES IN ('a','b'), PARTITION z VALUES IN ('z') COMMENT 'zed');
    CREATE TABLE p4 (id INT, y INT, PRIMARY KEY (id, y)) PARTITION BY RANGE (y) SUBPARTITION BY HASH(id) SUBPARTITIONS 2 (PARTITION a VALUES LESS THAN (10), PARTITION b VALUES LESS THAN MAXVALUE);
    CREATE TABLE p5 (id INT PRIMARY KEY) PARTITION BY KEY() PARTITIONS 3;
    CREATE TABLE p6 (id INT, t TIMESTAMP, PRIMARY KEY(id)) WITH SYSTEM VERSIONING PARTITION BY SYSTEM_TIME INTERVAL 1 MONTH (PARTITION p0 HISTORY, PARTITION pn CURRENT)`,
  ],
  [
    'routines',
    '',
    `CREATE TABLE t (id INT PRIMARY KEY);
    CREATE TRIGGER t1 BEFORE INSERT ON t FOR EACH ROW SET NEW.id = NEW.id + 1;
    CREATE TRIGGER t2 BEFORE INSERT ON t FOR EACH ROW PRECEDES t1 SET NEW.id = NEW.id * 2;
    CREATE PROCEDURE p(IN a INT, OUT b VARCHAR(10) CHARSET latin1, INOUT c DECIMAL(5,2)) SQL SECURITY INVOKER DETERMINISTIC COMMENT 'x' READS SQL DATA BEGIN SELECT a INTO b; END;
    CREATE FUNCTION f(a INT) RETURNS TEXT CHARSET utf8mb4 COLLATE utf8mb4_bin NO SQL RETURN CONCAT(a, '');
    CREATE FUNCTION f2() RETURNS INT RETURN (SELECT COUNT(*) FROM t);
    CREATE EVENT e ON SCHEDULE EVERY 1 HOUR STARTS '2030-01-01 00:00:00' ON COMPLETION PRESERVE DISABLE COMMENT 'ev' DO DELETE FROM t;
    CREATE EVENT e2 ON SCHEDULE AT '2035-01-01 00:00:00' DO DELETE FROM t;`,
  ],
  [
    'views',
    '',
    `CREATE TABLE t (id INT PRIMARY KEY, a INT);
    CREATE ALGORITHM=MERGE SQL SECURITY INVOKER VIEW v1 AS SELECT id, a FROM t WHERE a > 0 WITH CASCADED CHECK OPTION;
    CREATE VIEW v2 (x, y) AS SELECT id, a FROM v1 WITH LOCAL CHECK OPTION;
    CREATE ALGORITHM=TEMPTABLE VIEW v3 AS SELECT COUNT(*) AS n FROM t`,
  ],
  [
    'fk-unique',
    '',
    `CREATE TABLE pa (id INT PRIMARY KEY, code VARCHAR(10) NOT NULL, UNIQUE KEY (code)) ; CREATE TABLE ch (id INT PRIMARY KEY, code VARCHAR(10), CONSTRAINT fk_code FOREIGN KEY (code) REFERENCES pa (code) ON UPDATE CASCADE ON DELETE SET NULL)`,
  ],
  [
    'srid',
    '',
    `CREATE TABLE g (id INT PRIMARY KEY, p POINT REF_SYSTEM_ID=4326 NOT NULL, l LINESTRING, gc GEOMETRYCOLLECTION, mp MULTIPOLYGON, SPATIAL KEY (p))`,
  ],
  [
    'collations',
    '',
    `CREATE TABLE c (id INT PRIMARY KEY, a VARCHAR(10) CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_520_ci, b VARCHAR(10) CHARACTER SET ascii, c VARCHAR(10) CHARACTER SET ucs2, d VARCHAR(10) CHARACTER SET utf16, e VARCHAR(10) COLLATE utf8mb4_uca1400_ai_ci, f CHAR(3) BINARY) DEFAULT CHARSET=latin2`,
  ],
  [
    'json-check',
    '',
    `CREATE TABLE j (id INT PRIMARY KEY, doc JSON CHECK (JSON_LENGTH(doc) < 10), doc2 LONGTEXT CHECK (JSON_VALID(doc2)), CONSTRAINT c1 CHECK (id > 0))`,
  ],
  [
    'sequence-options',
    '',
    `CREATE SEQUENCE s1 START WITH 100 INCREMENT BY 5 MINVALUE 10 MAXVALUE 100000 CYCLE CACHE 50; CREATE SEQUENCE s2 NOCACHE NOCYCLE; CREATE TABLE ts (id INT PRIMARY KEY DEFAULT NEXT VALUE FOR s1)`,
  ],
  [
    'case-names',
    '',
    'CREATE TABLE `MixedCase` (`Id` INT PRIMARY KEY, `ColA` INT, KEY `IdxA` (`ColA`)); CREATE TABLE `lower` (id INT PRIMARY KEY)',
  ],
  [
    'many-changes',
    `CREATE TABLE t (id INT PRIMARY KEY, a INT, b INT, c INT, KEY ka (a), KEY kb (b)); CREATE TABLE u (id INT PRIMARY KEY, t_id INT, CONSTRAINT fk FOREIGN KEY (t_id) REFERENCES t (id))`,
    `CREATE TABLE t (id BIGINT PRIMARY KEY, a BIGINT, c VARCHAR(10), d INT NOT NULL DEFAULT 1, KEY ka (a, c), KEY kd (d)); CREATE TABLE u (id INT PRIMARY KEY, t_id BIGINT, CONSTRAINT fk FOREIGN KEY (t_id) REFERENCES t (id) ON DELETE CASCADE)`,
  ],
];

// Changes real schemas go through: views with CTEs and window functions, odd defaults, primary
// partitioning added or removed together with a key change, and foreign keys whose columns widen (INT -> BIGINT, also in a cycle), renamed tables keeping their
// foreign key names, engine changes that add or remove foreign keys, names at the 64-character limit.
const realWorldCases: [string, string, string][] = [
  [
    'table-becomes-view',
    `CREATE TABLE base (id INT PRIMARY KEY); CREATE TABLE x (id INT PRIMARY KEY)`,
    `CREATE TABLE base (id INT PRIMARY KEY); CREATE VIEW x AS SELECT id FROM base`,
  ],
  [
    'view-chain-change',
    `CREATE TABLE t (id INT PRIMARY KEY, a INT, b INT); CREATE VIEW v1 AS SELECT id, a FROM t; CREATE VIEW v2 AS SELECT id FROM v1`,
    `CREATE TABLE t (id INT PRIMARY KEY, b INT); CREATE VIEW v1 AS SELECT id, b FROM t; CREATE VIEW v2 AS SELECT id, b FROM v1; CREATE VIEW v0 AS SELECT * FROM v2`,
  ],
  [
    'trigger-new-col',
    `CREATE TABLE t (id INT PRIMARY KEY, a INT); CREATE TRIGGER tr BEFORE INSERT ON t FOR EACH ROW SET NEW.a = 1`,
    `CREATE TABLE t (id INT PRIMARY KEY, a INT, b INT); CREATE TRIGGER tr BEFORE INSERT ON t FOR EACH ROW SET NEW.b = NEW.a + 1`,
  ],
  [
    'pk-parent-change',
    `CREATE TABLE p (id INT NOT NULL, PRIMARY KEY (id)); CREATE TABLE c (id INT PRIMARY KEY, p_id INT, CONSTRAINT fk FOREIGN KEY (p_id) REFERENCES p (id))`,
    `CREATE TABLE p (id INT NOT NULL, x INT NOT NULL DEFAULT 0, PRIMARY KEY (x, id), UNIQUE KEY u_id (id)); CREATE TABLE c (id INT PRIMARY KEY, p_id INT, CONSTRAINT fk FOREIGN KEY (p_id) REFERENCES p (id))`,
  ],
  [
    'to-partitioned',
    `CREATE TABLE t (id INT NOT NULL, d DATE NOT NULL, PRIMARY KEY (id)); INSERT INTO t VALUES (1, '2020-05-05')`,
    `CREATE TABLE t (id INT NOT NULL, d DATE NOT NULL, PRIMARY KEY (id, d)) PARTITION BY RANGE (YEAR(d)) (PARTITION p2019 VALUES LESS THAN (2020), PARTITION pmax VALUES LESS THAN MAXVALUE)`,
  ],
  [
    'partition-add',
    `CREATE TABLE t (id INT NOT NULL, PRIMARY KEY (id)) PARTITION BY RANGE (id) (PARTITION p0 VALUES LESS THAN (100), PARTITION p1 VALUES LESS THAN (200))`,
    `CREATE TABLE t (id INT NOT NULL, PRIMARY KEY (id)) PARTITION BY RANGE (id) (PARTITION p0 VALUES LESS THAN (100), PARTITION p1 VALUES LESS THAN (200), PARTITION p2 VALUES LESS THAN (300))`,
  ],
  [
    'auto-inc-add',
    `CREATE TABLE t (id INT NOT NULL, PRIMARY KEY (id)); INSERT INTO t VALUES (1), (5)`,
    `CREATE TABLE t (id INT NOT NULL AUTO_INCREMENT, PRIMARY KEY (id))`,
  ],
  [
    'fulltext-charset',
    `CREATE TABLE t (id INT PRIMARY KEY, body TEXT CHARACTER SET latin1, FULLTEXT KEY ft (body)) DEFAULT CHARSET=latin1`,
    `CREATE TABLE t (id INT PRIMARY KEY, body TEXT, FULLTEXT KEY ft (body)) DEFAULT CHARSET=utf8mb4`,
  ],
  [
    'routine-signature',
    `CREATE PROCEDURE p(a INT) SELECT a; CREATE FUNCTION f(a INT) RETURNS INT RETURN a`,
    `CREATE PROCEDURE p(a INT, b INT) SELECT a + b; CREATE FUNCTION f(a BIGINT) RETURNS BIGINT DETERMINISTIC RETURN a * 2; CREATE PROCEDURE f() SELECT 1`,
  ],
  [
    'event-change',
    `CREATE TABLE t (id INT PRIMARY KEY); CREATE EVENT e ON SCHEDULE EVERY 1 HOUR DO DELETE FROM t`,
    `CREATE TABLE t (id INT PRIMARY KEY); CREATE EVENT e ON SCHEDULE EVERY 2 HOUR ON COMPLETION PRESERVE DISABLE DO DELETE FROM t WHERE id > 1`,
  ],
  [
    'col-to-generated',
    `CREATE TABLE t (id INT PRIMARY KEY, a INT, b INT)`,
    `CREATE TABLE t (id INT PRIMARY KEY, a INT, b INT AS (a * 2) STORED)`,
  ],
  ['invisible-toggle', `CREATE TABLE t (id INT PRIMARY KEY, a INT)`, `CREATE TABLE t (id INT PRIMARY KEY, a INT INVISIBLE)`],
  [
    'check-on-fk-col',
    `CREATE TABLE p (id INT PRIMARY KEY); CREATE TABLE c (id INT PRIMARY KEY, p_id INT, CONSTRAINT fk FOREIGN KEY (p_id) REFERENCES p (id))`,
    `CREATE TABLE p (id INT PRIMARY KEY); CREATE TABLE c (id INT PRIMARY KEY, p_id INT CHECK (p_id > 0), CONSTRAINT fk FOREIGN KEY (p_id) REFERENCES p (id))`,
  ],
  [
    'unsigned-fk',
    `CREATE TABLE p (id INT PRIMARY KEY); CREATE TABLE c (id INT PRIMARY KEY, p_id INT, CONSTRAINT fk FOREIGN KEY (p_id) REFERENCES p (id))`,
    `CREATE TABLE p (id INT UNSIGNED PRIMARY KEY); CREATE TABLE c (id INT PRIMARY KEY, p_id INT UNSIGNED, CONSTRAINT fk FOREIGN KEY (p_id) REFERENCES p (id))`,
  ],
  [
    'fk-to-new-unique',
    `CREATE TABLE p (id INT PRIMARY KEY, code INT NOT NULL); CREATE TABLE c (id INT PRIMARY KEY, code INT)`,
    `CREATE TABLE p (id INT PRIMARY KEY, code INT NOT NULL, UNIQUE KEY (code)); CREATE TABLE c (id INT PRIMARY KEY, code INT, CONSTRAINT fk FOREIGN KEY (code) REFERENCES p (code))`,
  ],

  [
    'gen-dep',
    `CREATE TABLE t (id INT PRIMARY KEY, a INT, g INT AS (a * 2) STORED, v INT AS (a + 1) VIRTUAL, KEY (g), KEY (v)); INSERT INTO t (id, a) VALUES (1, 5)`,
    `CREATE TABLE t (id INT PRIMARY KEY, a BIGINT, g BIGINT AS (a * 3) STORED, v BIGINT AS (a + 1) VIRTUAL, KEY (g), KEY (v))`,
  ],
  [
    'pk-extend-fk',
    `CREATE TABLE p (id INT NOT NULL, t INT NOT NULL DEFAULT 0, PRIMARY KEY (id)); CREATE TABLE c (id INT PRIMARY KEY, p_id INT, CONSTRAINT fk FOREIGN KEY (p_id) REFERENCES p (id))`,
    `CREATE TABLE p (id INT NOT NULL, t INT NOT NULL DEFAULT 0, PRIMARY KEY (id, t)); CREATE TABLE c (id INT PRIMARY KEY, p_id INT, CONSTRAINT fk FOREIGN KEY (p_id) REFERENCES p (id))`,
  ],
  [
    'unique-to-pk',
    `CREATE TABLE t (id INT NOT NULL, v INT, UNIQUE KEY id (id)); INSERT INTO t VALUES (1, 1)`,
    `CREATE TABLE t (id INT NOT NULL, v INT, PRIMARY KEY (id))`,
  ],
  [
    'fk-index-swap',
    `CREATE TABLE p (id INT PRIMARY KEY); CREATE TABLE c (id INT PRIMARY KEY, p_id INT, KEY k_old (p_id), CONSTRAINT fk FOREIGN KEY (p_id) REFERENCES p (id))`,
    `CREATE TABLE p (id INT PRIMARY KEY); CREATE TABLE c (id INT PRIMARY KEY, p_id INT, x INT, KEY k_new (p_id, x), CONSTRAINT fk FOREIGN KEY (p_id) REFERENCES p (id))`,
  ],
  [
    'fk-col-rename',
    `CREATE TABLE p (id INT PRIMARY KEY); CREATE TABLE c (id INT PRIMARY KEY, p_id INT, CONSTRAINT fk FOREIGN KEY (p_id) REFERENCES p (id))`,
    `CREATE TABLE p (id INT PRIMARY KEY); CREATE TABLE c (id INT PRIMARY KEY, parent_id INT, CONSTRAINT fk FOREIGN KEY (parent_id) REFERENCES p (id))`,
  ],
  [
    'parent-pk-col-rename',
    `CREATE TABLE p (id INT PRIMARY KEY); CREATE TABLE c (id INT PRIMARY KEY, p_id INT, CONSTRAINT fk FOREIGN KEY (p_id) REFERENCES p (id))`,
    `CREATE TABLE p (pid INT PRIMARY KEY); CREATE TABLE c (id INT PRIMARY KEY, p_id INT, CONSTRAINT fk FOREIGN KEY (p_id) REFERENCES p (pid))`,
  ],
  [
    'nullability-fk',
    `CREATE TABLE p (id INT PRIMARY KEY); CREATE TABLE c (id INT PRIMARY KEY, p_id INT NULL, CONSTRAINT fk FOREIGN KEY (p_id) REFERENCES p (id) ON DELETE SET NULL)`,
    `CREATE TABLE p (id INT PRIMARY KEY); CREATE TABLE c (id INT PRIMARY KEY, p_id INT NOT NULL, CONSTRAINT fk FOREIGN KEY (p_id) REFERENCES p (id) ON DELETE CASCADE)`,
  ],
  [
    'table-rename-with-fk',
    `CREATE TABLE p (id INT PRIMARY KEY); CREATE TABLE c_old (id INT PRIMARY KEY, p_id INT, CONSTRAINT fk FOREIGN KEY (p_id) REFERENCES p (id))`,
    `CREATE TABLE p (id INT PRIMARY KEY); CREATE TABLE c_new (id INT PRIMARY KEY, p_id INT, CONSTRAINT fk FOREIGN KEY (p_id) REFERENCES p (id))`,
  ],
  [
    'engine-myisam-to-innodb-fk',
    `CREATE TABLE p (id INT PRIMARY KEY) ENGINE=MyISAM; CREATE TABLE c (id INT PRIMARY KEY, p_id INT) ENGINE=MyISAM`,
    `CREATE TABLE p (id INT PRIMARY KEY) ENGINE=InnoDB; CREATE TABLE c (id INT PRIMARY KEY, p_id INT, CONSTRAINT fk FOREIGN KEY (p_id) REFERENCES p (id)) ENGINE=InnoDB`,
  ],
  [
    'multi-col-fk-widen',
    `CREATE TABLE p (a INT, b INT, PRIMARY KEY (a, b)); CREATE TABLE c (id INT PRIMARY KEY, a INT, b INT, CONSTRAINT fk FOREIGN KEY (a, b) REFERENCES p (a, b))`,
    `CREATE TABLE p (a INT, b BIGINT, PRIMARY KEY (a, b)); CREATE TABLE c (id INT PRIMARY KEY, a INT, b BIGINT, CONSTRAINT fk FOREIGN KEY (a, b) REFERENCES p (a, b))`,
  ],
  [
    'self-fk-widen',
    `CREATE TABLE n (id INT PRIMARY KEY, parent INT, CONSTRAINT fk_self FOREIGN KEY (parent) REFERENCES n (id))`,
    `CREATE TABLE n (id BIGINT PRIMARY KEY, parent BIGINT, CONSTRAINT fk_self FOREIGN KEY (parent) REFERENCES n (id))`,
  ],

  [
    'views-complex',
    '',
    `CREATE TABLE t (id INT PRIMARY KEY, g INT, v DECIMAL(10,2), j JSON);
    CREATE VIEW v_cte AS WITH RECURSIVE r AS (SELECT 1 AS n UNION ALL SELECT n + 1 FROM r WHERE n < 5) SELECT n FROM r;
    CREATE VIEW v_win AS SELECT id, SUM(v) OVER (PARTITION BY g ORDER BY id ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW) AS running FROM t;
    CREATE VIEW v_union AS SELECT id FROM t WHERE g = 1 UNION SELECT id FROM t WHERE g = 2 ORDER BY id LIMIT 10;
    CREATE VIEW v_json AS SELECT id, JSON_VALUE(j, '$.a') AS a, JSON_EXTRACT(j, '$.b[0]') AS b FROM t;
    CREATE VIEW v_sub AS SELECT id, (SELECT COUNT(*) FROM t t2 WHERE t2.g = t.g) AS n, 'it''s "q" \\\\ ü' AS lit FROM t;`,
  ],
  [
    'defaults-exotic',
    '',
    `CREATE TABLE d (id INT PRIMARY KEY,
    a DATETIME(3) DEFAULT CURRENT_TIMESTAMP(3) ON UPDATE CURRENT_TIMESTAMP(3),
    b TIMESTAMP NULL DEFAULT NULL,
    c VARCHAR(20) DEFAULT '',
    d VARCHAR(20) DEFAULT 'NULL',
    e TEXT DEFAULT ('x'),
    f BLOB DEFAULT (X'00FF'),
    g INT DEFAULT (1 + 1),
    h DOUBLE DEFAULT 1e-10,
    i DECIMAL(5,2) DEFAULT -0.00,
    j JSON DEFAULT ('{"a": 1}'),
    k VARCHAR(10) DEFAULT 'a\\tb',
    l DATE DEFAULT '0000-00-00',
    m BIT(8) DEFAULT b'0',
    n ENUM('x,y','z''w') DEFAULT 'x,y',
    o CHAR(1) CHARACTER SET latin1 DEFAULT 'é') COMMENT='table ''comment'' with "quotes" and ü'`,
  ],
  [
    'gen-json',
    '',
    `CREATE TABLE gj (id INT PRIMARY KEY, doc JSON, name VARCHAR(50) AS (JSON_UNQUOTE(JSON_EXTRACT(doc, '$.name'))) STORED, up VARCHAR(50) AS (UPPER(name)) VIRTUAL, KEY (name), KEY (up))`,
  ],
  [
    'checks-functions',
    '',
    `CREATE TABLE ch (id INT PRIMARY KEY, email VARCHAR(100), s DATE, e DATE, CONSTRAINT chk_email CHECK (email LIKE '%@%' AND email REGEXP '^[^ ]+$'), CONSTRAINT chk_dates CHECK (e IS NULL OR e >= s), CHECK (CHAR_LENGTH(email) > 3))`,
  ],
  [
    'routines-weird',
    '',
    `CREATE TABLE t (id INT PRIMARY KEY);
    CREATE PROCEDURE \`weird proc\`(IN \`in\` INT) COMMENT 'it''s' BEGIN DECLARE x INT DEFAULT 0; /* comment ; with semicolon */ SET x = \`in\` + 1; SELECT x, 'a;b', "c""d"; END;
    CREATE FUNCTION fn_det(a VARCHAR(10)) RETURNS VARCHAR(20) DETERMINISTIC CONTAINS SQL RETURN CONCAT('<', a, '>');
    CREATE TRIGGER \`tr-ins\` AFTER INSERT ON t FOR EACH ROW BEGIN IF NEW.id < 0 THEN SIGNAL SQLSTATE '45000' SET MESSAGE_TEXT = 'neg'; END IF; END;
    CREATE EVENT \`ev one\` ON SCHEDULE EVERY 1 DAY DO BEGIN DELETE FROM t WHERE id > 100; END;`,
  ],
  [
    'indexes-many',
    `CREATE TABLE t (id INT PRIMARY KEY, a INT, b VARCHAR(100), c TEXT, KEY k1 (a), KEY k2 (b))`,
    `CREATE TABLE t (id INT PRIMARY KEY, a INT, b VARCHAR(100), c TEXT, KEY k1 (a, b), KEY k2 (b(20)), KEY \`select\` (a), UNIQUE KEY u (b, a), FULLTEXT KEY ft (b, c))`,
  ],
  [
    'charset-table-change',
    `CREATE TABLE t (id INT PRIMARY KEY, a VARCHAR(10)) DEFAULT CHARSET=latin1`,
    `CREATE TABLE t (id INT PRIMARY KEY, a VARCHAR(10)) DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci`,
  ],
  [
    'auto-inc-move',
    `CREATE TABLE t (id INT NOT NULL, k INT NOT NULL AUTO_INCREMENT, PRIMARY KEY (id), KEY (k))`,
    `CREATE TABLE t (id INT NOT NULL AUTO_INCREMENT, k INT NOT NULL, PRIMARY KEY (id), KEY (k))`,
  ],
  ['pk-add-drop', `CREATE TABLE t (id INT NOT NULL, v INT)`, `CREATE TABLE t (id INT NOT NULL PRIMARY KEY, v INT)`],
  [
    'fk-self-cycle-change',
    `CREATE TABLE a (id INT PRIMARY KEY, b_id INT); CREATE TABLE b (id INT PRIMARY KEY, a_id INT, CONSTRAINT fb FOREIGN KEY (a_id) REFERENCES a (id)); ALTER TABLE a ADD CONSTRAINT fa FOREIGN KEY (b_id) REFERENCES b (id)`,
    `CREATE TABLE a (id BIGINT PRIMARY KEY, b_id BIGINT); CREATE TABLE b (id BIGINT PRIMARY KEY, a_id BIGINT, CONSTRAINT fb FOREIGN KEY (a_id) REFERENCES a (id) ON DELETE CASCADE); ALTER TABLE a ADD CONSTRAINT fa FOREIGN KEY (b_id) REFERENCES b (id)`,
  ],
  [
    'fk-type-widen',
    `CREATE TABLE p (id INT PRIMARY KEY); CREATE TABLE c (id INT PRIMARY KEY, p_id INT, CONSTRAINT fk FOREIGN KEY (p_id) REFERENCES p (id))`,
    `CREATE TABLE p (id BIGINT PRIMARY KEY); CREATE TABLE c (id INT PRIMARY KEY, p_id BIGINT, CONSTRAINT fk FOREIGN KEY (p_id) REFERENCES p (id))`,
  ],
  [
    'fk-charset-change',
    `CREATE TABLE p (code VARCHAR(10) CHARACTER SET latin1 PRIMARY KEY); CREATE TABLE c (id INT PRIMARY KEY, code VARCHAR(10) CHARACTER SET latin1, CONSTRAINT fk FOREIGN KEY (code) REFERENCES p (code))`,
    `CREATE TABLE p (code VARCHAR(20) CHARACTER SET utf8mb4 PRIMARY KEY); CREATE TABLE c (id INT PRIMARY KEY, code VARCHAR(20) CHARACTER SET utf8mb4, CONSTRAINT fk FOREIGN KEY (code) REFERENCES p (code))`,
  ],
  [
    'view-becomes-table',
    `CREATE TABLE base (id INT PRIMARY KEY); CREATE VIEW x AS SELECT id FROM base`,
    `CREATE TABLE base (id INT PRIMARY KEY); CREATE TABLE x (id INT PRIMARY KEY)`,
  ],
  [
    'long-names',
    '',
    'CREATE TABLE `' + 'a'.repeat(64) + '` (`' + 'c'.repeat(64) + '` INT PRIMARY KEY, `x` INT, KEY `' + 'k'.repeat(64) + '` (`x`))',
  ],
];

// Each case converges both ways on a real server: production's schema into the sandbox's, then
// the other way round (converge() asserts that nothing is left to change afterwards).
describe('MariaDB-specific objects converge, in both directions', () => {
  for (const [name, sandboxSql, productionSql] of cases) {
    it(name, async () => {
      const forward = await converge(name.replace(/-/g, '_'), sandboxSql, productionSql);
      expect(forward.before.length).toBeGreaterThan(0);
      const backward = await converge(`${name.replace(/-/g, '_')}_r`, productionSql, sandboxSql);
      expect(backward.before.length).toBeGreaterThan(0);
    });
  }

  it('system versioning added to a structure-only table: re-created from SHOW CREATE, flagged destructive', async () => {
    const result = await converge(
      'sysver_flag',
      `CREATE TABLE sv (id INT PRIMARY KEY, x INT); INSERT INTO sv VALUES (1, 1)`,
      `CREATE TABLE sv (id INT PRIMARY KEY, x INT) WITH SYSTEM VERSIONING`,
    );
    const steps = result.plan.steps.filter((s) => s.object === 'sv');
    expect(steps.map((s) => [s.kind, s.destructive])).toEqual([['recreate_table', true]]);
    expect(steps[0]!.reason).toContain('its rows in the sandbox are lost');
    expect(result.plan.summary.unsupported).toEqual([]);
  });
});

describe('real-world changes converge, in both directions', () => {
  for (const [name, sandboxSql, productionSql] of realWorldCases) {
    it(name, async () => {
      await converge(name.replace(/-/g, '_'), sandboxSql, productionSql);
      await converge(`${name.replace(/-/g, '_')}_r`, productionSql, sandboxSql);
    });
  }
});

describe('a step re-run after a crash between its statements', () => {
  it('REMOVE PARTITIONING of a table whose partitioning is already gone is skipped, the rest runs', async () => {
    const dbs = await freshDatabases('repart');
    const { sandbox } = testServers();
    await sandbox.sql('CREATE TABLE t (id INT NOT NULL, d DATE NOT NULL, PRIMARY KEY (id, d))', dbs.sandbox);
    const session = await SandboxSession.open(sandbox.target(dbs.sandbox));
    try {
      const step = {
        id: '0001-alter-table-t',
        sql: ['ALTER TABLE `t` REMOVE PARTITIONING', 'ALTER TABLE `t`\n  DROP PRIMARY KEY,\n  ADD PRIMARY KEY (`id`)'],
      } as unknown as PlanStep;
      await expect(runDdlStep(session, step)).resolves.toMatchObject({ statements: 2 });
    } finally {
      await session.close();
    }
    const keys = await sandbox.sql<{ Column_name: string }[]>("SHOW INDEX FROM t WHERE Key_name = 'PRIMARY'", dbs.sandbox);
    expect(keys.map((k) => k.Column_name)).toEqual(['id']);
  });
});

describe('database defaults', () => {
  it("a sandbox database created with another default charset is altered first, so routines take production's", async () => {
    const { production, sandbox } = testServers();
    const name = uniqueName('dbcs');
    await production.createDatabase(name, 'utf8mb4', 'utf8mb4_unicode_ci');
    await sandbox.createDatabase(name, 'latin1', 'latin1_swedish_ci');
    await production.sql(
      `CREATE TABLE t (id INT PRIMARY KEY, s VARCHAR(10)); CREATE FUNCTION f(a VARCHAR(10)) RETURNS VARCHAR(20) RETURN CONCAT(a, 'é')`,
      name,
    );
    const result = await convergeLoaded({ production: name, sandbox: name });
    expect(result.plan.steps[0]).toMatchObject({
      kind: 'alter_database',
      objectType: 'database',
      sql: [`ALTER DATABASE \`${name}\` CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci`],
    });
    expect(renderPlanText(result.plan)).toContain('+DEFAULT CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci');
    const parameters = await sandbox.sql<{ c: string }[]>(
      `SELECT CHARACTER_SET_NAME AS c FROM information_schema.PARAMETERS WHERE SPECIFIC_SCHEMA = ? AND SPECIFIC_NAME = 'f' ORDER BY ORDINAL_POSITION`,
      undefined,
      [name],
    );
    expect(parameters.map((p) => p.c)).toEqual(['utf8mb4', 'utf8mb4']);
  });
});
