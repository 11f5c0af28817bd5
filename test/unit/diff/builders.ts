import { buildPlan } from '../../../src/plan/build-plan.js';
import type { Plan, PlanSettings } from '../../../src/plan/plan-types.js';
import type { Column, ForeignKey, Index, Snapshot, Table, Trigger } from '../../../src/snapshot/model.js';

/** Small builders for pure diff/plan tests: only what a test cares about is spelled out. */
export function column(name: string, overrides: Partial<Column> = {}): Column {
  return {
    name,
    dataType: 'int',
    type: 'int(11)',
    nullable: true,
    default: 'NULL',
    onUpdate: null,
    autoIncrement: false,
    charset: null,
    collation: null,
    generated: null,
    invisible: false,
    comment: '',
    check: null,
    ...overrides,
  };
}

export function primaryKey(...columns: string[]): Index {
  return {
    name: 'PRIMARY',
    kind: 'primary',
    parts: columns.map((c) => ({ column: c, expression: null, length: null, descending: false })),
    using: null,
    comment: '',
    ignored: false,
    parser: null,
  };
}

export function index(name: string, columns: string[], overrides: Partial<Index> = {}): Index {
  return {
    name,
    kind: 'index',
    parts: columns.map((c) => ({ column: c, expression: null, length: null, descending: false })),
    using: null,
    comment: '',
    ignored: false,
    parser: null,
    ...overrides,
  };
}

export function table(name: string, overrides: Partial<Table> = {}): Table {
  return {
    name,
    columns: [column('id', { nullable: false, default: null }), column('p')],
    indexes: [primaryKey('id')],
    foreignKeys: [],
    checks: [],
    options: { engine: 'InnoDB', charset: 'utf8mb4', collation: 'utf8mb4_general_ci', comment: '', createOptions: [] },
    partitioning: null,
    ...overrides,
  };
}

export function snapshot(overrides: Partial<Snapshot> = {}): Snapshot {
  return {
    flavor: 'mariadb',
    serverVersion: '10.11.19-MariaDB',
    database: 'db',
    charset: 'utf8mb4',
    collation: 'utf8mb4_general_ci',
    tables: [],
    views: [],
    triggers: [],
    routines: [],
    events: [],
    sequences: [],
    unsupported: [],
    ...overrides,
  };
}

export function foreignKey(
  name: string,
  columns: string[],
  referencedTable: string,
  referencedColumns: string[],
  overrides: Partial<ForeignKey> = {},
): ForeignKey {
  return {
    name,
    columns,
    referencedSchema: null,
    referencedTable,
    referencedColumns,
    onDelete: 'RESTRICT',
    onUpdate: 'RESTRICT',
    ...overrides,
  };
}

export function trigger(name: string, tableName: string, overrides: Partial<Trigger> = {}): Trigger {
  return {
    name,
    table: tableName,
    timing: 'BEFORE',
    event: 'INSERT',
    order: 1,
    statement: 'SET NEW.p = 1',
    definer: 'root@localhost',
    sqlMode: 'STRICT_TRANS_TABLES',
    charsetClient: 'utf8mb4',
    collationConnection: 'utf8mb4_general_ci',
    ...overrides,
  };
}

/** A plan from sandbox to production snapshots, with fixed identities and time. */
export function planOf(
  sandbox: Snapshot,
  production: Snapshot,
  settings: Partial<PlanSettings> = {},
  rowCounts: Record<string, number> = {},
): Plan {
  const identity = { host: 'h', port: 1, database: 'db', flavor: production.flavor, version: production.serverVersion, serverId: 'x' };
  return buildPlan({
    production,
    sandbox,
    source: identity,
    target: { ...identity, flavor: sandbox.flavor, version: sandbox.serverVersion, serverId: 'y' },
    settings: { definers: 'current_user', maintain: [], ignore: [], ...settings },
    rowCounts,
    replicoopVersion: 'test',
    createdAt: '2026-01-01T00:00:00.000Z',
  });
}
