/**
 * Check 3, integrity in the sandbox: for every foreign key, the child rows whose (non-NULL)
 * reference matches no parent row. The copy runs with foreign_key_checks=0, and a data refresh
 * replaces a maintain table's rows while structure-only tables keep theirs, so orphans can exist
 * although the constraint is declared.
 *
 * Policy (what fails the validation):
 * - A foreign key between two maintain tables: the same question is asked of production, with
 *   each table's `where` filter applied (child rows the filter keeps, parent rows the filter
 *   keeps). Orphans production would also have are expected (production's own data, or a filter
 *   that drops referenced parents): a warning. More orphans in the sandbox than that is an error
 *   whatever --strict says: both tables were copied from production, so the copy lost rows.
 * - Any other foreign key (a structure-only child pointing at a refreshed parent, a maintain
 *   child pointing at a structure-only parent, or sandbox-only data): a warning, which fails
 *   only with --strict. These are the expected consequence of refreshing some tables and not
 *   others, and the user decides whether they matter.
 * MATCH SIMPLE, as InnoDB: a reference with any NULL column is not checked.
 */
import type { MaintainTable } from '../config/types.js';
import { quoteIdent } from '../sql/quote.js';
import type { ProductionSession, SandboxSession } from '../db/session.js';
import { isReplicoopError } from '../errors.js';
import { chooseChunkKey } from '../snapshot/chunk-key.js';
import type { ForeignKey, Snapshot, Table } from '../snapshot/model.js';
import { SAMPLE_LIMIT } from './table-context.js';
import { displayValue } from './display-value.js';
import type { OrphanFinding, OrphanResult } from './validation-result.js';
import type { WorkPool } from './work-pool.js';

export interface OrphanCheckInput {
  readonly pool: WorkPool;
  readonly sandbox: Snapshot;
  readonly maintain: readonly MaintainTable[];
  /** --tables: only foreign keys whose child or parent is listed; null: all. */
  readonly tables: readonly string[] | null;
}

interface Candidate {
  readonly child: Table;
  readonly parent: Table;
  readonly foreignKey: ForeignKey;
}

export async function checkOrphans(input: OrphanCheckInput): Promise<OrphanResult> {
  const tables = new Map(input.sandbox.tables.map((t) => [t.name, t]));
  const skipped: OrphanResult['skipped'][number][] = [];
  const candidates: Candidate[] = [];
  for (const child of input.sandbox.tables) {
    for (const foreignKey of child.foreignKeys) {
      if (input.tables !== null && !input.tables.includes(child.name) && !input.tables.includes(foreignKey.referencedTable)) continue;
      if (foreignKey.referencedSchema !== null && foreignKey.referencedSchema !== input.sandbox.database) {
        skipped.push({
          foreignKey: foreignKey.name,
          table: child.name,
          reason: `refers to another database (${foreignKey.referencedSchema})`,
        });
        continue;
      }
      const parent = tables.get(foreignKey.referencedTable);
      if (!parent) {
        skipped.push({
          foreignKey: foreignKey.name,
          table: child.name,
          reason: `the referenced table ${foreignKey.referencedTable} is not in the sandbox`,
        });
        continue;
      }
      candidates.push({ child, parent, foreignKey });
    }
  }
  const maintained = new Map(input.maintain.map((m) => [m.table, m]));
  const findings = await Promise.all(
    candidates.map((candidate) => input.pool.run((pair) => inspect(pair.sandbox, pair.production, candidate, maintained))),
  );
  return {
    foreignKeysChecked: candidates.length,
    skipped,
    findings: findings
      .filter((f): f is OrphanFinding => f !== null)
      .sort((a, b) => (a.table < b.table ? -1 : a.table > b.table ? 1 : a.foreignKey < b.foreignKey ? -1 : 1)),
  };
}

/** FROM/WHERE of "child rows whose reference has no parent"; filters for the production variant. */
function orphanSql(candidate: Candidate, childWhere: string | null, parentWhere: string | null): string {
  const { child, parent, foreignKey } = candidate;
  const notNull = foreignKey.columns.map((c) => `c.${quoteIdent(c)} IS NOT NULL`);
  const match = foreignKey.columns.map((c, i) => `p.${quoteIdent(foreignKey.referencedColumns[i]!)} = c.${quoteIdent(c)}`);
  // A filter names the table's columns unqualified: in the outer query only c is in scope, in
  // the subquery p's columns are found first.
  const parentFilter = parentWhere === null ? '' : ` AND (${parentWhere})`;
  const childFilter = childWhere === null ? '' : ` AND (${childWhere})`;
  return `FROM ${quoteIdent(child.name)} c WHERE ${notNull.join(' AND ')}${childFilter} AND NOT EXISTS (SELECT 1 FROM ${quoteIdent(parent.name)} p WHERE ${match.join(' AND ')}${parentFilter})`;
}

async function inspect(
  sandbox: SandboxSession,
  production: ProductionSession,
  candidate: Candidate,
  maintained: ReadonlyMap<string, MaintainTable>,
): Promise<OrphanFinding | null> {
  const { child, parent, foreignKey } = candidate;
  const count = async (session: SandboxSession | ProductionSession, sql: string): Promise<number> => {
    const rows = await session.queryArrays(`SELECT COUNT(*) ${sql}`, [], { raw: true });
    return Number((rows[0]?.[0] as Buffer | undefined)?.toString('latin1') ?? '0');
  };
  const orphanRows = await count(sandbox, orphanSql(candidate, null, null));
  if (orphanRows === 0) return null;

  const keyNames = chooseChunkKey(child) ?? [];
  const shown = [...keyNames, ...foreignKey.columns.filter((c) => !keyNames.includes(c))];
  const columns = shown.map((name) => child.columns.find((c) => c.name === name)!);
  const rows = (await sandbox.queryArrays(
    `SELECT ${shown.map((c) => `c.${quoteIdent(c)}`).join(', ')} ${orphanSql(candidate, null, null)}${keyNames.length > 0 ? ` ORDER BY ${keyNames.map((c) => `c.${quoteIdent(c)}`).join(', ')}` : ''} LIMIT ${SAMPLE_LIMIT}`,
    [],
    { raw: true },
  )) as (Buffer | null)[][];
  const samples = rows.map((row) => Object.fromEntries(columns.map((c, i) => [c.name, displayValue(row[i] ?? null, c)])));

  const childEntry = maintained.get(child.name);
  const parentEntry = maintained.get(parent.name);
  let expectedOrphans: number | null = null;
  let severity: OrphanFinding['severity'] = 'warning';
  let note: string;
  if (childEntry && parentEntry) {
    try {
      expectedOrphans = await count(production, orphanSql(candidate, childEntry.where, parentEntry.where));
    } catch (error) {
      if (!isReplicoopError(error) || error.code !== 'sql_error') throw error;
    }
    if (expectedOrphans === null) {
      severity = 'error';
      note = `both tables are maintain tables, and production could not be asked how many orphans it has (${foreignKey.name} does not fit production's tables)`;
    } else if (orphanRows > expectedOrphans) {
      severity = 'error';
      note = `both tables are maintain tables: production${childEntry.where || parentEntry.where ? ' under the same filters' : ''} has ${expectedOrphans}, the sandbox ${orphanRows}; rows were lost or added by the copy`;
    } else {
      note = `both tables are maintain tables and production${childEntry.where || parentEntry.where ? ' under the same filters' : ''} has the same orphans (${expectedOrphans}): they come from production's data${childEntry.where || parentEntry.where ? ' or a filter that leaves out referenced rows' : ''}`;
    }
  } else if (parentEntry) {
    note = `the rows of ${parent.name} were refreshed from production; structure-only table ${child.name} still points at rows it no longer has`;
  } else if (childEntry) {
    note = `maintain table ${child.name} was copied from production; structure-only table ${parent.name} lacks the rows it points at`;
  } else {
    note = `neither table is maintained: the sandbox's own data`;
  }
  return {
    foreignKey: foreignKey.name,
    table: child.name,
    columns: foreignKey.columns,
    referencedTable: parent.name,
    referencedColumns: foreignKey.referencedColumns,
    orphanRows,
    samples,
    severity,
    childMaintained: childEntry !== undefined,
    parentMaintained: parentEntry !== undefined,
    expectedOrphans,
    note,
  };
}
