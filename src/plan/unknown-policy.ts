/**
 * What the plan does about objects an account cannot read (snapshot `unknown`). Pure.
 * The diff already leaves them out; here the plan either fails, one line per missing GRANT, or,
 * where the config says `unknown: { <class>: skip }`, records them as left untouched.
 *  - production side: the object may exist in production; dropping or re-creating the sandbox's
 *    copy could lose it, creating one could clash.
 *  - sandbox side: the object may exist in the sandbox; a CREATE would fail at apply ("already
 *    exists") after data was copied, a DROP would be blind. It cannot be planned.
 */
import type { UnknownClass, UnknownSettings } from '../config/types.js';
import { ReplicoopError } from '../errors.js';
import type { ObjectKind, Snapshot, UnknownObject } from '../snapshot/model.js';
import type { UntouchedObject } from './plan-types.js';

export function unknownClass(kind: ObjectKind | string): UnknownClass {
  switch (kind) {
    case 'view':
      return 'views';
    case 'trigger':
      return 'triggers';
    case 'routine':
      return 'routines';
    case 'event':
      return 'events';
    default:
      return 'tables';
  }
}

/** "triggers (...)", or "tables address, city and 9 more: foreign keys (...)": objects sharing what was hidden, together. */
function describeAll(items: readonly UnknownObject[]): string {
  const groups = new Map<string, { kind: string; what: string; names: string[] }>();
  for (const u of items) {
    const key = `${u.kind}\u0000${u.name === null ? '\u0001' : ''}${u.what}`;
    const group = groups.get(key) ?? { kind: u.kind, what: u.what, names: [] };
    if (u.name !== null) group.names.push(u.name);
    groups.set(key, group);
  }
  return [...groups.values()]
    .map(({ kind, what, names }) => {
      if (names.length === 0) return what;
      const shown = names.slice(0, 5).join(', ') + (names.length > 5 ? ` and ${names.length - 5} more` : '');
      return `${kind}${names.length > 1 ? 's' : ''} ${shown}: ${what}`;
    })
    .join('; ');
}

/**
 * Objects left untouched (their class is `skip`), or throws `unknown_objects` with one line per
 * side and GRANT for the rest. Deterministic: lines sorted by side, then GRANT.
 */
export function resolveUnknown(production: Snapshot, sandbox: Snapshot, settings: UnknownSettings = {}): UntouchedObject[] {
  const untouched: UntouchedObject[] = [];
  const failing = new Map<string, { side: 'production' | 'sandbox'; grant: string; items: UnknownObject[] }>();
  for (const [side, snapshot] of [
    ['production', production],
    ['sandbox', sandbox],
  ] as const) {
    for (const u of snapshot.unknown ?? []) {
      if (settings[unknownClass(u.kind)] === 'skip') {
        untouched.push({ side, kind: u.kind, name: u.name, what: u.what, grant: u.grant });
        continue;
      }
      const key = `${side}\u0000${u.grant}`;
      const entry = failing.get(key) ?? { side, grant: u.grant, items: [] };
      entry.items.push(u);
      failing.set(key, entry);
    }
  }
  if (failing.size > 0) {
    const lines = [...failing.values()].map(({ side, grant, items }) => {
      const classes = [...new Set(items.map((u) => unknownClass(u.kind)))].sort();
      const shown = describeAll(items);
      const skip = `unknown: { ${classes.map((c) => `${c}: skip`).join(', ')} }`;
      return side === 'production'
        ? `production: the account cannot read ${shown}. Grant it with: ${grant} (or set ${skip} in the config to leave them untouched in the sandbox)`
        : `sandbox: cannot plan ${shown}: the sandbox account cannot read them. Grant it with: ${grant} (or set ${skip} to leave them untouched)`;
    });
    throw new ReplicoopError('unknown_objects', lines.join('\n'), {
      details: {
        missing: [...failing.values()].map(({ side, grant, items }) => ({
          side,
          grant,
          objects: items.map((u) => ({ kind: u.kind, name: u.name })),
        })),
      },
    });
  }
  return untouched;
}
