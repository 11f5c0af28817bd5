/**
 * Foreign keys that go away must be gone before anything they depend on changes, whatever object
 * owns them: the server refuses to drop or change a referenced column (1829, 1832, 1833), and to
 * re-create a referenced table in another shape (1005, errno 150), while the key exists.
 *
 * The structure phase runs table renames, then the early drops built here, then the alters
 * (which order their own dropped keys: alterTableSteps), then the re-created tables (parents
 * first), the created and the dropped tables. A key owned by a table that is re-created or
 * dropped goes away only with its owner, after every alter: so each such key that points at a
 * table altered or re-created in this plan is dropped here, first. Keys name the referenced table
 * as the sandbox does, which a config rename changes before any of this: they are compared under
 * production's name.
 */
import type { ForeignKey } from '../snapshot/model.js';
import type { StepExpectation } from './plan-types.js';
import { changesOf, type DraftStep, type StepInput } from './draft-step.js';
import { dropForeignKeysSql } from './render-ddl.js';
import { topoSort } from './topo-sort.js';

/** The production name of a table a sandbox key points at (config renames: the sandbox's old name). */
export function productionTableName({ changes }: Pick<StepInput, 'changes'>): (sandboxName: string) => string {
  const renamed = new Map(
    changesOf(changes, 'alter_table')
      .filter((c) => c.renamedFrom !== undefined)
      .map((c) => [c.renamedFrom!, c.name]),
  );
  return (name) => renamed.get(name) ?? name;
}

/** The tables re-created from production's definition, in the order they are: parents (by production's keys) first. */
export function recreateOrder({ changes }: Pick<StepInput, 'changes'>): string[] {
  const recreated = new Map(
    changesOf(changes, 'unsupported_table')
      .filter((c) => c.to !== null)
      .map((c) => [c.name, c.to!]),
  );
  return topoSort([...recreated.keys()], (name) =>
    recreated
      .get(name)!
      .foreignKeys.filter((fk) => fk.referencedSchema === null)
      .map((fk) => fk.referencedTable),
  );
}

/** Keys owned by tables dropped or re-created after the alters, that point at a table a step changes before then. */
export function goneForeignKeySteps(input: StepInput): DraftStep[] {
  const target = productionTableName(input);
  const recreated = recreateOrder(input);
  const changed = new Set([
    ...changesOf(input.changes, 'alter_table')
      .filter((c) => c.clauses.length > 0)
      .map((c) => c.name),
    ...recreated,
  ]);
  const owners: { name: string; foreignKeys: readonly ForeignKey[]; fate: string }[] = [
    ...changesOf(input.changes, 'unsupported_table')
      .filter((c) => c.to !== null && c.from !== null)
      .map((c) => ({ name: c.name, foreignKeys: c.from!.foreignKeys, fate: 're-created later' })),
    ...changesOf(input.changes, 'drop_table').map((c) => ({ name: c.name, foreignKeys: c.table.foreignKeys, fate: 'dropped later' })),
  ];
  return owners.flatMap(({ name, foreignKeys, fate }): DraftStep[] => {
    const gone = foreignKeys.filter(
      (fk) => fk.referencedSchema === null && target(fk.referencedTable) !== name && changed.has(target(fk.referencedTable)),
    );
    if (gone.length === 0) return [];
    const referenced = [...new Set(gone.map((fk) => target(fk.referencedTable)))];
    return [
      {
        phase: 'structure',
        kind: 'alter_table',
        objectType: 'table',
        object: name,
        sql: [dropForeignKeysSql(name, gone, input.context)],
        destructive: false,
        reason: `drops foreign key${gone.length > 1 ? 's' : ''} ${gone.map((fk) => fk.name).join(', ')} of ${name} (${fate}) first: ${referenced.join(', ')} change${referenced.length > 1 ? '' : 's'} before, which the server refuses while the key exists`,
        schemaChange: true,
        expect: droppedForeignKeys(name, gone),
        data: null,
      },
    ];
  });
}

/** The expectation of a step that drops foreign keys of a table. */
export function droppedForeignKeys(table: string, foreignKeys: readonly ForeignKey[]): StepExpectation {
  return {
    objectType: 'table',
    name: table,
    state: 'present',
    pendingForeignKeys: [],
    droppedForeignKeys: foreignKeys.map((fk) => fk.name),
  };
}
