import { describe, expect, it } from 'vitest';
import type { ApplyResult } from '../../../src/apply/apply-types.js';
import { applyReport, renderApplyMarkdown } from '../../../src/report/render-apply-report.js';
import { planOf, snapshot, table } from '../diff/builders.js';

const result = (steps: ApplyResult['steps'], backup?: ApplyResult['backup']): ApplyResult => ({
  runId: 'run1',
  resumed: false,
  status: 'done',
  startedAt: '2026-12-02T10:00:00.000Z',
  finishedAt: '2026-12-02T10:00:05.000Z',
  seconds: 5,
  backupFile: 'backups/b.sql.gz',
  ...(backup ? { backup } : {}),
  steps,
  recordsCopied: 0,
  errors: [],
  warnings: [],
  validation: null,
  checkpoints: [],
  interrupted: false,
  appliedBy: null,
});

describe('apply report: data refresh and backup cost', () => {
  it('gives per table the mode, ranges compared and rewritten, rows deleted/replaced/inserted/unchanged, seconds; and the backup cost', () => {
    const s = snapshot({ tables: [table('a'), table('b')] });
    const plan = planOf(s, s, {
      maintain: [
        { table: 'a', where: null, mask: {} },
        { table: 'b', where: null, mask: {} },
      ],
    });
    const base = { kind: 'copy_table', phase: 'data', status: 'applied', bytes: 0, error: null, note: null } as const;
    const markdown = renderApplyMarkdown(
      applyReport(
        result(
          [
            {
              ...base,
              stepId: '0001-copy-table-a',
              object: 'a',
              seconds: 1.5,
              rows: 1000,
              copyMode: 'delta',
              delta: { rangesCompared: 12, rangesRewritten: 2, rowsDeleted: 3, rowsReplaced: 4, rowsInserted: 5, rowsUnchanged: 991 },
            },
            { ...base, stepId: '0002-copy-table-b', object: 'b', seconds: 0.25, rows: 40, copyMode: 'full' },
          ],
          { seconds: 0.5, bytes: 3 * 1024 * 1024 },
        ),
        plan,
        'plan.json',
      ),
    );
    expect(markdown).toContain('| Backup | backups/b.sql.gz (0.50 s, 3.0 MB) |');
    expect(markdown).toContain('| `a` | delta | 12 | 2 | 3 | 4 | 5 | 991 | 1.50 |');
    expect(markdown).toContain('| `b` | full |  |  |  |  | 40 |  | 0.25 |');
  });
});

describe('apply report: masked and passed-through columns', () => {
  it('lists per table the masked columns with their rule and the columns passed through unmasked on purpose, in JSON and Markdown', () => {
    const s = snapshot({ tables: [table('a'), table('b')] });
    const plan = planOf(s, s, {
      maintain: [
        { table: 'a', where: null, mask: { id: { kind: 'null' } }, passthrough: ['email', 'phone'] },
        { table: 'b', where: null, mask: {} },
      ],
    });
    const report = applyReport(result([]), plan, 'plan.json');
    expect(report.masked_columns).toEqual([{ table: 'a', column: 'id', rule: 'null' }]);
    expect(report.passthrough_columns).toEqual([
      { table: 'a', column: 'email' },
      { table: 'a', column: 'phone' },
    ]);
    const markdown = renderApplyMarkdown(report);
    expect(markdown).toContain('| Masked columns | a.id (null) |');
    expect(markdown).toContain('| Passed through unmasked on purpose | a.email, a.phone |');
  });

  it('leaves the passthrough line out when nothing is passed through', () => {
    const s = snapshot({ tables: [table('a')] });
    const report = applyReport(result([]), planOf(s, s, { maintain: [{ table: 'a', where: null, mask: {} }] }), 'plan.json');
    expect(report.passthrough_columns).toEqual([]);
    expect(renderApplyMarkdown(report)).not.toContain('Passed through');
  });
});
