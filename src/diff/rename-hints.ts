/**
 * Hints, never actions: a drop plus an add that look like a rename get the exact `renames` config
 * entry that would make them one (a rename is never guessed silently). Pure.
 */
import { stripIntegerDisplayWidth } from '../snapshot/dialect.js';
import { canonicalJson } from '../hash.js';
import type { Table } from '../snapshot/model.js';
import type { Change } from './changes.js';

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
