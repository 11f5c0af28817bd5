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
import type {
  CheckConstraint,
  Column,
  Event,
  ForeignKey,
  Index,
  IndexPart,
  Routine,
  Sequence,
  Snapshot,
  Table,
  Trigger,
  Unsupported,
  View,
} from '../snapshot/model.js';
import { renderDefinitionLines, renderTableOptions } from '../snapshot/render-create-table.js';
import { comparableCreate, indexExtras, splitShowCreate, type ComparableCreate } from '../snapshot/show-create.js';
import { quotedIdentifiers, stripSchemaQualifier, tokenize } from '../snapshot/sql-text.js';
import { deepFreeze } from '../snapshot/freeze.js';
import type { UnknownObject } from '../snapshot/model.js';
import {
  grantSql,
  hiddenClasses,
  hiddenConstraintsWhat,
  onDatabase,
  onTable,
  privilegesFrom,
  readsTableConstraints,
  readsTableDefinition,
  readsViewDefinition,
  routineGrant,
} from './privileges.js';

/**
 * The one place raw rows become the model. Also runs the self-check: every table is rendered
 * back from the model and compared with the server's SHOW CREATE TABLE; a table that does not
 * round-trip is listed as unsupported, with the reason.
 */
export function parseSnapshot(raw: RawSchema): Snapshot {
  const byTable = <T extends { TABLE_NAME: string }>(rows: readonly T[]): Map<string, T[]> => {
    const map = new Map<string, T[]>();
    for (const row of rows) {
      const list = map.get(row.TABLE_NAME);
      if (list) list.push(row);
      else map.set(row.TABLE_NAME, [row]);
    }
    return map;
  };
  const flavor = raw.server.flavor;
  const columnsByTable = byTable(raw.columns);
  const statsByTable = byTable(raw.statistics);
  const fksByTable = byTable(raw.foreignKeys);
  const checksByTable = byTable(raw.checks);

  const tables: Table[] = [];
  const sequences: Sequence[] = [];
  const unsupported: Unsupported[] = [];
  // What the account cannot read is unknown, never absent (and never "unsupported": the model is fine, the view is partial).
  const privileges = raw.grants ? privilegesFrom(raw.grants, raw) : null;
  const unknown: UnknownObject[] = privileges ? hiddenClasses(privileges, raw.database) : [];
  const unreadable = new Set(raw.unreadableTables ?? []);

  for (const row of raw.tables) {
    if (row.TABLE_TYPE === 'VIEW') continue;
    const create = raw.createStatements[row.TABLE_NAME] ?? null;
    if (
      create === null &&
      privileges &&
      (unreadable.has(row.TABLE_NAME) || !readsTableDefinition(privileges, raw.database, row.TABLE_NAME))
    ) {
      unknown.push({
        kind: row.TABLE_TYPE === 'SEQUENCE' ? 'sequence' : 'table',
        name: row.TABLE_NAME,
        what: 'definition (SHOW CREATE is refused: the account holds no table-level privilege on it)',
        grant: grantSql(privileges, 'SELECT', onTable(raw.database, row.TABLE_NAME)),
      });
      continue;
    }
    if (row.TABLE_TYPE === 'SEQUENCE') {
      if (create) sequences.push({ name: row.TABLE_NAME, definition: create });
      continue;
    }
    if (create === null) {
      unsupported.push({
        kind: 'table',
        name: row.TABLE_NAME,
        reason: 'SHOW CREATE TABLE returned nothing (table dropped while reading?)',
        createStatement: null,
      });
      continue;
    }
    const parts = splitShowCreate(create);
    if (privileges && (columnsByTable.get(row.TABLE_NAME)?.length ?? 0) < parts.columns.length) {
      // information_schema lists only the columns the account holds a column privilege on (SHOW CREATE shows them all).
      unknown.push({
        kind: 'table',
        name: row.TABLE_NAME,
        what: 'columns (information_schema lists only columns the account holds SELECT, INSERT, UPDATE or REFERENCES on)',
        grant: grantSql(privileges, 'SELECT', onTable(raw.database, row.TABLE_NAME)),
      });
      continue;
    }
    const table = parseTable(
      row,
      columnsByTable.get(row.TABLE_NAME) ?? [],
      statsByTable.get(row.TABLE_NAME) ?? [],
      fksByTable.get(row.TABLE_NAME) ?? [],
      checksByTable.get(row.TABLE_NAME) ?? [],
      raw,
      parts.partitioning,
      indexExtras(parts.keys),
    );
    tables.push(table);
    const problem = selfCheck(table, comparableCreate(parts), raw);
    if (row.TABLE_TYPE !== 'BASE TABLE') {
      unsupported.push({
        kind: 'table',
        name: row.TABLE_NAME,
        reason: `table type ${row.TABLE_TYPE} is not supported`,
        createStatement: stripAutoIncrement(create),
      });
    } else if (
      problem &&
      privileges &&
      (constraintsHidden(parts.keys, fksByTable.get(row.TABLE_NAME) ?? [], checksByTable.get(row.TABLE_NAME) ?? []) ||
        !readsTableConstraints(privileges, raw.database, row.TABLE_NAME))
    ) {
      // The server's own SHOW CREATE shows what information_schema hides from this account.
      unknown.push({
        kind: 'table',
        name: row.TABLE_NAME,
        what: hiddenConstraintsWhat(privileges),
        grant: grantSql(privileges, 'SHOW VIEW', onDatabase(raw.database)),
      });
    } else if (problem) {
      unsupported.push({ kind: 'table', name: row.TABLE_NAME, reason: problem, createStatement: stripAutoIncrement(create) });
    }
  }

  const relationNames = new Set([...tables.map((t) => t.name), ...raw.views.map((v) => v.TABLE_NAME)]);
  const views: View[] = raw.views
    .filter((row) => row.VIEW_DEFINITION || !privileges)
    .map((row) => {
      const definition = stripSchemaQualifier(row.VIEW_DEFINITION ?? '', raw.database);
      const dependsOn = [...quotedIdentifiers(definition)].filter((n) => n !== row.TABLE_NAME && relationNames.has(n)).sort(compareText);
      if (!row.VIEW_DEFINITION) {
        unsupported.push({
          kind: 'view',
          name: row.TABLE_NAME,
          reason: 'view definition is not readable (grant SHOW VIEW)',
          createStatement: null,
        });
      }
      return {
        name: row.TABLE_NAME,
        definition,
        algorithm: (row.ALGORITHM ?? 'UNDEFINED').toUpperCase(),
        security: row.SECURITY_TYPE.toUpperCase(),
        checkOption: (row.CHECK_OPTION ?? 'NONE').toUpperCase(),
        definer: row.DEFINER,
        dependsOn,
        charsetClient: row.CHARACTER_SET_CLIENT,
        collationConnection: row.COLLATION_CONNECTION,
      };
    });

  for (const row of raw.views) {
    if (!row.VIEW_DEFINITION && privileges) {
      const grant = readsViewDefinition(privileges, raw.database, row.TABLE_NAME)
        ? grantSql(privileges, 'SELECT, SHOW VIEW', onTable(raw.database, row.TABLE_NAME))
        : grantSql(privileges, 'SELECT, SHOW VIEW', onDatabase(raw.database));
      unknown.push({
        kind: 'view',
        name: row.TABLE_NAME,
        what: 'definition (information_schema shows it only with SELECT and SHOW VIEW)',
        grant,
      });
    }
  }

  const triggers: Trigger[] = raw.triggers.map((row) => ({
    name: row.TRIGGER_NAME,
    table: row.EVENT_OBJECT_TABLE,
    timing: row.ACTION_TIMING.toUpperCase() as Trigger['timing'],
    event: row.EVENT_MANIPULATION.toUpperCase() as Trigger['event'],
    order: Number(row.ACTION_ORDER),
    statement: row.ACTION_STATEMENT,
    ...(row.CREATE_STATEMENT ? { definition: stripDefiner(row.CREATE_STATEMENT) } : {}),
    definer: row.DEFINER,
    sqlMode: row.SQL_MODE,
    charsetClient: row.CHARACTER_SET_CLIENT,
    collationConnection: row.COLLATION_CONNECTION,
  }));

  const routines: Routine[] = [];
  for (const row of raw.routines) {
    if (row.ROUTINE_TYPE !== 'PROCEDURE' && row.ROUTINE_TYPE !== 'FUNCTION') {
      unsupported.push({
        kind: 'routine',
        name: row.ROUTINE_NAME,
        reason: `routine type ${row.ROUTINE_TYPE} is not supported`,
        createStatement: null,
      });
      continue;
    }
    if (row.CREATE_STATEMENT === null && privileges) {
      unknown.push({
        kind: 'routine',
        name: row.ROUTINE_NAME,
        what: 'body (shown only to its definer or to accounts allowed to read every routine)',
        grant: routineGrant(privileges),
      });
      continue;
    }
    if (row.CREATE_STATEMENT === null) {
      unsupported.push({
        kind: 'routine',
        name: row.ROUTINE_NAME,
        reason: `the ${row.ROUTINE_TYPE.toLowerCase()} body is not readable by this user (MariaDB: GRANT SELECT ON mysql.proc; MySQL 8: GRANT SHOW_ROUTINE)`,
        createStatement: null,
      });
      continue;
    }
    routines.push({
      name: row.ROUTINE_NAME,
      type: row.ROUTINE_TYPE,
      definition: stripDefiner(row.CREATE_STATEMENT),
      definer: row.DEFINER,
      sqlMode: row.SQL_MODE,
      charsetClient: row.CHARACTER_SET_CLIENT,
      collationConnection: row.COLLATION_CONNECTION,
    });
  }

  const events: Event[] = [];
  for (const row of raw.events) {
    if (row.CREATE_STATEMENT === null && privileges) {
      unknown.push({
        kind: 'event',
        name: row.EVENT_NAME,
        what: 'definition (needs the EVENT privilege)',
        grant: grantSql(privileges, 'EVENT', onDatabase(raw.database)),
      });
      continue;
    }
    if (row.CREATE_STATEMENT === null) {
      unsupported.push({
        kind: 'event',
        name: row.EVENT_NAME,
        reason: 'the event definition is not readable (grant EVENT)',
        createStatement: null,
      });
      continue;
    }
    events.push({
      name: row.EVENT_NAME,
      definition: stripDefiner(row.CREATE_STATEMENT),
      definer: row.DEFINER,
      sqlMode: row.SQL_MODE,
      timeZone: row.TIME_ZONE,
      charsetClient: row.CHARACTER_SET_CLIENT,
      collationConnection: row.COLLATION_CONNECTION,
    });
  }

  const byName = <T extends { name: string }>(a: T, b: T): number => compareText(a.name, b.name);
  return deepFreeze({
    flavor,
    serverVersion: raw.server.version,
    database: raw.database,
    charset: canonicalCharset(raw.defaultCharset) ?? raw.defaultCharset,
    collation: canonicalCollation(raw.defaultCollation) ?? raw.defaultCollation,
    tables: tables.sort(byName),
    views: views.sort(byName),
    triggers: triggers.sort(
      (a, b) =>
        compareText(a.table, b.table) ||
        compareText(a.timing, b.timing) ||
        compareText(a.event, b.event) ||
        a.order - b.order ||
        compareText(a.name, b.name),
    ),
    routines: routines.sort((a, b) => compareText(a.type, b.type) || compareText(a.name, b.name)),
    events: events.sort(byName),
    sequences: sequences.sort(byName),
    unsupported: unsupported.sort((a, b) => compareText(a.kind, b.kind) || compareText(a.name, b.name)),
    unknown: unknown.sort((a, b) => compareText(a.kind, b.kind) || compareText(a.name ?? '', b.name ?? '') || compareText(a.what, b.what)),
  });
}

function parseTable(
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
function selfCheck(table: Table, server: ComparableCreate, raw: RawSchema): string | null {
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
function constraintsHidden(keys: readonly string[], fkRows: RawSchema['foreignKeys'], checkRows: RawSchema['checks']): boolean {
  const fks = keys.filter((k) => /\bFOREIGN KEY\b/i.test(k)).length;
  const checks = keys.filter((k) => /^CONSTRAINT\s.*\sCHECK\s*\(/i.test(k) && !/\bFOREIGN KEY\b/i.test(k)).length;
  return fks > new Set(fkRows.map((r) => r.CONSTRAINT_NAME)).size || checks > checkRows.filter((c) => c.LEVEL !== 'Column').length;
}

function stripAutoIncrement(create: string): string {
  return create.replace(/ AUTO_INCREMENT=\d+/, '');
}

/** Removes "DEFINER=user@host" after CREATE, whatever the quoting. */
export function stripDefiner(text: string): string {
  const tokens = tokenize(text);
  let i = 0;
  const skipSpace = (): void => {
    while (tokens[i]?.type === 'space' || tokens[i]?.type === 'comment') i++;
  };
  skipSpace();
  if (tokens[i]?.value.toUpperCase() !== 'CREATE') return text;
  i++;
  const afterCreate = i;
  skipSpace();
  if (tokens[i]?.value.toUpperCase() !== 'DEFINER') return text;
  i++;
  skipSpace();
  if (tokens[i]?.text !== '=') return text;
  i++;
  skipSpace();
  i++; // the user; unquoted user@host is a single word token, so nothing follows it
  if (tokens[i]?.text === '@')
    i += 2; // `user`@`host` or 'user'@'host'
  else if (tokens[i]?.type === 'word' && tokens[i]!.value.startsWith('@')) i++; // `user`@host
  const rest = tokens
    .slice(i)
    .map((t) => t.text)
    .join('');
  return `${tokens
    .slice(0, afterCreate)
    .map((t) => t.text)
    .join('')} ${rest.trimStart()}`;
}
