/**
 * One line per changed object, for a reviewer who has not opened it yet:
 * `+1 column, ~1 type (varchar(30) -> varchar(45)), -1 index`. Pure: read from the plan's two
 * snapshots with the same table diff the plan was built from.
 */
import type { AlterClause } from '../diff/changes.js';
import { diffTable } from '../diff/diff-table.js';
import type { Plan } from '../plan/plan-types.js';
import type { Column, Table } from '../snapshot/model.js';
import type { ObjectChange } from './object-changes.js';

/** Types shown in full up to this many changes; past it, only the count. */
const TYPES_SHOWN = 3;

export function objectSummary(change: ObjectChange, plan: Plan): string {
  if (change.objectType === 'database') {
    const { sandbox, production } = plan.snapshots;
    return `default character set ${sandbox.charset}/${sandbox.collation} -> ${production.charset}/${production.collation}`;
  }
  if (change.objectType !== 'table') return otherSummary(change);
  const sandboxName = change.renamedFrom ?? change.name;
  const sandbox = plan.snapshots.sandbox.tables.find((t) => t.name === sandboxName) ?? null;
  const production = plan.snapshots.production.tables.find((t) => t.name === change.name) ?? null;
  if (change.action === 'recreate') return "re-created from production's definition (cannot be altered in place)";
  if (sandbox === null && production !== null) return `new table: ${count(production.columns.length, 'column')}${tableExtras(production)}`;
  if (production === null) return sandbox ? `dropped with its rows (${count(sandbox.columns.length, 'column')})` : 'dropped';
  if (sandbox === null) return change.action;
  // The column renames the diff applied, so that a renamed column is not counted as dropped and added.
  const columnRenames = new Map(Object.entries(plan.settings.renames?.columns[change.name] ?? {}).map(([o, n]) => [n, o]));
  const alter = diffTable(
    sandbox,
    production,
    { stripWidths: plan.source.flavor === 'mysql' || plan.target.flavor === 'mysql', definers: plan.settings.definers },
    new Set(),
    columnRenames,
  );
  const clauses = alter?.kind === 'alter_table' ? clauseSummary(alter.clauses) : '';
  if (change.renamedFrom !== undefined)
    return [`renamed from ${change.renamedFrom} (its rows are kept)`, clauses].filter(Boolean).join(', ');
  if (alter === null || alter.kind !== 'alter_table') return 'foreign keys only';
  return clauses || 'changed';
}

function otherSummary(change: ObjectChange): string {
  const what = change.objectType;
  if (change.action === 'create') return `new ${what}`;
  if (change.action === 'drop') return `${what} dropped`;
  return `${what} replaced (definition changes)`;
}

function tableExtras(table: Table): string {
  const parts: string[] = [];
  const indexes = table.indexes.filter((i) => i.kind !== 'primary').length;
  if (indexes > 0) parts.push(count(indexes, 'index'));
  if (table.foreignKeys.length > 0) parts.push(count(table.foreignKeys.length, 'foreign key'));
  return parts.length > 0 ? `, ${parts.join(', ')}` : '';
}

/** Counts per kind of clause, in the order a reviewer reads them: columns, types, indexes, keys, checks, options. */
export function clauseSummary(clauses: readonly AlterClause[]): string {
  const named = (kind: 'index' | 'foreign key' | 'check', add: readonly string[], drop: readonly string[]): string[] => {
    const changed = add.filter((n) => drop.includes(n));
    const parts: string[] = [];
    const added = add.length - changed.length;
    const dropped = drop.length - changed.length;
    if (added > 0) parts.push(`+${count(added, kind)}`);
    if (changed.length > 0) parts.push(`~${count(changed.length, kind)}`);
    if (dropped > 0) parts.push(`-${count(dropped, kind)}`);
    return parts;
  };
  const of = <K extends AlterClause['kind']>(kind: K): Extract<AlterClause, { kind: K }>[] =>
    clauses.filter((c): c is Extract<AlterClause, { kind: K }> => c.kind === kind);
  const parts: string[] = [];
  const added = of('add_column').length;
  const dropped = of('drop_column').length;
  const renamed = of('rename_column');
  if (renamed.length > 0)
    parts.push(`${count(renamed.length, 'column')} renamed (${renamed.map((r) => `${r.from.name} -> ${r.to.name}`).join(', ')})`);
  if (added > 0) parts.push(`+${count(added, 'column')}`);
  const modified = of('modify_column');
  const typed = modified.filter((m) => m.from.type !== m.to.type);
  if (typed.length > 0) {
    const shown = typed.length <= TYPES_SHOWN ? ` (${typed.map((m) => `${m.to.name} ${m.from.type} -> ${m.to.type}`).join(', ')})` : '';
    parts.push(`~${count(typed.length, 'type')}${shown}`);
  }
  const sameType = modified.filter((m) => m.from.type === m.to.type);
  const attributes = sameType.filter((m) => m.position === null || columnAttributesDiffer(m.from, m.to));
  const movedOnly = sameType.filter((m) => m.position !== null && !columnAttributesDiffer(m.from, m.to));
  if (attributes.length > 0) parts.push(`~${count(attributes.length, 'column')} (${attributes.map((m) => m.to.name).join(', ')})`);
  if (movedOnly.length > 0) parts.push(`${count(movedOnly.length, 'column')} moved`);
  if (dropped > 0) parts.push(`-${count(dropped, 'column')}`);
  parts.push(
    ...named(
      'index',
      of('add_index').map((c) => c.index.name),
      of('drop_index').map((c) => c.index.name),
    ),
  );
  parts.push(
    ...named(
      'foreign key',
      of('add_foreign_key').map((c) => c.foreignKey.name),
      of('drop_foreign_key').map((c) => c.foreignKey.name),
    ),
  );
  parts.push(
    ...named(
      'check',
      of('add_check').map((c) => c.check.name),
      of('drop_check').map((c) => c.check.name),
    ),
  );
  for (const option of of('table_options')) {
    if (option.from.engine.toLowerCase() !== option.to.engine.toLowerCase())
      parts.push(`engine ${option.from.engine} -> ${option.to.engine}`);
    else parts.push('table options');
  }
  if (of('partitioning').length > 0) parts.push('partitioning');
  return parts.join(', ');
}

function columnAttributesDiffer(a: Column, b: Column): boolean {
  return JSON.stringify({ ...a, name: '' }) !== JSON.stringify({ ...b, name: '' });
}

function count(n: number, noun: string): string {
  if (n === 1) return `1 ${noun}`;
  return `${n} ${noun === 'index' ? 'indexes' : `${noun}s`}`;
}
