import { describe, expect, it } from 'vitest';
import { planBackupScope, rowLevelBackup } from '../../../src/apply/plan-backup-scope.js';
import { column, planOf, primaryKey, snapshot, table, trigger } from '../diff/builders.js';

const keyed = (name: string, extra: string[] = []) =>
  table(name, {
    columns: [column('id', { type: 'int(11)', dataType: 'int', nullable: false }), ...extra.map((c) => column(c))],
    indexes: [primaryKey('id')],
  });

describe('planBackupScope: what the backup before a run must hold', () => {
  const sandbox = snapshot({
    tables: [keyed('altered'), keyed('old_name'), keyed('gone'), keyed('untouched'), keyed('m_full'), keyed('m_delta')],
    triggers: [trigger('m_delta_ai', 'm_delta')],
  });
  const production = snapshot({
    tables: [keyed('altered', ['b']), keyed('new_name'), keyed('created'), keyed('untouched'), keyed('m_full'), keyed('m_delta')],
    triggers: [trigger('m_delta_ai', 'm_delta')],
  });
  const settings = {
    maintain: [
      { table: 'm_full', where: null, mask: {}, copyMode: 'full' as const },
      { table: 'm_delta', where: null, mask: {} },
    ],
    renames: { tables: { old_name: 'new_name' }, columns: {} },
  };

  it('covers altered, renamed (both names), dropped, created and fully copied tables and the lifted trigger; leaves delta tables to their first write', () => {
    const plan = planOf(sandbox, production, settings);
    const { scope, onFirstWrite } = planBackupScope(plan, { full: false });
    expect(scope.relations).toEqual(['altered', 'created', 'gone', 'm_full', 'new_name', 'old_name']);
    expect(scope.triggers).toEqual(['m_delta_ai']);
    expect(scope.routines).toEqual([]);
    expect(scope.events).toEqual([]);
    expect(onFirstWrite).toEqual(['m_delta']);
    expect(scope.relations).not.toContain('untouched');
  });

  it('with apply --full every maintained table is in the backup and none is left to the copy', () => {
    const plan = planOf(sandbox, production, settings);
    const { scope, onFirstWrite } = planBackupScope(plan, { full: true });
    expect(scope.relations).toContain('m_delta');
    expect(onFirstWrite).toEqual([]);
  });

  it('a plan with no changes and no maintained tables covers nothing', () => {
    const plan = planOf(production, production, {});
    expect(planBackupScope(plan, { full: false })).toEqual({
      scope: { relations: [], triggers: [], routines: [], events: [] },
      onFirstWrite: [],
    });
  });

  it('backs a delta table up row by row when the main backup re-creates every trigger it has before or after the run', () => {
    const plan = planOf(sandbox, production, settings);
    const { scope } = planBackupScope(plan, { full: false });
    expect(rowLevelBackup(plan, scope, 'm_delta')).toEqual({ triggers: ['m_delta_ai'] });
    expect(rowLevelBackup(plan, scope, 'untouched')).toEqual({ triggers: [] });
    // A trigger the main backup does not hold would be lost by dropping it: the table is backed up whole.
    const narrower = { ...scope, triggers: [] };
    expect(rowLevelBackup(plan, narrower, 'm_delta')).toBeNull();
  });
});
