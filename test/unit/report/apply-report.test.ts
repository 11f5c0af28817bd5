import { describe, expect, it } from 'vitest';
import type { ApplyResult } from '../../../src/apply/apply-types.js';
import { applyReport, renderApplyMarkdown } from '../../../src/report/render-apply-report.js';
import { everyStepKindPlan } from './every-step-kind.js';

const ORIGINAL_FIELDS = [
  'timestamp',
  'execution_time',
  'tables_processed',
  'maintain_tables',
  'structure_only_tables',
  'total_records_replicated',
  'backup_created',
  'success',
  'errors',
];

function result(overrides: Partial<ApplyResult> = {}): ApplyResult {
  return {
    runId: 'run-1',
    resumed: false,
    status: 'done',
    startedAt: '2026-01-01T00:00:00.000Z',
    finishedAt: '2026-01-01T00:00:12.500Z',
    seconds: 12.5,
    backupFile: 'backups/b.sql.gz',
    steps: [],
    recordsCopied: 6600,
    errors: [],
    warnings: [],
    validation: null,
    checkpoints: [],
    interrupted: false,
    appliedBy: null,
    ...overrides,
  };
}

describe('the apply report', () => {
  const plan = everyStepKindPlan();

  it("uses the original design's field names, first, and counts every production table as processed", () => {
    const report = applyReport(result(), plan, 'plan.json');
    expect(Object.keys(report).slice(0, ORIGINAL_FIELDS.length)).toEqual(ORIGINAL_FIELDS);
    expect(report).toMatchObject({
      timestamp: '2026-01-01T00:00:12.500Z',
      execution_time: 12.5,
      tables_processed: plan.snapshots.production.tables.length,
      maintain_tables: 2,
      structure_only_tables: plan.snapshots.production.tables.length - 2,
      total_records_replicated: 6600,
      backup_created: 'backups/b.sql.gz',
      success: true,
      errors: [],
      maintain_table_names: ['customer', 'orders'],
    });
    expect(Object.keys(report).filter((key) => /[A-Z]/.test(key))).toEqual([]);
  });

  it('names a failed validation once, under Errors, and lists its warnings under Warnings', () => {
    const failed = result({
      status: 'failed',
      errors: ['validation: 1 failure'],
      warnings: ['validation: integrity: 2 rows of orders point at no customer row (foreign key fk)'],
      validation: { passed: false, summary: '1 failure', warnings: [], details: null },
    });
    const markdown = renderApplyMarkdown(applyReport(failed, plan, 'plan.json'));
    expect(markdown.match(/validation: 1 failure/g)).toHaveLength(1);
    expect(markdown).toContain('### Warnings\n- validation: integrity: 2 rows');
    expect(markdown).not.toContain('| | |');
  });
});
