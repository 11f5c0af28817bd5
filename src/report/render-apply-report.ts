import type { ApplyResult } from '../apply/run-apply.js';
import type { Plan } from '../plan/plan-types.js';

/**
 * The apply report. Its first fields are the original design's (ARCHITECTURE.md: report
 * fields), under its names (`timestamp`, `execution_time`, `tables_processed`, `maintain_tables`,
 * `structure_only_tables`, `total_records_replicated`, `backup_created`, `success`, `errors`);
 * the others follow in the same snake_case. Each field is described in the README ("The apply report").
 */
export interface ApplyReport {
  readonly timestamp: string;
  /** Seconds, wall clock, of this attempt (a resumed run counts from its resume). */
  readonly execution_time: number;
  /** Every production table the plan covers: maintain_tables + structure_only_tables, changed or not. */
  readonly tables_processed: number;
  readonly maintain_tables: number;
  readonly structure_only_tables: number;
  readonly total_records_replicated: number;
  readonly backup_created: string | null;
  /** Wall seconds and compressed bytes of this run's backup. */
  readonly backup: { readonly seconds: number; readonly bytes: number } | null;
  readonly success: boolean;
  readonly errors: readonly string[];
  readonly warnings: readonly string[];
  readonly kind: 'apply';
  readonly run_id: string;
  readonly plan_file: string;
  readonly plan_checksum: string;
  readonly status: ApplyResult['status'];
  readonly resumed: boolean;
  /** Tables a schema step created, altered, re-created or dropped. */
  readonly tables_changed: number;
  readonly maintain_table_names: readonly string[];
  readonly masked_columns: readonly { readonly table: string; readonly column: string; readonly rule: string }[];
  /** Columns copied unmasked on purpose (maintain[].passthrough): the report says so as plainly as it lists the masks. */
  readonly passthrough_columns: readonly { readonly table: string; readonly column: string }[];
  readonly validation: ApplyResult['validation'];
  readonly checkpoints: ApplyResult['checkpoints'];
  readonly steps: ApplyResult['steps'];
}

export function applyReport(result: ApplyResult, plan: Plan, planFile: string): ApplyReport {
  const maintain = plan.steps.filter((s) => s.kind === 'copy_table').map((s) => s.object);
  const changed = new Set(plan.steps.filter((s) => s.objectType === 'table' && s.schemaChange).map((s) => s.object));
  return {
    timestamp: result.finishedAt,
    execution_time: result.seconds,
    tables_processed: plan.summary.maintainTables + plan.summary.structureOnlyTables,
    maintain_tables: plan.summary.maintainTables,
    structure_only_tables: plan.summary.structureOnlyTables,
    total_records_replicated: result.recordsCopied,
    backup_created: result.backupFile,
    success: result.status === 'done',
    errors: result.errors,
    backup: result.backup ?? null,
    warnings: result.warnings,
    kind: 'apply',
    run_id: result.runId,
    plan_file: planFile,
    plan_checksum: plan.checksum,
    status: result.status,
    resumed: result.resumed,
    tables_changed: changed.size,
    maintain_table_names: maintain,
    masked_columns: plan.steps.flatMap((s) =>
      (s.data?.maskedColumns ?? []).map((m) => ({ table: s.data!.table, column: m.column, rule: m.rule })),
    ),
    passthrough_columns: plan.steps.flatMap((s) => (s.data?.passthroughColumns ?? []).map((column) => ({ table: s.data!.table, column }))),
    validation: result.validation,
    checkpoints: result.checkpoints,
    steps: result.steps,
  };
}

export function renderApplyMarkdown(report: ApplyReport): string {
  const out: string[] = [];
  out.push(
    `## replicoop apply ${report.success ? 'succeeded' : report.status === 'rolled_back' ? 'failed and was rolled back' : 'FAILED'} (run \`${report.run_id}\`)`,
  );
  out.push('');
  out.push('| Report | |');
  out.push('|---|---|');
  out.push(`| Timestamp | ${report.timestamp} |`);
  out.push(`| Execution time | ${report.execution_time.toFixed(1)} s |`);
  out.push(`| Tables processed | ${report.tables_processed} (${report.tables_changed} with schema changes) |`);
  out.push(
    `| Maintain tables | ${report.maintain_tables}${report.maintain_table_names.length ? ` (${report.maintain_table_names.join(', ')})` : ''} |`,
  );
  out.push(`| Structure-only tables | ${report.structure_only_tables} |`);
  out.push(`| Records replicated | ${report.total_records_replicated.toLocaleString('en-US')} |`);
  out.push(
    `| Backup | ${report.backup_created ?? 'none'}${report.backup ? ` (${report.backup.seconds.toFixed(2)} s, ${(report.backup.bytes / 1024 / 1024).toFixed(1)} MB)` : ''} |`,
  );
  out.push(`| Success | ${report.success ? 'yes' : 'no'} |`);
  if (report.resumed) out.push('| Resumed | yes (continued an interrupted run) |');
  if (report.validation) out.push(`| Validation | ${report.validation.passed ? 'passed' : 'FAILED'}: ${report.validation.summary} |`);
  if (report.masked_columns.length > 0)
    out.push(`| Masked columns | ${report.masked_columns.map((m) => `${m.table}.${m.column} (${m.rule})`).join(', ')} |`);
  if (report.passthrough_columns.length > 0)
    out.push(`| Passed through unmasked on purpose | ${report.passthrough_columns.map((p) => `${p.table}.${p.column}`).join(', ')} |`);
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
