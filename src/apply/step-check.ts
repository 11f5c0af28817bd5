import { diffSnapshots } from '../diff/diff-snapshots.js';
import { diffTable } from '../diff/diff-table.js';
import type { Plan, PlanStep } from '../plan/plan-types.js';
import { forSandboxFlavor } from '../snapshot/for-flavor.js';
import type { Snapshot } from '../snapshot/model.js';

/**
 * Whether the sandbox already holds what a step produces: used when a step was left "running"
 * by a crash, so that DDL that did commit is not run twice. Null: the step cannot be checked.
 */
export function stepAlreadyApplied(step: PlanStep, plan: Plan, sandbox: Snapshot): boolean | null {
  const expect = step.expect;
  if (!expect) return null;
  const find = (snapshot: Snapshot): boolean => {
    switch (expect.objectType) {
      case 'database':
        return true;
      case 'table':
        return snapshot.tables.some((t) => t.name === expect.name);
      case 'view':
        return snapshot.views.some((v) => v.name === expect.name);
      case 'trigger':
        return snapshot.triggers.some((t) => t.name === expect.name);
      case 'routine':
        return snapshot.routines.some((r) => r.name === expect.name && (!expect.routineType || r.type === expect.routineType));
      case 'event':
        return snapshot.events.some((e) => e.name === expect.name);
      case 'sequence':
        return snapshot.sequences.some((s) => s.name === expect.name);
    }
  };
  if (expect.state === 'absent') return !find(sandbox);
  if (!find(sandbox)) return false;
  const production = forSandboxFlavor(plan.snapshots.production, sandbox.flavor, sandbox.serverVersion).snapshot;
  if (expect.objectType === 'table') {
    const wanted = production.tables.find((t) => t.name === expect.name);
    const actual = sandbox.tables.find((t) => t.name === expect.name);
    if (!wanted || !actual) return false;
    const pending = new Set(expect.pendingForeignKeys);
    const expected = { ...wanted, foreignKeys: wanted.foreignKeys.filter((fk) => !pending.has(fk.name)) };
    // Or the table is already in its final form, the later steps' foreign keys included (a plan applied before: apply --force).
    return diffTable(actual, expected) === null || (pending.size > 0 && diffTable(actual, wanted) === null);
  }
  // Other objects: compare just that object of both snapshots with the plan's own diff rules.
  const only = (snapshot: Snapshot): Snapshot => ({
    ...snapshot,
    tables: [],
    views: snapshot.views.filter((v) => expect.objectType === 'view' && v.name === expect.name),
    triggers: snapshot.triggers.filter((t) => expect.objectType === 'trigger' && t.name === expect.name),
    routines: snapshot.routines.filter((r) => expect.objectType === 'routine' && r.name === expect.name),
    events: snapshot.events.filter((e) => expect.objectType === 'event' && e.name === expect.name),
    sequences: snapshot.sequences.filter((s) => expect.objectType === 'sequence' && s.name === expect.name),
    unsupported: [],
  });
  return diffSnapshots(only(sandbox), only(production), { definers: plan.settings.definers }).length === 0;
}
