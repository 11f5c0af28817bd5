/**
 * One table against its production version: the ALTER clauses that turn the sandbox's table into
 * production's, with reasons and the destructive flag. Pure; diffSnapshots (diff-snapshots.ts)
 * calls it per table, and apply's step check re-runs it on the live table.
 */
import { generatedColumnChange, stripIntegerDisplayWidth, type GeneratedColumnChange } from '../snapshot/dialect.js';
import { canonicalJson, sha256 } from '../hash.js';
import type { CheckConstraint, Column, ForeignKey, Index, Table } from '../snapshot/model.js';
import { quotedIdentifiers } from '../snapshot/sql-text.js';
import { partitionKey } from '../snapshot/show-create.js';
import type { AlterClause, Change, ColumnPosition } from './changes.js';
import type { Renames } from '../config/types.js';
import { columnChangeSafety } from './column-safety.js';
import { renameHint } from './rename-hints.js';

/** How two snapshots are compared (diffSnapshots' options, resolved). */
export interface CompareOptions {
  readonly stripWidths: boolean;
  readonly definers: 'current_user' | 'keep';
  readonly renames?: Renames;
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
        else if (old.generated === null && column.generated?.stored)
          reasons.push(
            `column ${column.name}: regular -> STORED: MODIFY computes each row's value from the expression, so the stored values are replaced`,
          );
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
