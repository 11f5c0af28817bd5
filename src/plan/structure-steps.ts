/**
 * The structure phase: everything that gives the sandbox production's tables, in an order the
 * server accepts. Database defaults first, then triggers, views, routines, events and sequences
 * that go away, tables altered in place (FK-dependency ordered), re-created, created, dropped.
 * Foreign keys that cannot be added yet are left in `deferred` for the post phase.
 */
import { compareText } from '../compare-text.js';
import type { AlterClause } from '../diff/changes.js';
import type { ForeignKey, Table, Trigger } from '../snapshot/model.js';
import { quoteIdent, sqlName } from '../sql/quote.js';
import { changesOf, DeferredForeignKeys, simpleStep, type DraftStep, type StepInput } from './draft-step.js';
import {
  alterTableSql,
  createSequenceSql,
  createTableSql,
  dropEventSql,
  dropForeignKeysSql,
  dropRoutineSql,
  dropSequenceSql,
  dropTableSql,
  dropTriggerSql,
  dropViewSql,
} from './render-ddl.js';
import { droppedForeignKeys, goneForeignKeySteps, productionTableName, recreateOrder } from './foreign-key-order.js';
import { topoSort } from './topo-sort.js';

export interface StructureSteps {
  readonly steps: DraftStep[];
  readonly deferred: DeferredForeignKeys;
  /** Sandbox triggers dropped in this phase (those on maintain tables come back in the post phase). */
  readonly droppedTriggers: readonly Trigger[];
}

export function structureSteps(input: StepInput): StructureSteps {
  const deferred = new DeferredForeignKeys();
  const triggers = triggerDropSteps(input);
  const steps = [
    ...databaseSteps(input),
    ...triggers.steps,
    ...objectDropSteps(input),
    ...renameTableSteps(input),
    ...goneForeignKeySteps(input),
    ...alterTableSteps(input, deferred),
    ...recreateTableSteps(input),
    ...createTableSteps(input, deferred),
    ...dropTableSteps(input),
  ];
  return { steps, deferred, droppedTriggers: triggers.dropped };
}

/** 0. The database defaults, before anything is created that would take them. */
function databaseSteps({ changes }: StepInput): DraftStep[] {
  return changesOf(changes, 'alter_database').map((change) => ({
    phase: 'structure',
    kind: 'alter_database',
    objectType: 'database',
    object: change.name,
    sql: [`ALTER DATABASE ${quoteIdent(change.name)} CHARACTER SET ${sqlName(change.to.charset)} COLLATE ${sqlName(change.to.collation)}`],
    destructive: false,
    reason: change.reasons.join('; '),
    schemaChange: true,
    expect: { objectType: 'database', name: change.name, state: 'present', pendingForeignKeys: [] },
    data: null,
  }));
}

/**
 * 1. Triggers go first: removed or changed ones, and every trigger on a maintain table (it must
 *    not fire while rows are copied; production's is re-created in the post phase).
 */
function triggerDropSteps({ changes, production, sandbox, maintainNames }: StepInput): { steps: DraftStep[]; dropped: Trigger[] } {
  const changedTriggers = new Set([...changesOf(changes, 'alter_trigger'), ...changesOf(changes, 'drop_trigger')].map((c) => c.name));
  const droppedTables = new Set(changesOf(changes, 'drop_table').map((c) => c.name));
  const dropped = sandbox.triggers.filter(
    (t) => !droppedTables.has(t.table) && (changedTriggers.has(t.name) || maintainNames.has(t.table)),
  );
  const steps = [...dropped]
    .sort((a, b) => compareText(a.name, b.name))
    .map((trigger): DraftStep => {
      const schemaChange = changedTriggers.has(trigger.name);
      return {
        phase: 'structure',
        kind: 'drop_trigger',
        objectType: 'trigger',
        object: trigger.name,
        sql: [dropTriggerSql(trigger.name)],
        destructive: false,
        reason: schemaChange
          ? `trigger ${trigger.name} is ${production.triggers.some((t) => t.name === trigger.name) ? 'changed' : 'not in production'}`
          : `trigger ${trigger.name} on maintain table ${trigger.table} must not fire while its rows are copied (re-created afterwards)`,
        schemaChange,
        expect: { objectType: 'trigger', name: trigger.name, state: 'absent', pendingForeignKeys: [] },
        data: null,
      };
    });
  return { steps, dropped };
}

/** 2. Views, routines, events and sequences that production no longer has; sequences created or replaced. */
function objectDropSteps({ changes }: StepInput): DraftStep[] {
  const steps: DraftStep[] = [];
  for (const change of changesOf(changes, 'drop_view'))
    steps.push(
      simpleStep('structure', 'drop_view', 'view', change.name, [dropViewSql(change.name)], change, {
        objectType: 'view',
        name: change.name,
        state: 'absent',
        pendingForeignKeys: [],
      }),
    );
  for (const change of changesOf(changes, 'drop_routine')) {
    steps.push(
      simpleStep('structure', 'drop_routine', 'routine', change.name, [dropRoutineSql(change.routine)], change, {
        objectType: 'routine',
        name: change.name,
        state: 'absent',
        pendingForeignKeys: [],
        routineType: change.routine.type,
      }),
    );
  }
  for (const change of changesOf(changes, 'drop_event'))
    steps.push(
      simpleStep('structure', 'drop_event', 'event', change.name, [dropEventSql(change.name)], change, {
        objectType: 'event',
        name: change.name,
        state: 'absent',
        pendingForeignKeys: [],
      }),
    );
  for (const change of changesOf(changes, 'drop_sequence'))
    steps.push(
      simpleStep('structure', 'drop_sequence', 'sequence', change.name, [dropSequenceSql(change.name)], change, {
        objectType: 'sequence',
        name: change.name,
        state: 'absent',
        pendingForeignKeys: [],
      }),
    );
  for (const change of [...changesOf(changes, 'create_sequence'), ...changesOf(changes, 'alter_sequence')]) {
    const sql =
      change.kind === 'alter_sequence'
        ? [dropSequenceSql(change.name), createSequenceSql(change.sequence)]
        : [createSequenceSql(change.sequence)];
    steps.push(
      simpleStep('structure', 'create_sequence', 'sequence', change.name, sql, change, {
        objectType: 'sequence',
        name: change.name,
        state: 'present',
        pendingForeignKeys: [],
      }),
    );
  }
  return steps;
}

/** 2a. Tables production renamed (config renames), before anything refers to them by their new name. */
function renameTableSteps({ changes }: StepInput): DraftStep[] {
  return changesOf(changes, 'alter_table')
    .filter((c) => c.renamedFrom !== undefined)
    .map((change) => ({
      phase: 'structure',
      kind: 'alter_table',
      objectType: 'table',
      object: change.name,
      sql: [`RENAME TABLE ${quoteIdent(change.renamedFrom!)} TO ${quoteIdent(change.name)}`],
      destructive: false,
      reason: `renames table ${change.renamedFrom!} to ${change.name} (config renames; its rows are kept)`,
      schemaChange: true,
      // Done once the old name is gone (and the new one there: apply/step-check.ts).
      expect: { objectType: 'table', name: change.renamedFrom!, state: 'absent', pendingForeignKeys: [] },
      data: null,
    }));
}

/**
 * 3. Tables altered in place. Foreign keys they gain are added in the post phase, once every
 *    table they may point at has its final shape; a table whose dropped FKs point at another
 *    altered table goes first.
 */
function alterTableSteps(input: StepInput, deferred: DeferredForeignKeys): DraftStep[] {
  const { changes, context, maintainNames, keptNames } = input;
  // A key names the table it points at as the sandbox did before config renames ran.
  const target = productionTableName(input);
  const steps: DraftStep[] = [];
  const alters = changesOf(changes, 'alter_table');
  const alterByName = new Map(alters.map((a) => [a.name, a]));
  const alterOrder = topoSort(
    alters.map((a) => a.name),
    (name) => {
      // Reverse edge: if A drops an FK that points at B, A must run before B, i.e. B depends on A.
      return alters
        .filter((a) =>
          a.clauses.some(
            (c) => c.kind === 'drop_foreign_key' && target(c.foreignKey.referencedTable) === name && c.foreignKey.referencedSchema === null,
          ),
        )
        .map((a) => a.name);
    },
  );
  // In a cycle no order works: a table's dropped FKs that point at a table altered before it are
  // dropped in a step of their own, before any table is altered (MariaDB refuses to change a
  // column that a foreign key still uses). So are the dropped FKs of a table changing engine.
  const hoisted = new Map<string, Set<string>>();
  for (const [position, name] of alterOrder.entries()) {
    const clauses = alterByName.get(name)!.clauses;
    // An engine change in the same statement is refused while the table has foreign keys (1217).
    const engineChanges = clauses.some((c) => c.kind === 'table_options' && c.from.engine.toLowerCase() !== c.to.engine.toLowerCase());
    const late = clauses.flatMap((c) => {
      if (c.kind !== 'drop_foreign_key') return [];
      if (engineChanges) return [c.foreignKey];
      if (c.foreignKey.referencedSchema !== null || target(c.foreignKey.referencedTable) === name) return [];
      const at = alterOrder.indexOf(target(c.foreignKey.referencedTable));
      return at >= 0 && at < position ? [c.foreignKey] : [];
    });
    if (late.length === 0) continue;
    hoisted.set(name, new Set(late.map((fk) => fk.name)));
    steps.push({
      phase: 'structure',
      kind: 'alter_table',
      objectType: 'table',
      object: name,
      sql: [dropForeignKeysSql(name, late, context)],
      destructive: false,
      reason: engineChanges
        ? `drops foreign keys of ${name} first: its engine changes, which the server refuses while they exist`
        : `drops foreign keys of ${name} first: they form a cycle with other tables being altered (re-added afterwards)`,
      schemaChange: true,
      expect: droppedForeignKeys(name, late),
      data: null,
    });
  }
  for (const name of alterOrder) {
    const change = alterByName.get(name)!;
    const now: AlterClause[] = [];
    for (const clause of change.clauses) {
      if (clause.kind === 'add_foreign_key') deferred.add(name, clause.foreignKey);
      else if (clause.kind === 'drop_foreign_key' && hoisted.get(name)?.has(clause.foreignKey.name)) continue;
      else now.push(clause);
    }
    if (now.length === 0) continue;
    const loss = maintainedLoss(name, change.destructive, maintainNames, keptNames);
    steps.push({
      phase: 'structure',
      kind: 'alter_table',
      objectType: 'table',
      object: name,
      sql: alterTableSql(change.to, now, context),
      destructive: loss.destructive,
      reason: `${change.reasons.join('; ')}${loss.note}`,
      schemaChange: true,
      expect: { objectType: 'table', name, state: 'present', pendingForeignKeys: deferred.names(name) },
      data: null,
    });
  }
  return steps;
}

/**
 * What a destructive change to a table really loses. A maintain table's rows are deleted and
 * copied again from production right after its structure changes, so a dropped column or a
 * narrowed type loses nothing the refresh would not replace: not destructive, said in the
 * reason. Only rows the refresh keeps (maintain[].keep) are sandbox data that can be lost.
 */
function maintainedLoss(
  name: string,
  destructive: boolean,
  maintainNames: ReadonlySet<string>,
  keptNames: ReadonlySet<string> | undefined,
): { destructive: boolean; note: string } {
  if (!destructive || !maintainNames.has(name)) return { destructive, note: '' };
  if (keptNames?.has(name))
    return { destructive: true, note: ` (maintain table: its other rows are re-copied, but the sandbox rows kept by keep lose this data)` };
  return { destructive: false, note: ` (maintain table: its rows are re-copied from production, so no sandbox data is lost)` };
}

/**
 * Tables the model cannot alter safely: re-created from production's own SHOW CREATE, never
 * altered by guessed DDL. A maintain table's rows are re-copied anyway; a structure-only
 * table's sandbox rows are lost, so that step is destructive (the plan is where it is seen).
 */
function recreateTableSteps(input: StepInput): DraftStep[] {
  const { changes, maintainNames, keptNames, context } = input;
  const steps: DraftStep[] = [];
  const byName = new Map(changesOf(changes, 'unsupported_table').map((c) => [c.name, c]));
  // Parents first, so that a re-created child's keys find the referenced columns in their new shape.
  for (const change of recreateOrder(input).map((name) => byName.get(name)!)) {
    // A kept row (maintain[].keep) does not survive a DROP TABLE: such a table is structure-only here.
    const maintained = maintainNames.has(change.name) && !keptNames?.has(change.name);
    steps.push({
      phase: 'structure',
      kind: 'recreate_table',
      objectType: 'table',
      object: change.name,
      sql: [`DROP TABLE IF EXISTS ${quoteIdent(change.name)}`, change.toStatement ?? createTableSql(change.to!, context)],
      destructive: !maintained,
      reason: maintained
        ? `table ${change.name} cannot be altered in place (${change.detail}); it is a maintain table, so it is re-created from production's definition and its rows re-copied`
        : `table ${change.name} cannot be altered in place (${change.detail}); it is re-created from production's definition, and its rows in the sandbox are lost`,
      schemaChange: true,
      // Checked with the plan's own diff of that table (apply/step-check.ts): one that already equals production is never dropped again.
      expect: { objectType: 'table', name: change.name, state: 'present', pendingForeignKeys: [] },
      data: null,
    });
  }
  return steps;
}

/** 4. New tables, parents first; a foreign key to a table created later (or in a cycle) is deferred. */
function createTableSteps({ changes, sandbox, context }: StepInput, deferred: DeferredForeignKeys): DraftStep[] {
  const steps: DraftStep[] = [];
  const sandboxTables = new Map(sandbox.tables.map((t) => [t.name, t]));
  const droppedTables = new Set(changesOf(changes, 'drop_table').map((c) => c.name));
  const creates = changesOf(changes, 'create_table');
  const createByName = new Map(creates.map((c) => [c.name, c]));
  const createOrder = topoSort(
    creates.map((c) => c.name),
    (name) =>
      createByName
        .get(name)!
        .table.foreignKeys.filter((fk) => fk.referencedSchema === null)
        .map((fk) => fk.referencedTable),
  );
  const exists = new Set([...sandboxTables.keys()].filter((n) => !droppedTables.has(n)));
  // Foreign key names are unique per database: one still held by a table dropped later (a
  // renamed table) is added once that table is gone.
  const heldUntilDrop = new Set(
    [...droppedTables].flatMap((n) => sandboxTables.get(n)?.foreignKeys.map((fk) => fk.name.toLowerCase()) ?? []),
  );
  for (const name of createOrder) {
    const change = createByName.get(name)!;
    const table = change.table;
    const inline: ForeignKey[] = [];
    for (const fk of table.foreignKeys) {
      const target = fk.referencedTable;
      const free = !heldUntilDrop.has(fk.name.toLowerCase());
      if (change.createStatement || (free && (fk.referencedSchema !== null || target === name || exists.has(target)))) inline.push(fk);
      else deferred.add(name, fk);
    }
    exists.add(name);
    const createTable: Table = { ...table, foreignKeys: inline };
    steps.push({
      phase: 'structure',
      kind: 'create_table',
      objectType: 'table',
      object: name,
      sql: [createTableSql(createTable, context, { createStatement: change.createStatement })],
      destructive: false,
      reason: `table ${name} exists only in production${change.createStatement ? ' (created from its SHOW CREATE TABLE: the model cannot represent it)' : ''}`,
      schemaChange: true,
      expect: { objectType: 'table', name, state: 'present', pendingForeignKeys: deferred.names(name) },
      data: null,
    });
  }
  return steps;
}

/**
 * 5. Tables production does not have, last (foreign keys pointing at them were dropped above).
 *    Children before parents, so that no foreign key blocks a drop.
 */
function dropTableSteps({ changes, context }: StepInput): DraftStep[] {
  const steps: DraftStep[] = [];
  const drops = changesOf(changes, 'drop_table');
  const dropByName = new Map(drops.map((d) => [d.name, d]));
  const parentsFirst = topoSort(
    drops.map((d) => d.name),
    (name) =>
      dropByName
        .get(name)!
        .table.foreignKeys.filter((fk) => fk.referencedSchema === null)
        .map((fk) => fk.referencedTable),
  );
  const dropOrder = parentsFirst.reverse();
  // Tables in a foreign key cycle cannot be dropped in any order: the FKs that would still point at
  // an already dropped table are removed first.
  for (const [position, name] of dropOrder.entries()) {
    const blocking = dropByName
      .get(name)!
      .table.foreignKeys.filter(
        (fk) =>
          fk.referencedSchema === null && dropOrder.indexOf(fk.referencedTable) >= 0 && dropOrder.indexOf(fk.referencedTable) < position,
      );
    if (blocking.length === 0) continue;
    steps.push({
      phase: 'structure',
      kind: 'alter_table',
      objectType: 'table',
      object: name,
      sql: [dropForeignKeysSql(name, blocking, context)],
      destructive: false,
      reason: `drops foreign keys of ${name} that form a cycle with other tables being dropped`,
      schemaChange: true,
      expect: droppedForeignKeys(name, blocking),
      data: null,
    });
  }
  for (const name of dropOrder) {
    const change = dropByName.get(name)!;
    steps.push(
      simpleStep('structure', 'drop_table', 'table', change.name, [dropTableSql(change.name)], change, {
        objectType: 'table',
        name: change.name,
        state: 'absent',
        pendingForeignKeys: [],
      }),
    );
  }
  return steps;
}
