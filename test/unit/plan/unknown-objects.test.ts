import { describe, expect, it } from 'vitest';
import { missingSandboxGrants } from '../../../src/plan/sandbox-grants.js';
import { diffSnapshots } from '../../../src/diff/diff-snapshots.js';
import { type ReplicoopError } from '../../../src/errors.js';
import { parseGrants } from '../../../src/introspect/parse-grants.js';
import { makePrivileges } from '../../../src/introspect/privileges.js';
import { buildPlan } from '../../../src/plan/build-plan.js';
import type { PlanSettings } from '../../../src/plan/plan-types.js';
import { resolveUnknown } from '../../../src/plan/unknown-policy.js';
import type { Routine, Snapshot, Trigger, UnknownObject } from '../../../src/snapshot/model.js';
import { snapshot, table } from '../diff/builders.js';

const routine = (name: string, definer = 'root@localhost'): Routine => ({
  name,
  type: 'PROCEDURE',
  definition: `CREATE PROCEDURE \`${name}\`() SELECT 1`,
  definer,
  sqlMode: '',
  charsetClient: 'utf8mb4',
  collationConnection: 'utf8mb4_general_ci',
});
const trigger = (name: string, on: string): Trigger => ({
  name,
  table: on,
  timing: 'BEFORE',
  event: 'INSERT',
  order: 1,
  statement: 'SET NEW.p = 1',
  definer: 'root@localhost',
  sqlMode: '',
  charsetClient: 'utf8mb4',
  collationConnection: 'utf8mb4_general_ci',
});
const routinesHidden: UnknownObject = {
  kind: 'routine',
  name: null,
  what: 'stored procedures and functions',
  grant: "GRANT SELECT ON `mysql`.`proc` TO 'ro'@'%'",
};
const triggersHidden: UnknownObject = { kind: 'trigger', name: null, what: 'triggers', grant: "GRANT TRIGGER ON `db`.* TO 'ro'@'%'" };

function plan(production: Snapshot, sandbox: Snapshot, settings: Partial<PlanSettings> = {}) {
  const identity = (port: number) => ({
    host: '127.0.0.1',
    port,
    database: 'db',
    flavor: 'mariadb' as const,
    version: '10.11.19-MariaDB',
    serverId: `h:${port}`,
  });
  return buildPlan({
    production,
    sandbox,
    source: identity(1),
    target: identity(2),
    settings: { definers: 'current_user', maintain: [], ignore: [], ...settings },
    rowCounts: {},
    replicoopVersion: 'test',
    createdAt: '2026-01-01T00:00:00.000Z',
  });
}

describe('unknown objects in the diff and the plan', () => {
  it('a class unknown on production: the sandbox objects are not dropped (the blind diff would)', () => {
    const sandbox = snapshot({ routines: [routine('p1'), routine('p2')] });
    expect(diffSnapshots(sandbox, snapshot()).map((c) => c.kind)).toEqual(['drop_routine', 'drop_routine']);
    expect(diffSnapshots(sandbox, snapshot({ unknown: [routinesHidden] }))).toEqual([]);
  });

  it("one object unknown on the sandbox: production's is not created over it; others still are", () => {
    const production = snapshot({ routines: [routine('p1'), routine('p2')] });
    const sandbox = snapshot({ unknown: [{ kind: 'routine', name: 'p1', what: 'body', grant: 'GRANT ...' }] });
    expect(diffSnapshots(sandbox, production).map((c) => `${c.kind} ${c.name}`)).toEqual(['create_routine p2']);
  });

  it('the plan fails with one line per side and GRANT, deterministic, unless the class is skipped', () => {
    const production = snapshot({ unknown: [routinesHidden, triggersHidden] });
    const sandbox = snapshot({
      unknown: [{ kind: 'trigger', name: null, what: 'triggers', grant: "GRANT TRIGGER ON `db`.* TO 'rw'@'%'" }],
    });
    const error = (() => {
      try {
        resolveUnknown(production, sandbox);
      } catch (e) {
        return e as ReplicoopError;
      }
      return null;
    })();
    expect(error?.code).toBe('unknown_objects');
    expect(error?.message.split('\n')).toEqual([
      "production: the account cannot read stored procedures and functions. Grant it with: GRANT SELECT ON `mysql`.`proc` TO 'ro'@'%' (or set unknown: { routines: skip } in the config to leave them untouched in the sandbox)",
      "production: the account cannot read triggers. Grant it with: GRANT TRIGGER ON `db`.* TO 'ro'@'%' (or set unknown: { triggers: skip } in the config to leave them untouched in the sandbox)",
      "sandbox: cannot plan triggers: the sandbox account cannot read them. Grant it with: GRANT TRIGGER ON `db`.* TO 'rw'@'%' (or set unknown: { triggers: skip } to leave them untouched)",
    ]);
    expect(resolveUnknown(production, sandbox, { routines: 'skip', triggers: 'skip' }).map((u) => `${u.side} ${u.kind}`)).toEqual([
      'production routine',
      'production trigger',
      'sandbox trigger',
    ]);
  });

  it('triggers skipped on production: a sandbox trigger on a maintain table is lifted around the copy and put back as it was', () => {
    const t = table('orders');
    const production = snapshot({ tables: [t], unknown: [triggersHidden] });
    const sandbox = snapshot({ tables: [t], triggers: [trigger('orders_bi', 'orders')] });
    const p = plan(production, sandbox, { maintain: [{ table: 'orders', where: null, mask: {} }], unknown: { triggers: 'skip' } });
    expect(p.steps.map((s) => `${s.kind} ${s.object}`)).toEqual([
      'drop_trigger orders_bi',
      'copy_table orders',
      'create_trigger orders_bi',
    ]);
    expect(p.steps[2]!.sql.join('\n')).toContain('SET NEW.p = 1');
    expect(p.summary.untouched).toEqual([
      { side: 'production', kind: 'trigger', name: null, what: 'triggers', grant: triggersHidden.grant },
    ]);
    // Same input, same plan.
    expect(
      plan(production, sandbox, { maintain: [{ table: 'orders', where: null, mask: {} }], unknown: { triggers: 'skip' } }).checksum,
    ).toBe(p.checksum);
  });
});

describe('missingSandboxGrants', () => {
  const privileges = (lines: string[]) =>
    makePrivileges({ flavor: 'mariadb', account: 'rw@%', grants: parseGrants(lines), probes: { procTable: null }, caseInsensitive: false });
  const production = snapshot({ tables: [table('t')], routines: [routine('p', 'app@%')] });

  it('a SELECT-only account lacks what each step needs, one line per privilege', () => {
    const p = plan(production, snapshot(), { maintain: [{ table: 't', where: null, mask: {} }] });
    const missing = missingSandboxGrants(p, privileges(['GRANT SELECT ON `db`.* TO `rw`@`%`']), { backup: false });
    expect(missing.map((m) => `${m.privilege}: ${m.neededFor}`)).toEqual([
      'ALTER ROUTINE: create routine p',
      'CREATE: create table t',
      'CREATE ROUTINE: create routine p',
      'DELETE: copy table t',
      'INSERT: copy table t',
    ]);
    expect(missing[1]!.grant).toBe("GRANT CREATE ON `db`.* TO 'rw'@'%'");
  });

  it('ALL on the database is enough with definers: current_user; keep needs SET USER for another definer', () => {
    const all = privileges(['GRANT ALL PRIVILEGES ON `db`.* TO `rw`@`%`']);
    expect(missingSandboxGrants(plan(production, snapshot()), all, { backup: false })).toEqual([]);
    const keep = missingSandboxGrants(plan(production, snapshot(), { definers: 'keep' }), all, { backup: false });
    expect(keep).toEqual([
      {
        privilege: 'SET USER (or SUPER)',
        on: '*.*',
        neededFor: 'create routine p with DEFINER app@% (definers: keep)',
        grant: "GRANT SET USER ON *.* TO 'rw'@'%'",
      },
    ]);
  });

  it('a backup of objects owned by another account needs no SET USER: the restore re-creates them as the current user', () => {
    const all = privileges(['GRANT ALL PRIVILEGES ON `db`.* TO `rw`@`%`']);
    const sandbox = snapshot({ tables: [table('t')], routines: [routine('p', 'root@localhost')] });
    const p = plan(snapshot({ tables: [table('t')], routines: [routine('p', 'root@localhost')] }), sandbox);
    expect(missingSandboxGrants(p, all)).toEqual([]);
    expect(missingSandboxGrants(p, all, { backup: false })).toEqual([]);
  });
});
