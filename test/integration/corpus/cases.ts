import { expect } from 'vitest';
import { FOREIGN_KEY_ORDER } from './foreign-key-order-cases.js';
import { GENERATED_VALUES } from './generated-values-cases.js';
import type { CorpusCase, Query } from './run-case.js';

/** A one-table case: `CREATE TABLE t (id INT PRIMARY KEY, ...)` on each side. */
function table(name: string, a: string, b: string, extra: Partial<CorpusCase> = {}): CorpusCase {
  const create = (body: string): string => (body === '' ? '' : `CREATE TABLE t (id INT NOT NULL PRIMARY KEY${body ? `, ${body}` : ''})`);
  return { name, a: create(a), b: create(b), ...extra };
}

// ---- generated columns: every pair of kinds, with and without keys and CHECKs on the column ----

interface Kind {
  readonly label: string;
  readonly sql: string;
  /** The expression the column's values follow, or null for a regular column. */
  readonly expression: string | null;
}
const KINDS: Record<string, Kind> = {
  regular: { label: 'regular', sql: 'b INT', expression: null },
  virtual: { label: 'VIRTUAL', sql: 'b INT AS (a * 2) VIRTUAL', expression: 'a * 2' },
  stored: { label: 'STORED', sql: 'b INT AS (a * 2) STORED', expression: 'a * 2' },
  virtual2: { label: 'VIRTUAL (other expression)', sql: 'b INT AS (a + 100) VIRTUAL', expression: 'a + 100' },
  stored2: { label: 'STORED (other expression)', sql: 'b INT AS (a + 100) STORED', expression: 'a + 100' },
};
const PAIRS: readonly [string, string][] = [
  ['regular', 'virtual'],
  ['regular', 'stored'],
  ['virtual', 'stored'],
  ['virtual', 'virtual2'],
  ['stored', 'stored2'],
  ['virtual', 'stored2'],
];
const DECORATIONS: Record<string, string> = {
  plain: '',
  'an index': ', KEY kb (b)',
  'a unique key': ', UNIQUE KEY ub (b)',
  'a composite index': ', KEY kab (a, b)',
  'a table CHECK': ', CONSTRAINT ck_b CHECK (b > -1000)',
  'an index and a CHECK': ', KEY kb (b), KEY kba (b, a), CONSTRAINT ck_b CHECK (b IS NULL OR b > -1000)',
};

/** After apply: a column that became regular holds each row's old generated value. */
function keepsValues(sandboxKind: Kind, productionKind: Kind) {
  return async (query: Query): Promise<void> => {
    const rows = await query<{ id: number; a: number; b: number | null }>('SELECT id, a, b FROM t ORDER BY id');
    expect(rows).toHaveLength(3);
    const follows = productionKind.expression ?? (productionKind.expression === null ? sandboxKind.expression : null);
    for (const row of rows) {
      if (follows === null) expect(row.b).toBeNull();
      else {
        const a = Number(row.a);
        const expected = follows === 'a * 2' ? a * 2 : a + 100;
        expect(Number(row.b)).toBe(expected);
      }
    }
  };
}

const generated: CorpusCase[] = PAIRS.flatMap(([x, y]) =>
  Object.entries(DECORATIONS).map(([decoration, keys]) => {
    const kx = KINDS[x]!;
    const ky = KINDS[y]!;
    return {
      name: `generated: ${kx.label} <-> ${ky.label}, ${decoration}`,
      a: `CREATE TABLE t (id INT NOT NULL PRIMARY KEY, a INT NOT NULL, ${kx.sql}, c INT${keys})`,
      b: `CREATE TABLE t (id INT NOT NULL PRIMARY KEY, a INT NOT NULL, ${ky.sql}, c INT${keys})`,
      rows: { a: 'INSERT INTO t (id, a) VALUES (1, 1), (2, 2), (3, 30)', b: 'INSERT INTO t (id, a) VALUES (1, 1), (2, 2), (3, 30)' },
      after: async (query: Query, direction: 'forward' | 'backward') => {
        const [sandboxKind, productionKind] = direction === 'forward' ? [kx, ky] : [ky, kx];
        await keepsValues(sandboxKind, productionKind)(query);
      },
    } satisfies CorpusCase;
  }),
);

const generatedMore: CorpusCase[] = [
  table('generated: VIRTUAL -> regular keeps values with a column CHECK', 'a INT, b INT AS (a + 1) VIRTUAL', 'a INT, b INT CHECK (b > 0)', {
    rows: { a: 'INSERT INTO t (id, a) VALUES (1, 4)', b: 'INSERT INTO t (id, a, b) VALUES (1, 4, 5)' },
    after: async (query) => {
      const [row] = await query<{ b: number }>('SELECT b FROM t');
      expect(Number(row!.b)).toBe(5);
    },
  }),
  table(
    'generated: string expression VIRTUAL <-> STORED',
    "s VARCHAR(10), u VARCHAR(20) AS (CONCAT(s, '!')) VIRTUAL",
    "s VARCHAR(10), u VARCHAR(20) AS (CONCAT(s, '!')) STORED",
  ),
  table('generated: VIRTUAL column moved and re-kinded', 'a INT, b INT AS (a * 3) VIRTUAL, c INT', 'a INT, c INT, b INT AS (a * 3) STORED'),
  table('generated: added and dropped generated columns', 'a INT, g1 INT AS (a) VIRTUAL', 'a INT, g2 INT AS (a + 1) STORED, KEY k2 (g2)'),
  table(
    'generated: two columns change at once',
    'a INT, b INT AS (a) VIRTUAL, c INT AS (a) STORED',
    'a INT, b INT AS (a) STORED, c INT AS (a) VIRTUAL',
  ),
  table('generated: type of a VIRTUAL column', 'a INT, b INT AS (a) VIRTUAL', 'a INT, b BIGINT AS (a) VIRTUAL'),
  table('generated: comment on a STORED column', 'a INT, b INT AS (a) STORED', "a INT, b INT AS (a) STORED COMMENT 'doubled'"),
  table(
    'generated: json extraction VIRTUAL -> STORED with index',
    "j JSON, x VARCHAR(20) AS (JSON_VALUE(j, '$.x')) VIRTUAL, KEY kx (x)",
    "j JSON, x VARCHAR(20) AS (JSON_VALUE(j, '$.x')) STORED, KEY kx (x)",
  ),
];

// ---- column attributes ----
const columns: CorpusCase[] = [
  table('column: int -> bigint', 'a INT', 'a BIGINT'),
  table('column: signed -> unsigned', 'a INT', 'a INT UNSIGNED'),
  table('column: zerofill', 'a INT(8) UNSIGNED', 'a INT(8) UNSIGNED ZEROFILL'),
  table('column: varchar length', 'a VARCHAR(10)', 'a VARCHAR(200)'),
  table('column: varchar -> text', 'a VARCHAR(10)', 'a TEXT'),
  table('column: char -> varchar', 'a CHAR(5)', 'a VARCHAR(5)'),
  table('column: nullable -> NOT NULL', 'a INT', 'a INT NOT NULL'),
  table('column: default added', 'a INT', 'a INT DEFAULT 5'),
  table('column: default string with quotes', 'a VARCHAR(20)', "a VARCHAR(20) DEFAULT 'it''s'"),
  table('column: default expression', 'a DATE', 'a DATE DEFAULT (CURDATE() + INTERVAL 1 DAY)'),
  table('column: default uuid()', 'a VARCHAR(36)', 'a VARCHAR(36) DEFAULT UUID()'),
  table('column: timestamp ON UPDATE', 'ts TIMESTAMP NULL', 'ts TIMESTAMP NOT NULL DEFAULT CURRENT_TIMESTAMP ON UPDATE CURRENT_TIMESTAMP'),
  table('column: datetime precision', 'ts DATETIME', 'ts DATETIME(6) DEFAULT CURRENT_TIMESTAMP(6)'),
  table('column: comment', 'a INT', "a INT COMMENT 'the a'"),
  table('column: charset and collation', 'a VARCHAR(10)', 'a VARCHAR(10) CHARACTER SET latin1 COLLATE latin1_bin'),
  table('column: collation only', 'a VARCHAR(10)', 'a VARCHAR(10) COLLATE utf8mb4_unicode_ci'),
  table('column: invisible', 'a INT', 'a INT INVISIBLE'),
  table('column: enum values added', "e ENUM('x','y')", "e ENUM('x','y','z')"),
  table('column: set values', "s SET('a','b')", "s SET('a','b','c') DEFAULT 'a,b'"),
  table('column: json', 'j TEXT', 'j JSON'),
  table('column: decimal precision', 'd DECIMAL(10,2)', 'd DECIMAL(12,4)'),
  table('column: float -> double', 'f FLOAT', 'f DOUBLE'),
  table('column: bit with default', 'b BIT(1)', "b BIT(3) DEFAULT b'101'"),
  table('column: year', 'y SMALLINT', 'y YEAR'),
  table('column: blob sizes', 'b BLOB', 'b MEDIUMBLOB'),
  table('column: reorder', 'a INT, b INT, c INT', 'c INT, a INT, b INT'),
  {
    name: 'column: added first',
    a: 'CREATE TABLE t (id INT NOT NULL PRIMARY KEY, a INT)',
    b: 'CREATE TABLE t (z INT, id INT NOT NULL PRIMARY KEY, a INT)',
  },
  table('column: dropped and added', 'a INT, b INT', 'a INT, c VARCHAR(5)'),
  table('column: auto_increment', 'a INT NOT NULL, KEY (a)', 'a INT NOT NULL AUTO_INCREMENT, KEY (a)'),
  table('column: geometry', 'g GEOMETRY', 'g POINT NOT NULL'),
  table('column: binary', 'b BINARY(4)', 'b VARBINARY(8)'),
  table('column: tinyint(1) bool', 'b TINYINT', 'b TINYINT(1) NOT NULL DEFAULT 0'),
  table('column: time precision', 't TIME', 't TIME(3)'),
  table('column: many at once', 'a INT, b VARCHAR(5), c TEXT', "a BIGINT NOT NULL DEFAULT 1, b VARCHAR(50) COMMENT 'x', d INT"),
];

// ---- index kinds ----
const indexes: CorpusCase[] = [
  table('index: added', 'a INT', 'a INT, KEY ka (a)'),
  table('index: unique', 'a INT, KEY ka (a)', 'a INT, UNIQUE KEY ka (a)'),
  table('index: composite order', 'a INT, b INT, KEY k (a, b)', 'a INT, b INT, KEY k (b, a)'),
  table('index: prefix', 'a VARCHAR(100), KEY k (a)', 'a VARCHAR(100), KEY k (a(10))'),
  table('index: descending', 'a INT, b INT, KEY k (a, b)', 'a INT, b INT, KEY k (a, b DESC)'),
  table('index: ignored', 'a INT, KEY k (a)', 'a INT, KEY k (a) IGNORED'),
  table('index: comment', 'a INT, KEY k (a)', "a INT, KEY k (a) COMMENT 'why'"),
  table('index: fulltext', 'a TEXT', 'a TEXT, FULLTEXT KEY ft (a)'),
  table('index: fulltext two columns', 'a TEXT, b TEXT, FULLTEXT KEY ft (a)', 'a TEXT, b TEXT, FULLTEXT KEY ft (a, b)'),
  table('index: spatial', 'g POINT NOT NULL', 'g POINT NOT NULL, SPATIAL KEY sp (g)'),
  table('index: long unique (hash)', 'a TEXT', 'a TEXT, UNIQUE KEY u (a) USING HASH'),
  table('index: using btree', 'a INT, KEY k (a)', 'a INT, KEY k (a) USING BTREE'),
  table('index: renamed', 'a INT, KEY k1 (a)', 'a INT, KEY k2 (a)'),
  table('index: several', 'a INT, b INT', 'a INT, b INT, KEY ka (a), KEY kb (b), UNIQUE KEY uab (a, b)'),
  {
    name: 'index: primary key columns',
    a: 'CREATE TABLE t (a INT NOT NULL, b INT NOT NULL, PRIMARY KEY (a))',
    b: 'CREATE TABLE t (a INT NOT NULL, b INT NOT NULL, PRIMARY KEY (a, b))',
  },
  { name: 'index: no primary key', a: 'CREATE TABLE t (a INT NOT NULL, b INT)', b: 'CREATE TABLE t (a INT NOT NULL PRIMARY KEY, b INT)' },
  table('index: on a column being added', 'a INT', 'a INT, b INT, KEY kb (b)'),
  table('index: on a column being dropped', 'a INT, b INT, KEY kab (a, b)', 'a INT, KEY kab (a)'),
];

// ---- foreign keys ----
const parent = 'CREATE TABLE p (id INT NOT NULL PRIMARY KEY, code INT NOT NULL, UNIQUE KEY (id, code));';
function fk(name: string, a: string, b: string): CorpusCase {
  return { name, a: `${parent} ${a}`, b: `${parent} ${b}` };
}
const child = (body: string): string => `CREATE TABLE c (id INT NOT NULL PRIMARY KEY, pid INT, code INT${body ? `, ${body}` : ''});`;
const ACTIONS = ['RESTRICT', 'CASCADE', 'SET NULL'];
const foreignKeys: CorpusCase[] = [
  fk('fk: added', child(''), child('CONSTRAINT fk_c FOREIGN KEY (pid) REFERENCES p (id)')),
  ...ACTIONS.flatMap((del) =>
    ACTIONS.filter((upd) => upd !== del).map((upd) =>
      fk(
        `fk: ON DELETE ${del} ON UPDATE ${upd}`,
        child('CONSTRAINT fk_c FOREIGN KEY (pid) REFERENCES p (id)'),
        child(`CONSTRAINT fk_c FOREIGN KEY (pid) REFERENCES p (id) ON DELETE ${del} ON UPDATE ${upd}`),
      ),
    ),
  ),
  fk(
    'fk: unnamed key re-added with another action',
    child('FOREIGN KEY (pid) REFERENCES p (id)'),
    child('FOREIGN KEY (pid) REFERENCES p (id) ON DELETE CASCADE'),
  ),
  {
    name: 'fk: unnamed key, column type changes on both sides',
    a: 'CREATE TABLE p (id INT NOT NULL PRIMARY KEY); CREATE TABLE c (id INT PRIMARY KEY, pid INT, FOREIGN KEY (pid) REFERENCES p (id))',
    b: 'CREATE TABLE p (id BIGINT NOT NULL PRIMARY KEY); CREATE TABLE c (id INT PRIMARY KEY, pid BIGINT, FOREIGN KEY (pid) REFERENCES p (id))',
  },
  fk(
    'fk: multi-column',
    child('CONSTRAINT fk_c FOREIGN KEY (pid) REFERENCES p (id)'),
    child('CONSTRAINT fk_c FOREIGN KEY (pid, code) REFERENCES p (id, code)'),
  ),
  fk(
    'fk: explicit index kept',
    child('KEY by_pid (pid), CONSTRAINT fk_c FOREIGN KEY (pid) REFERENCES p (id)'),
    child('KEY by_pid (pid), CONSTRAINT fk_c FOREIGN KEY (pid) REFERENCES p (id) ON DELETE SET NULL'),
  ),
  fk(
    'fk: renamed constraint',
    child('CONSTRAINT fk_old FOREIGN KEY (pid) REFERENCES p (id)'),
    child('CONSTRAINT fk_new FOREIGN KEY (pid) REFERENCES p (id)'),
  ),
  {
    name: 'fk: self reference',
    a: 'CREATE TABLE n (id INT NOT NULL PRIMARY KEY, up INT)',
    b: 'CREATE TABLE n (id INT NOT NULL PRIMARY KEY, up INT, CONSTRAINT fk_up FOREIGN KEY (up) REFERENCES n (id) ON DELETE CASCADE)',
  },
  {
    name: 'fk: primary key column dropped while the child table is dropped',
    a: 'CREATE TABLE p (id INT NOT NULL PRIMARY KEY, k INT NOT NULL); CREATE TABLE c (id INT PRIMARY KEY, pid INT, CONSTRAINT fk_c_p FOREIGN KEY (pid) REFERENCES p (id))',
    b: 'CREATE TABLE p (k INT NOT NULL PRIMARY KEY)',
  },
  {
    name: 'fk: primary key type changes while the child table is dropped',
    a: 'CREATE TABLE p (id INT NOT NULL PRIMARY KEY); CREATE TABLE c (id INT PRIMARY KEY, pid INT, CONSTRAINT fk_c_p FOREIGN KEY (pid) REFERENCES p (id))',
    b: 'CREATE TABLE p (id BIGINT NOT NULL PRIMARY KEY)',
  },
  {
    name: 'fk: referenced unique key replaced while the child is dropped',
    a: 'CREATE TABLE p (id INT NOT NULL PRIMARY KEY, u INT, UNIQUE KEY uu (u)); CREATE TABLE c (id INT PRIMARY KEY, pu INT, CONSTRAINT fk_c_u FOREIGN KEY (pu) REFERENCES p (u))',
    b: 'CREATE TABLE p (id INT NOT NULL PRIMARY KEY, u INT)',
  },
  {
    name: 'fk: two dropped children of a changing parent',
    a: 'CREATE TABLE p (id INT NOT NULL PRIMARY KEY); CREATE TABLE c1 (id INT PRIMARY KEY, pid INT, FOREIGN KEY (pid) REFERENCES p (id)); CREATE TABLE c2 (id INT PRIMARY KEY, c1 INT, pid INT, FOREIGN KEY (pid) REFERENCES p (id), FOREIGN KEY (c1) REFERENCES c1 (id))',
    b: 'CREATE TABLE p (id BIGINT UNSIGNED NOT NULL PRIMARY KEY)',
  },
  {
    name: 'fk: cycle between two tables',
    a: 'CREATE TABLE a (id INT PRIMARY KEY, b_id INT); CREATE TABLE b (id INT PRIMARY KEY, a_id INT)',
    b: 'CREATE TABLE a (id INT PRIMARY KEY, b_id INT); CREATE TABLE b (id INT PRIMARY KEY, a_id INT, CONSTRAINT fk_b_a FOREIGN KEY (a_id) REFERENCES a (id)); ALTER TABLE a ADD CONSTRAINT fk_a_b FOREIGN KEY (b_id) REFERENCES b (id)',
  },
  {
    name: 'fk: referenced column type changes',
    a: 'CREATE TABLE p (id INT NOT NULL PRIMARY KEY); CREATE TABLE c (id INT PRIMARY KEY, pid INT, CONSTRAINT fk_c_p FOREIGN KEY (pid) REFERENCES p (id))',
    b: 'CREATE TABLE p (id BIGINT NOT NULL PRIMARY KEY); CREATE TABLE c (id INT PRIMARY KEY, pid BIGINT, CONSTRAINT fk_c_p FOREIGN KEY (pid) REFERENCES p (id))',
  },
  {
    name: 'fk: new parent and child tables',
    a: '',
    b: 'CREATE TABLE p (id INT NOT NULL PRIMARY KEY); CREATE TABLE c (id INT PRIMARY KEY, pid INT, FOREIGN KEY (pid) REFERENCES p (id) ON DELETE CASCADE)',
  },
];

// ---- CHECK constraints ----
const checks: CorpusCase[] = [
  table('check: table CHECK added', 'a INT', 'a INT, CONSTRAINT ck CHECK (a > 0)'),
  table('check: clause changes', 'a INT, CONSTRAINT ck CHECK (a > 0)', 'a INT, CONSTRAINT ck CHECK (a > 1)'),
  table('check: column CHECK', 'a INT', 'a INT CHECK (a < 100)'),
  table('check: two columns', 'a INT, b INT', 'a INT, b INT, CONSTRAINT ab CHECK (a <> b)'),
  table('check: renamed', 'a INT, CONSTRAINT c1 CHECK (a > 0)', 'a INT, CONSTRAINT c2 CHECK (a > 0)'),
  table('check: odd name', 'a INT', 'a INT, CONSTRAINT `odd ``name` CHECK (a IS NOT NULL)'),
  table('check: string function', 's VARCHAR(10)', "s VARCHAR(10), CONSTRAINT cs CHECK (s REGEXP '^[a-z]*$')"),
];

// ---- partitions ----
const partitions: CorpusCase[] = [
  {
    name: 'partition: range added',
    a: 'CREATE TABLE t (id INT NOT NULL, y INT NOT NULL, PRIMARY KEY (id, y))',
    b: 'CREATE TABLE t (id INT NOT NULL, y INT NOT NULL, PRIMARY KEY (id, y)) PARTITION BY RANGE (y) (PARTITION p0 VALUES LESS THAN (2000), PARTITION p1 VALUES LESS THAN MAXVALUE)',
  },
  {
    name: 'partition: hash count',
    a: 'CREATE TABLE t (id INT NOT NULL PRIMARY KEY) PARTITION BY HASH (id) PARTITIONS 2',
    b: 'CREATE TABLE t (id INT NOT NULL PRIMARY KEY) PARTITION BY HASH (id) PARTITIONS 4',
  },
  {
    name: 'partition: hash -> key',
    a: 'CREATE TABLE t (id INT NOT NULL PRIMARY KEY) PARTITION BY HASH (id) PARTITIONS 3',
    b: 'CREATE TABLE t (id INT NOT NULL PRIMARY KEY) PARTITION BY KEY (id) PARTITIONS 3',
  },
  {
    name: 'partition: list',
    a: 'CREATE TABLE t (id INT NOT NULL, r INT NOT NULL, PRIMARY KEY (id, r))',
    b: 'CREATE TABLE t (id INT NOT NULL, r INT NOT NULL, PRIMARY KEY (id, r)) PARTITION BY LIST (r) (PARTITION pa VALUES IN (1, 2), PARTITION pb VALUES IN (3))',
  },
  {
    name: 'partition: range boundaries',
    a: 'CREATE TABLE t (id INT NOT NULL, y INT NOT NULL, PRIMARY KEY (id, y)) PARTITION BY RANGE (y) (PARTITION p0 VALUES LESS THAN (2000), PARTITION p1 VALUES LESS THAN MAXVALUE)',
    b: 'CREATE TABLE t (id INT NOT NULL, y INT NOT NULL, PRIMARY KEY (id, y)) PARTITION BY RANGE (y) (PARTITION p0 VALUES LESS THAN (1990), PARTITION p1 VALUES LESS THAN (2010), PARTITION p2 VALUES LESS THAN MAXVALUE)',
  },
  {
    name: 'partition: key change with partitioning',
    a: 'CREATE TABLE t (id INT NOT NULL, y INT NOT NULL, PRIMARY KEY (id, y)) PARTITION BY HASH (y) PARTITIONS 2',
    b: 'CREATE TABLE t (id INT NOT NULL, y INT NOT NULL, PRIMARY KEY (id)) PARTITION BY HASH (id) PARTITIONS 2',
  },
  {
    name: 'partition: range columns',
    a: 'CREATE TABLE t (id INT NOT NULL, d DATE NOT NULL, PRIMARY KEY (id, d))',
    b: "CREATE TABLE t (id INT NOT NULL, d DATE NOT NULL, PRIMARY KEY (id, d)) PARTITION BY RANGE COLUMNS (d) (PARTITION p0 VALUES LESS THAN ('2020-01-01'), PARTITION p1 VALUES LESS THAN (MAXVALUE))",
  },
];

// ---- table options ----
const options: CorpusCase[] = [
  table('table: comment', 'a INT', 'a INT', {
    b: "CREATE TABLE t (id INT NOT NULL PRIMARY KEY, a INT) COMMENT='about t'",
  }),
  table('table: engine', 'a INT', 'a INT', { b: 'CREATE TABLE t (id INT NOT NULL PRIMARY KEY, a INT) ENGINE=MyISAM' }),
  table('table: row format', 'a INT', 'a INT', { b: 'CREATE TABLE t (id INT NOT NULL PRIMARY KEY, a INT) ROW_FORMAT=COMPRESSED' }),
  table('table: charset', 'a VARCHAR(5)', 'a VARCHAR(5)', {
    b: 'CREATE TABLE t (id INT NOT NULL PRIMARY KEY, a VARCHAR(5)) DEFAULT CHARSET=latin1',
  }),
  {
    name: 'table: created and dropped',
    a: 'CREATE TABLE old_one (id INT PRIMARY KEY)',
    b: 'CREATE TABLE new_one (id INT PRIMARY KEY, x INT)',
  },
];

// ---- triggers: compared and re-created on production's original text ----
const base =
  'CREATE TABLE t (id INT NOT NULL PRIMARY KEY, v INT, note VARCHAR(40)); CREATE TABLE log (id INT AUTO_INCREMENT PRIMARY KEY, msg VARCHAR(80));';
function trig(name: string, a: string, b: string): CorpusCase {
  return { name, a: `${base} ${a}`, b: `${base} ${b}` };
}
const triggers: CorpusCase[] = [
  trig('trigger: added', '', 'CREATE TRIGGER tr BEFORE INSERT ON t FOR EACH ROW SET NEW.v = 1'),
  trig('trigger: lower-case header and odd spacing', '', 'create   trigger tr before insert on t\n  for each row    set NEW.v = NEW.v + 1'),
  trig('trigger: quoted names', '', 'CREATE TRIGGER `tr` BEFORE UPDATE ON `t` FOR EACH ROW SET NEW.`v` = OLD.`v`'),
  trig(
    'trigger: header spacing only changes',
    'CREATE TRIGGER tr BEFORE INSERT ON t FOR EACH ROW SET NEW.v = 1',
    'CREATE TRIGGER tr  BEFORE INSERT ON t FOR EACH ROW SET NEW.v = 1',
  ),
  trig(
    'trigger: body changes',
    'CREATE TRIGGER tr BEFORE INSERT ON t FOR EACH ROW SET NEW.v = 1',
    'CREATE TRIGGER tr BEFORE INSERT ON t FOR EACH ROW SET NEW.v = 2',
  ),
  trig(
    'trigger: timing changes',
    'CREATE TRIGGER tr BEFORE INSERT ON t FOR EACH ROW SET @x = 1',
    'CREATE TRIGGER tr AFTER INSERT ON t FOR EACH ROW SET @x = 1',
  ),
  trig(
    'trigger: event changes',
    'CREATE TRIGGER tr BEFORE INSERT ON t FOR EACH ROW SET @x = 1',
    'CREATE TRIGGER tr BEFORE DELETE ON t FOR EACH ROW SET @x = 1',
  ),
  trig(
    'trigger: compound body with comments',
    '',
    "CREATE TRIGGER tr AFTER DELETE ON t FOR EACH ROW BEGIN\n  -- keep a trace\n  INSERT INTO log (msg) VALUES (CONCAT('deleted ', OLD.id));\n  /* and another */ SET @n = 1;\nEND",
  ),
  trig(
    'trigger: two on one event, FOLLOWS',
    '',
    'CREATE TRIGGER t1 BEFORE INSERT ON t FOR EACH ROW SET NEW.v = 1; CREATE TRIGGER t2 BEFORE INSERT ON t FOR EACH ROW FOLLOWS t1 SET NEW.v = NEW.v * 2',
  ),
  trig(
    'trigger: string literals and escapes',
    '',
    "CREATE TRIGGER tr BEFORE INSERT ON t FOR EACH ROW SET NEW.note = 'it''s \\\\ \"fine\"'",
  ),
  trig('trigger: dropped', 'CREATE TRIGGER tr BEFORE INSERT ON t FOR EACH ROW SET NEW.v = 1', ''),
  trig(
    'trigger: on another table',
    'CREATE TRIGGER tr BEFORE INSERT ON t FOR EACH ROW SET @x = 1',
    'CREATE TRIGGER tr BEFORE INSERT ON log FOR EACH ROW SET @x = 1',
  ),
  trig('trigger: non-ASCII text', '', "CREATE TRIGGER tr BEFORE INSERT ON t FOR EACH ROW SET NEW.note = 'café ☕'"),
  trig(
    'trigger: IF block',
    '',
    'CREATE TRIGGER tr BEFORE UPDATE ON t FOR EACH ROW\nBEGIN\n  IF NEW.v < 0 THEN\n    SET NEW.v = 0;\n  END IF;\nEND',
  ),
];

// ---- views, routines, events ----
const tv = 'CREATE TABLE t (id INT NOT NULL PRIMARY KEY, v INT);';
function obj(name: string, a: string, b: string): CorpusCase {
  return { name, a: `${tv} ${a}`, b: `${tv} ${b}` };
}
const objects: CorpusCase[] = [
  obj('view: added', '', 'CREATE VIEW v AS SELECT id, v FROM t'),
  obj('view: definition changes', 'CREATE VIEW v AS SELECT id FROM t', 'CREATE VIEW v AS SELECT id, v FROM t WHERE v > 0'),
  obj('view: algorithm', 'CREATE VIEW v AS SELECT id FROM t', 'CREATE ALGORITHM=MERGE VIEW v AS SELECT id FROM t'),
  obj('view: security invoker', 'CREATE VIEW v AS SELECT id FROM t', 'CREATE SQL SECURITY INVOKER VIEW v AS SELECT id FROM t'),
  obj(
    'view: check option',
    'CREATE VIEW v AS SELECT id, v FROM t WHERE v > 0',
    'CREATE VIEW v AS SELECT id, v FROM t WHERE v > 0 WITH CASCADED CHECK OPTION',
  ),
  obj('view: on a view', '', 'CREATE VIEW v1 AS SELECT id FROM t; CREATE VIEW v2 AS SELECT id FROM v1'),
  obj('view: column aliases', '', 'CREATE VIEW v (a, b) AS SELECT id, v * 2 FROM t'),
  obj(
    'view: join and aggregate',
    '',
    'CREATE VIEW v AS SELECT t1.id, COUNT(t2.id) AS n FROM t t1 LEFT JOIN t t2 ON t2.v = t1.id GROUP BY t1.id',
  ),
  obj('procedure: added', '', 'CREATE PROCEDURE p() SELECT 1'),
  obj('procedure: body changes', 'CREATE PROCEDURE p() SELECT 1', 'CREATE PROCEDURE p() SELECT 2'),
  obj(
    'procedure: parameters and comment',
    '',
    "CREATE PROCEDURE p(IN a INT, OUT b INT) COMMENT 'sums' BEGIN SELECT COUNT(*) INTO b FROM t WHERE v = a; END",
  ),
  obj('procedure: characteristics', 'CREATE PROCEDURE p() SELECT 1', 'CREATE PROCEDURE p() READS SQL DATA SQL SECURITY INVOKER SELECT 1'),
  obj('function: added', '', 'CREATE FUNCTION f(x INT) RETURNS INT DETERMINISTIC RETURN x * 2'),
  obj(
    'function: return type',
    'CREATE FUNCTION f(x INT) RETURNS INT DETERMINISTIC RETURN x',
    'CREATE FUNCTION f(x INT) RETURNS BIGINT DETERMINISTIC RETURN x',
  ),
  obj('function: odd spacing', '', 'create function f ( x int )\n  returns int  deterministic\n  return   x + 1'),
  obj(
    'routine: procedure and function of one name',
    '',
    'CREATE PROCEDURE same_name() SELECT 1; CREATE FUNCTION same_name() RETURNS INT RETURN 1',
  ),
  obj('event: added', '', "CREATE EVENT e ON SCHEDULE EVERY 1 DAY STARTS '2030-01-01 00:00:00' DISABLE DO DELETE FROM t WHERE v < 0"),
  obj(
    'event: schedule changes',
    "CREATE EVENT e ON SCHEDULE EVERY 1 DAY STARTS '2030-01-01 00:00:00' DISABLE DO SET @x = 1",
    "CREATE EVENT e ON SCHEDULE EVERY 2 HOUR STARTS '2030-01-01 00:00:00' DISABLE DO SET @x = 1",
  ),
  obj(
    'event: comment and preserve',
    '',
    "CREATE EVENT e ON SCHEDULE AT '2031-01-01 00:00:00' ON COMPLETION PRESERVE DISABLE COMMENT 'once' DO SET @x = 1",
  ),
  obj(
    'event: body changes',
    "CREATE EVENT e ON SCHEDULE EVERY 1 DAY STARTS '2030-01-01 00:00:00' DISABLE DO SET @x = 1",
    "CREATE EVENT e ON SCHEDULE EVERY 1 DAY STARTS '2030-01-01 00:00:00' DISABLE DO SET @x = 2",
  ),
  obj('sequence: added', '', 'CREATE SEQUENCE s START WITH 10 INCREMENT BY 5'),
];

// ---- renames (config), both ways: the rows stay ----
function kept(sql: string, expected: unknown[]) {
  return async (query: Query): Promise<void> => {
    const rows = await query<Record<string, unknown>>(sql);
    expect(rows.map((r) => Object.values(r).map(String))).toEqual(expected);
  };
}
function columnRename(
  name: string,
  table: string,
  oldDef: string,
  newDef: string,
  oldName: string,
  newName: string,
  extra = '',
): CorpusCase {
  return {
    name,
    a: `CREATE TABLE ${table} (id INT NOT NULL PRIMARY KEY, ${oldDef}${extra ? `, ${extra.replaceAll('$c', oldName)}` : ''})`,
    b: `CREATE TABLE ${table} (id INT NOT NULL PRIMARY KEY, ${newDef}${extra ? `, ${extra.replaceAll('$c', newName)}` : ''})`,
    forward: { renames: { tables: {}, columns: { [table]: { [oldName]: newName } } } },
    backward: { renames: { tables: {}, columns: { [table]: { [newName]: oldName } } } },
    rows: { a: `INSERT INTO ${table} VALUES (1, 'x1'), (2, 'x2')`, b: `INSERT INTO ${table} VALUES (1, 'x1'), (2, 'x2')` },
    after: kept(`SELECT * FROM ${table} ORDER BY id`, [
      ['1', 'x1'],
      ['2', 'x2'],
    ]),
  };
}
const renames: CorpusCase[] = [
  columnRename('rename: column', 'users', 'mail VARCHAR(50)', 'email VARCHAR(50)', 'mail', 'email'),
  columnRename('rename: column and its type', 'users', 'mail VARCHAR(50)', 'email VARCHAR(80)', 'mail', 'email'),
  columnRename('rename: column with an index', 'users', 'mail VARCHAR(50)', 'email VARCHAR(50)', 'mail', 'email', 'KEY by_mail ($c)'),
  columnRename('rename: column with a unique key', 'users', 'mail VARCHAR(50)', 'email VARCHAR(50)', 'mail', 'email', 'UNIQUE KEY u ($c)'),
  columnRename(
    'rename: column with odd names',
    'users',
    '`old name` VARCHAR(50)',
    '`new ``name`` ☕` VARCHAR(50)',
    'old name',
    'new `name` ☕',
  ),
  {
    name: 'rename: table',
    a: 'CREATE TABLE old_t (id INT NOT NULL PRIMARY KEY, v VARCHAR(10))',
    b: 'CREATE TABLE new_t (id INT NOT NULL PRIMARY KEY, v VARCHAR(10))',
    forward: { renames: { tables: { old_t: 'new_t' }, columns: {} } },
    backward: { renames: { tables: { new_t: 'old_t' }, columns: {} } },
    rows: { a: "INSERT INTO old_t VALUES (1, 'one')", b: "INSERT INTO new_t VALUES (1, 'one')" },
    after: async (query, direction) => kept(`SELECT * FROM ${direction === 'forward' ? 'new_t' : 'old_t'}`, [['1', 'one']])(query),
  },
  {
    name: 'rename: table and a column, with a change',
    a: 'CREATE TABLE old_t (id INT NOT NULL PRIMARY KEY, v VARCHAR(10))',
    b: 'CREATE TABLE new_t (id INT NOT NULL PRIMARY KEY, w VARCHAR(20), extra INT)',
    forward: { renames: { tables: { old_t: 'new_t' }, columns: { new_t: { v: 'w' } } } },
    backward: { renames: { tables: { new_t: 'old_t' }, columns: { old_t: { w: 'v' } } } },
    rows: { a: "INSERT INTO old_t VALUES (1, 'one')", b: "INSERT INTO new_t VALUES (1, 'one', NULL)" },
    after: async (query, direction) =>
      kept(`SELECT id, ${direction === 'forward' ? 'w FROM new_t' : 'v FROM old_t'}`, [['1', 'one']])(query),
  },
  {
    name: 'rename: referenced table',
    a: 'CREATE TABLE old_p (id INT NOT NULL PRIMARY KEY); CREATE TABLE c (id INT PRIMARY KEY, pid INT, CONSTRAINT fk_c FOREIGN KEY (pid) REFERENCES old_p (id))',
    b: 'CREATE TABLE new_p (id INT NOT NULL PRIMARY KEY); CREATE TABLE c (id INT PRIMARY KEY, pid INT, CONSTRAINT fk_c FOREIGN KEY (pid) REFERENCES new_p (id))',
    forward: { renames: { tables: { old_p: 'new_p' }, columns: {} } },
    backward: { renames: { tables: { new_p: 'old_p' }, columns: {} } },
  },
  {
    name: 'rename: table with a trigger',
    a: 'CREATE TABLE old_t (id INT NOT NULL PRIMARY KEY, v INT); CREATE TRIGGER tr BEFORE INSERT ON old_t FOR EACH ROW SET NEW.v = 1',
    b: 'CREATE TABLE new_t (id INT NOT NULL PRIMARY KEY, v INT); CREATE TRIGGER tr BEFORE INSERT ON new_t FOR EACH ROW SET NEW.v = 1',
    forward: { renames: { tables: { old_t: 'new_t' }, columns: {} } },
    backward: { renames: { tables: { new_t: 'old_t' }, columns: {} } },
  },
  {
    name: 'rename: unnamed drop and add is only a hint',
    a: 'CREATE TABLE t (id INT NOT NULL PRIMARY KEY, mail VARCHAR(50))',
    b: 'CREATE TABLE t (id INT NOT NULL PRIMARY KEY, email VARCHAR(50))',
  },
];

export const CORPUS: readonly CorpusCase[] = [
  ...renames,
  ...triggers,
  ...objects,
  ...generated,
  ...generatedMore,
  ...GENERATED_VALUES,
  ...columns,
  ...indexes,
  ...foreignKeys,
  ...FOREIGN_KEY_ORDER,
  ...checks,
  ...partitions,
  ...options,
];
