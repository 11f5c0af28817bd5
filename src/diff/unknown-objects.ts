/**
 * "What replicoop cannot read is unknown, never absent": changes that would drop, create,
 * re-create or alter an object one side's account cannot read are taken out of the diff.
 * Pure. buildPlan decides whether the plan may go on without them (see plan/unknown-policy.ts).
 */
import type { ObjectKind, Snapshot, UnknownObject } from '../snapshot/model.js';
import type { Change } from './changes.js';

/** The object a change is about, as the unknown list names objects. */
export function changeObject(change: Change): { readonly kind: ObjectKind; readonly name: string } | null {
  switch (change.kind) {
    case 'create_table':
    case 'alter_table':
    case 'drop_table':
    case 'unsupported_table':
      return { kind: 'table', name: change.name };
    case 'create_view':
    case 'alter_view':
    case 'drop_view':
      return { kind: 'view', name: change.name };
    case 'create_trigger':
    case 'alter_trigger':
    case 'drop_trigger':
      return { kind: 'trigger', name: change.name };
    case 'create_routine':
    case 'alter_routine':
    case 'drop_routine':
      return { kind: 'routine', name: change.name };
    case 'create_event':
    case 'alter_event':
    case 'drop_event':
      return { kind: 'event', name: change.name };
    case 'create_sequence':
    case 'alter_sequence':
    case 'drop_sequence':
      return { kind: 'sequence', name: change.name };
    case 'unsupported_object':
      return { kind: change.objectKind, name: change.name };
    case 'alter_database':
      return null;
  }
}

/** The entry that makes an object unknown in a snapshot: the object itself, or its whole class. */
export function unknownEntry(snapshot: Snapshot, kind: ObjectKind, name: string): UnknownObject | undefined {
  // Sequences are listed with the tables: a hidden table list hides them too.
  const kinds: ObjectKind[] = kind === 'sequence' ? ['sequence', 'table'] : [kind];
  return (snapshot.unknown ?? []).find((u) => kinds.includes(u.kind) && (u.name === null || u.name === name));
}

/** The changes that touch nothing unknown on either side. */
export function withoutUnknown(changes: readonly Change[], from: Snapshot, to: Snapshot): Change[] {
  if ((from.unknown ?? []).length === 0 && (to.unknown ?? []).length === 0) return [...changes];
  return changes.filter((change) => {
    const object = changeObject(change);
    return (
      object === null ||
      (unknownEntry(from, object.kind, object.name) === undefined && unknownEntry(to, object.kind, object.name) === undefined)
    );
  });
}
