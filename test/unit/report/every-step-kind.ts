import type { Plan } from '../../../src/plan/plan-types.js';
import type { Table } from '../../../src/snapshot/model.js';
import { column, foreignKey, index, planOf, primaryKey, snapshot, table, trigger } from '../diff/builders.js';

const varchar = (name: string, length: number) =>
  column(name, { type: `varchar(${length})`, dataType: 'varchar', charset: 'utf8mb4', collation: 'utf8mb4_general_ci' });
const id = column('id', { nullable: false, default: null });

function customer(emailLength: number, extra: boolean): Table {
  return table('customer', {
    columns: [id, varchar('email', emailLength), ...(extra ? [varchar('phone', 20)] : [varchar('zip_code', 10)])],
    indexes: [primaryKey('id'), ...(extra ? [] : [index('ix_zip', ['zip_code'])])],
  });
}

function orders(withKey: boolean): Table {
  return table('orders', {
    columns: [id, column('customer_id'), column('shipped_by')],
    indexes: [primaryKey('id'), index('ix_customer', ['customer_id'])],
    foreignKeys: withKey ? [foreignKey('fk_orders_customer', ['customer_id'], 'customer', ['id'])] : [],
  });
}

/** staff <-> store: a foreign-key cycle between two structure-only tables. */
const staff = table('staff', {
  columns: [id, column('store_id')],
  foreignKeys: [foreignKey('fk_staff_store', ['store_id'], 'store', ['id'])],
});
const store = table('store', {
  columns: [id, column('manager_id')],
  foreignKeys: [foreignKey('fk_store_manager', ['manager_id'], 'staff', ['id'])],
});
const narrowed = (length: number) => table('notes', { columns: [id, varchar('body', length)] });

const routine = (name: string) => ({
  name,
  type: 'PROCEDURE' as const,
  definition: `CREATE PROCEDURE \`${name}\`()\nSELECT 1`,
  definer: 'root@localhost',
  sqlMode: '',
  charsetClient: 'utf8mb4',
  collationConnection: 'utf8mb4_general_ci',
});
const event = (name: string) => ({
  name,
  definition: `CREATE EVENT \`${name}\` ON SCHEDULE EVERY 1 DAY DO DELETE FROM notes`,
  definer: 'root@localhost',
  sqlMode: '',
  timeZone: 'SYSTEM',
  charsetClient: 'utf8mb4',
  collationConnection: 'utf8mb4_general_ci',
});
const view = (name: string, over: string) => ({
  name,
  definition: `select \`${over}\`.\`id\` AS \`id\` from \`${over}\``,
  algorithm: 'UNDEFINED',
  security: 'DEFINER',
  checkOption: 'NONE',
  definer: 'root@localhost',
  dependsOn: [over],
  charsetClient: 'utf8mb4',
  collationConnection: 'utf8mb4_general_ci',
});
const history = table('history', { columns: [id, column('v')] });
const historyV2 = table('history', { columns: [id, column('v'), column('w')] });

/**
 * A plan with every step kind: database defaults, tables created, altered (a maintain table and a
 * structure-only one), dropped and re-created, a deferred foreign key, views, triggers (one lifted
 * around a copy), routines, events, sequences and two copies.
 */
export function everyStepKindPlan(): Plan {
  const sandbox = snapshot({
    charset: 'latin1',
    collation: 'latin1_swedish_ci',
    tables: [customer(30, false), orders(false), narrowed(200), history, table('legacy'), staff, store],
    views: [view('v_old', 'orders')],
    triggers: [trigger('trg_customer_audit', 'customer'), trigger('trg_gone', 'orders')],
    routines: [routine('old_proc')],
    events: [event('old_cleanup')],
    sequences: [{ name: 'old_seq', definition: 'CREATE SEQUENCE `old_seq` start with 1' }],
    unsupported: [
      {
        kind: 'table',
        name: 'history',
        reason: 'system-versioned',
        createStatement: 'CREATE TABLE `history` (\n  `id` int(11) NOT NULL,\n  `v` int(11)\n) WITH SYSTEM VERSIONING',
      },
    ],
  });
  const production = snapshot({
    tables: [
      customer(45, true),
      orders(true),
      narrowed(100),
      historyV2,
      table('orders_archive', { columns: [id, column('order_id')], indexes: [primaryKey('id'), index('ix_order', ['order_id'])] }),
      staff,
      store,
    ],
    views: [view('v_customers', 'customer')],
    triggers: [trigger('trg_customer_audit', 'customer'), trigger('trg_notes', 'notes')],
    routines: [routine('new_proc')],
    events: [event('nightly_cleanup')],
    sequences: [{ name: 'new_seq', definition: 'CREATE SEQUENCE `new_seq` start with 100' }],
    unsupported: [
      {
        kind: 'table',
        name: 'history',
        reason: 'system-versioned',
        createStatement: 'CREATE TABLE `history` (\n  `id` int(11) NOT NULL,\n  `v` int(11),\n  `w` int(11)\n) WITH SYSTEM VERSIONING',
      },
    ],
  });
  return planOf(
    sandbox,
    production,
    {
      maintain: [
        { table: 'customer', where: "email LIKE '%@example.com'", mask: { email: { kind: 'email' } } },
        { table: 'orders', where: null, mask: {} },
      ],
    },
    { customer: 1200, orders: 5400 },
  );
}
