import { describe, expect, it } from 'vitest';
import { SqlScriptSplitter } from '../../../src/backup/sql-script-splitter.js';

function split(script: string | Buffer, chunkSize?: number): { sql: string; line: number }[] {
  const bytes = typeof script === 'string' ? Buffer.from(script, 'utf8') : script;
  const splitter = new SqlScriptSplitter();
  const out = [];
  const size = chunkSize ?? bytes.length;
  for (let i = 0; i < bytes.length; i += size) out.push(...splitter.push(bytes.subarray(i, i + size)));
  out.push(...splitter.end());
  return out.map((s) => ({ sql: s.sql.toString('utf8'), line: s.line }));
}

const sqls = (script: string, chunkSize?: number) => split(script, chunkSize).map((s) => s.sql);

const DUMP = `/*M!999999\\- enable the sandbox mode */ 

/*!40101 SET NAMES utf8mb4 */;
-- a comment; with a semicolon
DROP TABLE IF EXISTS \`t;1\`;
CREATE TABLE \`t;1\` (
  \`a\` varchar(10) DEFAULT 'x;y' COMMENT 'it''s; "here"'
);
INSERT INTO \`t;1\` VALUES ('a\\';b'),("c\\";d"),('back\\\\'),('😀;é'),('--;'),('/*;*/'),('#;');
# hash comment;
/* block ; comment */
DELIMITER ;;
/*!50003 CREATE*/ /*!50017 DEFINER=\`root\`@\`localhost\`*/ /*!50003 TRIGGER tr BEFORE INSERT ON \`t;1\` FOR EACH ROW BEGIN
  SET NEW.a = CONCAT(NEW.a, ';'); -- inner comment;
END */;;
CREATE PROCEDURE p()
BEGIN
  SELECT 1; /* c; */ SELECT 'DELIMITER ;';
END
;;
DELIMITER ;
SELECT 4/2, 5--1;
SELECT 'no final delimiter'`;

const EXPECTED = [
  '/*M!999999\\- enable the sandbox mode */ \n\n/*!40101 SET NAMES utf8mb4 */',
  '-- a comment; with a semicolon\nDROP TABLE IF EXISTS `t;1`',
  "CREATE TABLE `t;1` (\n  `a` varchar(10) DEFAULT 'x;y' COMMENT 'it''s; \"here\"'\n)",
  "INSERT INTO `t;1` VALUES ('a\\';b'),(\"c\\\";d\"),('back\\\\'),('😀;é'),('--;'),('/*;*/'),('#;')",
  "/*!50003 CREATE*/ /*!50017 DEFINER=`root`@`localhost`*/ /*!50003 TRIGGER tr BEFORE INSERT ON `t;1` FOR EACH ROW BEGIN\n  SET NEW.a = CONCAT(NEW.a, ';'); -- inner comment;\nEND */",
  "CREATE PROCEDURE p()\nBEGIN\n  SELECT 1; /* c; */ SELECT 'DELIMITER ;';\nEND",
  'SELECT 4/2, 5--1',
  "SELECT 'no final delimiter'",
];

describe('SqlScriptSplitter', () => {
  it('cuts a dump-like script the way the mariadb client does', () => {
    expect(sqls(DUMP)).toEqual(EXPECTED);
  });

  it('gives the same statements whatever the chunk size', () => {
    for (const size of [1, 2, 3, 5, 7, 64]) expect(sqls(DUMP, size)).toEqual(EXPECTED);
  });

  it('reports the line of each statement', () => {
    const lines = split(DUMP).map((s) => s.line);
    expect(lines).toEqual([1, 5, 6, 9, 13, 16, 22, 23]);
    expect(split(DUMP, 1).map((s) => s.line)).toEqual(lines);
  });

  it('skips pieces made only of plain comments and whitespace', () => {
    expect(sqls('-- only a comment;\n/* and this */;\n  ;\n# and this;\nSELECT 1;\n-- trailing\n')).toEqual(['# and this;\nSELECT 1']);
  });

  it('keeps bytes exactly, CRLF and non-UTF-8 included', () => {
    const script = Buffer.concat([Buffer.from("SELECT 'caf"), Buffer.from([0xe9]), Buffer.from("';\r\nSELECT 2;\r\n")]);
    const statements = new SqlScriptSplitter().push(script);
    expect(statements.map((s) => s.sql.toString('latin1'))).toEqual(["SELECT 'caf\xe9'", 'SELECT 2']);
    const crlf = new SqlScriptSplitter().push(Buffer.from("CREATE PROCEDURE p()\r\nSELECT 'a\r\nb';"));
    expect(crlf[0]!.sql.toString('latin1')).toBe("CREATE PROCEDURE p()\r\nSELECT 'a\r\nb'");
  });

  it('understands other delimiters and a DELIMITER after comments', () => {
    expect(sqls('-- setup\nDELIMITER $$\nSELECT 1; SELECT 2$$\ndelimiter //\nSELECT 3//\nDELIMITER ;\nSELECT 4;')).toEqual([
      'SELECT 1; SELECT 2',
      'SELECT 3',
      'SELECT 4',
    ]);
  });

  it('does not take an identifier starting with "delimiter" for the command', () => {
    expect(sqls('delimiter_table;\nDELETE FROM delimiters;')).toEqual(['delimiter_table', 'DELETE FROM delimiters']);
  });
});

describe('SqlScriptSplitter edge cases', () => {
  it('keeps a delimiter inside backticks, double quotes and doubled quotes', () => {
    expect(sqls('SELECT `a;b`, "c;d", \'e\'\';f\';\nSELECT "g"";h";')).toEqual(["SELECT `a;b`, \"c;d\", 'e'';f'", 'SELECT "g"";h"']);
  });

  it('does not end a string at an escaped quote, whatever the chunk size', () => {
    const script = "INSERT INTO t VALUES ('a\\\\'),('b\\';c'),(\"d\\\";e\");\nSELECT 2;";
    const expected = ["INSERT INTO t VALUES ('a\\\\'),('b\\';c'),(\"d\\\";e\")", 'SELECT 2'];
    for (const size of [1, 2, 3, 4, 1000]) expect(sqls(script, size)).toEqual(expected);
  });

  it('treats "--" without a space and "#" inside strings as code', () => {
    expect(sqls("SELECT 1--2;\nSELECT '#;' ; # trailing; comment\nSELECT 3;")).toEqual([
      'SELECT 1--2',
      "SELECT '#;'",
      '# trailing; comment\nSELECT 3',
    ]);
  });

  it('keeps executable comments whole and ends a block comment only at */', () => {
    expect(sqls('/*!40101 SET @a=1; */;\n/* a ; * / still comment; */ SELECT 1;')).toEqual([
      '/*!40101 SET @a=1; */',
      '/* a ; * / still comment; */ SELECT 1',
    ]);
  });

  it('cuts a script of multi-byte characters identically at every chunk boundary', () => {
    const script = "SELECT '😀;é', `ü;名`;\nINSERT INTO t VALUES ('ß€😀');\nSELECT \"ñ\";";
    const expected = sqls(script);
    expect(expected).toEqual(["SELECT '😀;é', `ü;名`", "INSERT INTO t VALUES ('ß€😀')", 'SELECT "ñ"']);
    const bytes = Buffer.from(script, 'utf8');
    for (let cut = 1; cut < bytes.length; cut++) {
      const splitter = new SqlScriptSplitter();
      const out = [...splitter.push(bytes.subarray(0, cut)), ...splitter.push(bytes.subarray(cut)), ...splitter.end()];
      expect(
        out.map((s) => s.sql.toString('utf8')),
        `cut at byte ${cut}`,
      ).toEqual(expected);
    }
  });

  it('handles a DELIMITER line and a multi-character delimiter split across chunks', () => {
    const script = 'DELIMITER $$\nCREATE PROCEDURE p() BEGIN SELECT 1; END$$\nDELIMITER ;\nSELECT 2;';
    for (const size of [1, 2, 5, 11]) expect(sqls(script, size)).toEqual(['CREATE PROCEDURE p() BEGIN SELECT 1; END', 'SELECT 2']);
  });

  it('gives a statement longer than the internal buffer whole', () => {
    const long = `SELECT '${'x'.repeat(200_000)}'`;
    const out = sqls(`${long};\nSELECT 1;`, 4096);
    expect(out).toEqual([long, 'SELECT 1']);
  });
});
