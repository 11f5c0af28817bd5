/**
 * The post phase, after the data is copied: deferred foreign keys, then routines, views
 * (dependency order), triggers and events.
 */
import { compareText } from '../compare-text.js';
import { canonicalJson } from '../hash.js';
import type { ForeignKey, Index, Routine, Table, Trigger, View } from '../snapshot/model.js';
import { changesOf, simpleStep, type DeferredForeignKeys, type DraftStep, type StepInput } from './draft-step.js';
import {
  addForeignKeysSql,
  createEventSql,
  createRoutineSql,
  createTriggerSql,
  createViewSql,
  dropEventSql,
  dropRoutineSql,
} from './render-ddl.js';
import { topoSort } from './topo-sort.js';
import { unknownEntry } from '../diff/unknown-objects.js';

export function postSteps(input: StepInput, deferred: DeferredForeignKeys, droppedTriggers: readonly Trigger[]): DraftStep[] {
  return [
    ...foreignKeySteps(input, deferred),
    ...routineSteps(input),
    ...viewSteps(input),
    ...triggerSteps(input, droppedTriggers),
    ...eventSteps(input),
  ];
}

function foreignKeySteps({ production, sandbox, context }: StepInput, deferred: DeferredForeignKeys): DraftStep[] {
  return deferred.entries().map(([table, fks]) => {
    const keep = implicitIndexesToKeep(
      production.tables.find((t) => t.name === table),
      sandbox.tables.find((t) => t.name === table),
      fks,
    );
    return {
      phase: 'post',
      kind: 'add_foreign_keys',
      objectType: 'table',
      object: table,
      sql: [addForeignKeysSql(table, fks, keep, context)],
      destructive: false,
      reason: `adds foreign key${fks.length > 1 ? 's' : ''} ${fks.map((fk) => fk.name).join(', ')} once every referenced table has its final shape${
        keep.length > 0
          ? `; index${keep.length > 1 ? 'es' : ''} ${keep.map((i) => i.name).join(', ')} re-created explicitly in the same ALTER, or the server would replace ${keep.length > 1 ? 'them' : 'it'} with one named after the constraint`
          : ''
      }`,
      schemaChange: true,
      expect: { objectType: 'table', name: table, state: 'present', pendingForeignKeys: [] },
      data: null,
    };
  });
}

/**
 * The sandbox index a re-added foreign key will use, when the server may have created it for a
 * foreign key of the sandbox (an implicit index, named after the column): MariaDB replaces such an
 * index by one named after the new constraint (measured on 10.11), so the ALTER that adds the key
 * drops and adds the index explicitly, keeping production's name.
 */
export function implicitIndexesToKeep(production: Table | undefined, sandbox: Table | undefined, fks: readonly ForeignKey[]): Index[] {
  if (!production || !sandbox) return [];
  const keep: Index[] = [];
  for (const fk of fks) {
    const hadKey = sandbox.foreignKeys.some((old) => old.columns.join('\u0000') === fk.columns.join('\u0000'));
    if (!hadKey) continue;
    const usable = production.indexes.find(
      (index) =>
        index.kind !== 'fulltext' &&
        index.kind !== 'spatial' &&
        fk.columns.every((c, i) => index.parts[i]?.column === c && index.parts[i]?.length === null),
    );
    if (!usable || usable.kind !== 'index' || usable.name === fk.name || keep.some((k) => k.name === usable.name)) continue;
    const before = sandbox.indexes.find((i) => i.name === usable.name);
    if (before && canonicalJson(before) === canonicalJson(usable)) keep.push(usable);
  }
  return keep;
}

function routineSteps({ changes, context }: StepInput): DraftStep[] {
  return [...changesOf(changes, 'create_routine'), ...changesOf(changes, 'alter_routine')]
    .sort((a, b) => compareText(a.name, b.name))
    .map((change) => {
      const routine: Routine = change.routine;
      const sql = [...(change.kind === 'alter_routine' ? [dropRoutineSql(routine)] : []), ...createRoutineSql(routine, context)];
      return simpleStep('post', 'create_routine', 'routine', routine.name, sql, change, {
        objectType: 'routine',
        name: routine.name,
        state: 'present',
        pendingForeignKeys: [],
        routineType: routine.type,
      });
    });
}

function viewSteps({ changes, context }: StepInput): DraftStep[] {
  const viewChanges = [...changesOf(changes, 'create_view'), ...changesOf(changes, 'alter_view')];
  const viewByName = new Map(viewChanges.map((c) => [c.name, c]));
  return topoSort(
    viewChanges.map((c) => c.name),
    (n) => viewByName.get(n)!.view.dependsOn,
  ).map((name) => {
    const change = viewByName.get(name)!;
    const view: View = change.view;
    return simpleStep('post', 'create_view', 'view', name, createViewSql(view, context), change, {
      objectType: 'view',
      name,
      state: 'present',
      pendingForeignKeys: [],
    });
  });
}

/** Production's triggers that are new or changed, and those lifted off maintain tables for the copy. */
function triggerSteps(
  { changes, production, sandbox, maintainNames, context }: StepInput,
  droppedTriggers: readonly Trigger[],
): DraftStep[] {
  const newTriggerNames = new Set([...changesOf(changes, 'create_trigger'), ...changesOf(changes, 'alter_trigger')].map((c) => c.name));
  // A sandbox trigger lifted around a copy whose production counterpart is unknown (unknown: { triggers: skip })
  // is put back as the sandbox had it: the class is left untouched.
  const restored = droppedTriggers.filter((t) => unknownEntry(production, 'trigger', t.name) !== undefined);
  const toCreate = production.triggers.filter(
    (t) =>
      !restored.some((r) => r.name === t.name) &&
      (newTriggerNames.has(t.name) ||
        (maintainNames.has(t.table) && droppedTriggers.some((d) => d.name === t.name)) ||
        (maintainNames.has(t.table) && !sandbox.triggers.some((s) => s.name === t.name))),
  );
  return [...toCreate, ...restored].map((trigger) => {
    const schemaChange = newTriggerNames.has(trigger.name);
    return {
      phase: 'post',
      kind: 'create_trigger',
      objectType: 'trigger',
      object: trigger.name,
      sql: createTriggerSql(trigger, context),
      destructive: false,
      reason: schemaChange
        ? `trigger ${trigger.name} on ${trigger.table} is ${sandbox.triggers.some((t) => t.name === trigger.name) ? 'changed' : 'new'} in production`
        : `re-creates trigger ${trigger.name} after the rows of ${trigger.table} were copied`,
      schemaChange,
      expect: { objectType: 'trigger', name: trigger.name, state: 'present', pendingForeignKeys: [] },
      data: null,
    };
  });
}

function eventSteps({ changes, context }: StepInput): DraftStep[] {
  return [...changesOf(changes, 'create_event'), ...changesOf(changes, 'alter_event')]
    .sort((a, b) => compareText(a.name, b.name))
    .map((change) => {
      const sql = [...(change.kind === 'alter_event' ? [dropEventSql(change.name)] : []), ...createEventSql(change.event, context)];
      return simpleStep('post', 'create_event', 'event', change.name, sql, change, {
        objectType: 'event',
        name: change.name,
        state: 'present',
        pendingForeignKeys: [],
      });
    });
}
