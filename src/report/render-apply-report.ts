import type { ApplyResult } from '../apply/run-apply.js';
import type { Plan } from '../plan/plan-types.js';

/**
 * The apply report with the original design's fields (timestamp, execution_time,
 * tables_processed, maintain_tables, structure_only_tables, total_records_replicated,
 * backup_created, success, errors) plus per-step timings.
 */
export interface ApplyReport {
  readonly kind: 'apply';
  readonly runId: string;
  readonly planFile: string;
  readonly planChecksum: string;
  readonly timestamp: string;
  readonly executionTimeSeconds: number;
  readonly tablesProcessed: number;
  readonly maintainTables: readonly string[];
  readonly structureOnlyTables: number;
  readonly totalRecordsReplicated: number;
  readonly backupCreated: string | null;
  /** Wall seconds and compressed bytes of this run's backup. */
  readonly backup: { readonly seconds: number; readonly bytes: number } | null;
  readonly success: boolean;
  readonly status: ApplyResult['status'];
  readonly resumed: boolean;
  readonly errors: readonly string[];
  readonly warnings: readonly string[];
  readonly maskedColumns: readonly { readonly table: string; readonly column: string; readonly rule: string }[];
  readonly validation: ApplyResult['validation'];
  readonly checkpoints: ApplyResult['checkpoints'];
  readonly steps: ApplyResult['steps'];
}

export function applyReport(result: ApplyResult, plan: Plan, planFile: string): ApplyReport {
  const maintain = plan.settings.maintain.map((m) => m.table);
  const touchedTables = new Set(plan.steps.filter((s) => s.objectType === 'table').map((s) => s.object));
  return {
    kind: 'apply',
    runId: result.runId,
    planFile,
    planChecksum: plan.checksum,
    timestamp: result.finishedAt,
    executionTimeSeconds: result.seconds,
    tablesProcessed: touchedTables.size,
    maintainTables: maintain,
    structureOnlyTables: plan.summary.structureOnlyTables,
    totalRecordsReplicated: result.recordsCopied,
    backupCreated: result.backupFile,
    backup: result.backup ?? null,
    success: result.status === 'done',
    status: result.status,
    resumed: result.resumed,
    errors: result.errors,
    warnings: result.warnings,
    maskedColumns: plan.steps.flatMap((s) =>
      (s.data?.maskedColumns ?? []).map((m) => ({ table: s.data!.table, column: m.column, rule: m.rule })),
    ),
    validation: result.validation,
    checkpoints: result.checkpoints,
    steps: result.steps,
  };
}

export function renderApplyMarkdown(report: ApplyReport): string {
  const out: string[] = [];
  out.push(
    `## replicoop apply ${report.success ? 'succeeded' : report.status === 'rolled_back' ? 'failed and was rolled back' : 'FAILED'} (run \`${report.runId}\`)`,
  );
  out.push('');
  out.push('| | |');
  out.push('|---|---|');
  out.push(`| Timestamp | ${report.timestamp} |`);
  out.push(`| Execution time | ${report.executionTimeSeconds.toFixed(1)} s |`);
  out.push(`| Tables processed | ${report.tablesProcessed} |`);
  out.push(
    `| Maintain tables | ${report.maintainTables.length}${report.maintainTables.length ? ` (${report.maintainTables.join(', ')})` : ''} |`,
  );
  out.push(`| Structure-only tables | ${report.structureOnlyTables} |`);
  out.push(`| Records replicated | ${report.totalRecordsReplicated.toLocaleString('en-US')} |`);
  out.push(
    `| Backup | ${report.backupCreated ?? 'none'}${report.backup ? ` (${report.backup.seconds.toFixed(2)} s, ${(report.backup.bytes / 1024 / 1024).toFixed(1)} MB)` : ''} |`,
  );
  out.push(`| Success | ${report.success ? 'yes' : 'no'} |`);
  if (report.resumed) out.push('| Resumed | yes (continued an interrupted run) |');
  if (report.validation) out.push(`| Validation | ${report.validation.passed ? 'passed' : 'FAILED'}: ${report.validation.summary} |`);
  if (report.maskedColumns.length > 0)
    out.push(`| Masked columns | ${report.maskedColumns.map((m) => `${m.table}.${m.column} (${m.rule})`).join(', ')} |`);
  out.push('');
  if (report.errors.length > 0) {
    out.push('### Errors');
    for (const e of report.errors) out.push(`- ${e}`);
    out.push('');
  }
  if (report.warnings.length > 0) {
    out.push('### Warnings');
    for (const w of report.warnings) out.push(`- ${w}`);
    out.push('');
  }
  out.push('### Steps');
  out.push('');
  out.push('| Step | Status | Seconds | Rows | Note |');
  out.push('|---|---|---:|---:|---|');
  for (const step of report.steps)
    out.push(
      `| \`${step.stepId}\` | ${step.status} | ${step.seconds.toFixed(2)} | ${step.rows ? step.rows.toLocaleString('en-US') : ''} | ${(step.error ?? step.note ?? '').replace(/\|/g, '\\|')} |`,
    );
  const copies = report.steps.filter((s) => s.copyMode !== undefined);
  if (copies.length > 0) {
    const n = (v: number | undefined): string => (v === undefined ? '' : v.toLocaleString('en-US'));
    out.push('');
    out.push('### Data refresh');
    out.push('');
    out.push('| Table | Mode | Ranges compared | Ranges rewritten | Deleted | Replaced | Inserted | Unchanged | Seconds |');
    out.push('|---|---|---:|---:|---:|---:|---:|---:|---:|');
    for (const s of copies) {
      const d = s.delta;
      out.push(
        `| \`${s.object}\` | ${s.copyMode} | ${n(d?.rangesCompared)} | ${n(d?.rangesRewritten)} | ${n(d?.rowsDeleted)} | ${n(d?.rowsReplaced)} | ${d ? n(d.rowsInserted) : n(s.rows)} | ${n(d?.rowsUnchanged)} | ${s.seconds.toFixed(2)} |`,
      );
    }
  }
  return `${out.join('\n')}\n`;
}
