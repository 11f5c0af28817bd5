import { describe, expect, it } from 'vitest';
import { planChecksum } from '../../../src/plan/build-plan.js';
import type { PlanSettings } from '../../../src/plan/plan-types.js';
import type { Table } from '../../../src/snapshot/model.js';
import { column, foreignKey, index, planOf, primaryKey, snapshot, table, trigger } from '../diff/builders.js';

const int = (name: string, nullable = true) => column(name, { nullable, default: nullable ? 'NULL' : null });
const big = (name: string, nullable = true) =>
  column(name, { type: 'bigint(20)', dataType: 'bigint', nullable, default: nullable ? 'NULL' : null });
const withRef = (name: string, ref: string, type = int): Table =>
  table(name, {
    columns: [type('id', false), type(`${ref}_id`)],
    indexes: [primaryKey('id'), index(`${ref}_id`, [`${ref}_id`])],
    foreignKeys: [foreignKey(`fk_${name}_${ref}`, [`${ref}_id`], ref, ['id'])],
  });
const ids = (tables: Table[], sandbox: Table[] = [], extra = {}) =>
  planOf(snapshot({ tables: sandbox }), snapshot({ tables, ...extra }), {}).steps.map((s) => s.id);

describe('buildPlan: step order', () => {
  it('creates parents before children; a foreign key in a cycle is added in the post phase', () => {
    expect(ids([withRef('c', 'p'), table('p')])).toEqual(['0001-create-table-p', '0002-create-table-c']);
    const plan = planOf(snapshot(), snapshot({ tables: [withRef('a', 'b'), withRef('b', 'a')] }));
    expect(plan.steps.map((s) => s.id)).toEqual(['0001-create-table-a', '0002-create-table-b', '0003-add-foreign-keys-a']);
    expect(plan.steps[0]!.sql[0]).not.toContain('FOREIGN KEY');
    expect(plan.steps[0]!.expect?.pendingForeignKeys).toEqual(['fk_a_b']);
    expect(plan.steps[1]!.sql[0]).toContain('CONSTRAINT `fk_b_a` FOREIGN KEY');
    expect(plan.steps[2]).toMatchObject({
      phase: 'post',
      sql: ['ALTER TABLE `a`\n  ADD CONSTRAINT `fk_a_b` FOREIGN KEY (`b_id`) REFERENCES `b` (`id`)'],
    });
  });

  it('drops children before parents, and breaks a dropped cycle by removing its keys first', () => {
    expect(ids([], [withRef('c', 'p'), table('p')])).toEqual(['0001-drop-table-c', '0002-drop-table-p']);
    const cycle = planOf(snapshot({ tables: [withRef('a', 'b'), withRef('b', 'a')] }), snapshot()).steps;
    expect(cycle.map((s) => s.id)).toEqual(['0001-alter-table-a', '0002-drop-table-b', '0003-drop-table-a']);
    expect(cycle[0]!.sql).toEqual(['ALTER TABLE `a`\n  DROP FOREIGN KEY IF EXISTS `fk_a_b`']);
    expect(cycle.every((s) => s.destructive === (s.kind === 'drop_table'))).toBe(true);
  });

  it('hoists the dropped keys of an altered cycle into steps of their own, before any column changes', () => {
    const cycle = (type: typeof int): Table[] => [withRef('a', 'b', type), withRef('b', 'a', type)];
    const steps = planOf(snapshot({ tables: cycle(int) }), snapshot({ tables: cycle(big) })).steps;
    expect(steps.map((s) => s.id)).toEqual([
      '0001-alter-table-b',
      '0002-alter-table-a',
      '0003-alter-table-b',
      '0004-add-foreign-keys-a',
      '0005-add-foreign-keys-b',
    ]);
    expect(steps[0]!.reason).toContain('they form a cycle');
    expect(steps[0]!.expect?.droppedForeignKeys).toEqual(['fk_b_a']);
    expect(steps[1]!.sql[0]).toMatch(/^ALTER TABLE `a`\n {2}DROP FOREIGN KEY `fk_a_b`,\n {2}MODIFY COLUMN `id` bigint\(20\) NOT NULL/);
    expect(steps[2]!.sql[0]).not.toContain('DROP FOREIGN KEY');
  });

  it('hoists the keys of a table changing engine', () => {
    const before = [table('p'), withRef('c', 'p')];
    const after = [
      table('p'),
      {
        ...table('c', { columns: withRef('c', 'p').columns, indexes: withRef('c', 'p').indexes }),
        options: { ...table('c').options, engine: 'Aria' },
      },
    ];
    const steps = planOf(snapshot({ tables: before }), snapshot({ tables: after })).steps;
    expect(steps.map((s) => s.id)).toEqual(['0001-alter-table-c', '0002-alter-table-c']);
    expect(steps[0]!.reason).toContain('its engine changes');
    expect(steps[1]!.sql[0]).toBe('ALTER TABLE `c`\n  ENGINE=Aria');
  });

  it('runs the phases in order: database, triggers, drops, alters, creates, table drops, data, post', () => {
    const sandbox = snapshot({
      collation: 'utf8mb4_bin',
      tables: [table('gone'), table('kept'), table('m')],
      triggers: [trigger('old_tr', 'kept'), trigger('m_tr', 'm')],
      views: [
        {
          name: 'old_v',
          definition: 'select 1',
          algorithm: 'UNDEFINED',
          security: 'DEFINER',
          checkOption: 'NONE',
          definer: 'r@h',
          dependsOn: [],
          charsetClient: 'utf8mb4',
          collationConnection: 'utf8mb4_general_ci',
        },
      ],
    });
    const production = snapshot({
      tables: [table('kept', { columns: [...table('kept').columns, int('n')] }), table('m'), table('new')],
      triggers: [trigger('m_tr', 'm'), trigger('new_tr', 'new')],
      views: [
        {
          name: 'v2',
          definition: 'select 2',
          algorithm: 'UNDEFINED',
          security: 'DEFINER',
          checkOption: 'NONE',
          definer: 'r@h',
          dependsOn: [],
          charsetClient: 'utf8mb4',
          collationConnection: 'utf8mb4_general_ci',
        },
      ],
    });
    const plan = planOf(sandbox, production, { maintain: [{ table: 'm', where: null, mask: {} }] }, { m: 42 });
    expect(plan.steps.map((s) => `${s.phase} ${s.id}`)).toEqual([
      'structure 0001-alter-database-db',
      'structure 0002-drop-trigger-m-tr',
      'structure 0003-drop-trigger-old-tr',
      'structure 0004-drop-view-old-v',
      'structure 0005-alter-table-kept',
      'structure 0006-create-table-new',
      'structure 0007-drop-table-gone',
      'data 0008-copy-table-m',
      'post 0009-create-view-v2',
      'post 0010-create-trigger-m-tr',
      'post 0011-create-trigger-new-tr',
    ]);
    const byId = new Map(plan.steps.map((s) => [s.id.slice(5), s]));
    expect(byId.get('drop-trigger-m-tr')).toMatchObject({
      schemaChange: false,
      reason: expect.stringContaining('must not fire while its rows are copied'),
    });
    expect(byId.get('create-trigger-m-tr')?.schemaChange).toBe(false);
    expect(byId.get('copy-table-m')?.data).toEqual({
      table: 'm',
      key: ['id'],
      where: null,
      estimatedRows: 42,
      maskedColumns: [],
      mode: 'delta',
      modeReason: expect.stringContaining('compares 42 production rows'),
    });
    expect(plan.summary).toMatchObject({
      tablesCreated: 1,
      tablesAltered: 1,
      tablesDropped: 1,
      destructiveSteps: 1,
      dataSteps: 1,
      estimatedRowsToCopy: 42,
      maintainTables: 1,
      structureOnlyTables: 2,
    });
  });

  it('copies maintain tables parents first', () => {
    const production = snapshot({ tables: [withRef('c', 'p'), table('p')] });
    const plan = planOf(production, production, {
      maintain: [
        { table: 'c', where: 'id > 1', mask: {} },
        { table: 'p', where: null, mask: {} },
      ],
    });
    expect(plan.steps.map((s) => s.id)).toEqual(['0001-copy-table-p', '0002-copy-table-c']);
    expect(plan.steps[1]!.reason).toMatch(
      /^refresh the rows of c from production \(rows where id > 1\), chunked on id; delta copy: compares/,
    );
  });

  it('chooses a delta copy only for unchanged tables with a key and comparable masks, saying why otherwise', () => {
    const keyless = table('e', { indexes: [] });
    const production = snapshot({ tables: [table('a'), table('b'), table('c'), table('d'), keyless] });
    const sandbox = snapshot({ tables: [table('a'), table('b'), table('c'), keyless] });
    const plan = planOf(sandbox, production, {
      maintain: [
        { table: 'a', where: null, mask: { p: { kind: 'fixed', value: 'x' } } },
        { table: 'b', where: null, mask: { p: { kind: 'email' } } },
        { table: 'c', where: null, mask: {}, copyMode: 'full' },
        { table: 'd', where: null, mask: {} },
        { table: 'e', where: null, mask: {} },
      ],
    });
    const modes = Object.fromEntries(plan.steps.filter((s) => s.data).map((s) => [s.object, `${s.data!.mode}: ${s.data!.modeReason}`]));
    expect(modes['a']).toMatch(/^delta: compares/);
    expect(modes['b']).toBe(
      'full: the email mask on p is computed by replicoop, not by the server: its sandbox values cannot be compared by checksum',
    );
    expect(modes['c']).toBe('full: maintain copy.mode is full');
    expect(modes['d']).toBe('full: this plan changes the table definition');
    expect(modes['e']).toBe('full: no usable key (primary key or NOT NULL unique key) to compare ranges by');
  });

  it('a column dropped from a maintain table loses nothing (its rows are re-copied) unless sandbox rows are kept', () => {
    const before = snapshot({ tables: [table('t', { columns: [int('id', false), int('p'), int('zip')] })] });
    const after = snapshot({ tables: [table('t', { columns: [int('id', false), int('p')] })] });
    const alter = (maintain: PlanSettings['maintain'] | undefined) =>
      planOf(before, after, maintain ? { maintain } : {}).steps.find((s) => s.kind === 'alter_table')!;
    expect(alter(undefined)).toMatchObject({ destructive: true, reason: 'column zip: dropped with its data' });
    expect(alter([{ table: 't', where: null, mask: {} }])).toMatchObject({
      destructive: false,
      reason: 'column zip: dropped with its data (maintain table: its rows are re-copied from production, so no sandbox data is lost)',
    });
    expect(alter([{ table: 't', where: null, mask: {}, keep: 'id > 1000' }])).toMatchObject({
      destructive: true,
      reason:
        'column zip: dropped with its data (maintain table: its other rows are re-copied, but the sandbox rows kept by keep lose this data)',
    });
  });

  it('is deterministic and its checksum covers the steps', () => {
    const a = planOf(snapshot(), snapshot({ tables: [withRef('a', 'b'), withRef('b', 'a')] }));
    const b = planOf(snapshot(), snapshot({ tables: [withRef('b', 'a'), withRef('a', 'b')] }));
    expect(b.steps).toEqual(a.steps);
    expect(a.checksum).toBe(planChecksum(a));
    expect(planChecksum({ ...a, steps: a.steps.slice(1) })).not.toBe(a.checksum);
  });
});
