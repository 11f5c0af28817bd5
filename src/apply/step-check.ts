import { diffSnapshots } from '../diff/diff-snapshots.js';
import { diffTable } from '../diff/diff-table.js';
import type { Plan, PlanStep } from '../plan/plan-types.js';
import { forSandboxFlavor } from '../snapshot/for-flavor.js';
import type { Snapshot } from '../snapshot/model.js';

/**
 * Whether the sandbox already holds what a step produces: used when a step was left "running"
 * by a crash, and for every step when the sandbox drifted (apply --force), so that DDL that did
 * commit is not run twice. Null: the step cannot be checked (a plan made before it had an expectation).
 */
export function stepAlreadyApplied(step: PlanStep, plan: Plan, sandbox: Snapshot): boolean | null {
  const expect = step.expect;
  if (!expect) return null;
  if (expect.droppedForeignKeys) return foreignKeysDropped(expect.name, expect.droppedForeignKeys, plan, sandbox);
  if (step.kind === 'recreate_table') return tableMatchesProduction(expect.name, plan, sandbox);
  // A rename (config renames): its expectation is the old name gone; the new name must be there too.
  if (step.kind === 'alter_table' && expect.state === 'absent')
    return !sandbox.tables.some((t) => t.name === expect.name) && sandbox.tables.some((t) => t.name === step.object);
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
  const production = productionFor(plan, sandbox);
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

function productionFor(plan: Plan, sandbox: Snapshot): Snapshot {
  return forSandboxFlavor(plan.snapshots.production, sandbox.flavor, sandbox.serverVersion).snapshot;
}

/**
 * Foreign keys a step drops are gone: none of them is left on the table, or the table itself is
 * gone (a later step of the plan drops it), or the table is already in its final form (a plan
 * applied before, whose later step added a key of the same name again).
 */
function foreignKeysDropped(name: string, dropped: readonly string[], plan: Plan, sandbox: Snapshot): boolean {
  const actual = sandbox.tables.find((t) => t.name === name);
  if (!actual) return true;
  // Constraint names are case-insensitive on the server.
  const left = new Set(actual.foreignKeys.map((fk) => fk.name.toLowerCase()));
  if (dropped.every((fk) => !left.has(fk.toLowerCase()))) return true;
  const wanted = productionFor(plan, sandbox).tables.find((t) => t.name === name);
  return wanted !== undefined && diffTable(actual, wanted) === null;
}

/**
 * A table re-created because the model cannot alter it (its SHOW CREATE text is compared, not
 * the model): already done when the plan's own diff finds nothing left to change in it. Never
 * true for a table the diff would re-create again, so its sandbox rows are never dropped twice.
 */
function tableMatchesProduction(name: string, plan: Plan, sandbox: Snapshot): boolean {
  if (!sandbox.tables.some((t) => t.name === name)) return false;
  const only = (snapshot: Snapshot): Snapshot => ({
    ...snapshot,
    // The database defaults are another step's (alter_database).
    charset: sandbox.charset,
    collation: sandbox.collation,
    tables: snapshot.tables.filter((t) => t.name === name),
    views: [],
    triggers: [],
    routines: [],
    events: [],
    sequences: [],
    unsupported: snapshot.unsupported.filter((u) => u.kind === 'table' && u.name === name),
    unknown: [],
  });
  return diffSnapshots(only(sandbox), only(productionFor(plan, sandbox)), { definers: plan.settings.definers }).length === 0;
}
