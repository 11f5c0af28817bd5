/**
 * Can the sandbox account do everything the plan will do? Pure: the grants come read. Checked at plan time (run-plan.ts) and
 * in apply's preflight, before anything changes: a SELECT-only or read-but-not-write account is
 * refused with the GRANTs it lacks, instead of failing in the middle of a copy or being reported
 * as "the sandbox changed since the plan" (it cannot see its own triggers).
 *
 * The mapping from step kinds to privileges follows the servers' manuals: ALTER TABLE needs
 * ALTER, CREATE and INSERT; a foreign key needs REFERENCES; CREATE OR REPLACE VIEW needs CREATE VIEW
 * and DROP; routines CREATE ROUTINE (ALTER ROUTINE to drop); the copy INSERT and DELETE (TRUNCATE
 * needs DROP, but the copy falls back to DELETE without it); a DEFINER other than the account
 * itself needs SET USER or SUPER (MySQL 8: SET_USER_ID / SET_ANY_DEFINER).
 */
import { ReplicoopError } from '../errors.js';
import {
  accountSql,
  grantSql,
  holdsOnDatabase,
  holdsOnTable,
  isAccount,
  onDatabase,
  setDefinerGrant,
  type Privileges,
} from '../introspect/privileges.js';
import type { Plan, PlanStep } from './plan-types.js';
import type { Snapshot } from '../snapshot/model.js';
import { TABLE_LEVEL_PRIVILEGES } from '../sql/privileges.js';

export interface MissingGrant {
  /** SELECT, CREATE VIEW, SET USER, ... */
  readonly privilege: string;
  /** `db`.* , `db`.`t` or *.* */
  readonly on: string;
  /** What needs it: "create table film, alter table rental and 3 more". */
  readonly neededFor: string;
  /** The statement that grants it. */
  readonly grant: string;
}

export interface SandboxPrivilegeOptions {
  /** A backup is taken (and may be restored by rollback): reading and re-creating everything the sandbox holds. Default true. */
  readonly backup?: boolean;
  /**
   * The backup is a whole-database dump by mariadb-dump or mysqldump (backup.scope: full with the
   * tool on PATH). Its --events runs SHOW EVENTS, which the server refuses without EVENT even when
   * the database holds no event (the built-in dumper reads information_schema, which just shows none).
   */
  readonly dumpTool?: boolean;
}

const STEP_PRIVILEGES: Readonly<Record<PlanStep['kind'], readonly string[]>> = {
  create_table: ['CREATE'],
  alter_table: ['ALTER', 'CREATE', 'INSERT'],
  drop_table: ['DROP'],
  recreate_table: ['DROP', 'CREATE'],
  add_foreign_keys: ['ALTER', 'REFERENCES'],
  create_view: ['CREATE VIEW', 'DROP', 'SHOW VIEW'],
  drop_view: ['DROP'],
  create_trigger: ['TRIGGER'],
  drop_trigger: ['TRIGGER'],
  create_routine: ['CREATE ROUTINE', 'ALTER ROUTINE'],
  drop_routine: ['ALTER ROUTINE'],
  create_event: ['EVENT'],
  drop_event: ['EVENT'],
  create_sequence: ['CREATE', 'DROP', 'INSERT'],
  drop_sequence: ['DROP'],
  copy_table: ['SELECT', 'INSERT', 'DELETE'],
  alter_database: ['ALTER'],
};

function describeStep(step: PlanStep): string {
  return `${step.kind.replace(/_/g, ' ')} ${step.object}`;
}

/** Pure: the GRANTs the sandbox account lacks for this plan, one per privilege and level, sorted. */
export function missingSandboxGrants(
  plan: Pick<Plan, 'steps' | 'settings' | 'snapshots'>,
  privileges: Privileges,
  options: SandboxPrivilegeOptions = {},
): MissingGrant[] {
  const database = plan.snapshots.sandbox.database;
  const needs = new Map<string, { privilege: string; on: string; reasons: string[] }>();
  const need = (privilege: string, table: string | null, reason: string): void => {
    const tableLevel = table !== null && TABLE_LEVEL_PRIVILEGES.has(privilege) ? table : null;
    const held =
      privilege === 'SET DEFINER'
        ? setDefinerGrant(privileges).held
        : tableLevel !== null
          ? holdsOnTable(privileges, privilege, database, tableLevel)
          : holdsOnDatabase(privileges, privilege, database);
    if (held) return;
    // One line per privilege: granted on the database, which covers every table the plan touches.
    const key = privilege;
    const entry = needs.get(key) ?? { privilege, on: privilege === 'SET DEFINER' ? '*.*' : onDatabase(database), reasons: [] };
    if (!entry.reasons.includes(reason)) entry.reasons.push(reason);
    needs.set(key, entry);
  };

  // Reading the sandbox (plan, drift check, validation) and its objects.
  need('SELECT', null, 'reading the sandbox (drift check, validation)');
  for (const step of plan.steps) {
    const table =
      step.objectType === 'table' || step.objectType === 'view' || step.objectType === 'sequence'
        ? step.object
        : step.objectType === 'trigger'
          ? triggerTable(plan.snapshots, step.object)
          : null;
    for (const privilege of STEP_PRIVILEGES[step.kind]) need(privilege, table, describeStep(step));
    if (
      plan.settings.definers === 'keep' &&
      (step.kind === 'create_view' || step.kind === 'create_trigger' || step.kind === 'create_routine' || step.kind === 'create_event')
    ) {
      const definer = definerOf(plan.snapshots.production, step);
      if (definer !== null && !isAccount(privileges, definer))
        need('SET DEFINER', null, `${describeStep(step)} with DEFINER ${definer} (definers: keep)`);
    }
  }

  if (options.backup ?? true) {
    // The backup reads everything the sandbox holds; a rollback re-creates it, definers included.
    const sandbox = plan.snapshots.sandbox;
    if (sandbox.views.length > 0) need('SHOW VIEW', null, 'backing up views');
    if (sandbox.triggers.length > 0) need('TRIGGER', null, 'backing up and restoring triggers');
    if (sandbox.events.length > 0) need('EVENT', null, 'backing up and restoring events');
    else if (options.dumpTool) need('EVENT', null, "mariadb-dump's SHOW EVENTS (backup.scope: full)");
    if (sandbox.tables.length > 0 || sandbox.views.length > 0 || sandbox.sequences.length > 0) {
      for (const privilege of ['CREATE', 'DROP', 'INSERT']) need(privilege, null, 'restoring the backup (rollback)');
    }
    if (sandbox.views.length > 0) need('CREATE VIEW', null, 'restoring views (rollback)');
    if (sandbox.routines.length > 0) need('CREATE ROUTINE', null, 'restoring routines (rollback)');
    if (sandbox.routines.length > 0) need('ALTER ROUTINE', null, 'restoring routines (rollback)');
    // Objects owned by other accounts need no SET USER: a restore without it re-creates them with
    // DEFINER=CURRENT_USER and says so (backup/definers.ts), so the account that ran apply can always roll back.
  }

  const definer = setDefinerGrant(privileges);
  return [...needs.values()]
    .map(({ privilege, on, reasons }) => ({
      privilege: privilege === 'SET DEFINER' ? definer.name : privilege,
      on,
      neededFor: reasons.slice(0, 3).join(', ') + (reasons.length > 3 ? ` and ${reasons.length - 3} more` : ''),
      grant: privilege === 'SET DEFINER' ? definer.grant : grantSql(privileges, privilege, on),
    }))
    .sort((a, b) => (a.privilege < b.privilege ? -1 : a.privilege > b.privilege ? 1 : 0));
}

function triggerTable(snapshots: Plan['snapshots'], name: string): string | null {
  return (
    snapshots.production.triggers.find((t) => t.name === name)?.table ??
    snapshots.sandbox.triggers.find((t) => t.name === name)?.table ??
    null
  );
}

function definerOf(production: Snapshot, step: PlanStep): string | null {
  const list =
    step.kind === 'create_view'
      ? production.views
      : step.kind === 'create_trigger'
        ? production.triggers
        : step.kind === 'create_routine'
          ? production.routines
          : production.events;
  return list.find((o) => o.name === step.object)?.definer ?? null;
}

/** The error for missing grants: one line per GRANT. */
export function sandboxPrivilegeError(missing: readonly MissingGrant[], privileges: Privileges, when: 'plan' | 'apply'): ReplicoopError {
  const lines = missing.map(
    (m) => `sandbox: ${accountSql(privileges)} lacks ${m.privilege} on ${m.on} (needed for ${m.neededFor}): ${m.grant}`,
  );
  const head =
    when === 'apply'
      ? 'the sandbox account cannot do what the plan needs; nothing was changed:'
      : 'the sandbox account cannot do what this plan needs:';
  return new ReplicoopError('sandbox_privileges', [head, ...lines].join('\n'), { details: { account: privileges.account, missing } });
}

/** Throws when the sandbox account (its grants read by introspect/read-privileges.ts) lacks any the plan needs. */
export function assertSandboxPrivileges(
  privileges: Privileges,
  plan: Pick<Plan, 'steps' | 'settings' | 'snapshots'>,
  when: 'plan' | 'apply',
  options: SandboxPrivilegeOptions = {},
): void {
  const missing = missingSandboxGrants(plan, privileges, options);
  if (missing.length > 0) throw sandboxPrivilegeError(missing, privileges, when);
}
