import type { Table } from './model.js';

/**
 * The key the copy engine and the checksums chunk on: the primary key, else the first unique
 * key whose columns are all NOT NULL and used whole (no prefix, no expression). Null: no such key.
 */
export function chooseChunkKey(table: Table): readonly string[] | null {
  const columns = new Map(table.columns.map((c) => [c.name, c]));
  const usable = (index: Table['indexes'][number]): boolean =>
    index.parts.length > 0 &&
    index.parts.every(
      (p) => p.column !== null && p.length === null && columns.get(p.column) !== undefined && !columns.get(p.column)!.nullable,
    ) &&
    index.using !== 'HASH';
  const primary = table.indexes.find((i) => i.kind === 'primary');
  if (primary && usable(primary)) return primary.parts.map((p) => p.column!);
  const unique = table.indexes.filter((i) => i.kind === 'unique' && usable(i));
  return unique.length > 0 ? unique[0]!.parts.map((p) => p.column!) : null;
}
