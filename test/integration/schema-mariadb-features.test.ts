import { describe, expect, it } from 'vitest';
import { converge } from '../support/converge.js';

const cases: [string, string, string][] = [
  ['sysver', '', `CREATE TABLE sv (id INT PRIMARY KEY, x INT) WITH SYSTEM VERSIONING`],
  ['sysver-cols', '', `CREATE TABLE sv2 (id INT PRIMARY KEY, x INT, y INT WITHOUT SYSTEM VERSIONING, rs TIMESTAMP(6) AS ROW START INVISIBLE, re TIMESTAMP(6) AS ROW END INVISIBLE, PERIOD FOR SYSTEM_TIME(rs, re)) WITH SYSTEM VERSIONING`],
  ['sysver-add', `CREATE TABLE sv (id INT PRIMARY KEY, x INT)`, `CREATE TABLE sv (id INT PRIMARY KEY, x INT) WITH SYSTEM VERSIONING`],
  ['apptime', '', `CREATE TABLE ap (id INT, s DATE NOT NULL, e DATE NOT NULL, PERIOD FOR p(s, e), UNIQUE KEY u (id, p WITHOUT OVERLAPS))`],
  ['compressed', '', `CREATE TABLE cc (id INT PRIMARY KEY, c TEXT COMPRESSED, v VARCHAR(100) COMPRESSED)`],
  ['inet-uuid', '', `CREATE TABLE iu (id INT PRIMARY KEY, ip INET6 DEFAULT '::1', ip4 INET4, u UUID DEFAULT UUID())`],
  ['inet-uuid-change', `CREATE TABLE iu (id INT PRIMARY KEY, ip VARCHAR(39), u CHAR(36))`, `CREATE TABLE iu (id INT PRIMARY KEY, ip INET6, u UUID)`],
  ['engines', '', `CREATE TABLE a1 (id INT PRIMARY KEY) ENGINE=Aria TRANSACTIONAL=1 PAGE_CHECKSUM=1; CREATE TABLE m1 (id INT PRIMARY KEY) ENGINE=MEMORY; CREATE TABLE my (id INT PRIMARY KEY, t TEXT, FULLTEXT(t)) ENGINE=MyISAM PACK_KEYS=1 CHECKSUM=1 DELAY_KEY_WRITE=1`],
  ['tableopts', '', `CREATE TABLE o1 (id INT PRIMARY KEY) STATS_PERSISTENT=1 STATS_AUTO_RECALC=0 STATS_SAMPLE_PAGES=20 ROW_FORMAT=COMPRESSED KEY_BLOCK_SIZE=8; CREATE TABLE o2 (id INT PRIMARY KEY) PAGE_COMPRESSED=1 PAGE_COMPRESSION_LEVEL=3; CREATE TABLE o3 (id INT AUTO_INCREMENT PRIMARY KEY) AUTO_INCREMENT=1000 MAX_ROWS=100 MIN_ROWS=10 AVG_ROW_LENGTH=50`],
  ['partitions', '', `CREATE TABLE p1 (id INT, d DATE, PRIMARY KEY (id, d)) PARTITION BY RANGE COLUMNS(d) (PARTITION p0 VALUES LESS THAN ('2020-01-01'), PARTITION p1 VALUES LESS THAN (MAXVALUE));
    CREATE TABLE p2 (id INT PRIMARY KEY) PARTITION BY HASH(id) PARTITIONS 4;
    CREATE TABLE p3 (id INT, c CHAR(2), PRIMARY KEY(id, c)) PARTITION BY LIST COLUMNS(c) (PARTITION a VALUES IN ('a','b'), PARTITION z VALUES IN ('z') COMMENT 'zed');
    CREATE TABLE p4 (id INT, y INT, PRIMARY KEY (id, y)) PARTITION BY RANGE (y) SUBPARTITION BY HASH(id) SUBPARTITIONS 2 (PARTITION a VALUES LESS THAN (10), PARTITION b VALUES LESS THAN MAXVALUE);
    CREATE TABLE p5 (id INT PRIMARY KEY) PARTITION BY KEY() PARTITIONS 3;
    CREATE TABLE p6 (id INT, t TIMESTAMP, PRIMARY KEY(id)) WITH SYSTEM VERSIONING PARTITION BY SYSTEM_TIME INTERVAL 1 MONTH (PARTITION p0 HISTORY, PARTITION pn CURRENT)`],
  ['routines', '', `CREATE TABLE t (id INT PRIMARY KEY);
    CREATE TRIGGER t1 BEFORE INSERT ON t FOR EACH ROW SET NEW.id = NEW.id + 1;
    CREATE TRIGGER t2 BEFORE INSERT ON t FOR EACH ROW PRECEDES t1 SET NEW.id = NEW.id * 2;
    CREATE PROCEDURE p(IN a INT, OUT b VARCHAR(10) CHARSET latin1, INOUT c DECIMAL(5,2)) SQL SECURITY INVOKER DETERMINISTIC COMMENT 'x' READS SQL DATA BEGIN SELECT a INTO b; END;
    CREATE FUNCTION f(a INT) RETURNS TEXT CHARSET utf8mb4 COLLATE utf8mb4_bin NO SQL RETURN CONCAT(a, '');
    CREATE FUNCTION f2() RETURNS INT RETURN (SELECT COUNT(*) FROM t);
    CREATE EVENT e ON SCHEDULE EVERY 1 HOUR STARTS '2030-01-01 00:00:00' ON COMPLETION PRESERVE DISABLE COMMENT 'ev' DO DELETE FROM t;
    CREATE EVENT e2 ON SCHEDULE AT '2035-01-01 00:00:00' DO DELETE FROM t;`],
  ['views', '', `CREATE TABLE t (id INT PRIMARY KEY, a INT);
    CREATE ALGORITHM=MERGE SQL SECURITY INVOKER VIEW v1 AS SELECT id, a FROM t WHERE a > 0 WITH CASCADED CHECK OPTION;
    CREATE VIEW v2 (x, y) AS SELECT id, a FROM v1 WITH LOCAL CHECK OPTION;
    CREATE ALGORITHM=TEMPTABLE VIEW v3 AS SELECT COUNT(*) AS n FROM t`],
  ['fk-unique', '', `CREATE TABLE pa (id INT PRIMARY KEY, code VARCHAR(10) NOT NULL, UNIQUE KEY (code)) ; CREATE TABLE ch (id INT PRIMARY KEY, code VARCHAR(10), CONSTRAINT fk_code FOREIGN KEY (code) REFERENCES pa (code) ON UPDATE CASCADE ON DELETE SET NULL)`],
  ['srid', '', `CREATE TABLE g (id INT PRIMARY KEY, p POINT REF_SYSTEM_ID=4326 NOT NULL, l LINESTRING, gc GEOMETRYCOLLECTION, mp MULTIPOLYGON, SPATIAL KEY (p))`],
  ['collations', '', `CREATE TABLE c (id INT PRIMARY KEY, a VARCHAR(10) CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_520_ci, b VARCHAR(10) CHARACTER SET ascii, c VARCHAR(10) CHARACTER SET ucs2, d VARCHAR(10) CHARACTER SET utf16, e VARCHAR(10) COLLATE utf8mb4_uca1400_ai_ci, f CHAR(3) BINARY) DEFAULT CHARSET=latin2`],
  ['json-check', '', `CREATE TABLE j (id INT PRIMARY KEY, doc JSON CHECK (JSON_LENGTH(doc) < 10), doc2 LONGTEXT CHECK (JSON_VALID(doc2)), CONSTRAINT c1 CHECK (id > 0))`],
  ['sequence-options', '', `CREATE SEQUENCE s1 START WITH 100 INCREMENT BY 5 MINVALUE 10 MAXVALUE 100000 CYCLE CACHE 50; CREATE SEQUENCE s2 NOCACHE NOCYCLE; CREATE TABLE ts (id INT PRIMARY KEY DEFAULT NEXT VALUE FOR s1)`],
  ['case-names', '', 'CREATE TABLE `MixedCase` (`Id` INT PRIMARY KEY, `ColA` INT, KEY `IdxA` (`ColA`)); CREATE TABLE `lower` (id INT PRIMARY KEY)'],
  ['many-changes', `CREATE TABLE t (id INT PRIMARY KEY, a INT, b INT, c INT, KEY ka (a), KEY kb (b)); CREATE TABLE u (id INT PRIMARY KEY, t_id INT, CONSTRAINT fk FOREIGN KEY (t_id) REFERENCES t (id))`,
    `CREATE TABLE t (id BIGINT PRIMARY KEY, a BIGINT, c VARCHAR(10), d INT NOT NULL DEFAULT 1, KEY ka (a, c), KEY kd (d)); CREATE TABLE u (id INT PRIMARY KEY, t_id BIGINT, CONSTRAINT fk FOREIGN KEY (t_id) REFERENCES t (id) ON DELETE CASCADE)`],
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
    const result = await converge('sysver_flag', `CREATE TABLE sv (id INT PRIMARY KEY, x INT); INSERT INTO sv VALUES (1, 1)`, `CREATE TABLE sv (id INT PRIMARY KEY, x INT) WITH SYSTEM VERSIONING`);
    const steps = result.plan.steps.filter((s) => s.object === 'sv');
    expect(steps.map((s) => [s.kind, s.destructive])).toEqual([['recreate_table', true]]);
    expect(steps[0]!.reason).toContain('its rows in the sandbox are lost');
    expect(result.plan.summary.unsupported).toEqual([]);
  });
});
