import { describe, expect, it } from 'vitest';
import { diffSnapshots } from '../../../src/diff/diff-snapshots.js';
import { diffTable } from '../../../src/diff/diff-table.js';
import { renameHint, renameHints } from '../../../src/diff/rename-hints.js';
import { createTriggerSql } from '../../../src/plan/render-ddl.js';
import { generatedColumnChange, renderRules } from '../../../src/snapshot/dialect.js';
import type { Column, Table } from '../../../src/snapshot/model.js';
import { column, foreignKey, index, planOf, primaryKey, snapshot, table, trigger } from '../diff/builders.js';

const regular = column('b');
const virtual = column('b', { default: null, generated: { expression: '`a` * 2', stored: false } });
const stored = column('b', { default: null, generated: { expression: '`a` * 2', stored: true } });
const virtual2 = column('b', { default: null, generated: { expression: '`a` + 1', stored: false } });
const stored2 = column('b', { default: null, generated: { expression: '`a` + 1', stored: true } });

function withB(b: Column, extra: Partial<Table> = {}): Table {
  return table('t', { columns: [column('id', { nullable: false, default: null }), column('a'), b], ...extra });
}
const sqlOf = (from: Table, to: Table): string[] =>
  planOf(snapshot({ tables: [from] }), snapshot({ tables: [to] })).steps.flatMap((s) => s.sql);

describe('generatedColumnChange: what MariaDB accepts as MODIFY (measured on 10.11)', () => {
  const cases: [string, Column, Column, string][] = [
    ['regular -> VIRTUAL', regular, virtual, 'replace'],
    ['regular -> STORED', regular, stored, 'modify'],
    ['VIRTUAL -> STORED', virtual, stored, 'replace'],
    ['STORED -> VIRTUAL', stored, virtual, 'replace'],
    ['VIRTUAL -> regular', virtual, regular, 'materialize'],
    ['STORED -> regular', stored, regular, 'modify'],
    ['VIRTUAL expression', virtual, virtual2, 'replace'],
    ['STORED expression', stored, stored2, 'modify'],
    ['regular -> regular', regular, column('b', { type: 'bigint(20)', dataType: 'bigint' }), 'modify'],
  ];
  for (const [label, from, to, how] of cases) it(label, () => expect(generatedColumnChange(from, to)).toBe(how));
});

describe('generated-column DDL', () => {
  it('regular -> VIRTUAL: DROP + ADD in one ALTER, its index and CHECK dropped and re-created there', () => {
    const check = { name: 'ck_b', clause: '`b` > 0', enforced: true };
    const keys = { indexes: [primaryKey('id'), index('kb', ['b']), index('kab', ['a', 'b'])], checks: [check] };
    const sql = sqlOf(withB(regular, keys), withB(virtual, keys));
    expect(sql).toEqual([
      'ALTER TABLE `t`\n  DROP CONSTRAINT `ck_b`,\n  DROP INDEX `kb`,\n  DROP INDEX `kab`,\n  DROP COLUMN `b`,\n  ADD COLUMN `b` int(11) GENERATED ALWAYS AS (`a` * 2) VIRTUAL AFTER `a`,\n  ADD KEY `kb` (`b`),\n  ADD KEY `kab` (`a`,`b`),\n  ADD CONSTRAINT `ck_b` CHECK (`b` > 0)',
    ]);
  });

  it('VIRTUAL -> regular: a temporary STORED column computes the values, then takes the place of the old one', () => {
    const keys = { indexes: [primaryKey('id'), index('kb', ['b'])] };
    const plan = planOf(snapshot({ tables: [withB(virtual, keys)] }), snapshot({ tables: [withB(regular, keys)] }));
    const step = plan.steps.find((s) => s.kind === 'alter_table')!;
    const tmp = step.sql[0]!.match(/`(__replicoop_[0-9a-f]{16})`/)![1]!;
    expect(step.sql).toEqual([
      `ALTER TABLE \`t\` ADD COLUMN IF NOT EXISTS \`${tmp}\` int(11) GENERATED ALWAYS AS (\`a\` * 2) STORED AFTER \`b\``,
      `ALTER TABLE \`t\`\n  DROP INDEX \`kb\`,\n  DROP COLUMN \`b\`,\n  CHANGE COLUMN \`${tmp}\` \`b\` int(11) DEFAULT NULL AFTER \`a\`,\n  ADD KEY \`kb\` (\`b\`)`,
    ]);
    expect(step.reason).toContain('no row value changes');
    expect(step.destructive).toBe(false);
  });

  it('STORED -> regular is a MODIFY that keeps the stored values, and says so', () => {
    const plan = planOf(snapshot({ tables: [withB(stored)] }), snapshot({ tables: [withB(regular)] }));
    const step = plan.steps.find((s) => s.kind === 'alter_table')!;
    expect(step.sql).toEqual(['ALTER TABLE `t`\n  MODIFY COLUMN `b` int(11) DEFAULT NULL']);
    expect(step.reason).toContain("MODIFY keeps each row's stored value");
  });

  it('regular -> STORED is a MODIFY that replaces the stored values: destructive, and the reason says so', () => {
    const plan = planOf(snapshot({ tables: [withB(regular)] }), snapshot({ tables: [withB(stored)] }));
    const step = plan.steps.find((s) => s.kind === 'alter_table')!;
    expect(step.sql).toEqual(['ALTER TABLE `t`\n  MODIFY COLUMN `b` int(11) GENERATED ALWAYS AS (`a` * 2) STORED']);
    expect(step.destructive).toBe(true);
    expect(step.reason).toBe(
      "column b: regular -> STORED: MODIFY computes each row's value from the expression, so the stored values are replaced; column b: becomes a generated column (stored values are replaced)",
    );
    expect(step.reason).not.toContain('rows are kept');
  });

  it('a regular column becoming VIRTUAL is destructive: its stored values are replaced', () => {
    const change = diffTable(withB(regular), withB(virtual))!;
    expect(change.destructive).toBe(true);
    expect(change.reasons.join('; ')).toContain('the server refuses MODIFY, error 1907');
  });
});

describe('foreign keys that go away are dropped before what they depend on changes', () => {
  const parentBefore = table('p', { columns: [column('id', { nullable: false, default: null }), column('k')] });
  const parentAfter = table('p', { columns: [column('k', { nullable: false, default: null })], indexes: [primaryKey('k')] });
  const childTable = table('c', {
    columns: [column('id', { nullable: false, default: null }), column('pid')],
    foreignKeys: [foreignKey('fk_c_p', ['pid'], 'p', ['id'])],
  });

  it("a dropped table's key to a table whose primary key changes is dropped before that table is altered", () => {
    const plan = planOf(snapshot({ tables: [childTable, parentBefore] }), snapshot({ tables: [parentAfter] }));
    const order = plan.steps.map((s) => `${s.kind} ${s.object}: ${s.sql.join(' ').split('\n')[1]?.trim() ?? s.sql[0]}`);
    const dropFk = order.findIndex((s) => s.startsWith('alter_table c: DROP FOREIGN KEY IF EXISTS `fk_c_p`'));
    const alterP = order.findIndex((s) => s.startsWith('alter_table p'));
    const dropC = order.findIndex((s) => s.startsWith('drop_table c'));
    expect(dropFk).toBeGreaterThanOrEqual(0);
    expect(dropFk).toBeLessThan(alterP);
    expect(alterP).toBeLessThan(dropC);
  });

  it('a dropped table whose keys point only at unchanged or dropped tables needs no early step', () => {
    const plan = planOf(snapshot({ tables: [childTable, parentBefore] }), snapshot({ tables: [parentBefore] }));
    expect(plan.steps.map((s) => s.kind)).toEqual(['drop_table']);
  });

  it("a re-added foreign key re-creates the sandbox's implicit index in the same ALTER, keeping its name", () => {
    const before = table('c', {
      columns: [column('id', { nullable: false, default: null }), column('pid')],
      indexes: [primaryKey('id'), index('pid', ['pid'])],
      foreignKeys: [foreignKey('c_ibfk_1', ['pid'], 'p', ['id'])],
    });
    const after = { ...before, foreignKeys: [foreignKey('c_ibfk_1', ['pid'], 'p', ['id'], { onDelete: 'CASCADE' })] };
    const p = table('p');
    const plan = planOf(snapshot({ tables: [before, p] }), snapshot({ tables: [after, p] }));
    const add = plan.steps.find((s) => s.kind === 'add_foreign_keys')!;
    expect(add.sql).toEqual([
      'ALTER TABLE `c`\n  DROP INDEX `pid`,\n  ADD KEY `pid` (`pid`),\n  ADD CONSTRAINT `c_ibfk_1` FOREIGN KEY (`pid`) REFERENCES `p` (`id`) ON DELETE CASCADE',
    ]);
    expect(add.reason).toContain('re-created explicitly');
  });
});

describe('renames', () => {
  const old = table('users', {
    columns: [column('id', { nullable: false, default: null }), column('mail', { type: 'varchar(50)', dataType: 'varchar' })],
  });
  const renamed = table('users', {
    columns: [column('id', { nullable: false, default: null }), column('email', { type: 'varchar(50)', dataType: 'varchar' })],
  });

  it('without a renames entry: a destructive drop plus add, and a hint with the exact entry', () => {
    const plan = planOf(snapshot({ tables: [old] }), snapshot({ tables: [renamed] }));
    expect(plan.steps[0]!.destructive).toBe(true);
    expect(plan.summary.hints).toEqual([
      'users: column mail is dropped and email added, with the same type at the same position; if it is a rename, add to the config: renames: { users: { mail: email } }',
    ]);
  });

  it('with the entry: CHANGE COLUMN, not destructive, no hint', () => {
    const plan = planOf(snapshot({ tables: [old] }), snapshot({ tables: [renamed] }), {
      renames: { tables: {}, columns: { users: { mail: 'email' } } },
    });
    expect(plan.steps.map((s) => s.sql)).toEqual([['ALTER TABLE `users`\n  CHANGE COLUMN `mail` `email` varchar(50) DEFAULT NULL']]);
    expect(plan.steps[0]!.destructive).toBe(false);
    expect(plan.summary.hints).toBeUndefined();
  });

  it('a table rename runs first, then the table is altered under its new name', () => {
    const before = { ...old, name: 'people' };
    const plan = planOf(snapshot({ tables: [before] }), snapshot({ tables: [renamed] }), {
      renames: { tables: { people: 'users' }, columns: { users: { mail: 'email' } } },
    });
    expect(plan.steps.map((s) => s.sql[0])).toEqual([
      'RENAME TABLE `people` TO `users`',
      'ALTER TABLE `users`\n  CHANGE COLUMN `mail` `email` varchar(50) DEFAULT NULL',
    ]);
    expect(plan.steps.some((s) => s.destructive)).toBe(false);
  });

  it('a dropped and a created table of the same columns get a table hint; a different type, or another position, none', () => {
    const plan = planOf(snapshot({ tables: [{ ...old, name: 'people' }] }), snapshot({ tables: [old] }));
    expect(plan.summary.hints).toEqual([
      'table people is dropped and users created with the same columns; if it is a rename, add to the config: renames: { people: users }',
    ]);
    const otherType = { ...renamed, columns: [renamed.columns[0]!, column('email', { type: 'text', dataType: 'text' })] };
    expect(renameHints([diffTable(old, otherType)!])).toEqual([]);
  });

  it('names that are not plain YAML are quoted in the hint', () => {
    expect(renameHint('my table', "it's", 'new')).toContain("renames: { 'my table': { 'it''s': new } }");
  });
});

describe('triggers are re-created from the original statement, only the DEFINER changed', () => {
  const context = { rules: renderRules('mariadb'), definers: 'current_user' as const };
  it('uses the definition byte for byte', () => {
    const t = trigger('tr', 't', { definition: 'create   trigger tr before insert on t\n  for each row    set NEW.p = 1' });
    expect(createTriggerSql(t, context).at(-1)).toBe(
      'create DEFINER=CURRENT_USER trigger tr before insert on t\n  for each row    set NEW.p = 1',
    );
  });
  it('a change in the header text alone is a change', () => {
    const a = trigger('tr', 't', { definition: 'CREATE TRIGGER tr BEFORE INSERT ON t FOR EACH ROW SET NEW.p = 1' });
    const b = { ...a, definition: 'CREATE TRIGGER `tr` BEFORE INSERT ON `t` FOR EACH ROW SET NEW.p = 1' };
    const plan = planOf(snapshot({ tables: [table('t')], triggers: [a] }), snapshot({ tables: [table('t')], triggers: [b] }));
    expect(plan.steps.map((s) => s.kind)).toEqual(['drop_trigger', 'create_trigger']);
  });

  it('when only one side has the original text, the bodies are compared: like with like, no change forever', () => {
    const withText = trigger('tr', 't', { definition: 'CREATE TRIGGER tr BEFORE INSERT ON t FOR EACH ROW SET NEW.p = 1' });
    const { definition: _, ...withoutText } = withText;
    const t = [table('t')];
    for (const [sandbox, production] of [
      [withText, withoutText],
      [withoutText, withText],
    ]) {
      const changes = diffSnapshots(snapshot({ tables: t, triggers: [sandbox!] }), snapshot({ tables: t, triggers: [production!] }));
      expect(changes).toEqual([]);
      const changed = diffSnapshots(
        snapshot({ tables: t, triggers: [sandbox!] }),
        snapshot({ tables: t, triggers: [{ ...production!, statement: 'SET NEW.p = 2' }] }),
      );
      expect(changed.map((c) => c.kind)).toEqual(['alter_trigger']);
    }
  });
});

describe('a MySQL 8 production planned for a MariaDB sandbox', () => {
  it('creates tables with the mapped collation and says which in the plan warnings', () => {
    const t = table('t', {
      options: { engine: 'InnoDB', charset: 'utf8mb4', collation: 'utf8mb4_0900_ai_ci', comment: '', createOptions: [] },
    });
    const production = snapshot({ flavor: 'mysql', serverVersion: '8.0.36', tables: [t] });
    const plan = planOf(snapshot(), production);
    expect(plan.steps[0]!.sql[0]).toContain('COLLATE=utf8mb4_uca1400_nopad_ai_ci');
    expect(plan.summary.warnings).toEqual([
      expect.stringContaining('utf8mb4_0900_ai_ci (MySQL) is created as utf8mb4_uca1400_nopad_ai_ci'),
    ]);
    expect(plan.snapshots.production).toBe(production);
  });
});
