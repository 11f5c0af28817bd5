import { isOfType, NO_LITERAL_DEFAULT_TYPES } from '../sql/column-types.js';
import { quoteIdent, quoteString } from '../sql/quote.js';
import { renderDefault, renderType, type RenderRules } from './dialect.js';
import type { CheckConstraint, Column, ForeignKey, Index, Table, TableOptions } from './model.js';

/**
 * Renders the model in a flavor's own SHOW CREATE TABLE format. The same text serves as the
 * self-check (it must equal what the server prints), as DDL, and as what plans display.
 */
export function renderColumn(column: Column, tableCollation: string, rules: RenderRules): string {
  const json = column.dataType === 'json' && rules.jsonAsLongtext;
  const type = json ? 'longtext' : renderType(column.type, column.dataType, rules);
  const charset = json ? 'utf8mb4' : column.charset;
  const collation = json ? 'utf8mb4_bin' : column.collation;
  let out = `${quoteIdent(column.name)} ${type}`;
  if (charset && collation && collation !== tableCollation) out += ` CHARACTER SET ${charset} COLLATE ${collation}`;
  if (column.generated) {
    const expression = rules.doubleParenExpressions ? `(${column.generated.expression})` : column.generated.expression;
    out += ` GENERATED ALWAYS AS (${expression}) ${column.generated.stored ? 'STORED' : 'VIRTUAL'}`;
  }
  if (!column.nullable) out += ' NOT NULL';
  else if (column.dataType === 'timestamp') out += ' NULL';
  if (column.invisible && rules.flavor === 'mariadb') out += ` ${rules.invisibleColumnKeyword}`;
  if (column.default !== null) {
    // MySQL prints no DEFAULT NULL on the types that take no literal default (GEOMETRYCOLLECTION too).
    const lob = isOfType(NO_LITERAL_DEFAULT_TYPES, column.dataType);
    if (!(column.default === 'NULL' && lob && !rules.defaultNullOnLobs))
      out += ` DEFAULT ${renderDefault(column.default, column.dataType, rules)}`;
  }
  if (column.onUpdate) out += ` ON UPDATE ${renderDefault(column.onUpdate, column.dataType, rules)}`;
  if (column.autoIncrement) out += ' AUTO_INCREMENT';
  if (column.comment) out += ` COMMENT ${quoteString(column.comment)}`;
  if (column.invisible && rules.flavor !== 'mariadb') out += ` ${rules.invisibleColumnKeyword}`;
  if (column.check !== null) out += ` CHECK (${column.check})`;
  if (json) out += ` CHECK (json_valid(${quoteIdent(column.name)}))`;
  return out;
}

export function renderIndex(index: Index, rules: RenderRules): string {
  const parts = index.parts
    .map((p) => {
      const base = p.column !== null ? quoteIdent(p.column) : `(${p.expression ?? ''})`;
      return `${base}${p.length !== null ? `(${p.length})` : ''}${p.descending ? ' DESC' : ''}`;
    })
    .join(',');
  const head =
    index.kind === 'primary'
      ? 'PRIMARY KEY'
      : `${index.kind === 'unique' ? 'UNIQUE KEY' : index.kind === 'fulltext' ? 'FULLTEXT KEY' : index.kind === 'spatial' ? 'SPATIAL KEY' : 'KEY'} ${quoteIdent(index.name)}`;
  let out = `${head} (${parts})`;
  if (index.using) out += ` USING ${index.using}`;
  if (index.parser) out += ` WITH PARSER ${quoteIdent(index.parser)}`;
  if (index.comment) out += ` COMMENT ${quoteString(index.comment)}`;
  if (index.ignored) out += ` ${rules.ignoredIndexKeyword}`;
  return out;
}

export function renderForeignKey(fk: ForeignKey): string {
  const target = fk.referencedSchema
    ? `${quoteIdent(fk.referencedSchema)}.${quoteIdent(fk.referencedTable)}`
    : quoteIdent(fk.referencedTable);
  let out = `CONSTRAINT ${quoteIdent(fk.name)} FOREIGN KEY (${fk.columns.map(quoteIdent).join(', ')}) REFERENCES ${target} (${fk.referencedColumns.map(quoteIdent).join(', ')})`;
  if (fk.onDelete !== 'RESTRICT') out += ` ON DELETE ${fk.onDelete}`;
  if (fk.onUpdate !== 'RESTRICT') out += ` ON UPDATE ${fk.onUpdate}`;
  return out;
}

export function renderCheck(check: CheckConstraint, rules: RenderRules): string {
  const clause = rules.doubleParenExpressions ? `(${check.clause})` : check.clause;
  return `CONSTRAINT ${quoteIdent(check.name)} CHECK (${clause})${check.enforced ? '' : ' /*!80016 NOT ENFORCED */'}`;
}

export function renderTableOptions(options: TableOptions): string {
  const parts = [
    `ENGINE=${options.engine}`,
    `DEFAULT CHARSET=${options.charset}`,
    `COLLATE=${options.collation}`,
    ...options.createOptions,
  ];
  if (options.comment) parts.push(`COMMENT=${quoteString(options.comment)}`);
  return parts.join(' ');
}

const INDEX_ORDER: Record<Index['kind'], number> = { primary: 0, unique: 1, index: 2, spatial: 3, fulltext: 4 };

/** The table's definition lines (columns, keys, constraints) in the server's order. */
export function renderDefinitionLines(table: Table, rules: RenderRules): string[] {
  const indexes = [...table.indexes].sort((a, b) => INDEX_ORDER[a.kind] - INDEX_ORDER[b.kind]);
  return [
    ...table.columns.map((c) => renderColumn(c, table.options.collation, rules)),
    ...indexes.map((i) => renderIndex(i, rules)),
    ...table.foreignKeys.map(renderForeignKey),
    ...table.checks.map((c) => renderCheck(c, rules)),
  ];
}

export interface CreateTableOptions {
  /** Leave the foreign keys out (they are added later, e.g. to break cycles). */
  readonly withoutForeignKeys?: boolean;
}

export function renderCreateTable(table: Table, rules: RenderRules, options: CreateTableOptions = {}): string {
  const shown: Table = options.withoutForeignKeys ? { ...table, foreignKeys: [] } : table;
  const lines = renderDefinitionLines(shown, rules);
  let out = `CREATE TABLE ${quoteIdent(table.name)} (\n  ${lines.join(',\n  ')}\n) ${renderTableOptions(table.options)}`;
  if (table.partitioning) out += `\n${table.partitioning}`;
  return out;
}
