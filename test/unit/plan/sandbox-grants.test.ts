import { describe, expect, it } from 'vitest';
import { parseGrants } from '../../../src/introspect/parse-grants.js';
import { makePrivileges } from '../../../src/introspect/privileges.js';
import { missingSandboxGrants } from '../../../src/plan/sandbox-grants.js';
import type { Snapshot } from '../../../src/snapshot/model.js';
import { snapshot, table } from '../diff/builders.js';

const privileges = (lines: string[]) =>
  makePrivileges({ flavor: 'mariadb', account: 'rw@%', grants: parseGrants(lines), probes: { procTable: null }, caseInsensitive: false });

/** A plan with no step: only what reading, backing up and restoring the sandbox need. */
const noSteps = (sandbox: Snapshot) => ({
  steps: [],
  settings: { definers: 'current_user' as const, maintain: [], ignore: [] },
  snapshots: { production: sandbox, sandbox },
});

describe('missingSandboxGrants: what the backup and its restore need', () => {
  const withoutEvent = privileges(['GRANT SELECT, INSERT, DELETE, CREATE, DROP, ALTER ON `db`.* TO `rw`@`%`']);

  it('a whole-database dump by mariadb-dump needs EVENT even when the sandbox has no event (its SHOW EVENTS is refused without it)', () => {
    const p = noSteps(snapshot({ tables: [table('t')] }));
    expect(missingSandboxGrants(p, withoutEvent)).toEqual([]);
    expect(missingSandboxGrants(p, withoutEvent, { dumpTool: true })).toEqual([
      {
        privilege: 'EVENT',
        on: '`db`.*',
        neededFor: "mariadb-dump's SHOW EVENTS (backup.scope: full)",
        grant: "GRANT EVENT ON `db`.* TO 'rw'@'%'",
      },
    ]);
    expect(missingSandboxGrants(p, withoutEvent, { backup: false, dumpTool: true })).toEqual([]);
  });

  it('restoring a sandbox that holds only sequences needs CREATE, DROP and INSERT (SETVAL)', () => {
    const readOnly = privileges(['GRANT SELECT, EVENT ON `db`.* TO `rw`@`%`']);
    const sequences = [{ name: 's', definition: 'CREATE SEQUENCE `s` start with 1' }];
    const missing = missingSandboxGrants(noSteps(snapshot({ sequences })), readOnly);
    expect(missing.map((m) => `${m.privilege}: ${m.neededFor}`)).toEqual([
      'CREATE: restoring the backup (rollback)',
      'DROP: restoring the backup (rollback)',
      'INSERT: restoring the backup (rollback)',
    ]);
  });
});
