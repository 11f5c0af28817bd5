import { describe, expect, it } from 'vitest';
import type { AlterClause } from '../../../src/diff/changes.js';
import {
  alterClauseSql,
  alterTableSql,
  createEventSql,
  createRoutineSql,
  createTriggerSql,
  createViewSql,
  definerSql,
  dropForeignKeysSql,
  tableOptionsSql,
  type DdlContext,
} from '../../../src/plan/render-ddl.js';
import { renderRules } from '../../../src/snapshot/dialect.js';
import { column, foreignKey, index, table, trigger } from '../diff/builders.js';

const mariadb: DdlContext = { rules: renderRules('mariadb'), definers: 'current_user' };
const keep: DdlContext = { ...mariadb, definers: 'keep' };
const t = table('t', { columns: [column('id', { nullable: false, default: null }), column('a'), column('b')] });
const options = t.options;

describe('alterClauseSql: every clause kind', () => {
  const cases: [AlterClause, string][] = [
    [{ kind: 'drop_foreign_key', foreignKey: foreignKey('fk', ['a'], 'p', ['id']) }, 'DROP FOREIGN KEY `fk`'],
    [{ kind: 'drop_check', check: { name: 'ck', clause: '`a` > 0', enforced: true } }, 'DROP CONSTRAINT `ck`'],
    [{ kind: 'drop_index', index: index('ix', ['a']) }, 'DROP INDEX `ix`'],
    [{ kind: 'drop_index', index: { ...index('PRIMARY', ['id']), kind: 'primary' } }, 'DROP PRIMARY KEY'],
    [{ kind: 'drop_column', column: column('a') }, 'DROP COLUMN `a`'],
    [
      { kind: 'modify_column', from: column('a'), to: column('a', { type: 'bigint(20)', dataType: 'bigint' }), position: null },
      'MODIFY COLUMN `a` bigint(20) DEFAULT NULL',
    ],
    [
      { kind: 'modify_column', from: column('a'), to: column('a'), position: { first: true } },
      'MODIFY COLUMN `a` int(11) DEFAULT NULL FIRST',
    ],
    [
      { kind: 'add_column', column: column('c', { nullable: false, default: '0', comment: "it's" }), position: { after: 'b' } },
      "ADD COLUMN `c` int(11) NOT NULL DEFAULT 0 COMMENT 'it''s' AFTER `b`",
    ],
    [
      { kind: 'add_column', column: column('g', { default: null, generated: { expression: '`a` + 1', stored: true } }), position: null },
      'ADD COLUMN `g` int(11) GENERATED ALWAYS AS (`a` + 1) STORED',
    ],
    [{ kind: 'add_index', index: index('ix', ['a', 'b'], { kind: 'unique', comment: 'u' }) }, "ADD UNIQUE KEY `ix` (`a`,`b`) COMMENT 'u'"],
    [{ kind: 'add_check', check: { name: 'ck', clause: '`a` > 0', enforced: true } }, 'ADD CONSTRAINT `ck` CHECK (`a` > 0)'],
    [
      { kind: 'add_foreign_key', foreignKey: foreignKey('fk', ['a'], 'p', ['id'], { onDelete: 'CASCADE', onUpdate: 'SET NULL' }) },
      'ADD CONSTRAINT `fk` FOREIGN KEY (`a`) REFERENCES `p` (`id`) ON DELETE CASCADE ON UPDATE SET NULL',
    ],
    [{ kind: 'table_options', from: options, to: { ...options, engine: 'Aria', comment: 'x' } }, "ENGINE=Aria COMMENT='x'"],
    [{ kind: 'partitioning', from: null, to: 'PARTITION BY HASH (`id`) PARTITIONS 2' }, 'PARTITION BY HASH (`id`) PARTITIONS 2'],
    [{ kind: 'partitioning', from: 'PARTITION BY HASH (`id`) PARTITIONS 2', to: null }, 'REMOVE PARTITIONING'],
  ];
  it.each(cases.map(([clause, sql]) => [clause.kind, clause, sql] as const))('%s', (_kind, clause, sql) => {
    expect(alterClauseSql(clause, t, mariadb)).toBe(sql);
  });
});

describe('statements', () => {
  it('table options: only what differs, unset options back to their default', () => {
    expect(
      tableOptionsSql(
        { ...options, createOptions: ['MAX_ROWS=10', 'ROW_FORMAT=DYNAMIC'] },
        { ...options, collation: 'utf8mb4_bin', createOptions: ['ROW_FORMAT=COMPACT'] },
      ),
    ).toBe('DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin ROW_FORMAT=COMPACT MAX_ROWS=0');
  });

  it('partitioning goes in its own statement, the old one removed first when keys change too', () => {
    const clauses: AlterClause[] = [
      { kind: 'drop_index', index: index('ix', ['a']) },
      { kind: 'partitioning', from: 'PARTITION BY HASH (`id`) PARTITIONS 2', to: 'PARTITION BY KEY () PARTITIONS 3' },
    ];
    expect(alterTableSql(t, clauses, mariadb)).toEqual([
      'ALTER TABLE `t` REMOVE PARTITIONING',
      'ALTER TABLE `t`\n  DROP INDEX `ix`',
      'ALTER TABLE `t` PARTITION BY KEY () PARTITIONS 3',
    ]);
    expect(alterTableSql(t, [clauses[1]!], mariadb)).toEqual(['ALTER TABLE `t` PARTITION BY KEY () PARTITIONS 3']);
  });

  it('foreign keys dropped on their own use IF EXISTS on MariaDB only', () => {
    const fks = [foreignKey('f1', ['a'], 'p', ['id']), foreignKey('f2', ['b'], 'p', ['id'])];
    expect(dropForeignKeysSql('t', fks, mariadb)).toBe(
      'ALTER TABLE `t`\n  DROP FOREIGN KEY IF EXISTS `f1`,\n  DROP FOREIGN KEY IF EXISTS `f2`',
    );
    expect(dropForeignKeysSql('t', fks, { ...mariadb, rules: renderRules('mysql', 8, 0, 36) })).toBe(
      'ALTER TABLE `t`\n  DROP FOREIGN KEY `f1`,\n  DROP FOREIGN KEY `f2`',
    );
  });

  it("definers: CURRENT_USER, or production's quoted", () => {
    expect(definerSql('app@%', mariadb)).toBe('DEFINER=CURRENT_USER');
    expect(definerSql('app@%', keep)).toBe('DEFINER=`app`@`%`');
    expect(definerSql('a@b@host', keep)).toBe('DEFINER=`a@b`@`host`');
  });

  it('views, triggers, routines and events come with the session settings they were created under', () => {
    const view = {
      name: 'v',
      definition: 'select 1 AS `x`',
      algorithm: 'MERGE',
      security: 'INVOKER',
      checkOption: 'LOCAL',
      definer: 'root@localhost',
      dependsOn: [],
      charsetClient: 'utf8mb4',
      collationConnection: 'utf8mb4_general_ci',
    };
    expect(createViewSql(view, mariadb)).toEqual([
      'SET NAMES utf8mb4 COLLATE utf8mb4_general_ci',
      'CREATE OR REPLACE ALGORITHM=MERGE DEFINER=CURRENT_USER SQL SECURITY INVOKER VIEW `v` AS select 1 AS `x` WITH LOCAL CHECK OPTION',
    ]);
    const tr = createTriggerSql(trigger('tr', 't'), mariadb);
    expect(tr.slice(0, 2)).toEqual(["SET SESSION sql_mode = 'STRICT_TRANS_TABLES'", 'SET NAMES utf8mb4 COLLATE utf8mb4_general_ci']);
    expect(tr.at(-1)).toMatch(/^CREATE DEFINER=CURRENT_USER TRIGGER/);
    const routine = {
      name: 'p',
      type: 'PROCEDURE' as const,
      definition: 'CREATE PROCEDURE `p`()\nSELECT 1',
      definer: 'root@localhost',
      sqlMode: '',
      charsetClient: 'latin1',
      collationConnection: 'latin1_swedish_ci',
    };
    expect(createRoutineSql(routine, keep)).toEqual([
      "SET SESSION sql_mode = ''",
      'SET NAMES latin1 COLLATE latin1_swedish_ci',
      'CREATE DEFINER=`root`@`localhost` PROCEDURE `p`()\nSELECT 1',
    ]);
    const event = {
      name: 'e',
      definition: 'CREATE EVENT `e` ON SCHEDULE EVERY 1 HOUR DO SELECT 1',
      definer: 'root@localhost',
      sqlMode: '',
      timeZone: 'SYSTEM',
      charsetClient: 'utf8mb4',
      collationConnection: 'utf8mb4_general_ci',
    };
    expect(createEventSql(event, mariadb).slice(-2)).toEqual([
      "SET SESSION time_zone = 'SYSTEM'",
      'CREATE DEFINER=CURRENT_USER EVENT `e` ON SCHEDULE EVERY 1 HOUR DO SELECT 1',
    ]);
  });
});
