import type { Plan, PlanStep, ObjectType } from '../plan/plan-types.js';
import { createTriggerSql, createViewSql, type DdlContext } from '../plan/render-ddl.js';
import { renderRules } from '../snapshot/dialect.js';
import type { Snapshot } from '../snapshot/model.js';
import { renderCreateTable } from '../snapshot/render-create-table.js';

export type ObjectAction = 'create' | 'change' | 'drop' | 'recreate';

/** Everything a plan does to one object, with its definition before and after. */
export interface ObjectChange {
  readonly objectType: ObjectType;
  readonly name: string;
  readonly action: ObjectAction;
  readonly before: string | null;
  readonly after: string | null;
  readonly steps: readonly PlanStep[];
  readonly destructive: boolean;
}

/** The order objects are listed in (plan and validation alike). */
export const OBJECT_TYPE_ORDER: Record<ObjectType, number> = { database: -1, table: 0, view: 1, trigger: 2, routine: 3, event: 4, sequence: 5 };

export function objectChanges(plan: Plan): ObjectChange[] {
  const groups = new Map<string, PlanStep[]>();
  for (const step of plan.steps) {
    if (!step.schemaChange) continue;
    const key = `${step.objectType}\u0000${step.object}`;
    groups.set(key, [...(groups.get(key) ?? []), step]);
  }
  const context: DdlContext = { rules: renderRules(plan.target.flavor), definers: plan.settings.definers };
  const out: ObjectChange[] = [];
  for (const steps of groups.values()) {
    const { objectType, object } = steps[0]!;
    const kinds = new Set(steps.map((s) => s.kind));
    const before = definition(plan.snapshots.sandbox, objectType, object, context);
    const after = definition(plan.snapshots.production, objectType, object, context);
    const action: ObjectAction = kinds.has('recreate_table') ? 'recreate' : before === null ? 'create' : after === null ? 'drop' : 'change';
    out.push({ objectType, name: object, action, before, after, steps, destructive: steps.some((s) => s.destructive) });
  }
  return out.sort((a, b) => OBJECT_TYPE_ORDER[a.objectType] - OBJECT_TYPE_ORDER[b.objectType] || (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
}

/** The object's CREATE statement as the plan shows it (DEFINER left out: it is rewritten anyway). */
export function definition(snapshot: Snapshot, objectType: ObjectType, name: string, context: DdlContext): string | null {
  switch (objectType) {
    // Names differ between the two sides; what is compared is the defaults.
    case 'database':
      return `DEFAULT CHARACTER SET ${snapshot.charset} COLLATE ${snapshot.collation}`;
    case 'table': {
      const unsupported = snapshot.unsupported.find((u) => u.kind === 'table' && u.name === name);
      if (unsupported?.createStatement) return unsupported.createStatement;
      const table = snapshot.tables.find((t) => t.name === name);
      return table ? renderCreateTable(table, context.rules) : null;
    }
    case 'view': {
      const view = snapshot.views.find((v) => v.name === name);
      return view ? createViewSql(view, context).at(-1)!.replace('CREATE OR REPLACE', 'CREATE').replace(/ DEFINER=\S+/, '') : null;
    }
    case 'trigger': {
      const trigger = snapshot.triggers.find((t) => t.name === name);
      return trigger ? createTriggerSql(trigger, context).at(-1)!.replace(/ DEFINER=\S+/, '') : null;
    }
    case 'routine':
      return snapshot.routines.find((r) => r.name === name)?.definition ?? null;
    case 'event':
      return snapshot.events.find((e) => e.name === name)?.definition ?? null;
    case 'sequence':
      return snapshot.sequences.find((s) => s.name === name)?.definition ?? null;
  }
}
