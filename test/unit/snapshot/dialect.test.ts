import { describe, expect, it } from 'vitest';
import type { RawSchema } from '../../../src/introspect/raw-schema.js';
import { parseServerInfo } from '../../../src/sql/server-info.js';
import { diffSnapshots } from '../../../src/diff/diff-snapshots.js';
import {
  canonicalAction,
  canonicalCharset,
  canonicalCollation,
  canonicalDefault,
  canonicalExpression,
  canonicalGenerationExpression,
  parseCreateOptions,
  parseExtra,
  renderRules,
  stripIntegerDisplayWidth,
} from '../../../src/snapshot/dialect.js';
import { parseSnapshot } from '../../../src/introspect/parse-snapshot.js';
import { renderCreateTable } from '../../../src/snapshot/render-create-table.js';
import { comparableCreate, normalizePartitioning, splitShowCreate } from '../../../src/snapshot/show-create.js';

const ctx = (dataType: string, nullable = true) => ({
  dataType,
  nullable,
  autoIncrement: false,
  generated: false,
  defaultGenerated: false,
});

describe('defaults: MariaDB quotes literals, MySQL reports bare values', () => {
  it('reads the same canonical default from both flavors', () => {
    expect(canonicalDefault("'abc'", ctx('varchar'), 'mariadb')).toBe("'abc'");
    expect(canonicalDefault('abc', ctx('varchar'), 'mysql')).toBe("'abc'");
    expect(canonicalDefault("'it''s'", ctx('varchar'), 'mariadb')).toBe("'it''s'");
    expect(canonicalDefault("it's", ctx('varchar'), 'mysql')).toBe("'it''s'");
    expect(canonicalDefault('0', ctx('int'), 'mariadb')).toBe('0');
    expect(canonicalDefault('0', ctx('int'), 'mysql')).toBe('0');
    expect(canonicalDefault('0', ctx('varchar'), 'mysql')).toBe("'0'");
    expect(canonicalDefault('NULL', ctx('int'), 'mariadb')).toBe('NULL');
    expect(canonicalDefault(null, ctx('int'), 'mysql')).toBe('NULL');
    expect(canonicalDefault(null, ctx('int', false), 'mysql')).toBeNull();
    expect(canonicalDefault(null, ctx('int', false), 'mariadb')).toBeNull();
    expect(canonicalDefault("b'101'", ctx('bit'), 'mysql')).toBe("b'101'");
  });

  it('folds CURRENT_TIMESTAMP spellings: MySQL DEFAULT_GENERATED CURRENT_TIMESTAMP(6) = MariaDB current_timestamp(6)', () => {
    const mysql = { ...ctx('timestamp'), defaultGenerated: true };
    expect(canonicalDefault('CURRENT_TIMESTAMP', mysql, 'mysql')).toBe('current_timestamp()');
    expect(canonicalDefault('CURRENT_TIMESTAMP(6)', mysql, 'mysql')).toBe('current_timestamp(6)');
    expect(canonicalDefault('current_timestamp()', ctx('timestamp'), 'mariadb')).toBe('current_timestamp()');
    expect(canonicalExpression('now()')).toBe('current_timestamp()');
    expect(canonicalExpression('LOCALTIMESTAMP')).toBe('current_timestamp()');
  });

  it('expression defaults: one function call bare, anything else in one pair of parentheses', () => {
    expect(canonicalDefault('uuid()', { ...ctx('varchar'), defaultGenerated: true }, 'mysql')).toBe('uuid()');
    expect(canonicalDefault('(uuid())', { ...ctx('varchar'), defaultGenerated: true }, 'mysql')).toBe('uuid()');
    expect(canonicalDefault('(curdate() + interval 1 day)', ctx('date'), 'mariadb')).toBe('(curdate() + interval 1 day)');
    expect(canonicalDefault('(curdate() + interval 1 day)', { ...ctx('date'), defaultGenerated: true }, 'mysql')).toBe(
      '(curdate() + interval 1 day)',
    );
  });
});

describe('EXTRA, types, charsets and actions', () => {
  it('parses COLUMNS.EXTRA of both flavors', () => {
    expect(parseExtra('DEFAULT_GENERATED on update CURRENT_TIMESTAMP')).toEqual({
      autoIncrement: false,
      invisible: false,
      generated: null,
      defaultGenerated: true,
      onUpdate: 'current_timestamp()',
    });
    expect(parseExtra('on update current_timestamp(6)').onUpdate).toBe('current_timestamp(6)');
    expect(parseExtra('auto_increment, INVISIBLE')).toMatchObject({ autoIncrement: true, invisible: true });
    expect(parseExtra('STORED GENERATED').generated).toBe('STORED');
    expect(parseExtra('VIRTUAL GENERATED INVISIBLE')).toMatchObject({ generated: 'VIRTUAL', invisible: true });
  });

  it('integer display widths (MySQL 8.0.19+ drops them except tinyint(1) and zerofill)', () => {
    expect(stripIntegerDisplayWidth('int(11)')).toBe('int');
    expect(stripIntegerDisplayWidth('int(10) unsigned')).toBe('int unsigned');
    expect(stripIntegerDisplayWidth('tinyint(1)')).toBe('tinyint(1)');
    expect(stripIntegerDisplayWidth('int(5) unsigned zerofill')).toBe('int(5) unsigned zerofill');
  });

  it('utf8 is utf8mb3; NO ACTION is RESTRICT', () => {
    expect(canonicalCharset('utf8')).toBe('utf8mb3');
    expect(canonicalCollation('utf8_general_ci')).toBe('utf8mb3_general_ci');
    expect(canonicalCollation('utf8mb4_bin')).toBe('utf8mb4_bin');
    expect(canonicalAction('NO ACTION')).toBe('RESTRICT');
    expect(canonicalAction('SET NULL')).toBe('SET NULL');
  });

  it('MySQL wraps generated expressions and checks in parentheses and escapes quotes', () => {
    expect(canonicalGenerationExpression("(concat(`b`,\\'x\\'))", 'mysql')).toBe("concat(`b`,'x')");
    expect(canonicalGenerationExpression("concat(`b`,'x')", 'mariadb')).toBe("concat(`b`,'x')");
  });

  it('CREATE_OPTIONS', () => {
    expect(parseCreateOptions('row_format=DYNAMIC stats_persistent=1 partitioned')).toEqual(['ROW_FORMAT=DYNAMIC', 'STATS_PERSISTENT=1']);
    expect(parseCreateOptions('')).toEqual([]);
  });

  it('partition clauses: MySQL version comments and spacing are folded', () => {
    expect(
      normalizePartitioning(
        '/*!50100 PARTITION BY RANGE (year(`hired`))\n(PARTITION p0 VALUES LESS THAN (1991) ENGINE = InnoDB,\n PARTITION p1 VALUES LESS THAN MAXVALUE ENGINE = InnoDB) */',
      ),
    ).toBe(
      'PARTITION BY RANGE (year(`hired`)) (PARTITION p0 VALUES LESS THAN (1991) ENGINE = InnoDB, PARTITION p1 VALUES LESS THAN MAXVALUE ENGINE = InnoDB)',
    );
  });
});

/**
 * The MySQL 8.0 manual's SHOW CREATE TABLE example (SHOW CREATE TABLE Statement, 8.0.16+), with
 * the information_schema rows MySQL reports for it, next to what MariaDB 10.11 reports for the
 * same CREATE TABLE.
 */
const MANUAL_SHOW_CREATE = `CREATE TABLE \`t1\` (
  \`i1\` int DEFAULT NULL,
  \`i2\` int DEFAULT NULL,
  \`ts\` timestamp NOT NULL DEFAULT CURRENT_TIMESTAMP ON UPDATE CURRENT_TIMESTAMP,
  \`s\` char(60) DEFAULT NULL,
  CONSTRAINT \`t1_chk_1\` CHECK ((\`i1\` <> 0)),
  CONSTRAINT \`t1_chk_2\` CHECK ((\`i2\` > \`i1\`)),
  CONSTRAINT \`t1_chk_3\` CHECK ((\`i2\` <> 0)) /*!80016 NOT ENFORCED */
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_0900_ai_ci`;

function rawSchema(flavor: 'mysql' | 'mariadb', createStatement: string): RawSchema {
  const server = parseServerInfo(
    new Map(
      flavor === 'mysql'
        ? [
            ['version', '8.0.36'],
            ['version_comment', 'MySQL Community Server - GPL'],
            ['server_uuid', 'uuid-1'],
          ]
        : [
            ['version', '10.11.19-MariaDB'],
            ['hostname', 'h'],
            ['port', '3306'],
          ],
    ),
  );
  const mysql = flavor === 'mysql';
  const column = (name: string, position: number, type: string, extra: Partial<RawSchema['columns'][number]> = {}) => ({
    TABLE_NAME: 't1',
    COLUMN_NAME: name,
    ORDINAL_POSITION: position,
    COLUMN_DEFAULT: mysql ? null : 'NULL',
    IS_NULLABLE: 'YES',
    DATA_TYPE: type.replace(/\(.*$/, ''),
    CHARACTER_SET_NAME: null,
    COLLATION_NAME: null,
    COLUMN_TYPE: type,
    EXTRA: '',
    COLUMN_COMMENT: '',
    GENERATION_EXPRESSION: mysql ? '' : null,
    ...extra,
  });
  return {
    server,
    database: 'db',
    defaultCharset: 'utf8mb4',
    defaultCollation: 'utf8mb4_0900_ai_ci',
    tables: [
      {
        TABLE_NAME: 't1',
        TABLE_TYPE: 'BASE TABLE',
        ENGINE: 'InnoDB',
        TABLE_COLLATION: 'utf8mb4_0900_ai_ci',
        TABLE_COMMENT: '',
        CREATE_OPTIONS: '',
        TABLE_ROWS: 0,
        DATA_LENGTH: 0,
        INDEX_LENGTH: 0,
      },
    ],
    columns: [
      column('i1', 1, mysql ? 'int' : 'int(11)'),
      column('i2', 2, mysql ? 'int' : 'int(11)'),
      column('ts', 3, 'timestamp', {
        IS_NULLABLE: 'NO',
        COLUMN_DEFAULT: mysql ? 'CURRENT_TIMESTAMP' : 'current_timestamp()',
        EXTRA: mysql ? 'DEFAULT_GENERATED on update CURRENT_TIMESTAMP' : 'on update current_timestamp()',
      }),
      column('s', 4, 'char(60)', { CHARACTER_SET_NAME: 'utf8mb4', COLLATION_NAME: 'utf8mb4_0900_ai_ci' }),
    ],
    statistics: [],
    foreignKeys: [],
    checks: [
      { TABLE_NAME: 't1', CONSTRAINT_NAME: 't1_chk_1', LEVEL: 'Table', CHECK_CLAUSE: mysql ? '(`i1` <> 0)' : '`i1` <> 0', ENFORCED: 'YES' },
      {
        TABLE_NAME: 't1',
        CONSTRAINT_NAME: 't1_chk_2',
        LEVEL: 'Table',
        CHECK_CLAUSE: mysql ? '(`i2` > `i1`)' : '`i2` > `i1`',
        ENFORCED: 'YES',
      },
      {
        TABLE_NAME: 't1',
        CONSTRAINT_NAME: 't1_chk_3',
        LEVEL: 'Table',
        CHECK_CLAUSE: mysql ? '(`i2` <> 0)' : '`i2` <> 0',
        ENFORCED: mysql ? 'NO' : 'YES',
      },
    ],
    views: [],
    triggers: [],
    routines: [],
    events: [],
    createStatements: { t1: createStatement },
  };
}

describe('MySQL 8 output formats (from the MySQL manual) in the same model', () => {
  it("parses the manual's example, passes the SHOW CREATE self-check, and renders it back", () => {
    const snapshot = parseSnapshot(rawSchema('mysql', MANUAL_SHOW_CREATE));
    expect(snapshot.unsupported).toEqual([]);
    const table = snapshot.tables[0]!;
    expect(table.columns.map((c) => [c.name, c.type, c.default, c.onUpdate])).toEqual([
      ['i1', 'int', 'NULL', null],
      ['i2', 'int', 'NULL', null],
      ['ts', 'timestamp', 'current_timestamp()', 'current_timestamp()'],
      ['s', 'char(60)', 'NULL', null],
    ]);
    expect(table.checks).toEqual([
      { name: 't1_chk_1', clause: '`i1` <> 0', enforced: true },
      { name: 't1_chk_2', clause: '`i2` > `i1`', enforced: true },
      { name: 't1_chk_3', clause: '`i2` <> 0', enforced: false },
    ]);
    const rendered = renderCreateTable(table, renderRules('mysql', 8, 0, 36));
    expect(comparableCreate(splitShowCreate(rendered))).toEqual(comparableCreate(splitShowCreate(MANUAL_SHOW_CREATE)));
  });

  it('a self-check failure is reported as unsupported with the reason (no DDL is guessed)', () => {
    const doctored = MANUAL_SHOW_CREATE.replace('`s` char(60) DEFAULT NULL', "`s` char(60) DEFAULT NULL SECONDARY_ENGINE_ATTRIBUTE='x'");
    const snapshot = parseSnapshot(rawSchema('mysql', doctored));
    expect(snapshot.unsupported).toHaveLength(1);
    expect(snapshot.unsupported[0]!.reason).toContain('column definition does not round-trip');
  });

  it('the same table read from MySQL 8 and from MariaDB shows no difference but the NOT ENFORCED check', () => {
    const mysql = parseSnapshot(rawSchema('mysql', MANUAL_SHOW_CREATE));
    const mariaCreate = MANUAL_SHOW_CREATE.replace(/`i(\d)` int DEFAULT NULL/g, '`i$1` int(11) DEFAULT NULL')
      .replace('DEFAULT CURRENT_TIMESTAMP ON UPDATE CURRENT_TIMESTAMP', 'DEFAULT current_timestamp() ON UPDATE current_timestamp()')
      .replace(/CHECK \(\((.*)\)\)( \/\*!80016 NOT ENFORCED \*\/)?/g, 'CHECK ($1)');
    const maria = parseSnapshot(rawSchema('mariadb', mariaCreate));
    expect(maria.unsupported).toEqual([]);
    const changes = diffSnapshots(maria, mysql);
    expect(changes.map((c) => c.kind)).toEqual(['alter_table']);
    const clauses = (changes[0] as Extract<(typeof changes)[number], { kind: 'alter_table' }>).clauses.map((c) => c.kind);
    expect(clauses).toEqual(['drop_check', 'add_check']);
  });
});

describe('stripDefiner', () => {
  it('removes every spelling of DEFINER=user@host after CREATE', async () => {
    const { stripDefiner } = await import('../../../src/introspect/parse-snapshot.js');
    const body = 'PROCEDURE `p`() SELECT 1';
    for (const definer of ['`root`@`127.0.0.1`', "'root'@'%'", 'root@localhost', '`ro ot`@localhost', 'CURRENT_USER']) {
      expect(stripDefiner(`CREATE DEFINER=${definer} ${body}`)).toBe(`CREATE ${body}`);
    }
    expect(stripDefiner(`CREATE ${body}`)).toBe(`CREATE ${body}`);
  });
});
