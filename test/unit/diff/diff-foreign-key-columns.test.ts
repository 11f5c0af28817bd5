import { describe, expect, it } from 'vitest';
import { diffSnapshots } from '../../../src/diff/diff-snapshots.js';
import type { ForeignKey, Table } from '../../../src/snapshot/model.js';
import { buildPlan } from '../../../src/plan/build-plan.js';
import { column, primaryKey, snapshot, table } from './builders.js';

const fk = (name: string, columns: string[], referencedTable: string, referencedColumns: string[]): ForeignKey => ({
  name,
  columns,
  referencedSchema: null,
  referencedTable,
  referencedColumns,
  onDelete: 'RESTRICT',
  onUpdate: 'RESTRICT',
});

const int = (name: string, nullable = true) => column(name, { nullable, default: nullable ? 'NULL' : null });
const big = (name: string, nullable = true) =>
  column(name, { type: 'bigint(20)', dataType: 'bigint', nullable, default: nullable ? 'NULL' : null });

function parentChild(parentId: typeof int, childRef: typeof int): Table[] {
  return [
    table('p', { columns: [parentId('id', false)], indexes: [primaryKey('id')] }),
    table('c', {
      columns: [int('id', false), childRef('p_id')],
      indexes: [primaryKey('id')],
      foreignKeys: [fk('fk_p', ['p_id'], 'p', ['id'])],
    }),
  ];
}

function plan(sandboxTables: Table[], productionTables: Table[]) {
  const identity = { host: 'h', port: 1, database: 'db', flavor: 'mariadb' as const, version: '10.11.19-MariaDB', serverId: 'x' };
  return buildPlan({
    production: snapshot({ tables: productionTables }),
    sandbox: snapshot({ tables: sandboxTables }),
    source: identity,
    target: { ...identity, serverId: 'y' },
    settings: { definers: 'current_user', maintain: [], ignore: [] },
    rowCounts: {},
    replicoopVersion: 'test',
    createdAt: '2026-01-01T00:00:00.000Z',
  });
}

describe('foreign keys over columns that change type', () => {
  it('an unchanged key is dropped and re-added when the referenced column widens', () => {
    const changes = diffSnapshots(snapshot({ tables: parentChild(int, int) }), snapshot({ tables: parentChild(big, big) }));
    const child = changes.find((c) => c.name === 'c');
    expect(child?.kind).toBe('alter_table');
    if (child?.kind !== 'alter_table') return;
    expect(child.clauses.map((c) => c.kind)).toEqual(['drop_foreign_key', 'modify_column', 'add_foreign_key']);
    expect(child.reasons).toContain(
      'foreign key fk_p dropped and re-added: a column on either side changes type, and MariaDB refuses that while the key exists',
    );
  });

  it('only the parent column changing still rebuilds the child key; a comment change does not', () => {
    const onlyParent = diffSnapshots(snapshot({ tables: parentChild(int, int) }), snapshot({ tables: parentChild(big, int) }));
    expect(onlyParent.map((c) => c.name).sort()).toEqual(['c', 'p']);
    const commented = (name: string, nullable = true) => column(name, { nullable, default: nullable ? 'NULL' : null, comment: 'note' });
    const comment = diffSnapshots(snapshot({ tables: parentChild(int, int) }), snapshot({ tables: parentChild(commented, int) }));
    expect(comment.map((c) => c.name)).toEqual(['p']);
  });

  it('a cycle of keys whose columns widen: the keys are dropped in steps of their own before any column changes', () => {
    const cycle = (type: typeof int): Table[] => [
      table('a', {
        columns: [type('id', false), type('b_id')],
        indexes: [primaryKey('id')],
        foreignKeys: [fk('fa', ['b_id'], 'b', ['id'])],
      }),
      table('b', {
        columns: [type('id', false), type('a_id')],
        indexes: [primaryKey('id')],
        foreignKeys: [fk('fb', ['a_id'], 'a', ['id'])],
      }),
    ];
    const steps = plan(cycle(int), cycle(big)).steps;
    expect(steps.map((s) => s.id)).toEqual([
      '0001-alter-table-b',
      '0002-alter-table-a',
      '0003-alter-table-b',
      '0004-add-foreign-keys-a',
      '0005-add-foreign-keys-b',
    ]);
    expect(steps[0]!.sql).toEqual(['ALTER TABLE `b`\n  DROP FOREIGN KEY IF EXISTS `fb`']);
    expect(steps[1]!.sql[0]).toContain('DROP FOREIGN KEY `fa`');
    expect(steps[2]!.sql[0]).not.toContain('DROP FOREIGN KEY');
  });
});
