/**
 * Production's schema as the sandbox's flavor can hold it: a MySQL 8 collation MariaDB does not
 * have is replaced by the closest one it has (snapshot/dialect.ts collationForFlavor), and the
 * plan says which; one that has no counterpart is one clear error, never a failing ALTER.
 */
import { ReplicoopError } from '../errors.js';
import { versionParts } from '../sql/server-info.js';
import type { Flavor } from '../sql/server-info.js';
import { collationForFlavor } from './dialect.js';
import type { Snapshot } from './model.js';

export interface ForFlavor {
  readonly snapshot: Snapshot;
  /** One line per collation replaced, naming both and the objects that use it. */
  readonly warnings: readonly string[];
}

export function forSandboxFlavor(production: Snapshot, flavor: Flavor, version: string): ForFlavor {
  if (production.flavor === flavor) return { snapshot: production, warnings: [] };
  const [major, minor] = versionParts(version);
  const users = new Map<string, Set<string>>();
  const problems: string[] = [];
  const map = <T extends string | null>(collation: T, where: string): T => {
    if (collation === null) return collation;
    const result = collationForFlavor(collation, flavor, major, minor);
    if (result.kind === 'same') return collation;
    if (result.kind === 'unmappable') {
      problems.push(`${where} uses ${collation}: ${result.reason}`);
      return collation;
    }
    const key = `${collation}\u0000${result.collation}`;
    users.set(key, (users.get(key) ?? new Set()).add(where));
    return result.collation as T;
  };
  const snapshot: Snapshot = {
    ...production,
    collation: map(production.collation, 'the database default'),
    tables: production.tables.map((t) => ({
      ...t,
      options: { ...t.options, collation: map(t.options.collation, `table ${t.name}`) },
      columns: t.columns.map((c) => ({ ...c, collation: map(c.collation, `column ${t.name}.${c.name}`) })),
    })),
    views: production.views.map((v) => ({ ...v, collationConnection: map(v.collationConnection, `view ${v.name}`) })),
    triggers: production.triggers.map((t) => ({ ...t, collationConnection: map(t.collationConnection, `trigger ${t.name}`) })),
    routines: production.routines.map((r) => ({ ...r, collationConnection: map(r.collationConnection, `routine ${r.name}`) })),
    events: production.events.map((e) => ({ ...e, collationConnection: map(e.collationConnection, `event ${e.name}`) })),
  };
  if (problems.length > 0) {
    throw new ReplicoopError(
      'collation_unmappable',
      `production uses collations the ${flavor} ${version} sandbox does not have: ${problems.slice(0, 5).join('; ')}${problems.length > 5 ? ` (and ${problems.length - 5} more)` : ''}`,
      { details: { problems } },
    );
  }
  const warnings = [...users].map(([key, where]) => {
    const [from, to] = key.split('\u0000');
    const list = [...where];
    return `collation ${from} (MySQL) is created as ${to} in the ${flavor} sandbox, the closest it has (UCA 14.0.0, NO PAD like MySQL's): ${list.slice(0, 5).join(', ')}${list.length > 5 ? ` and ${list.length - 5} more` : ''}`;
  });
  return { snapshot, warnings };
}
