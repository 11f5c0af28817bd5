import type { BackupScope } from '../backup/backup-scope.js';
import type { DeltaBackup } from '../copy/copy-task.js';
import type { Plan } from '../plan/plan-types.js';

export interface PlanBackupScope {
  /** What the backup before the run holds (backup.scope: plan). */
  readonly scope: BackupScope;
  /** Tables of delta copies: their copy backs up the rows it changes, just before it changes them. */
  readonly onFirstWrite: readonly string[];
}

const IDENTIFIER = /`((?:[^`]|``)+)`/g;

/**
 * Everything a plan's steps can change, so that the backup before the run holds exactly what a
 * rollback must put back: the object of every structure and post step (created ones too: their
 * names are dropped on rollback), the old name of a table renamed, and the tables copied in full. A delta
 * copy's table is left to onFirstWrite, unless `full` (apply --full) copies it in full.
 */
export function planBackupScope(plan: Plan, options: { readonly full: boolean }): PlanBackupScope {
  const relationNames = new Set<string>();
  for (const snapshot of [plan.snapshots.production, plan.snapshots.sandbox]) {
    for (const t of snapshot.tables) relationNames.add(t.name);
    for (const v of snapshot.views) relationNames.add(v.name);
    for (const s of snapshot.sequences) relationNames.add(s.name);
    for (const u of snapshot.unsupported) if (u.kind === 'table' || u.kind === 'view' || u.kind === 'sequence') relationNames.add(u.name);
  }
  const relations = new Set<string>();
  const triggers = new Set<string>();
  const routines = new Set<string>();
  const events = new Set<string>();
  const onFirstWrite = new Set<string>();
  for (const step of plan.steps) {
    if (step.kind === 'copy_table') {
      const table = step.data?.table ?? step.object;
      if (step.data?.mode === 'delta' && !options.full) onFirstWrite.add(table);
      else relations.add(table);
      continue;
    }
    switch (step.objectType) {
      case 'table':
      case 'view':
      case 'sequence':
        relations.add(step.object);
        break;
      case 'trigger':
        triggers.add(step.object);
        break;
      case 'routine':
        routines.add(step.object);
        break;
      case 'event':
        events.add(step.object);
        break;
      case 'database':
        break;
    }
    // A RENAME TABLE changes a second name: the old one. (Other statements name tables they do not
    // change, e.g. a trigger's ON or a foreign key's REFERENCES.)
    for (const sql of step.sql)
      if (/^\s*RENAME\s+TABLE\b/i.test(sql))
        for (const m of sql.matchAll(IDENTIFIER)) {
          const name = m[1]!.replace(/``/g, '`');
          if (relationNames.has(name)) relations.add(name);
        }
  }
  for (const [from, to] of Object.entries(plan.settings.renames?.tables ?? {})) if (relations.has(to)) relations.add(from);
  for (const table of relations) onFirstWrite.delete(table);
  const sorted = (set: Set<string>): readonly string[] => Object.freeze([...set].sort());
  return Object.freeze({
    scope: Object.freeze({ relations: sorted(relations), triggers: sorted(triggers), routines: sorted(routines), events: sorted(events) }),
    onFirstWrite: sorted(onFirstWrite),
  });
}

/**
 * Whether a delta-copied table's rows can be backed up one by one: a rollback drops the table's
 * triggers before putting rows back (so that restoring them fires nothing) and the main backup
 * file re-creates them, so each trigger it has before or after the run must be covered by the
 * main backup (the plan lifts the triggers of copied tables, which covers them). Null: back the
 * table up whole before its first write.
 */
export function rowLevelBackup(plan: Plan, scope: BackupScope, table: string): { readonly triggers: readonly string[] } | null {
  const names = new Set<string>();
  for (const snapshot of [plan.snapshots.production, plan.snapshots.sandbox])
    for (const trigger of snapshot.triggers) if (trigger.table === table) names.add(trigger.name);
  const triggers = [...names].sort();
  return triggers.every((t) => scope.triggers.includes(t)) ? { triggers } : null;
}

/** A table the main backup holds whole: nothing to save as its copy goes. */
export const NO_DELTA_BACKUP: DeltaBackup = Object.freeze({
  beforeLeaf: () => Promise.resolve(),
  beforeWideWrite: () => Promise.resolve(),
});
