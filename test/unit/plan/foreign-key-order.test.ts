import { describe, expect, it } from 'vitest';
import type { Table, Unsupported } from '../../../src/snapshot/model.js';
import { column, foreignKey, planOf, primaryKey, snapshot, table } from '../diff/builders.js';

/**
 * Foreign keys that go away are gone before anything they depend on changes, whatever owns them:
 * a table re-created from production's SHOW CREATE, a dropped table, a table renamed by config.
 */
const id = (type = 'int(11)') => column('id', { type, dataType: type.replace(/\(.*/, ''), nullable: false, default: null });
const parent = (type = 'int(11)', name = 'p'): Table => table(name, { columns: [id(type)], indexes: [primaryKey('id')] });
const child = (name: string, parentName: string, type = 'int(11)', fk = true): Table =>
  table(name, {
    columns: [id(), column('pid', { type, dataType: type.replace(/\(.*/, '') })],
    indexes: [primaryKey('id')],
    foreignKeys: fk ? [foreignKey(`fk_${name}`, ['pid'], parentName, ['id'])] : [],
  });
/** Production's SHOW CREATE of a table the model cannot represent, for each of its versions. */
const versioned = (t: Table, version: string): Unsupported => ({
  kind: 'table',
  name: t.name,
  reason: 'system versioning is not modelled',
  createStatement: `CREATE TABLE \`${t.name}\` (\n  \`id\` int(11) NOT NULL,\n  \`v\` ${version}\n) WITH SYSTEM VERSIONING`,
});
const recreated = (name: string): string => `recreate_table ${name}: CREATE TABLE \`${name}\` (   \`id\` int(11) NOT NULL,`;

/** Each step as `kind object: first line of its SQL`. */
const order = (plan: ReturnType<typeof planOf>): string[] =>
  plan.steps.filter((s) => s.phase === 'structure').map((s) => `${s.kind} ${s.object}: ${s.sql.at(-1)!.split('\n').slice(0, 2).join(' ')}`);

describe('foreign keys that go away, whatever owns them', () => {
  it("a re-created table's key to a column whose type changes is dropped before that column changes", () => {
    const from = snapshot({ tables: [child('c', 'p'), parent()], unsupported: [versioned(child('c', 'p'), 'int(11)')] });
    const to = snapshot({
      tables: [child('c', 'p', 'bigint(20)'), parent('bigint(20)')],
      unsupported: [versioned(child('c', 'p'), 'bigint(20)')],
    });
    expect(order(planOf(from, to))).toEqual([
      'alter_table c: ALTER TABLE `c`   DROP FOREIGN KEY IF EXISTS `fk_c`',
      'alter_table p: ALTER TABLE `p`   MODIFY COLUMN `id` bigint(20) NOT NULL',
      recreated('c'),
    ]);
    expect(planOf(from, to).steps[0]!.reason).toContain('fk_c of c (re-created later) first: p changes before');
  });

  it('re-created tables go parents first, and the old child key pointing at the re-created parent goes before both', () => {
    const from = snapshot({
      tables: [child('a', 'z'), parent('int(11)', 'z')],
      unsupported: [versioned(child('a', 'z'), 'int(11)'), versioned(parent('int(11)', 'z'), 'int(11)')],
    });
    const to = snapshot({
      tables: [child('a', 'z', 'bigint(20)'), parent('bigint(20)', 'z')],
      unsupported: [versioned(child('a', 'z'), 'bigint(20)'), versioned(parent('int(11)', 'z'), 'bigint(20)')],
    });
    expect(order(planOf(from, to))).toEqual([
      'alter_table a: ALTER TABLE `a`   DROP FOREIGN KEY IF EXISTS `fk_a`',
      recreated('z'),
      recreated('a'),
    ]);
  });

  it("a dropped table's key to a table renamed by config and altered is dropped first (the key names the old table)", () => {
    const from = snapshot({ tables: [child('c', 'p_old'), parent('int(11)', 'p_old')] });
    const to = snapshot({ tables: [parent('bigint(20)')] });
    expect(order(planOf(from, to, { renames: { tables: { p_old: 'p' }, columns: {} } }))).toEqual([
      'alter_table p: RENAME TABLE `p_old` TO `p`',
      'alter_table c: ALTER TABLE `c`   DROP FOREIGN KEY IF EXISTS `fk_c`',
      'alter_table p: ALTER TABLE `p`   MODIFY COLUMN `id` bigint(20) NOT NULL',
      'drop_table c: DROP TABLE `c`',
    ]);
  });

  it('a renamed table dropping its key to a renamed table whose column changes is altered first', () => {
    const from = snapshot({ tables: [parent('int(11)', 'a_old'), child('z_old', 'a_old')] });
    const to = snapshot({ tables: [parent('bigint(20)', 'a'), { ...child('z_old', 'a', 'int(11)', false), name: 'z' }] });
    const plan = planOf(from, to, { renames: { tables: { a_old: 'a', z_old: 'z' }, columns: {} } });
    expect(order(plan).filter((s) => !s.includes('RENAME TABLE'))).toEqual([
      'alter_table z: ALTER TABLE `z`   DROP FOREIGN KEY `fk_z_old`',
      'alter_table a: ALTER TABLE `a`   MODIFY COLUMN `id` bigint(20) NOT NULL',
    ]);
  });
});
