import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { renderPlanMarkdown, renderPlanText } from '../../../src/report/render-plan.js';
import type { StepKind } from '../../../src/plan/plan-types.js';
import { everyStepKindPlan } from './every-step-kind.js';

const ALL_KINDS: readonly StepKind[] = [
  'create_table',
  'alter_table',
  'drop_table',
  'recreate_table',
  'add_foreign_keys',
  'create_view',
  'drop_view',
  'create_trigger',
  'drop_trigger',
  'create_routine',
  'drop_routine',
  'create_event',
  'drop_event',
  'create_sequence',
  'drop_sequence',
  'copy_table',
  'alter_database',
];

describe('the Markdown plan of a plan with every step kind', () => {
  const plan = everyStepKindPlan();
  const markdown = renderPlanMarkdown(plan);

  it('the fixture really has every step kind', () => {
    expect([...new Set(plan.steps.map((s) => s.kind))].sort()).toEqual([...ALL_KINDS].sort());
  });

  it('matches the golden file (UPDATE_GOLDEN=1 rewrites it)', () => {
    const golden = join(process.cwd(), 'test', 'golden', 'plan-every-step-kind.md');
    if (process.env.UPDATE_GOLDEN) {
      mkdirSync(join(process.cwd(), 'test', 'golden'), { recursive: true });
      writeFileSync(golden, markdown);
    }
    expect(markdown).toBe(readFileSync(golden, 'utf8'));
  });

  it('names every step id, lifted triggers included, in execution order', () => {
    const order = plan.steps.map((s) => markdown.indexOf(`| \`${s.id}\` |`));
    expect(order.every((at) => at >= 0)).toBe(true);
    expect([...order].sort((a, b) => a - b)).toEqual(order);
    const lifted = plan.steps.filter((s) => s.object === 'trg_customer_audit').map((s) => s.kind);
    expect(lifted).toEqual(['drop_trigger', 'create_trigger']);
  });

  it('shows the SQL of every step, the triggers lifted around a copy included, in text and Markdown', () => {
    const text = renderPlanText(plan);
    const statements = plan.steps.flatMap((s) => s.sql);
    expect(statements).toContain('DROP TRIGGER IF EXISTS `trg_customer_audit`');
    // The text plan indents each line of a statement.
    const unindented = (t: string): string => t.replace(/^ +/gm, '');
    for (const sql of statements) {
      expect(markdown).toContain(`${sql};`);
      expect(unindented(text)).toContain(unindented(`${sql};`));
    }
    const around = markdown.slice(markdown.indexOf('### Around the copies'));
    expect(around).toContain('<summary><code>trg_customer_audit</code> — trigger: drop trigger 0002, create trigger 0019</summary>');
    expect(around).toContain('```sql\nDROP TRIGGER IF EXISTS `trg_customer_audit`;\nSET SESSION sql_mode');
    expect(text).toContain('  trigger trg_customer_audit: drop trigger 0002, create trigger 0019\n');
  });

  it('has a header row with text, a summary per object, a Mermaid block and step numbers apart from tables', () => {
    expect(markdown).toContain('| Summary | |');
    expect(markdown).not.toContain('| | |');
    expect(markdown).toContain(
      '<code>customer</code> — table, change: +1 column, ~1 type (email varchar(30) -&gt; varchar(45)), -1 column, -1 index</summary>',
    );
    expect(markdown).toMatch(/```mermaid\nflowchart LR\n/);
    expect(markdown).toMatch(/\| \d{4} \| `customer` \|/);
  });

  it('does not call a dropped column of a maintain table a loss; a structure-only table keeps the warning', () => {
    const customer = plan.steps.find((s) => s.kind === 'alter_table' && s.object === 'customer')!;
    expect(customer.destructive).toBe(false);
    expect(customer.reason).toContain('column zip_code: dropped with its data (maintain table: its rows are re-copied from production');
    const notes = plan.steps.find((s) => s.kind === 'alter_table' && s.object === 'notes')!;
    expect(notes.destructive).toBe(true);
    const warning = markdown.slice(markdown.indexOf('> [!WARNING]'), markdown.indexOf('\n\n', markdown.indexOf('> [!WARNING]')));
    expect(warning).toContain(notes.id);
    expect(warning).not.toContain(customer.id);
  });

  it('lists the text plan objects in execution order, with the order of every step', () => {
    const text = renderPlanText(plan);
    expect(text).toContain('Steps in execution order');
    for (const step of plan.steps) expect(text).toContain(`  ${step.id.slice(0, 4)}  ${step.phase}`);
    const headings = [...text.matchAll(/^[+~±-] \w+ (\S+) \(/gm)].map((m) => m[1]!);
    const firstStep = headings.map((name) => plan.steps.findIndex((s) => s.object === name && s.schemaChange));
    expect([...firstStep].sort((a, b) => a - b)).toEqual(firstStep);
  });
});
