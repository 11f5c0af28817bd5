import type { Column, Index, Snapshot, Table } from '../../../src/snapshot/model.js';

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
  return { name: 'PRIMARY', kind: 'primary', parts: columns.map((c) => ({ column: c, expression: null, length: null, descending: false })), using: null, comment: '', ignored: false, parser: null };
}

export function index(name: string, columns: string[], overrides: Partial<Index> = {}): Index {
  return { name, kind: 'index', parts: columns.map((c) => ({ column: c, expression: null, length: null, descending: false })), using: null, comment: '', ignored: false, parser: null, ...overrides };
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
