import { stripIntegerDisplayWidth } from '../snapshot/dialect.js';
import { canonicalJson } from '../hash.js';
import type { Column, Event, Routine, Sequence, Snapshot, Table, Trigger, Unsupported, View } from '../snapshot/model.js';
import { comparableCreate, splitShowCreate } from '../snapshot/show-create.js';
import type { Change } from './changes.js';
import type { Renames } from '../config/types.js';
import { withoutUnknown } from './unknown-objects.js';
import { type CompareOptions, diffTable } from './diff-table.js';

export interface DiffOptions {
  /** current_user: definers are rewritten in the sandbox, so they are not compared. */
  readonly definers?: 'current_user' | 'keep';
  /** config `renames`: a sandbox table or column under its old name is the production one renamed. */
  readonly renames?: Renames;
}

/**
 * The typed changes that turn `from` (the sandbox) into `to` (production). Pure; the order of
 * the result is by object kind and name only: plan/ decides execution order.
 */
export function diffSnapshots(from: Snapshot, to: Snapshot, options: DiffOptions = {}): Change[] {
  const compare: CompareOptions = {
    stripWidths: from.flavor === 'mysql' || to.flavor === 'mysql',
    definers: options.definers ?? 'current_user',
    renames: options.renames ?? { tables: {}, columns: {} },
  };
  // Objects either side's account cannot read are unknown, never absent: no change touches them.
  return withoutUnknown(
    [
      ...diffDatabase(from, to),
      ...diffTables(from, to, compare),
      ...diffNamed(
        from.views,
        to.views,
        viewKey(compare),
        (v) => ({ kind: 'create_view', name: v.name, view: v, destructive: false, reasons: [`creates view ${v.name}`] }),
        (a, b) => ({ kind: 'alter_view', name: b.name, from: a, view: b, destructive: false, reasons: [`replaces view ${b.name}`] }),
        (v) => ({ kind: 'drop_view', name: v.name, view: v, destructive: false, reasons: [`drops view ${v.name} (views hold no data)`] }),
      ),
      ...diffNamed(
        from.triggers,
        to.triggers,
        triggerKey(compare, bothHaveText(from.triggers, to.triggers)),
        (t) => ({
          kind: 'create_trigger',
          name: t.name,
          trigger: t,
          destructive: false,
          reasons: [`creates trigger ${t.name} on ${t.table}`],
        }),
        (a, b) => ({
          kind: 'alter_trigger',
          name: b.name,
          from: a,
          trigger: b,
          destructive: false,
          reasons: [`replaces trigger ${b.name} on ${b.table}`],
        }),
        (t) => ({ kind: 'drop_trigger', name: t.name, trigger: t, destructive: false, reasons: [`drops trigger ${t.name}`] }),
      ),
      ...diffNamed(
        from.routines,
        to.routines,
        routineKey(compare),
        (r) => ({
          kind: 'create_routine',
          name: r.name,
          routine: r,
          destructive: false,
          reasons: [`creates ${r.type.toLowerCase()} ${r.name}`],
        }),
        (a, b) => ({
          kind: 'alter_routine',
          name: b.name,
          from: a,
          routine: b,
          destructive: false,
          reasons: [`replaces ${b.type.toLowerCase()} ${b.name}`],
        }),
        (r) => ({
          kind: 'drop_routine',
          name: r.name,
          routine: r,
          destructive: false,
          reasons: [`drops ${r.type.toLowerCase()} ${r.name}`],
        }),
        (r) => `${r.type}:${r.name}`,
      ),
      ...diffNamed(
        from.events,
        to.events,
        eventKey(compare),
        (e) => ({ kind: 'create_event', name: e.name, event: e, destructive: false, reasons: [`creates event ${e.name}`] }),
        (a, b) => ({ kind: 'alter_event', name: b.name, from: a, event: b, destructive: false, reasons: [`replaces event ${b.name}`] }),
        (e) => ({ kind: 'drop_event', name: e.name, event: e, destructive: false, reasons: [`drops event ${e.name}`] }),
      ),
      ...diffNamed(
        from.sequences,
        to.sequences,
        (s: Sequence) => s.definition,
        (s) => ({ kind: 'create_sequence', name: s.name, sequence: s, destructive: false, reasons: [`creates sequence ${s.name}`] }),
        (a, b) => ({
          kind: 'alter_sequence',
          name: b.name,
          from: a,
          sequence: b,
          destructive: true,
          reasons: [`recreates sequence ${b.name} (its current value restarts)`],
        }),
        (s) => ({ kind: 'drop_sequence', name: s.name, sequence: s, destructive: true, reasons: [`drops sequence ${s.name}`] }),
      ),
      ...unreadableObjects(from, to),
    ],
    from,
    to,
  );
}

/**
 * The database defaults: tables always name their character set, but routine parameters and
 * return values, and columns added later without one, take the database's.
 */
function diffDatabase(from: Snapshot, to: Snapshot): Change[] {
  if (from.charset === to.charset && from.collation === to.collation) return [];
  return [
    {
      kind: 'alter_database',
      name: from.database,
      from: { charset: from.charset, collation: from.collation },
      to: { charset: to.charset, collation: to.collation },
      destructive: false,
      reasons: [
        `the database default changes from ${from.charset}/${from.collation} to ${to.charset}/${to.collation} (existing tables keep theirs)`,
      ],
    },
  ];
}

function diffNamed<T extends { name: string }>(
  from: readonly T[],
  to: readonly T[],
  key: (item: T) => string,
  create: (item: T) => Change,
  alter: (from: T, to: T) => Change,
  drop: (item: T) => Change,
  identity: (item: T) => string = (item) => item.name,
): Change[] {
  const before = new Map(from.map((item) => [identity(item), item]));
  const after = new Map(to.map((item) => [identity(item), item]));
  const changes: Change[] = [];
  for (const [id, item] of after) {
    const old = before.get(id);
    if (!old) changes.push(create(item));
    else if (key(old) !== key(item)) changes.push(alter(old, item));
  }
  for (const [id, item] of before) if (!after.has(id)) changes.push(drop(item));
  return changes;
}

const viewKey =
  (o: CompareOptions) =>
  (v: View): string =>
    canonicalJson([v.definition, v.algorithm, v.security, v.checkOption, o.definers === 'keep' ? v.definer : '']);
/**
 * The triggers whose original statement both sides have. One side may lack it (a plan file's
 * snapshot read before it was introspected, SHOW CREATE TRIGGER refused): that pair compares
 * bodies, like with like, or the trigger would show a change forever.
 */
function bothHaveText(from: readonly Trigger[], to: readonly Trigger[]): ReadonlySet<string> {
  const withText = (triggers: readonly Trigger[]): Set<string> =>
    new Set(triggers.filter((t) => t.definition !== undefined).map((t) => t.name));
  const a = withText(from);
  return new Set([...withText(to)].filter((name) => a.has(name)));
}

const triggerKey =
  (o: CompareOptions, withText: ReadonlySet<string>) =>
  (t: Trigger): string =>
    canonicalJson([
      t.table,
      t.timing,
      t.event,
      t.order,
      // The original text when both sides have it (a change of quoting or spacing in the header is a change too).
      withText.has(t.name) ? t.definition : t.statement,
      t.sqlMode,
      t.charsetClient,
      t.collationConnection,
      o.definers === 'keep' ? t.definer : '',
    ]);
const routineKey =
  (o: CompareOptions) =>
  (r: Routine): string =>
    canonicalJson([r.definition, r.sqlMode, r.charsetClient, r.collationConnection, o.definers === 'keep' ? r.definer : '']);
const eventKey =
  (o: CompareOptions) =>
  (e: Event): string =>
    canonicalJson([e.definition, e.sqlMode, e.timeZone, e.charsetClient, e.collationConnection, o.definers === 'keep' ? e.definer : '']);

function unreadableObjects(from: Snapshot, to: Snapshot): Change[] {
  const changes: Change[] = [];
  for (const u of to.unsupported) {
    if (u.kind === 'view' || u.kind === 'routine' || u.kind === 'event') {
      changes.push({
        kind: 'unsupported_object',
        name: u.name,
        objectKind: u.kind,
        detail: `production: ${u.reason}`,
        destructive: false,
        reasons: [u.reason],
      });
    }
  }
  void from;
  return changes;
}

/**
 * The table renames that apply: the sandbox has the old name and not the new one, production the
 * new one and not the old (once applied, nothing is left to rename). Production name -> sandbox name.
 */
export function applicableTableRenames(from: Snapshot, to: Snapshot, renames: Renames | undefined): Map<string, string> {
  const out = new Map<string, string>();
  const has = (s: Snapshot, name: string): boolean => s.tables.some((t) => t.name === name);
  for (const [old, target] of Object.entries(renames?.tables ?? {}))
    if (has(from, old) && !has(from, target) && has(to, target) && !has(to, old)) out.set(target, old);
  return out;
}

function diffTables(from: Snapshot, to: Snapshot, options: CompareOptions): Change[] {
  const unsupportedFrom = new Map(from.unsupported.filter((u) => u.kind === 'table').map((u) => [u.name, u]));
  const unsupportedTo = new Map(to.unsupported.filter((u) => u.kind === 'table').map((u) => [u.name, u]));
  const tableRenames = applicableTableRenames(from, to, options.renames);
  const renamedAway = new Set(tableRenames.values());
  // A renamed sandbox table is compared under its production name.
  const before = new Map(from.tables.map((t) => [[...tableRenames].find(([, old]) => old === t.name)?.[0] ?? t.name, t]));
  const blocking = foreignKeyBlockingColumns(from, to, options);
  const changes: Change[] = [];
  for (const table of to.tables) {
    const old = before.get(table.name);
    const uTo = unsupportedTo.get(table.name);
    const uFrom = unsupportedFrom.get(table.name);
    if (!old) {
      changes.push({
        kind: 'create_table',
        name: table.name,
        table,
        createStatement: uTo?.createStatement ?? null,
        destructive: false,
        reasons: [`creates table ${table.name}`],
      });
      continue;
    }
    if (uTo || uFrom) {
      const change = unsupportedTableChange(old, table, uFrom, uTo);
      if (change) changes.push(change);
      continue;
    }
    const columnRenames = new Map(Object.entries(options.renames?.columns[table.name] ?? {}).map(([o, n]) => [n, o]));
    const alter = diffTable(old, table, options, foreignKeysToRebuild(old, blocking), columnRenames);
    const renamedFrom = tableRenames.get(table.name);
    if (renamedFrom !== undefined) {
      const reason = `renames table ${renamedFrom} to ${table.name} (config renames; its rows are kept)`;
      changes.push(
        alter && alter.kind === 'alter_table'
          ? { ...alter, renamedFrom, reasons: [reason, ...alter.reasons.filter((r) => !r.startsWith('alters table'))] }
          : {
              kind: 'alter_table',
              name: table.name,
              from: old,
              to: table,
              clauses: [],
              renamedFrom,
              destructive: false,
              reasons: [reason],
            },
      );
    } else if (alter) changes.push(alter);
  }
  const after = new Set(to.tables.map((t) => t.name));
  for (const table of from.tables) {
    if (!after.has(table.name) && !renamedAway.has(table.name))
      changes.push({
        kind: 'drop_table',
        name: table.name,
        table,
        destructive: true,
        reasons: [`drops table ${table.name} and all its rows`],
      });
  }
  return changes;
}

/** A table the model cannot represent on either side: compare the server's own text, never guess DDL. */
function unsupportedTableChange(from: Table, to: Table, uFrom: Unsupported | undefined, uTo: Unsupported | undefined): Change | null {
  const a = uFrom?.createStatement ?? null;
  const b = uTo?.createStatement ?? null;
  if (a !== null && b !== null) {
    const ca = comparableCreate(splitShowCreate(a));
    const cb = comparableCreate(splitShowCreate(b));
    if (canonicalJson(ca) === canonicalJson(cb)) return null;
  }
  const reason = (uTo ?? uFrom)!.reason;
  return {
    kind: 'unsupported_table',
    name: to.name,
    detail: reason,
    from,
    to,
    fromStatement: a,
    toStatement: b,
    destructive: false,
    reasons: [`table ${to.name} cannot be altered safely: ${reason}`],
  };
}

/**
 * Columns (table NUL column) whose type, character set, collation or nullability changes. MariaDB
 * refuses to change a column that a foreign key uses, on either side of the key (errors 1832,
 * 1833), even with foreign_key_checks=0: such keys are dropped first and re-added afterwards.
 */
function foreignKeyBlockingColumns(from: Snapshot, to: Snapshot, options: CompareOptions): Set<string> {
  const shape = (c: Column): string =>
    canonicalJson([options.stripWidths ? stripIntegerDisplayWidth(c.type) : c.type, c.charset, c.collation, c.nullable]);
  const after = new Map(to.tables.map((t) => [t.name, t]));
  const blocking = new Set<string>();
  for (const table of from.tables) {
    const target = after.get(table.name);
    if (!target) continue;
    const columns = new Map(target.columns.map((c) => [c.name, c]));
    for (const column of table.columns) {
      const changed = columns.get(column.name);
      if (changed && shape(changed) !== shape(column)) blocking.add(`${table.name}\u0000${column.name}`);
    }
  }
  return blocking;
}

/** The keys of a sandbox table that use a changing column, on their side or the referenced one. */
function foreignKeysToRebuild(table: Table, blocking: ReadonlySet<string>): Set<string> {
  const rebuild = new Set<string>();
  for (const fk of table.foreignKeys) {
    const own = fk.columns.some((c) => blocking.has(`${table.name}\u0000${c}`));
    const referenced = fk.referencedSchema === null && fk.referencedColumns.some((c) => blocking.has(`${fk.referencedTable}\u0000${c}`));
    if (own || referenced) rebuild.add(fk.name);
  }
  return rebuild;
}
