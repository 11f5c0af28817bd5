import type { ResolvedConfig } from '../config/types.js';
import { quoteIdent } from '../sql/quote.js';
import type { ProductionSession } from '../db/session.js';
import { ReplicoopError } from '../errors.js';
import { requirePatterns, uniqueMaskProblem, unmaskedPersonalColumns } from '../mask/mask-policy.js';
import { maskProblem } from '../mask/mask-value.js';
import type { Snapshot } from '../snapshot/model.js';
import { whereProblem } from '../config/where-lexer.js';
import { maskLocation } from '../config/maintain-path.js';
import { hasErrno } from '../db/sql-error.js';
import { ER_TABLEACCESS_DENIED } from '../sql/errno.js';

/** Engines whose rows are stored elsewhere (another server, a file, a remote source). */
const REMOTE_ENGINES = new Set(['FEDERATED', 'FEDERATEDX', 'CONNECT', 'SPIDER']);

/**
 * Plan-time checks of `maintain` against production, so that nothing fails halfway through an
 * apply: every table exists, every `where` filter is accepted by the server (a zero-row probe),
 * every masked column exists and can hold its mask.
 */
export interface MaintainCheck {
  /** Columns of maintained tables new in production since the last applied plan, neither masked nor passed through. */
  readonly newUnmasked: readonly { readonly table: string; readonly column: string }[];
  /** Lines for the plan when masking.newColumns is warn. */
  readonly warnings: readonly string[];
}

/**
 * `previous`: the production snapshot of the last applied plan (null: none known), for columns
 * a migration added since.
 */
export async function checkMaintain(
  config: ResolvedConfig,
  production: ProductionSession,
  snapshot: Snapshot,
  previous: Snapshot | null = null,
): Promise<MaintainCheck> {
  const problems: string[] = [];
  const warnings: string[] = [];
  const newUnmasked: { table: string; column: string }[] = [];
  const patterns = config.masking.require === null ? null : requirePatterns(config.masking.require);
  const tables = new Map(snapshot.tables.map((t) => [t.name, t]));
  for (const [index, entry] of config.maintain.entries()) {
    const table = tables.get(entry.table);
    if (!table) {
      problems.push(await missingTableProblem(config, production, index, entry.table));
      continue;
    }
    const engine = table.options.engine.toUpperCase();
    if (REMOTE_ENGINES.has(engine)) {
      problems.push(
        `${config.displayFile}: /maintain/${index}: maintain table "${entry.table}" uses engine ${engine}: its rows live on another server, and refreshing them through the sandbox would write there; keep it structure-only`,
      );
      continue;
    }
    if (entry.where !== null) {
      const shape = whereProblem(entry.where);
      if (shape) {
        problems.push(`${config.displayFile}: /maintain/${index}/where: must be one SQL expression: it ${shape}`);
        continue;
      }
      try {
        await production.query(`SELECT 1 FROM ${quoteIdent(entry.table)} WHERE (${entry.where}) LIMIT 0`);
      } catch (error) {
        problems.push(
          `${config.displayFile}: /maintain/${index}/where: production rejects the filter for table "${entry.table}": ${(error as Error).message.replace(/^production: /, '')}`,
        );
      }
    }
    for (const [column, rule] of Object.entries(entry.mask)) {
      const target = table.columns.find((c) => c.name === column);
      if (!target) {
        problems.push(
          `${config.displayFile}: ${maskLocation(entry.table, column)}: table "${entry.table}" has no column "${column}" (/maintain/${index}/mask/${column})`,
        );
        continue;
      }
      const problem = maskProblem(rule, target) ?? uniqueMaskProblem(rule, table, column);
      if (problem)
        problems.push(`${config.displayFile}: ${maskLocation(entry.table, column)}: ${problem} (/maintain/${index}/mask/${column})`);
    }
    const passthrough = entry.passthrough ?? [];
    for (const [i, column] of passthrough.entries()) {
      if (!table.columns.some((c) => c.name === column))
        problems.push(`${config.displayFile}: /maintain/${index}/passthrough/${i}: table "${entry.table}" has no column "${column}"`);
    }
    if (patterns) {
      for (const f of unmaskedPersonalColumns(table, entry.mask, passthrough, patterns)) {
        problems.push(
          `${config.displayFile}: /maintain/${index}: column ${f.table}.${f.column} looks like personal data (${f.label}) and has no mask: add "mask: { ${f.column}: ${f.suggestion} }" to this entry${typeof entry.where === 'string' || Object.keys(entry.mask).length > 0 ? '' : ` (write it as { table: ${entry.table}, mask: { ${f.column}: ${f.suggestion} } })`}, or "passthrough: [${f.column}]" to copy it as it is`,
        );
      }
    }
    const before = previous?.tables.find((t) => t.name === entry.table);
    if (before) {
      for (const column of table.columns) {
        if (
          before.columns.some((c) => c.name === column.name) ||
          entry.mask[column.name] !== undefined ||
          passthrough.includes(column.name)
        )
          continue;
        newUnmasked.push({ table: entry.table, column: column.name });
        const line = `${config.displayFile}: /maintain/${index}: column ${entry.table}.${column.name} is new in production since the last applied plan and is not masked: add "mask: { ${column.name}: <rule> }" or "passthrough: [${column.name}]" to this entry`;
        if (config.masking.newColumns === 'fail') problems.push(`${line} (masking.newColumns: fail)`);
        else warnings.push(line);
      }
    }
  }
  if (problems.length > 0) throw new ReplicoopError('maintain_invalid', problems.join('\n'), { details: { problems } });
  return { newUnmasked, warnings };
}

/**
 * information_schema hides the tables a user has no privilege on, so "not in the snapshot" is
 * either absent or unreadable: a zero-row probe tells them apart, and an unreadable table is
 * named with the GRANT that fixes it (not reported as missing, and never as "production changed").
 */
async function missingTableProblem(config: ResolvedConfig, production: ProductionSession, index: number, name: string): Promise<string> {
  const at = `${config.displayFile}: /maintain/${index}`;
  try {
    await production.query(`SELECT 1 FROM ${quoteIdent(name)} LIMIT 0`);
  } catch (error) {
    // ER_TABLEACCESS_DENIED: the user may not SELECT the table (sent whether or not it exists).
    if (hasErrno(error, ER_TABLEACCESS_DENIED)) {
      const user = config.production.user.replace(/'/g, "''");
      return `${at}: production user ${config.production.user} lacks the SELECT privilege on maintain table "${name}" (it cannot be read, or even seen): GRANT SELECT ON ${quoteIdent(config.production.database)}.${quoteIdent(name)} TO '${user}'@'<host>';`;
    }
    return `${at}: maintain table "${name}" does not exist in production database ${config.production.database}`;
  }
  return `${at}: maintain table "${name}" is readable in production but was not introspected (is it a view, or matched by ignore?)`;
}
