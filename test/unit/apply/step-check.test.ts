import { describe, expect, it } from 'vitest';
import { stepAlreadyApplied } from '../../../src/apply/step-check.js';
import type { Plan, PlanStep } from '../../../src/plan/plan-types.js';
import type { Snapshot, Table } from '../../../src/snapshot/model.js';
import { column, foreignKey, planOf, snapshot, table } from '../diff/builders.js';

// Each step is checked against the sandbox before the plan (its effect absent: run it) and
// against the sandbox after it (its effect there: never run it again).

function stepOf(plan: Plan, kind: PlanStep['kind'], object: string, sql: RegExp = /./): PlanStep {
  const step = plan.steps.find((s) => s.kind === kind && s.object === object && sql.test(s.sql.join('\n')));
  expect(step, `${kind} ${object} in ${plan.steps.map((s) => s.id).join(', ')}`).toBeDefined();
  return step!;
}

const withTables = (base: Snapshot, tables: Table[]): Snapshot => ({ ...base, tables });

describe('stepAlreadyApplied', () => {
  it('a rename (config renames) is done once the old name is gone and the new one is there', () => {
    const sandbox = snapshot({ tables: [table('people')] });
    const production = snapshot({ tables: [table('users', { columns: [...table('users').columns, column('email')] })] });
    const plan = planOf(sandbox, production, { renames: { tables: { people: 'users' }, columns: {} } });
    const rename = stepOf(plan, 'alter_table', 'users', /^RENAME TABLE/);
    expect(stepAlreadyApplied(rename, plan, sandbox)).toBe(false);
    // Renamed, not yet altered: the rename is done (the alter after it is not).
    const renamed = withTables(sandbox, [table('users')]);
    expect(stepAlreadyApplied(rename, plan, renamed)).toBe(true);
    expect(stepAlreadyApplied(stepOf(plan, 'alter_table', 'users', /ADD COLUMN/), plan, renamed)).toBe(false);
    expect(stepAlreadyApplied(rename, plan, production)).toBe(true);
    // Neither name there: not done (the RENAME fails and says why, rather than being skipped).
    expect(stepAlreadyApplied(rename, plan, withTables(sandbox, []))).toBe(false);
  });

  it('dropping the foreign keys of a table dropped later is done once they are gone, or the table is', () => {
    const parent = table('parent');
    const child = table('child', { foreignKeys: [foreignKey('fk_child_parent', ['p'], 'parent', ['id'])] });
    const sandbox = snapshot({ tables: [parent, child] });
    // parent changes, child goes: child's key to parent is dropped before parent is altered.
    const production = snapshot({ tables: [table('parent', { columns: [...parent.columns, column('extra')] })] });
    const plan = planOf(sandbox, production);
    const drop = stepOf(plan, 'alter_table', 'child', /DROP FOREIGN KEY/);
    expect(drop.expect?.droppedForeignKeys).toEqual(['fk_child_parent']);
    expect(stepAlreadyApplied(drop, plan, sandbox)).toBe(false);
    expect(stepAlreadyApplied(drop, plan, withTables(sandbox, [parent, table('child')]))).toBe(true);
    // The whole plan applied before (apply --force): child is gone, and with it its keys.
    expect(stepAlreadyApplied(drop, plan, production)).toBe(true);
    // Names of constraints compare case-insensitively.
    const upper = table('child', { foreignKeys: [foreignKey('FK_CHILD_PARENT', ['p'], 'parent', ['id'])] });
    expect(stepAlreadyApplied(drop, plan, withTables(sandbox, [parent, upper]))).toBe(false);
  });

  it('dropping keys of a foreign key cycle among altered tables: done when gone, or when the table is in its final form with them re-added', () => {
    const a = table('a', { foreignKeys: [foreignKey('fk_a_b', ['p'], 'b', ['id'])] });
    const b = table('b', { foreignKeys: [foreignKey('fk_b_a', ['p'], 'a', ['id'])] });
    const sandbox = snapshot({ tables: [a, b] });
    // Both tables change the type of the referenced column: every key of the cycle must go first.
    const wider = (t: Table): Table => ({
      ...t,
      columns: t.columns.map((c) =>
        c.name === 'id'
          ? { ...c, dataType: 'bigint', type: 'bigint(20)' }
          : c.name === 'p'
            ? { ...c, dataType: 'bigint', type: 'bigint(20)' }
            : c,
      ),
    });
    const production = snapshot({ tables: [wider(a), wider(b)] });
    const plan = planOf(sandbox, production);
    const drops = plan.steps.filter((s) => s.expect?.droppedForeignKeys !== undefined);
    expect(drops.length).toBeGreaterThan(0);
    for (const drop of drops) {
      expect(stepAlreadyApplied(drop, plan, sandbox), drop.id).toBe(false);
      const without = withTables(
        sandbox,
        sandbox.tables.map((t) =>
          t.name === drop.object
            ? { ...t, foreignKeys: t.foreignKeys.filter((fk) => !drop.expect!.droppedForeignKeys!.includes(fk.name)) }
            : t,
        ),
      );
      expect(stepAlreadyApplied(drop, plan, without), drop.id).toBe(true);
      // The finished plan: the keys are back under the same names, and the table is what production has.
      expect(stepAlreadyApplied(drop, plan, production), drop.id).toBe(true);
    }
  });

  it('re-creating a table the model cannot alter: done only when the plan finds nothing left to change in it', () => {
    const create = (name: string, comment: string) =>
      `CREATE TABLE \`${name}\` (\n  \`id\` int(11) NOT NULL,\n  PRIMARY KEY (\`id\`)\n) ENGINE=InnoDB COMMENT='${comment}'`;
    const unsupported = (comment: string) => [
      { kind: 'table' as const, name: 'odd', reason: 'key or constraint does not round-trip', createStatement: create('odd', comment) },
    ];
    const sandbox = snapshot({ tables: [table('odd')], unsupported: unsupported('old') });
    const production = snapshot({ tables: [table('odd')], unsupported: unsupported('new') });
    const plan = planOf(sandbox, production);
    const recreate = stepOf(plan, 'recreate_table', 'odd');
    expect(recreate.expect).not.toBeNull();
    expect(stepAlreadyApplied(recreate, plan, sandbox)).toBe(false);
    // Re-created from production's text: equal, never dropped again.
    expect(stepAlreadyApplied(recreate, plan, { ...sandbox, unsupported: unsupported('new') })).toBe(true);
    // Whatever else differs in the sandbox (another table, the database default) is other steps' business.
    expect(
      stepAlreadyApplied(recreate, plan, {
        ...sandbox,
        charset: 'latin1',
        collation: 'latin1_swedish_ci',
        tables: [table('odd'), table('other')],
        unsupported: unsupported('new'),
      }),
    ).toBe(true);
    // Gone (a crash between its DROP and its CREATE): not done, the CREATE must run.
    expect(stepAlreadyApplied(recreate, plan, { ...sandbox, tables: [], unsupported: [] })).toBe(false);
  });

  it('a change of the database defaults is done once the sandbox has them', () => {
    const sandbox = snapshot({ charset: 'latin1', collation: 'latin1_swedish_ci' });
    const production = snapshot();
    const plan = planOf(sandbox, production);
    const alter = stepOf(plan, 'alter_database', 'db');
    expect(stepAlreadyApplied(alter, plan, sandbox)).toBe(false);
    expect(stepAlreadyApplied(alter, plan, { ...sandbox, charset: 'utf8mb4', collation: 'utf8mb4_general_ci' })).toBe(true);
    expect(stepAlreadyApplied(alter, plan, { ...sandbox, charset: 'utf8mb4', collation: 'utf8mb4_bin' })).toBe(false);
  });

  it('a step without an expectation (a plan file made before) cannot be checked', () => {
    const plan = planOf(snapshot(), snapshot({ tables: [table('t')] }));
    const step = { ...stepOf(plan, 'create_table', 't'), expect: null };
    expect(stepAlreadyApplied(step, plan, snapshot())).toBeNull();
  });
});
