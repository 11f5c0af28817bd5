import { quoteIdent, quoteString } from '../sql/quote.js';
import type { AlterClause, ColumnPosition } from '../diff/changes.js';
import type { RenderRules } from '../snapshot/dialect.js';
import type { Event, ForeignKey, Index, Routine, Sequence, Table, TableOptions, Trigger, View } from '../snapshot/model.js';
import { renderCheck, renderColumn, renderCreateTable, renderForeignKey, renderIndex } from '../snapshot/render-create-table.js';
import { tokenize } from '../snapshot/sql-text.js';

/** How DDL is rendered for the sandbox: its flavor's rules and the DEFINER policy. */
export interface DdlContext {
  readonly rules: RenderRules;
  readonly definers: 'current_user' | 'keep';
}

export function createTableSql(
  table: Table,
  context: DdlContext,
  options: { withoutForeignKeys?: boolean; createStatement?: string | null } = {},
): string {
  if (options.createStatement) return options.createStatement;
  return renderCreateTable(table, context.rules, { withoutForeignKeys: options.withoutForeignKeys ?? false });
}

export function dropTableSql(name: string): string {
  return `DROP TABLE ${quoteIdent(name)}`;
}

function positionSql(position: ColumnPosition): string {
  if (position === null) return '';
  return 'first' in position ? ' FIRST' : ` AFTER ${quoteIdent(position.after)}`;
}

/** One clause of ALTER TABLE; the caller joins clauses in the order they were planned. */
export function alterClauseSql(clause: AlterClause, table: Table, context: DdlContext): string {
  switch (clause.kind) {
    case 'drop_foreign_key':
      return `DROP FOREIGN KEY ${quoteIdent(clause.foreignKey.name)}`;
    case 'drop_check':
      return `DROP CONSTRAINT ${quoteIdent(clause.check.name)}`;
    case 'drop_index':
      return clause.index.kind === 'primary' ? 'DROP PRIMARY KEY' : `DROP INDEX ${quoteIdent(clause.index.name)}`;
    case 'drop_column':
      return `DROP COLUMN ${quoteIdent(clause.column.name)}`;
    case 'modify_column':
      return `MODIFY COLUMN ${renderColumn(clause.to, table.options.collation, context.rules)}${positionSql(clause.position)}`;
    case 'add_column':
      return `ADD COLUMN ${renderColumn(clause.column, table.options.collation, context.rules)}${positionSql(clause.position)}`;
    case 'replace_column':
      return `DROP COLUMN ${quoteIdent(clause.from.name)},\n  ADD COLUMN ${renderColumn(clause.to, table.options.collation, context.rules)}${positionSql(clause.position)}`;
    case 'materialize_column':
      return `DROP COLUMN ${quoteIdent(clause.from.name)},\n  CHANGE COLUMN ${quoteIdent(clause.temporary)} ${renderColumn(clause.to, table.options.collation, context.rules)}${positionSql(clause.position)}`;
    case 'rename_column':
      return `CHANGE COLUMN ${quoteIdent(clause.from.name)} ${renderColumn(clause.to, table.options.collation, context.rules)}${positionSql(clause.position)}`;
    case 'add_index':
      return `ADD ${renderIndex(clause.index, context.rules)}`;
    case 'index_ignored':
      return `ALTER INDEX ${quoteIdent(clause.index.name)} ${context.rules.alterIndexIgnored[clause.index.ignored ? 0 : 1]}`;
    case 'add_check':
      return `ADD ${renderCheck(clause.check, context.rules)}`;
    case 'add_foreign_key':
      return `ADD ${renderForeignKey(clause.foreignKey)}`;
    case 'table_options':
      return tableOptionsSql(clause.from, clause.to);
    case 'partitioning':
      return clause.to ?? 'REMOVE PARTITIONING';
  }
}

const NUMERIC_RESET = new Set([
  'MAX_ROWS',
  'MIN_ROWS',
  'AVG_ROW_LENGTH',
  'KEY_BLOCK_SIZE',
  'CHECKSUM',
  'DELAY_KEY_WRITE',
  'PAGE_CHECKSUM',
  'TABLE_CHECKSUM',
]);

/** Only the options that differ; an option production does not set is put back to its default. */
export function tableOptionsSql(from: TableOptions, to: TableOptions): string {
  const parts: string[] = [];
  if (from.engine.toLowerCase() !== to.engine.toLowerCase()) parts.push(`ENGINE=${to.engine}`);
  if (from.collation !== to.collation) parts.push(`DEFAULT CHARSET=${to.charset} COLLATE=${to.collation}`);
  const key = (option: string): string => option.split('=')[0]!.toUpperCase();
  const toKeys = new Set(to.createOptions.map(key));
  for (const option of to.createOptions) if (!from.createOptions.includes(option)) parts.push(option);
  for (const option of from.createOptions) {
    const name = key(option);
    if (!toKeys.has(name)) parts.push(`${option.split('=')[0]}=${NUMERIC_RESET.has(name) ? '0' : 'DEFAULT'}`);
  }
  if (from.comment !== to.comment) parts.push(`COMMENT=${quoteString(to.comment)}`);
  return parts.join(' ');
}

/**
 * ALTER TABLE with the clauses in a valid order; partitioning goes in its own statement. When a
 * partitioned table also changes its keys or columns, the old partitioning is removed first: its
 * function may use a column the new keys leave out (error 1503), and the new one is set last.
 */
export function alterTableSql(table: Table, clauses: readonly AlterClause[], context: DdlContext): string[] {
  const statements: string[] = [];
  const name = quoteIdent(table.name);
  const regular = clauses.filter((c) => c.kind !== 'partitioning');
  const partitioning = clauses.find((c): c is Extract<AlterClause, { kind: 'partitioning' }> => c.kind === 'partitioning');
  const removeFirst = partitioning !== undefined && partitioning.from !== null && regular.length > 0;
  if (removeFirst) statements.push(`ALTER TABLE ${name} REMOVE PARTITIONING`);
  for (const clause of regular) if (clause.kind === 'materialize_column') statements.push(materializeSql(table, clause, context));
  if (regular.length > 0) {
    statements.push(`ALTER TABLE ${name}\n  ${regular.map((c) => alterClauseSql(c, table, context)).join(',\n  ')}`);
  }
  if (partitioning && !(removeFirst && partitioning.to === null))
    statements.push(`ALTER TABLE ${name} ${alterClauseSql(partitioning, table, context)}`);
  return statements;
}

/**
 * VIRTUAL -> regular, first statement: a STORED copy of the old column computes every row's value
 * (IF NOT EXISTS on MariaDB, so a re-run after a crash finds it there). The ALTER that follows
 * drops the old column and turns the copy into the regular one (STORED -> regular keeps values).
 */
function materializeSql(table: Table, clause: Extract<AlterClause, { kind: 'materialize_column' }>, context: DdlContext): string {
  const copy = {
    ...clause.from,
    name: clause.temporary,
    generated: { expression: clause.from.generated!.expression, stored: true },
    default: null,
    onUpdate: null,
    autoIncrement: false,
    invisible: false,
    comment: '',
    check: null,
  };
  const ifNotExists = context.rules.flavor === 'mariadb' ? 'IF NOT EXISTS ' : '';
  return `ALTER TABLE ${quoteIdent(table.name)} ADD COLUMN ${ifNotExists}${renderColumn(copy, table.options.collation, context.rules)} AFTER ${quoteIdent(clause.from.name)}`;
}

/** Foreign keys dropped in a step of their own; IF EXISTS on MariaDB, so a re-run after a crash finds them gone. */
export function dropForeignKeysSql(table: string, foreignKeys: readonly ForeignKey[], context: DdlContext): string {
  const ifExists = context.rules.flavor === 'mariadb' ? 'IF EXISTS ' : '';
  return `ALTER TABLE ${quoteIdent(table)}\n  ${foreignKeys.map((fk) => `DROP FOREIGN KEY ${ifExists}${quoteIdent(fk.name)}`).join(',\n  ')}`;
}

/** keepIndexes: dropped and added again in the same ALTER, so that the server keeps their names (post-steps.ts). */
export function addForeignKeysSql(
  table: string,
  foreignKeys: readonly ForeignKey[],
  keepIndexes: readonly Index[],
  context: DdlContext,
): string {
  const clauses = [
    ...keepIndexes.flatMap((index) => [`DROP INDEX ${quoteIdent(index.name)}`, `ADD ${renderIndex(index, context.rules)}`]),
    ...foreignKeys.map((fk) => `ADD ${renderForeignKey(fk)}`),
  ];
  return `ALTER TABLE ${quoteIdent(table)}\n  ${clauses.join(',\n  ')}`;
}

/** DEFINER clause for the sandbox: CURRENT_USER unless the config keeps production's. */
export function definerSql(definer: string, context: DdlContext): string {
  if (context.definers !== 'keep') return 'DEFINER=CURRENT_USER';
  const at = definer.lastIndexOf('@');
  if (at < 0) return `DEFINER=${quoteIdent(definer)}`;
  return `DEFINER=${quoteIdent(definer.slice(0, at))}@${quoteIdent(definer.slice(at + 1))}`;
}

/** Puts a DEFINER clause right after CREATE in a definition whose own DEFINER was removed. */
function withDefiner(definition: string, definer: string, context: DdlContext): string {
  const tokens = tokenize(definition);
  const index = tokens.findIndex((t) => t.type === 'word' && t.value.toUpperCase() === 'CREATE');
  if (index < 0) return definition;
  const head = tokens
    .slice(0, index + 1)
    .map((t) => t.text)
    .join('');
  const rest = tokens
    .slice(index + 1)
    .map((t) => t.text)
    .join('')
    .trimStart();
  return `${head} ${definerSql(definer, context)} ${rest}`;
}

/** The session settings an object was created under (as mysqldump restores them). */
export function sessionSettingsSql(settings: {
  sqlMode?: string;
  charsetClient?: string;
  collationConnection?: string;
  timeZone?: string;
}): string[] {
  const out: string[] = [];
  if (settings.sqlMode !== undefined) out.push(`SET SESSION sql_mode = ${quoteString(settings.sqlMode)}`);
  if (settings.charsetClient && settings.collationConnection)
    out.push(`SET NAMES ${settings.charsetClient} COLLATE ${settings.collationConnection}`);
  else if (settings.charsetClient) out.push(`SET NAMES ${settings.charsetClient}`);
  if (settings.timeZone !== undefined) out.push(`SET SESSION time_zone = ${quoteString(settings.timeZone)}`);
  return out;
}

export function createViewSql(view: View, context: DdlContext): string[] {
  const check = view.checkOption !== 'NONE' ? ` WITH ${view.checkOption} CHECK OPTION` : '';
  return [
    ...sessionSettingsSql({ charsetClient: view.charsetClient, collationConnection: view.collationConnection }),
    `CREATE OR REPLACE ALGORITHM=${view.algorithm} ${definerSql(view.definer, context)} SQL SECURITY ${view.security} VIEW ${quoteIdent(view.name)} AS ${view.definition}${check}`,
  ];
}

export function dropViewSql(name: string): string {
  return `DROP VIEW IF EXISTS ${quoteIdent(name)}`;
}

/** From production's original statement when the snapshot has it (byte-exact but the DEFINER), else from its parts. */
export function createTriggerSql(trigger: Trigger, context: DdlContext): string[] {
  return [
    ...sessionSettingsSql({
      sqlMode: trigger.sqlMode,
      charsetClient: trigger.charsetClient,
      collationConnection: trigger.collationConnection,
    }),
    trigger.definition !== undefined
      ? withDefiner(trigger.definition, trigger.definer, context)
      : `CREATE ${definerSql(trigger.definer, context)} TRIGGER ${quoteIdent(trigger.name)} ${trigger.timing} ${trigger.event} ON ${quoteIdent(trigger.table)} FOR EACH ROW ${trigger.statement}`,
  ];
}

export function dropTriggerSql(name: string): string {
  return `DROP TRIGGER IF EXISTS ${quoteIdent(name)}`;
}

export function createRoutineSql(routine: Routine, context: DdlContext): string[] {
  return [
    ...sessionSettingsSql({
      sqlMode: routine.sqlMode,
      charsetClient: routine.charsetClient,
      collationConnection: routine.collationConnection,
    }),
    withDefiner(routine.definition, routine.definer, context),
  ];
}

export function dropRoutineSql(routine: Pick<Routine, 'name' | 'type'>): string {
  return `DROP ${routine.type} IF EXISTS ${quoteIdent(routine.name)}`;
}

export function createEventSql(event: Event, context: DdlContext): string[] {
  return [
    ...sessionSettingsSql({
      sqlMode: event.sqlMode,
      charsetClient: event.charsetClient,
      collationConnection: event.collationConnection,
      timeZone: event.timeZone,
    }),
    withDefiner(event.definition, event.definer, context),
  ];
}

export function dropEventSql(name: string): string {
  return `DROP EVENT IF EXISTS ${quoteIdent(name)}`;
}

export function createSequenceSql(sequence: Sequence): string {
  return sequence.definition;
}

export function dropSequenceSql(name: string): string {
  return `DROP SEQUENCE IF EXISTS ${quoteIdent(name)}`;
}
