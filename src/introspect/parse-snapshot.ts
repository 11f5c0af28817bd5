import type { RawSchema } from './raw-schema.js';
import { compareText } from '../compare-text.js';
import { canonicalCharset, canonicalCollation } from '../snapshot/dialect.js';
import type { Event, Routine, Sequence, Snapshot, Table, Trigger, Unsupported, View } from '../snapshot/model.js';
import { comparableCreate, indexExtras, splitShowCreate } from '../snapshot/show-create.js';
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
import { constraintsHidden, parseTable, selfCheck, stripAutoIncrement } from './parse-table.js';

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
