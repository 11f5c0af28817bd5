/**
 * Check 1, structure: the typed diff between two snapshots must be empty. Pure. Each difference
 * carries the object's CREATE statement on both sides as `plan` shows it
 * (plan/object-definition.ts); report/ turns them into a unified diff.
 */
import { compareText } from '../compare-text.js';
import type { Change } from '../diff/changes.js';
import { diffSnapshots } from '../diff/diff-snapshots.js';
import { changeObject, unknownEntry } from '../diff/unknown-objects.js';
import { definition, OBJECT_TYPE_ORDER } from '../plan/object-definition.js';
import type { ObjectType } from '../plan/plan-types.js';
import { renderRules } from '../snapshot/dialect.js';
import { forSandboxFlavor } from '../snapshot/for-flavor.js';
import type { Snapshot } from '../snapshot/model.js';
import { versionParts } from '../sql/server-info.js';
import type { StructureDifference, StructureResult, Uncomparable, Unreadable } from './validation-result.js';

export interface StructureOptions {
  readonly definers: 'current_user' | 'keep';
  /** Names for the two sides in the diff headers (default: sandbox, production, as plan shows them). */
  readonly labels?: readonly [string, string];
}

/**
 * `from` is the side that should already match, `to` the reference (normally: the sandbox and
 * production). Labels in the diff follow plan: "sandbox/<name>" -> "production/<name>".
 */
export function compareStructure(from: Snapshot, to: Snapshot, options: StructureOptions): StructureResult {
  // A MySQL 8 production compared with a MariaDB sandbox: on the collations the plan mapped.
  to = forSandboxFlavor(to, from.flavor, from.serverVersion).snapshot;
  const changes = diffSnapshots(from, to, { definers: options.definers });
  const context = { rules: renderRules(from.flavor, ...versionParts(from.serverVersion)), definers: options.definers };
  const labels = options.labels ?? ['sandbox', 'production'];
  const differences: StructureDifference[] = [];
  const uncomparable: Uncomparable[] = [];
  // What an account could not read is unknown, never absent: no verdict on it, only the GRANT that would show it.
  const unreadable: Unreadable[] = [from, to].flatMap((snapshot, i) =>
    (snapshot.unknown ?? []).map((u) => ({ side: labels[i]!, objectType: u.kind, name: u.name, what: u.what, grant: u.grant })),
  );
  for (const change of changes) {
    const object = changeObject(change);
    if (object !== null && (unknownEntry(from, object.kind, object.name) ?? unknownEntry(to, object.kind, object.name)) !== undefined)
      continue;
    // The model cannot read these objects on production, so it has no verdict on them: they are
    // reported, never counted as a difference (diffSnapshots emits them whatever the sandbox holds).
    if (change.kind === 'unsupported_object') {
      uncomparable.push({ objectType: change.objectKind, name: change.name, reason: change.detail });
      continue;
    }
    const objectType = objectTypeOf(change);
    const before = definition(from, objectType, change.name, context);
    const after = definition(to, objectType, change.name, context);
    const kind = before === null ? 'missing' : after === null ? 'extra' : 'differs';
    differences.push({
      objectType,
      name: change.name,
      kind,
      reasons: change.kind === 'unsupported_table' ? [change.detail, ...change.reasons] : change.reasons,
      before,
      after,
      labels: [labels[0], labels[1]],
    });
  }
  differences.sort((a, b) => OBJECT_TYPE_ORDER[a.objectType] - OBJECT_TYPE_ORDER[b.objectType] || compareText(a.name, b.name));
  return { differences, uncomparable, unreadable };
}

function objectTypeOf(change: Exclude<Change, { kind: 'unsupported_object' }>): ObjectType {
  if (change.kind === 'unsupported_table') return 'table';
  return change.kind.slice(change.kind.indexOf('_') + 1) as ObjectType;
}
