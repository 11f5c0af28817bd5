import type { MaintainTable } from '../config/types.js';
import type { AlterClause, Change } from '../diff/changes.js';
import { diffSnapshots } from '../diff/diff-snapshots.js';
import { chooseChunkKey } from '../snapshot/chunk-key.js';
import { renderRules } from '../snapshot/dialect.js';
import { canonicalJson, sha256 } from '../hash.js';
import { snapshotFingerprint } from '../snapshot/fingerprint.js';
import type { ForeignKey, Routine, Snapshot, Table, Trigger, View } from '../snapshot/model.js';
import type { Plan, PlanSettings, PlanStep, PlanSummary, ServerIdentity, StepExpectation } from './plan-types.js';
import { PLAN_FORMAT_VERSION } from './plan-types.js';
import {
  addForeignKeysSql,
  alterTableSql,
  createEventSql,
  createRoutineSql,
  createSequenceSql,
  createTableSql,
  createTriggerSql,
  createViewSql,
  dropEventSql,
  dropForeignKeysSql,
  dropRoutineSql,
  dropSequenceSql,
  dropTableSql,
  dropTriggerSql,
  dropViewSql,
  type DdlContext,
} from './render-ddl.js';
import type { SubsetResult, TableSubset } from './subset.js';
import { compareText, topoSort } from './topo-sort.js';
import { quoteIdent, sqlName } from '../sql/quote.js';

export interface PlanInput {
  readonly production: Snapshot;
  readonly sandbox: Snapshot;
  readonly source: ServerIdentity;
  readonly target: ServerIdentity;
  readonly settings: PlanSettings;
  /** Rows each maintain table will copy (counted at plan time, with its filter). */
  readonly rowCounts: Readonly<Record<string, number>>;
  /** The foreign-key closure of the maintain filters (plan/subset.ts); absent: the user's where as is. */
  readonly subset?: SubsetResult | null;
  /** Columns of maintained tables new in production since the last applied plan, unmasked (masking.newColumns: warn). */
  readonly newUnmaskedColumns?: readonly { readonly table: string; readonly column: string }[];
  /** maintain[].keep: sandbox rows kept and deleted per table (counted at plan time). */
  readonly keepCounts?: Readonly<Record<string, { readonly kept: number; readonly deleted: number }>>;
  readonly replicoopVersion: string;
  readonly createdAt: string;
}

type DraftStep = Omit<PlanStep, 'id'>;

/**
 * Pure: two snapshots and the settings in, an ordered plan out. Phases follow the original
 * design: structure (FK-dependency ordered), data for maintain tables (parents first), then
 * post-steps (foreign keys re-added, routines, views, triggers, events).
 */
export function buildPlan(input: PlanInput): Plan {
  const { production, sandbox, settings } = input;
  const context: DdlContext = {
    rules: renderRules(input.target.flavor, ...versionParts(input.target.version)),
    definers: settings.definers,
  };
  const changes = diffSnapshots(sandbox, production, { definers: settings.definers });
  const steps = planSteps(changes, production, sandbox, settings.maintain, context, input.rowCounts, input.subset ?? null, input.newUnmaskedColumns ?? [], input.keepCounts ?? {});
  const numbered: PlanStep[] = steps.map((step, index) => ({ id: stepId(index, step), ...step }));
  const summary = summarise(changes, numbered, production, settings.maintain);
  const fingerprints = { production: snapshotFingerprint(production), sandbox: snapshotFingerprint(sandbox) };
  const body = {
    formatVersion: PLAN_FORMAT_VERSION,
    replicoopVersion: input.replicoopVersion,
    createdAt: input.createdAt,
    source: input.source,
    target: input.target,
    fingerprints,
    settings,
    summary,
    steps: numbered,
    snapshots: { production, sandbox },
  };
  return { ...body, checksum: planChecksum(body) };
}

/** The checksum covers what apply executes; the snapshots are covered by their fingerprints. */
export function planChecksum(plan: Pick<Plan, 'formatVersion' | 'source' | 'target' | 'fingerprints' | 'settings' | 'steps'>): string {
  return sha256(canonicalJson({ formatVersion: plan.formatVersion, source: plan.source, target: plan.target, fingerprints: plan.fingerprints, settings: plan.settings, steps: plan.steps }));
}

function versionParts(version: string): [number, number, number] {
  const m = /^(\d+)\.(\d+)\.(\d+)/.exec(version);
  return m ? [Number(m[1]), Number(m[2]), Number(m[3])] : [0, 0, 0];
}

function stepId(index: number, step: DraftStep): string {
  const slug = step.object.toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-+|-+$/g, '').slice(0, 48) || 'object';
  return `${String(index + 1).padStart(4, '0')}-${step.kind.replace(/_/g, '-')}-${slug}`;
}

function planSteps(
  changes: readonly Change[],
  production: Snapshot,
  sandbox: Snapshot,
  maintain: readonly MaintainTable[],
  context: DdlContext,
  rowCounts: Readonly<Record<string, number>>,
  subset: SubsetResult | null,
  newUnmasked: readonly { readonly table: string; readonly column: string }[],
  keepCounts: Readonly<Record<string, { readonly kept: number; readonly deleted: number }>>,
): DraftStep[] {
  const maintainNames = new Set(maintain.map((m) => m.table));
  const prodTables = new Map(production.tables.map((t) => [t.name, t]));
  const sandboxTables = new Map(sandbox.tables.map((t) => [t.name, t]));
  const of = <K extends Change['kind']>(kind: K): Extract<Change, { kind: K }>[] =>
    changes.filter((c): c is Extract<Change, { kind: K }> => c.kind === kind).sort((a, b) => compareText(a.name, b.name));

  const structure: DraftStep[] = [];
  const data: DraftStep[] = [];
  const post: DraftStep[] = [];
  const deferredFks = new Map<string, ForeignKey[]>();
  const defer = (table: string, fk: ForeignKey): void => {
    deferredFks.set(table, [...(deferredFks.get(table) ?? []), fk]);
  };

  // 0. The database defaults, before anything is created that would take them.
  for (const change of of('alter_database')) {
    structure.push({
      phase: 'structure',
      kind: 'alter_database',
      objectType: 'database',
      object: change.name,
      sql: [`ALTER DATABASE ${quoteIdent(change.name)} CHARACTER SET ${sqlName(change.to.charset)} COLLATE ${sqlName(change.to.collation)}`],
      destructive: false,
      reason: change.reasons.join('; '),
      schemaChange: true,
      expect: null,
      data: null,
    });
  }

  // 1. Triggers go first: removed or changed ones, and every trigger on a maintain table (it must
  //    not fire while rows are copied; production's is re-created in the post phase).
  const changedTriggers = new Set([...of('alter_trigger'), ...of('drop_trigger')].map((c) => c.name));
  const droppedTables = new Set(of('drop_table').map((c) => c.name));
  const triggersToDrop = sandbox.triggers.filter((t) => !droppedTables.has(t.table) && (changedTriggers.has(t.name) || maintainNames.has(t.table)));
  for (const trigger of [...triggersToDrop].sort((a, b) => compareText(a.name, b.name))) {
    const schemaChange = changedTriggers.has(trigger.name);
    structure.push({
      phase: 'structure',
      kind: 'drop_trigger',
      objectType: 'trigger',
      object: trigger.name,
      sql: [dropTriggerSql(trigger.name)],
      destructive: false,
      reason: schemaChange ? `trigger ${trigger.name} is ${production.triggers.some((t) => t.name === trigger.name) ? 'changed' : 'not in production'}` : `trigger ${trigger.name} on maintain table ${trigger.table} must not fire while its rows are copied (re-created afterwards)`,
      schemaChange,
      expect: { objectType: 'trigger', name: trigger.name, state: 'absent', pendingForeignKeys: [] },
      data: null,
    });
  }

  // 2. Views, routines, events and sequences that production no longer has.
  for (const change of of('drop_view')) structure.push(simpleStep('structure', 'drop_view', 'view', change.name, [dropViewSql(change.name)], change, { objectType: 'view', name: change.name, state: 'absent', pendingForeignKeys: [] }));
  for (const change of of('drop_routine')) {
    structure.push(simpleStep('structure', 'drop_routine', 'routine', change.name, [dropRoutineSql(change.routine)], change, { objectType: 'routine', name: change.name, state: 'absent', pendingForeignKeys: [], routineType: change.routine.type }));
  }
  for (const change of of('drop_event')) structure.push(simpleStep('structure', 'drop_event', 'event', change.name, [dropEventSql(change.name)], change, { objectType: 'event', name: change.name, state: 'absent', pendingForeignKeys: [] }));
  for (const change of of('drop_sequence')) structure.push(simpleStep('structure', 'drop_sequence', 'sequence', change.name, [dropSequenceSql(change.name)], change, { objectType: 'sequence', name: change.name, state: 'absent', pendingForeignKeys: [] }));
  for (const change of [...of('create_sequence'), ...of('alter_sequence')]) {
    const sql = change.kind === 'alter_sequence' ? [dropSequenceSql(change.name), createSequenceSql(change.sequence)] : [createSequenceSql(change.sequence)];
    structure.push(simpleStep('structure', 'create_sequence', 'sequence', change.name, sql, change, { objectType: 'sequence', name: change.name, state: 'present', pendingForeignKeys: [] }));
  }

  // 3. Tables altered in place. Foreign keys they gain are added in the post phase, once every
  //    table they may point at has its final shape; a table whose dropped FKs point at another
  //    altered table goes first.
  const alters = of('alter_table');
  const alterByName = new Map(alters.map((a) => [a.name, a]));
  const alterOrder = topoSort(
    alters.map((a) => a.name),
    (name) => {
      // Reverse edge: if A drops an FK that points at B, A must run before B, i.e. B depends on A.
      return alters.filter((a) => a.clauses.some((c) => c.kind === 'drop_foreign_key' && c.foreignKey.referencedTable === name && c.foreignKey.referencedSchema === null)).map((a) => a.name);
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
      if (c.foreignKey.referencedSchema !== null || c.foreignKey.referencedTable === name) return [];
      const at = alterOrder.indexOf(c.foreignKey.referencedTable);
      return at >= 0 && at < position ? [c.foreignKey] : [];
    });
    if (late.length === 0) continue;
    hoisted.set(name, new Set(late.map((fk) => fk.name)));
    structure.push({
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
      expect: null,
      data: null,
    });
  }
  for (const name of alterOrder) {
    const change = alterByName.get(name)!;
    const now: AlterClause[] = [];
    for (const clause of change.clauses) {
      if (clause.kind === 'add_foreign_key') defer(name, clause.foreignKey);
      else if (clause.kind === 'drop_foreign_key' && hoisted.get(name)?.has(clause.foreignKey.name)) continue;
      else now.push(clause);
    }
    if (now.length === 0) continue;
    structure.push({
      phase: 'structure',
      kind: 'alter_table',
      objectType: 'table',
      object: name,
      sql: alterTableSql(change.to, now, context),
      destructive: change.destructive,
      reason: change.reasons.join('; '),
      schemaChange: true,
      expect: { objectType: 'table', name, state: 'present', pendingForeignKeys: (deferredFks.get(name) ?? []).map((fk) => fk.name) },
      data: null,
    });
  }

  // Tables the model cannot alter safely: re-created from production's own SHOW CREATE, never
  // altered by guessed DDL. A maintain table's rows are re-copied anyway; a structure-only
  // table's sandbox rows are lost, so that step is destructive (the plan is where it is seen).
  for (const change of of('unsupported_table')) {
    if (change.to === null) continue;
    const maintained = maintainNames.has(change.name);
    structure.push({
      phase: 'structure',
      kind: 'recreate_table',
      objectType: 'table',
      object: change.name,
      sql: [`DROP TABLE IF EXISTS ${quoteIdent(change.name)}`, change.toStatement ?? createTableSql(change.to, context)],
      destructive: !maintained,
      reason: maintained
        ? `table ${change.name} cannot be altered in place (${change.detail}); it is a maintain table, so it is re-created from production's definition and its rows re-copied`
        : `table ${change.name} cannot be altered in place (${change.detail}); it is re-created from production's definition, and its rows in the sandbox are lost`,
      schemaChange: true,
      expect: null,
      data: null,
    });
  }

  // 4. New tables, parents first; a foreign key to a table created later (or in a cycle) is deferred.
  const creates = of('create_table');
  const createByName = new Map(creates.map((c) => [c.name, c]));
  const createOrder = topoSort(
    creates.map((c) => c.name),
    (name) => createByName.get(name)!.table.foreignKeys.filter((fk) => fk.referencedSchema === null).map((fk) => fk.referencedTable),
  );
  const exists = new Set([...sandboxTables.keys()].filter((n) => !droppedTables.has(n)));
  // Foreign key names are unique per database: one still held by a table dropped later (a
  // renamed table) is added once that table is gone.
  const heldUntilDrop = new Set([...droppedTables].flatMap((n) => sandboxTables.get(n)?.foreignKeys.map((fk) => fk.name.toLowerCase()) ?? []));
  for (const name of createOrder) {
    const change = createByName.get(name)!;
    const table = change.table;
    const inline: ForeignKey[] = [];
    for (const fk of table.foreignKeys) {
      const target = fk.referencedTable;
      const free = !heldUntilDrop.has(fk.name.toLowerCase());
      if (change.createStatement || (free && (fk.referencedSchema !== null || target === name || exists.has(target)))) inline.push(fk);
      else defer(name, fk);
    }
    exists.add(name);
    const createTable: Table = { ...table, foreignKeys: inline };
    structure.push({
      phase: 'structure',
      kind: 'create_table',
      objectType: 'table',
      object: name,
      sql: [createTableSql(createTable, context, { createStatement: change.createStatement })],
      destructive: false,
      reason: `table ${name} exists only in production${change.createStatement ? ' (created from its SHOW CREATE TABLE: the model cannot represent it)' : ''}`,
      schemaChange: true,
      expect: { objectType: 'table', name, state: 'present', pendingForeignKeys: (deferredFks.get(name) ?? []).map((fk) => fk.name) },
      data: null,
    });
  }

  // 5. Tables production does not have, last (foreign keys pointing at them were dropped above).
  //    Children before parents, so that no foreign key blocks a drop.
  const drops = of('drop_table');
  const dropByName = new Map(drops.map((d) => [d.name, d]));
  const parentsFirst = topoSort(
    drops.map((d) => d.name),
    (name) => dropByName.get(name)!.table.foreignKeys.filter((fk) => fk.referencedSchema === null).map((fk) => fk.referencedTable),
  );
  const dropOrder = parentsFirst.reverse();
  // Tables in a foreign key cycle cannot be dropped in any order: the FKs that would still point at
  // an already dropped table are removed first.
  for (const [position, name] of dropOrder.entries()) {
    const blocking = dropByName.get(name)!.table.foreignKeys.filter((fk) => fk.referencedSchema === null && dropOrder.indexOf(fk.referencedTable) >= 0 && dropOrder.indexOf(fk.referencedTable) < position);
    if (blocking.length === 0) continue;
    structure.push({
      phase: 'structure',
      kind: 'alter_table',
      objectType: 'table',
      object: name,
      sql: [dropForeignKeysSql(name, blocking, context)],
      destructive: false,
      reason: `drops foreign keys of ${name} that form a cycle with other tables being dropped`,
      schemaChange: true,
      expect: null,
      data: null,
    });
  }
  for (const name of dropOrder) {
    const change = dropByName.get(name)!;
    structure.push(simpleStep('structure', 'drop_table', 'table', change.name, [dropTableSql(change.name)], change, { objectType: 'table', name: change.name, state: 'absent', pendingForeignKeys: [] }));
  }

  // Data: every maintain table, on every plan, parents before children.
  const maintainByName = new Map(maintain.map((m) => [m.table, m]));
  const dataOrder = topoSort(
    maintain.map((m) => m.table).filter((n) => prodTables.has(n)),
    (name) => prodTables.get(name)!.foreignKeys.filter((fk) => fk.referencedSchema === null).map((fk) => fk.referencedTable),
  );
  for (const name of dataOrder) {
    const table = prodTables.get(name)!;
    const entry = maintainByName.get(name)!;
    const key = chooseChunkKey(table);
    const rows = rowCounts[name] ?? 0;
    const shaped = subset?.active ? subset.tables[name] : undefined;
    const where = shaped ? shaped.where : entry.where;
    const cut = subset ? subset.relations.filter((r) => r.table === name && r.mode === 'cut').map((r) => r.id) : [];
    const fresh = newUnmasked.filter((c) => c.table === name).map((c) => c.column);
    data.push({
      phase: 'data',
      kind: 'copy_table',
      objectType: 'table',
      object: name,
      sql: [],
      destructive: false,
      reason: `refresh the rows of ${name} from production${subsetReason(entry.where, shaped)}${key ? `, chunked on ${key.join(', ')}` : ', in one pass (no usable key)'}`,
      schemaChange: false,
      expect: null,
      data: {
        table: name,
        key,
        where,
        estimatedRows: rows,
        maskedColumns: Object.entries(entry.mask).map(([column, rule]) => ({ column, rule: rule.kind === 'fixed' ? `fixed:${JSON.stringify(rule.value)}` : rule.kind })),
        ...(entry.passthrough && entry.passthrough.length > 0 ? { passthroughColumns: entry.passthrough } : {}),
        ...(fresh.length > 0 ? { newUnmaskedColumns: fresh } : {}),
        ...(entry.keep ? { keep: { where: entry.keep, keptRows: keepCounts[name]?.kept ?? 0, deletedRows: keepCounts[name]?.deleted ?? 0 } } : {}),
        ...(shaped && (shaped.where !== null || cut.length > 0)
          ? { subset: { userWhere: shaped.userWhere, restrictedBy: shaped.restrictedBy, pulledBy: shaped.pulledBy, selfClosure: shaped.selfClosure, cut } }
          : {}),
      },
    });
  }

  // Post: deferred foreign keys, then routines, views (dependency order), triggers, events.
  for (const table of [...deferredFks.keys()].sort(compareText)) {
    const fks = deferredFks.get(table)!.sort((a, b) => compareText(a.name, b.name));
    post.push({
      phase: 'post',
      kind: 'add_foreign_keys',
      objectType: 'table',
      object: table,
      sql: [addForeignKeysSql(table, fks)],
      destructive: false,
      reason: `adds foreign key${fks.length > 1 ? 's' : ''} ${fks.map((fk) => fk.name).join(', ')} once every referenced table has its final shape`,
      schemaChange: true,
      expect: { objectType: 'table', name: table, state: 'present', pendingForeignKeys: [] },
      data: null,
    });
  }
  for (const change of [...of('create_routine'), ...of('alter_routine')].sort((a, b) => compareText(a.name, b.name))) {
    const routine: Routine = change.routine;
    const sql = [...(change.kind === 'alter_routine' ? [dropRoutineSql(routine)] : []), ...createRoutineSql(routine, context)];
    post.push(simpleStep('post', 'create_routine', 'routine', routine.name, sql, change, { objectType: 'routine', name: routine.name, state: 'present', pendingForeignKeys: [], routineType: routine.type }));
  }
  const viewChanges = [...of('create_view'), ...of('alter_view')];
  const viewByName = new Map(viewChanges.map((c) => [c.name, c]));
  for (const name of topoSort(viewChanges.map((c) => c.name), (n) => viewByName.get(n)!.view.dependsOn)) {
    const change = viewByName.get(name)!;
    const view: View = change.view;
    post.push(simpleStep('post', 'create_view', 'view', name, createViewSql(view, context), change, { objectType: 'view', name, state: 'present', pendingForeignKeys: [] }));
  }
  const newTriggerNames = new Set([...of('create_trigger'), ...of('alter_trigger')].map((c) => c.name));
  const triggersToCreate: Trigger[] = production.triggers.filter((t) => newTriggerNames.has(t.name) || (maintainNames.has(t.table) && triggersToDrop.some((d) => d.name === t.name)) || (maintainNames.has(t.table) && !sandbox.triggers.some((s) => s.name === t.name)));
  for (const trigger of production.triggers.filter((t) => triggersToCreate.includes(t))) {
    const schemaChange = newTriggerNames.has(trigger.name);
    post.push({
      phase: 'post',
      kind: 'create_trigger',
      objectType: 'trigger',
      object: trigger.name,
      sql: createTriggerSql(trigger, context),
      destructive: false,
      reason: schemaChange ? `trigger ${trigger.name} on ${trigger.table} is ${sandbox.triggers.some((t) => t.name === trigger.name) ? 'changed' : 'new'} in production` : `re-creates trigger ${trigger.name} after the rows of ${trigger.table} were copied`,
      schemaChange,
      expect: { objectType: 'trigger', name: trigger.name, state: 'present', pendingForeignKeys: [] },
      data: null,
    });
  }
  for (const change of [...of('create_event'), ...of('alter_event')].sort((a, b) => compareText(a.name, b.name))) {
    const sql = [...(change.kind === 'alter_event' ? [dropEventSql(change.name)] : []), ...createEventSql(change.event, context)];
    post.push(simpleStep('post', 'create_event', 'event', change.name, sql, change, { objectType: 'event', name: change.name, state: 'present', pendingForeignKeys: [] }));
  }

  return [...structure, ...data, ...post];
}

function simpleStep(phase: PlanStep['phase'], kind: PlanStep['kind'], objectType: PlanStep['objectType'], object: string, sql: string[], change: Change, expect: StepExpectation): DraftStep {
  return { phase, kind, objectType, object, sql, destructive: change.destructive, reason: change.reasons.join('; '), schemaChange: true, expect, data: null };
}

function subsetReason(userWhere: string | null, shaped: TableSubset | undefined): string {
  if (!shaped || shaped.where === null) return userWhere ? ` (rows where ${userWhere})` : '';
  const parts: string[] = [];
  if (shaped.userWhere) parts.push(`where ${shaped.userWhere}`);
  if (shaped.restrictedBy.length > 0) parts.push(`only rows whose parents are copied (${shaped.restrictedBy.join(', ')})`);
  if (shaped.pulledBy.length > 0) parts.push(`plus rows referenced by copied rows (${shaped.pulledBy.join(', ')})`);
  if (shaped.selfClosure.length > 0) parts.push(`plus their ancestors (${shaped.selfClosure.join(', ')})`);
  return ` (subset: ${parts.join('; ')})`;
}

function summarise(changes: readonly Change[], steps: readonly PlanStep[], production: Snapshot, maintain: readonly MaintainTable[]): PlanSummary {
  const count = (kind: Change['kind']): number => changes.filter((c) => c.kind === kind).length;
  const maintained = maintain.filter((m) => production.tables.some((t) => t.name === m.table)).length;
  return {
    tablesCreated: count('create_table'),
    tablesAltered: count('alter_table'),
    tablesDropped: count('drop_table'),
    tablesRecreated: steps.filter((s) => s.kind === 'recreate_table').length,
    otherObjectsChanged: changes.filter((c) => !c.kind.endsWith('_table') && c.kind !== 'unsupported_object').length,
    maintainTables: maintained,
    structureOnlyTables: production.tables.length - maintained,
    destructiveSteps: steps.filter((s) => s.destructive).length,
    schemaChangeSteps: steps.filter((s) => s.schemaChange).length,
    dataSteps: steps.filter((s) => s.kind === 'copy_table').length,
    estimatedRowsToCopy: steps.reduce((sum, s) => sum + (s.data?.estimatedRows ?? 0), 0),
    unsupported: [
      ...changes
        .filter((c): c is Extract<Change, { kind: 'unsupported_table' | 'unsupported_object' }> => c.kind === 'unsupported_table' || c.kind === 'unsupported_object')
        // Left alone: a re-created table got its DDL.
        .filter((c) => !(c.kind === 'unsupported_table' && steps.some((s) => s.kind === 'recreate_table' && s.object === c.name)))
        .map((c) => ({ kind: c.kind === 'unsupported_table' ? 'table' : c.objectKind, name: c.name, reason: c.detail })),
    ],
  };
}
