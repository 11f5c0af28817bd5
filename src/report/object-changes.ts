import { applicableTableRenames } from '../diff/diff-snapshots.js';
import type { Plan, PlanStep, ObjectType } from '../plan/plan-types.js';
import { definition, OBJECT_TYPE_ORDER } from '../plan/object-definition.js';
import type { DdlContext } from '../plan/render-ddl.js';
import { renderRules } from '../snapshot/dialect.js';

export type ObjectAction = 'create' | 'change' | 'drop' | 'recreate' | 'rename';

/** Everything a plan does to one object, with its definition before and after. */
export interface ObjectChange {
  readonly objectType: ObjectType;
  readonly name: string;
  /** config renames: the sandbox table's old name; `before` is that table's definition. */
  readonly renamedFrom?: string;
  readonly action: ObjectAction;
  readonly before: string | null;
  readonly after: string | null;
  readonly steps: readonly PlanStep[];
  readonly destructive: boolean;
}

export function objectChanges(plan: Plan): ObjectChange[] {
  const groups = new Map<string, PlanStep[]>();
  for (const step of plan.steps) {
    if (!step.schemaChange) continue;
    const key = `${step.objectType}\u0000${step.object}`;
    groups.set(key, [...(groups.get(key) ?? []), step]);
  }
  const context: DdlContext = { rules: renderRules(plan.target.flavor), definers: plan.settings.definers };
  // The same renames the diff applied, so that a renamed table is compared with its old self, not
  // shown as new (its rows are kept).
  const renames = applicableTableRenames(plan.snapshots.sandbox, plan.snapshots.production, plan.settings.renames);
  const out: ObjectChange[] = [];
  for (const steps of groups.values()) {
    const { objectType, object } = steps[0]!;
    const kinds = new Set(steps.map((s) => s.kind));
    const renamedFrom = objectType === 'table' ? renames.get(object) : undefined;
    const before = definition(plan.snapshots.sandbox, objectType, renamedFrom ?? object, context);
    const after = definition(plan.snapshots.production, objectType, object, context);
    const action: ObjectAction = kinds.has('recreate_table')
      ? 'recreate'
      : renamedFrom !== undefined
        ? 'rename'
        : before === null
          ? 'create'
          : after === null
            ? 'drop'
            : 'change';
    out.push({
      objectType,
      name: object,
      ...(renamedFrom !== undefined ? { renamedFrom } : {}),
      action,
      before,
      after,
      steps,
      destructive: steps.some((s) => s.destructive),
    });
  }
  return out.sort(
    (a, b) => OBJECT_TYPE_ORDER[a.objectType] - OBJECT_TYPE_ORDER[b.objectType] || (a.name < b.name ? -1 : a.name > b.name ? 1 : 0),
  );
}
