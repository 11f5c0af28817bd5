/**
 * Raw rows of one table (information_schema columns, statistics, foreign keys, checks, SHOW CREATE
 * TABLE) -> the model's Table, and the round-trip self-check. Called only by parseSnapshot
 * (parse-snapshot.ts): together they are the one place raw rows become the model.
 */
import type { RawColumnRow, RawSchema, RawTableRow } from './raw-schema.js';
import { compareText } from '../compare-text.js';
import {
  canonicalAction,
  canonicalCharset,
  canonicalCheckClause,
  canonicalCollation,
  canonicalColumnType,
  canonicalDefault,
  canonicalGenerationExpression,
  parseCreateOptions,
  parseExtra,
  renderRules,
} from '../snapshot/dialect.js';
import type { CheckConstraint, Column, ForeignKey, Index, IndexPart, Table } from '../snapshot/model.js';
import { renderDefinitionLines, renderTableOptions } from '../snapshot/render-create-table.js';
import { comparableCreate, type indexExtras, type ComparableCreate } from '../snapshot/show-create.js';

export function parseTable(
  row: RawTableRow,
  columnRows: readonly RawColumnRow[],
  statRows: RawSchema['statistics'],
  fkRows: RawSchema['foreignKeys'],
  checkRows: RawSchema['checks'],
  raw: RawSchema,
  partitioning: string | null,
  extras: ReturnType<typeof indexExtras>,
): Table {
  const flavor = raw.server.flavor;
  const columnChecks = new Map<string, string>();
  const checks: CheckConstraint[] = [];
  for (const check of checkRows) {
    const clause = canonicalCheckClause(check.CHECK_CLAUSE, flavor);
    if (check.LEVEL === 'Column') columnChecks.set(check.CONSTRAINT_NAME, clause);
    else checks.push({ name: check.CONSTRAINT_NAME, clause, enforced: (check.ENFORCED ?? 'YES').toUpperCase() !== 'NO' });
  }

  const columns: Column[] = [...columnRows]
    .sort((a, b) => Number(a.ORDINAL_POSITION) - Number(b.ORDINAL_POSITION))
    .map((c) => {
      const extra = parseExtra(c.EXTRA);
      const dataType = c.DATA_TYPE.toLowerCase();
      const nullable = c.IS_NULLABLE.toUpperCase() === 'YES';
      let check = columnChecks.get(c.COLUMN_NAME) ?? null;
      let type = canonicalColumnType(c.COLUMN_TYPE, dataType);
      let base = dataType;
      let charset = canonicalCharset(c.CHARACTER_SET_NAME);
      let collation = canonicalCollation(c.COLLATION_NAME);
      // MariaDB's json is an alias: longtext utf8mb4_bin with CHECK (json_valid(col)).
      if (
        flavor === 'mariadb' &&
        dataType === 'longtext' &&
        collation === 'utf8mb4_bin' &&
        check === `json_valid(\`${c.COLUMN_NAME.replace(/`/g, '``')}\`)`
      ) {
        type = 'json';
        base = 'json';
        charset = null;
        collation = null;
        check = null;
      }
      if (dataType === 'json') {
        charset = null;
        collation = null;
      }
      const generated = extra.generated
        ? { expression: canonicalGenerationExpression(c.GENERATION_EXPRESSION ?? '', flavor), stored: extra.generated === 'STORED' }
        : null;
      return {
        name: c.COLUMN_NAME,
        dataType: base,
        type,
        nullable,
        default: canonicalDefault(
          c.COLUMN_DEFAULT,
          {
            dataType: base,
            nullable,
            autoIncrement: extra.autoIncrement,
            generated: generated !== null,
            defaultGenerated: extra.defaultGenerated,
          },
          flavor,
        ),
        onUpdate: extra.onUpdate,
        autoIncrement: extra.autoIncrement,
        charset,
        collation,
        generated,
        invisible: extra.invisible,
        comment: c.COLUMN_COMMENT ?? '',
        check,
      };
    });

  const indexMap = new Map<string, { first: (typeof statRows)[number]; parts: IndexPart[] }>();
  for (const s of [...statRows].sort((a, b) => Number(a.SEQ_IN_INDEX) - Number(b.SEQ_IN_INDEX))) {
    const entry = indexMap.get(s.INDEX_NAME) ?? { first: s, parts: [] };
    const type = s.INDEX_TYPE.toUpperCase();
    entry.parts.push({
      column: s.COLUMN_NAME,
      expression: s.COLUMN_NAME === null ? canonicalGenerationExpression(s.EXPRESSION ?? '', flavor) : null,
      // SPATIAL keys report a SUB_PART that SHOW CREATE does not print and CREATE cannot take.
      length: s.SUB_PART === null || type === 'SPATIAL' ? null : Number(s.SUB_PART),
      descending: (s.COLLATION ?? 'A').toUpperCase() === 'D',
    });
    indexMap.set(s.INDEX_NAME, entry);
  }
  const indexes: Index[] = [...indexMap.entries()].map(([name, { first, parts }]) => {
    const type = first.INDEX_TYPE.toUpperCase();
    const kind: Index['kind'] =
      name === 'PRIMARY'
        ? 'primary'
        : type === 'FULLTEXT'
          ? 'fulltext'
          : type === 'SPATIAL'
            ? 'spatial'
            : Number(first.NON_UNIQUE) === 0
              ? 'unique'
              : 'index';
    const extra = extras.get(name);
    return {
      name,
      kind,
      parts,
      using: extra?.using ?? null,
      comment: first.INDEX_COMMENT ?? '',
      ignored: (first.IGNORED ?? 'NO').toUpperCase() === 'YES',
      parser: extra?.parser ?? null,
    };
  });
  // The server's own order (SHOW CREATE TABLE lists keys as they were created within each kind):
  // a table created from the model then prints its keys byte for byte as production does.
  const shown = [...extras.keys()];
  const at = (name: string): number => (shown.includes(name) ? shown.indexOf(name) : shown.length);
  indexes.sort((a, b) => (a.kind === 'primary' ? -1 : b.kind === 'primary' ? 1 : at(a.name) - at(b.name) || compareText(a.name, b.name)));

  const fkMap = new Map<string, (typeof fkRows)[number][]>();
  for (const fk of fkRows) fkMap.set(fk.CONSTRAINT_NAME, [...(fkMap.get(fk.CONSTRAINT_NAME) ?? []), fk]);
  const foreignKeys: ForeignKey[] = [...fkMap.entries()]
    .map(([name, rows]) => {
      const sorted = [...rows].sort((a, b) => Number(a.ORDINAL_POSITION) - Number(b.ORDINAL_POSITION));
      const first = sorted[0]!;
      return {
        name,
        columns: sorted.map((r) => r.COLUMN_NAME),
        referencedSchema:
          first.REFERENCED_TABLE_SCHEMA && first.REFERENCED_TABLE_SCHEMA !== raw.database ? first.REFERENCED_TABLE_SCHEMA : null,
        referencedTable: first.REFERENCED_TABLE_NAME,
        referencedColumns: sorted.map((r) => r.REFERENCED_COLUMN_NAME),
        onDelete: canonicalAction(first.DELETE_RULE),
        onUpdate: canonicalAction(first.UPDATE_RULE),
      };
    })
    .sort((a, b) => compareText(a.name, b.name));

  const tableCollation = canonicalCollation(row.TABLE_COLLATION) ?? raw.defaultCollation;
  return {
    name: row.TABLE_NAME,
    columns,
    indexes,
    foreignKeys,
    checks: checks.sort((a, b) => compareText(a.name, b.name)),
    options: {
      engine: row.ENGINE ?? 'InnoDB',
      charset: tableCollation.split('_')[0]!,
      collation: tableCollation,
      comment: row.TABLE_COMMENT ?? '',
      createOptions: parseCreateOptions(row.CREATE_OPTIONS),
    },
    partitioning,
  };
}

/** Skeema's self-check: does the model render back to what the server says? */
export function selfCheck(table: Table, server: ComparableCreate, raw: RawSchema): string | null {
  const rules = renderRules(raw.server.flavor, raw.server.major, raw.server.minor, raw.server.patch);
  const lines = renderDefinitionLines(table, rules);
  const mine = comparableCreate({
    columns: lines.slice(0, table.columns.length),
    keys: lines.slice(table.columns.length),
    options: renderTableOptions(table.options),
    partitioning: table.partitioning,
  });
  for (let i = 0; i < Math.max(mine.columns.length, server.columns.length); i++) {
    if (mine.columns[i] !== server.columns[i])
      return `column definition does not round-trip: server has "${server.columns[i] ?? '(nothing)'}", model renders "${mine.columns[i] ?? '(nothing)'}"`;
  }
  const serverKeys = new Set(server.keys);
  const mineKeys = new Set(mine.keys);
  const missing = server.keys.find((k) => !mineKeys.has(k));
  if (missing)
    return `key or constraint does not round-trip: server has "${missing}"${mine.keys.find((k) => !serverKeys.has(k)) ? `, model renders "${mine.keys.find((k) => !serverKeys.has(k))}"` : ''}`;
  const extra = mine.keys.find((k) => !serverKeys.has(k));
  if (extra) return `key or constraint does not round-trip: model renders "${extra}" which the server does not show`;
  if (mine.options.join(' ') !== server.options.join(' '))
    return `table options do not round-trip: server has "${server.options.join(' ')}", model renders "${mine.options.join(' ')}"`;
  return null;
}

/** SHOW CREATE TABLE shows more foreign keys or CHECK constraints than information_schema listed. */
export function constraintsHidden(keys: readonly string[], fkRows: RawSchema['foreignKeys'], checkRows: RawSchema['checks']): boolean {
  const fks = keys.filter((k) => /\bFOREIGN KEY\b/i.test(k)).length;
  const checks = keys.filter((k) => /^CONSTRAINT\s.*\sCHECK\s*\(/i.test(k) && !/\bFOREIGN KEY\b/i.test(k)).length;
  return fks > new Set(fkRows.map((r) => r.CONSTRAINT_NAME)).size || checks > checkRows.filter((c) => c.LEVEL !== 'Column').length;
}

export function stripAutoIncrement(create: string): string {
  return create.replace(/ AUTO_INCREMENT=\d+/, '');
}
