/**
 * Production's schema as the sandbox's flavor can hold it: a MySQL 8 collation MariaDB does not
 * have is replaced by the closest one it has (snapshot/dialect.ts collationForFlavor), and the
 * plan says which; one that has no counterpart is one clear error, never a failing ALTER or
 * CREATE. That holds for the names written inside text too (view, routine, trigger and event
 * definitions, routine parameters and RETURNS, CHECK, DEFAULT and generated expressions, the
 * SHOW CREATE TABLE of a table the model cannot represent), mapped the same way.
 */
import { ReplicoopError } from '../errors.js';
import { versionParts } from '../sql/server-info.js';
import type { Flavor } from '../sql/server-info.js';
import { collationForFlavor } from './dialect.js';
import type { Column, Snapshot, Table } from './model.js';
import { replaceCollationNames } from './sql-text.js';

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
  const inText = <T extends string | null>(text: T, where: string): T =>
    text === null ? text : (replaceCollationNames(text, (name) => map(name, where)) as T);
  const column = (t: Table, c: Column): Column => {
    const where = `column ${t.name}.${c.name}`;
    return {
      ...c,
      collation: map(c.collation, where),
      default: inText(c.default, `${where} (DEFAULT)`),
      generated: c.generated && { ...c.generated, expression: inText(c.generated.expression, `${where} (generated)`) },
      check: inText(c.check, `${where} (CHECK)`),
    };
  };
  const snapshot: Snapshot = {
    ...production,
    collation: map(production.collation, 'the database default'),
    tables: production.tables.map((t) => ({
      ...t,
      options: { ...t.options, collation: map(t.options.collation, `table ${t.name}`) },
      columns: t.columns.map((c) => column(t, c)),
      indexes: t.indexes.map((i) => ({
        ...i,
        parts: i.parts.map((p) => ({ ...p, expression: inText(p.expression, `index ${t.name}.${i.name}`) })),
      })),
      checks: t.checks.map((k) => ({ ...k, clause: inText(k.clause, `CHECK ${k.name} of table ${t.name}`) })),
      partitioning: inText(t.partitioning, `the partitioning of table ${t.name}`),
    })),
    views: production.views.map((v) => ({
      ...v,
      definition: inText(v.definition, `view ${v.name}`),
      collationConnection: map(v.collationConnection, `view ${v.name}`),
    })),
    triggers: production.triggers.map((t) => ({
      ...t,
      statement: inText(t.statement, `trigger ${t.name}`),
      ...(t.definition === undefined ? {} : { definition: inText(t.definition, `trigger ${t.name}`) }),
      collationConnection: map(t.collationConnection, `trigger ${t.name}`),
    })),
    routines: production.routines.map((r) => ({
      ...r,
      definition: inText(r.definition, `routine ${r.name}`),
      collationConnection: map(r.collationConnection, `routine ${r.name}`),
    })),
    events: production.events.map((e) => ({
      ...e,
      definition: inText(e.definition, `event ${e.name}`),
      collationConnection: map(e.collationConnection, `event ${e.name}`),
    })),
    unsupported: production.unsupported.map((u) => ({
      ...u,
      createStatement: inText(u.createStatement, `${u.kind} ${u.name} (its SHOW CREATE text)`),
    })),
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
