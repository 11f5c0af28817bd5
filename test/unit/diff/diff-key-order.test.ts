import { describe, expect, it } from 'vitest';
import { diffSnapshots } from '../../../src/diff/diff-snapshots.js';
import { canonicalJson } from '../../../src/hash.js';
import type { Snapshot } from '../../../src/snapshot/model.js';
import { snapshot, table } from './builders.js';

describe('diff is independent of object key order', () => {
  it('a snapshot read back from a plan file (keys sorted) equals the live one', () => {
    const live: Snapshot = snapshot({
      tables: [
        table('t', {
          foreignKeys: [
            {
              name: 'fk',
              columns: ['p'],
              referencedSchema: null,
              referencedTable: 'p',
              referencedColumns: ['id'],
              onDelete: 'CASCADE',
              onUpdate: 'RESTRICT',
            },
          ],
          checks: [{ name: 'c', clause: '`p` > 0', enforced: true }],
        }),
      ],
    });
    const fromFile = JSON.parse(canonicalJson(live)) as Snapshot;
    expect(Object.keys(fromFile.tables[0]!.foreignKeys[0]!)).not.toEqual(Object.keys(live.tables[0]!.foreignKeys[0]!));
    expect(diffSnapshots(fromFile, live)).toEqual([]);
    expect(diffSnapshots(live, fromFile)).toEqual([]);
  });
});
