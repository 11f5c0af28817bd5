import { generatedColumnChange, stripIntegerDisplayWidth, type GeneratedColumnChange } from '../snapshot/dialect.js';
import { canonicalJson, sha256 } from '../hash.js';
import type {
  CheckConstraint,
  Column,
  Event,
  ForeignKey,
  Index,
  Routine,
  Sequence,
  Snapshot,
  Table,
  Trigger,
  Unsupported,
  View,
} from '../snapshot/model.js';
import { quotedIdentifiers } from '../snapshot/sql-text.js';
import { comparableCreate, partitionKey, splitShowCreate } from '../snapshot/show-create.js';
import type { AlterClause, Change, ColumnPosition } from './changes.js';
import type { Renames } from '../config/types.js';
import { columnChangeSafety } from './column-safety.js';
import { withoutUnknown } from './unknown-objects.js';

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
        triggerKey(compare),
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

interface CompareOptions {
  readonly stripWidths: boolean;
  readonly definers: 'current_user' | 'keep';
  readonly renames?: Renames;
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
const triggerKey =
  (o: CompareOptions) =>
  (t: Trigger): string =>
    canonicalJson([
      t.table,
      t.timing,
      t.event,
      t.order,
      // The original text when both sides have it (a change of quoting or spacing in the header is a change too).
      t.definition ?? t.statement,
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

function columnKey(column: Column, options: CompareOptions): string {
  return canonicalJson([
    options.stripWidths ? stripIntegerDisplayWidth(column.type) : column.type,
    column.nullable,
    column.default,
    column.onUpdate,
    column.autoIncrement,
    column.charset,
    column.collation,
    column.generated,
    column.invisible,
    column.comment,
    column.check,
  ]);
}

function indexKey(index: Index): string {
  return canonicalJson([index.kind, index.parts, index.using, index.comment, index.ignored, index.parser]);
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

/** A rename of a sandbox column, from the config: production's name -> the sandbox's. */
export type ColumnRenames = ReadonlyMap<string, string>;

/** The name of the temporary column a VIRTUAL -> regular change fills first (64 characters at most). */
export function temporaryColumnName(column: string): string {
  return `__replicoop_${sha256(column).slice(0, 16)}`;
}

/**
 * rebuildFks: keys dropped and re-added even when unchanged (see foreignKeyBlockingColumns).
 * renames: production column name -> sandbox column name (config `renames`), used only when the
 * sandbox has the old name and not the new one, and production the new one and not the old.
 */
export function diffTable(
  from: Table,
  to: Table,
  options: CompareOptions = { stripWidths: false, definers: 'current_user' },
  rebuildFks: ReadonlySet<string> = new Set(),
  renames: ColumnRenames = new Map(),
): Change | null {
  const clauses: AlterClause[] = [];
  const reasons: string[] = [];
  const hints: string[] = [];
  let destructive = false;

  const fromColumnNames = new Set(from.columns.map((c) => c.name));
  const toColumnNames = new Set(to.columns.map((c) => c.name));
  // Production name -> sandbox name, for the renames that apply to this pair of tables.
  const renamed = new Map<string, string>();
  for (const [newName, oldName] of renames) {
    if (fromColumnNames.has(oldName) && !fromColumnNames.has(newName) && toColumnNames.has(newName) && !toColumnNames.has(oldName))
      renamed.set(newName, oldName);
  }
  const oldToNew = new Map([...renamed].map(([n, o]) => [o, n]));
  const asTarget = (name: string): string => oldToNew.get(name) ?? name;
  const fromColumns = new Map(from.columns.map((c) => [asTarget(c.name), c]));

  // How each kept column changes; columns dropped and re-added take their keys and CHECKs with them.
  const plannedChange = new Map<string, GeneratedColumnChange>();
  for (const column of to.columns) {
    const old = fromColumns.get(column.name);
    if (old && columnKey(old, options) !== columnKey(column, options)) plannedChange.set(column.name, generatedColumnChange(old, column));
  }
  const rebuilt = new Set([...plannedChange].filter(([, how]) => how !== 'modify').map(([name]) => name));
  const usesRebuilt = (columns: readonly (string | null)[]): boolean => columns.some((c) => c !== null && rebuilt.has(asTarget(c)));
  const checkUsesRebuilt = (check: CheckConstraint): boolean =>
    [...quotedIdentifiers(check.clause)].some((name) => rebuilt.has(asTarget(name)) || rebuilt.has(name));
  const mappedIndex = (index: Index): Index =>
    renamed.size === 0
      ? index
      : { ...index, parts: index.parts.map((p) => (p.column === null ? p : { ...p, column: asTarget(p.column) })) };
  const mappedFk = (fk: ForeignKey): ForeignKey => (renamed.size === 0 ? fk : { ...fk, columns: fk.columns.map(asTarget) });

  const fromFks = new Map(from.foreignKeys.map((fk) => [fk.name, fk]));
  const toFks = new Map(to.foreignKeys.map((fk) => [fk.name, fk]));
  for (const fk of from.foreignKeys) {
    const target = toFks.get(fk.name);
    if (!target || rebuildFks.has(fk.name) || canonicalJson(target) !== canonicalJson(mappedFk(fk)))
      clauses.push({ kind: 'drop_foreign_key', foreignKey: fk });
  }

  const fromChecks = new Map(from.checks.map((c) => [c.name, c]));
  const toChecks = new Map(to.checks.map((c) => [c.name, c]));
  for (const check of from.checks) {
    const target = toChecks.get(check.name);
    if (!target || canonicalJson(target) !== canonicalJson(check) || checkUsesRebuilt(check)) clauses.push({ kind: 'drop_check', check });
  }

  const fromIndexes = new Map(from.indexes.map((i) => [i.name, i]));
  const toIndexes = new Map(to.indexes.map((i) => [i.name, i]));
  for (const index of from.indexes) {
    const target = toIndexes.get(index.name);
    if (target && !usesRebuilt(index.parts.map((p) => p.column))) {
      if (indexKey(target) === indexKey(mappedIndex(index))) continue;
      if (indexKey({ ...target, ignored: index.ignored }) === indexKey(mappedIndex(index))) continue; // index_ignored below
    }
    // An index that only lost columns being dropped disappears with them; still drop it explicitly when it changes.
    clauses.push({ kind: 'drop_index', index });
  }

  // Columns: drops, then adds/modifies in production order with positions.
  const dropped: Column[] = [];
  for (const column of from.columns) {
    if (!toColumnNames.has(asTarget(column.name))) {
      clauses.push({ kind: 'drop_column', column });
      dropped.push(column);
      destructive = true;
      reasons.push(`column ${column.name}: dropped with its data`);
    }
  }
  const remaining = from.columns.filter((c) => toColumnNames.has(asTarget(c.name))).map((c) => asTarget(c.name));
  const targetCommon = to.columns.filter((c) => fromColumns.has(c.name)).map((c) => c.name);
  const stable = new Set(longestCommonSubsequence(remaining, targetCommon));
  const added: Column[] = [];
  to.columns.forEach((column, index) => {
    const position: ColumnPosition = index === 0 ? { first: true } : { after: to.columns[index - 1]!.name };
    const old = fromColumns.get(column.name);
    if (!old) {
      clauses.push({ kind: 'add_column', column, position });
      added.push(column);
      if (!column.nullable && column.default === null && !column.autoIncrement && !column.generated) {
        reasons.push(`column ${column.name}: added NOT NULL without a default (existing rows get the type's zero value)`);
      }
      return;
    }
    const moved = !stable.has(column.name);
    const changed = columnKey(old, options) !== columnKey(column, options);
    if (old.name !== column.name) {
      clauses.push({ kind: 'rename_column', from: old, to: column, position: moved ? position : null });
      reasons.push(`column ${old.name}: renamed to ${column.name} (config renames; its values are kept)`);
    } else if (!moved && !changed) return;
    else {
      const how = plannedChange.get(column.name) ?? 'modify';
      if (how === 'replace') {
        clauses.push({ kind: 'replace_column', from: old, to: column, position });
        reasons.push(
          `column ${column.name}: ${generationLabel(old)} -> ${generationLabel(column)} is dropped and re-added in one ALTER (the server refuses MODIFY, error 1907); its values are computed from the expression${old.generated === null ? ', so the stored values are replaced' : ''}`,
        );
      } else if (how === 'materialize') {
        clauses.push({ kind: 'materialize_column', from: old, to: column, position, temporary: temporaryColumnName(column.name) });
        reasons.push(
          `column ${column.name}: VIRTUAL -> regular: a temporary STORED column computes each row's value from the old expression, then takes its place, so no row value changes`,
        );
      } else {
        clauses.push({ kind: 'modify_column', from: old, to: column, position: moved ? position : null });
        if (old.generated !== null && old.generated.stored && column.generated === null)
          reasons.push(`column ${column.name}: STORED -> regular: MODIFY keeps each row's stored value`);
      }
    }
    if (changed) {
      const safety = columnChangeSafety(old, column);
      if (safety.destructive) {
        destructive = true;
        reasons.push(...safety.reasons);
      }
    }
  });
  for (const column of dropped) {
    const at = from.columns.indexOf(column);
    const candidate = to.columns[at];
    if (
      candidate &&
      added.includes(candidate) &&
      (options.stripWidths
        ? stripIntegerDisplayWidth(candidate.type) === stripIntegerDisplayWidth(column.type)
        : candidate.type === column.type)
    )
      hints.push(renameHint(to.name, column.name, candidate.name));
  }

  for (const index of to.indexes) {
    const old = fromIndexes.get(index.name);
    const rebuiltIndex = usesRebuilt(index.parts.map((p) => p.column));
    if (
      old &&
      !rebuiltIndex &&
      indexKey(mappedIndex(old)) !== indexKey(index) &&
      indexKey(mappedIndex({ ...old, ignored: index.ignored })) === indexKey(index)
    )
      clauses.push({ kind: 'index_ignored', index });
    else if (!old || indexKey(mappedIndex(old)) !== indexKey(index) || rebuiltIndex) clauses.push({ kind: 'add_index', index });
  }
  for (const check of to.checks) {
    const old = fromChecks.get(check.name);
    if (!old || canonicalJson(old) !== canonicalJson(check) || checkUsesRebuilt(check)) clauses.push({ kind: 'add_check', check });
  }
  for (const fk of to.foreignKeys) {
    const old = fromFks.get(fk.name);
    if (!old || rebuildFks.has(fk.name) || canonicalJson(mappedFk(old)) !== canonicalJson(fk))
      clauses.push({ kind: 'add_foreign_key', foreignKey: fk });
  }

  const a = from.options;
  const b = to.options;
  if (
    a.engine.toLowerCase() !== b.engine.toLowerCase() ||
    a.collation !== b.collation ||
    a.comment !== b.comment ||
    [...a.createOptions].sort().join(' ') !== [...b.createOptions].sort().join(' ')
  ) {
    clauses.push({ kind: 'table_options', from: a, to: b });
    if (a.engine.toLowerCase() !== b.engine.toLowerCase())
      reasons.push(`engine changes from ${a.engine} to ${b.engine} (the table is rebuilt)`);
  }
  if (partitionKey(from.partitioning) !== partitionKey(to.partitioning)) {
    clauses.push({ kind: 'partitioning', from: from.partitioning, to: to.partitioning });
    reasons.push(to.partitioning ? 'partitioning changes (the table is rebuilt)' : 'partitioning is removed (the table is rebuilt)');
  }

  if (clauses.length === 0) return null;
  const rebuiltFks = [...rebuildFks].filter((name) => {
    const a = fromFks.get(name);
    const b = toFks.get(name);
    return a !== undefined && b !== undefined && canonicalJson(a) === canonicalJson(b);
  });
  if (rebuiltFks.length > 0) {
    reasons.push(
      `foreign key${rebuiltFks.length > 1 ? 's' : ''} ${rebuiltFks.sort().join(', ')} dropped and re-added: a column on either side changes type, and MariaDB refuses that while the key exists`,
    );
  }
  if (reasons.length === 0) reasons.push(`alters table ${to.name} in place (rows are kept)`);
  return { kind: 'alter_table', name: to.name, from, to, clauses, destructive, reasons, ...(hints.length > 0 ? { hints } : {}) };
}

function generationLabel(column: Column): string {
  return column.generated === null ? 'regular' : column.generated.stored ? 'STORED' : 'VIRTUAL';
}

/** The exact config entry that would turn a drop plus an add into a rename; never applied unasked. */
export function renameHint(table: string, oldColumn: string, newColumn: string): string {
  return `${table}: column ${oldColumn} is dropped and ${newColumn} added, with the same type at the same position; if it is a rename, add to the config: renames: { ${yamlKey(table)}: { ${yamlKey(oldColumn)}: ${yamlKey(newColumn)} } }`;
}

/** Hints for the whole plan: those of altered tables, and dropped + created tables of the same columns. */
export function renameHints(changes: readonly Change[]): string[] {
  const hints = changes.flatMap((c) => (c.kind === 'alter_table' ? (c.hints ?? []) : []));
  const shape = (t: Table): string => canonicalJson(t.columns.map((c) => [c.name, stripIntegerDisplayWidth(c.type), c.nullable]));
  const created = changes.filter((c): c is Extract<Change, { kind: 'create_table' }> => c.kind === 'create_table');
  for (const dropped of changes) {
    if (dropped.kind !== 'drop_table') continue;
    const twin = created.find((c) => shape(c.table) === shape(dropped.table));
    if (twin) hints.push(tableRenameHint(dropped.name, twin.name));
  }
  return hints;
}

/** A table renamed in production looks like a drop and a create of the same shape. */
export function tableRenameHint(oldTable: string, newTable: string): string {
  return `table ${oldTable} is dropped and ${newTable} created with the same columns; if it is a rename, add to the config: renames: { ${yamlKey(oldTable)}: ${yamlKey(newTable)} }`;
}

/** A YAML flow-mapping key or value: plain when safe, else single-quoted. */
function yamlKey(name: string): string {
  return /^[A-Za-z_][A-Za-z0-9_$]*$/.test(name) ? name : `'${name.replace(/'/g, "''")}'`;
}

/** Longest common subsequence of two name lists (column reorder detection). */
export function longestCommonSubsequence(a: readonly string[], b: readonly string[]): string[] {
  const n = a.length;
  const m = b.length;
  const table: number[][] = Array.from({ length: n + 1 }, () => new Array<number>(m + 1).fill(0));
  for (let i = n - 1; i >= 0; i--) {
    for (let j = m - 1; j >= 0; j--) {
      table[i]![j] = a[i] === b[j] ? table[i + 1]![j + 1]! + 1 : Math.max(table[i + 1]![j]!, table[i]![j + 1]!);
    }
  }
  const out: string[] = [];
  let i = 0;
  let j = 0;
  while (i < n && j < m) {
    if (a[i] === b[j]) {
      out.push(a[i]!);
      i++;
      j++;
    } else if (table[i + 1]![j]! >= table[i]![j + 1]!) i++;
    else j++;
  }
  return out;
}
