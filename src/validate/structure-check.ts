/**
 * Check 1, structure: the typed diff between two snapshots must be empty. Pure. Differences are
 * rendered the way `plan` renders them: the object's CREATE statement on each side, as a
 * unified diff (report/object-changes.ts definition() and report/render-plan.ts unifiedDiff()).
 */
import type { Change } from '../diff/changes.js';
import { diffSnapshots } from '../diff/diff-snapshots.js';
import type { ObjectType } from '../plan/plan-types.js';
import { definition, OBJECT_TYPE_ORDER } from '../report/object-changes.js';
import { unifiedDiff } from '../report/render-plan.js';
import { renderRules } from '../snapshot/dialect.js';
import type { Snapshot } from '../snapshot/model.js';
import type { StructureDifference, StructureResult, Uncomparable } from './validation-result.js';

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
  const changes = diffSnapshots(from, to, { definers: options.definers });
  const context = { rules: renderRules(from.flavor, ...versionParts(from.serverVersion)), definers: options.definers };
  const differences: StructureDifference[] = [];
  const uncomparable: Uncomparable[] = [];
  for (const change of changes) {
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
    let diff = unifiedDiff({ objectType, name: change.name, action: kind === 'missing' ? 'create' : kind === 'extra' ? 'drop' : 'change', before, after, steps: [], destructive: false });
    // Two texts can be equal while the models differ (e.g. definers compared with definers: keep).
    if (!diff.includes('\n@@')) diff = '';
    else if (options.labels) diff = relabel(diff, options.labels);
    differences.push({ objectType, name: change.name, kind, reasons: change.kind === 'unsupported_table' ? [change.detail, ...change.reasons] : change.reasons, diff });
  }
  differences.sort((a, b) => OBJECT_TYPE_ORDER[a.objectType] - OBJECT_TYPE_ORDER[b.objectType] || (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  return { differences, uncomparable };
}

function relabel(diff: string, [from, to]: readonly [string, string]): string {
  return diff.replace(/^--- sandbox\//m, `--- ${from}/`).replace(/^\+\+\+ production\//m, `+++ ${to}/`);
}

function objectTypeOf(change: Exclude<Change, { kind: 'unsupported_object' }>): ObjectType {
  if (change.kind === 'unsupported_table') return 'table';
  return change.kind.slice(change.kind.indexOf('_') + 1) as ObjectType;
}

function versionParts(version: string): [number, number, number] {
  const m = /^(\d+)\.(\d+)\.(\d+)/.exec(version);
  return m ? [Number(m[1]), Number(m[2]), Number(m[3])] : [0, 0, 0];
}
