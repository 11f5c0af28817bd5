import { createTwoFilesPatch } from 'diff';
import type { Plan, PlanStep } from '../plan/plan-types.js';
import { objectChanges, type ObjectChange } from './object-changes.js';
import { objectSummary } from './object-summary.js';
import { PLAIN, type Palette } from './palette.js';
import { planDiagram } from './plan-diagram.js';

const SYMBOL: Record<ObjectChange['action'], string> = { create: '+', change: '~', drop: '-', recreate: '±', rename: '~' };

export function hasSchemaChanges(plan: Plan): boolean {
  return plan.steps.some((s) => s.schemaChange);
}

/** A unified diff of two CREATE statements (empty side for creates and drops). */
export function unifiedDiff(change: ObjectChange): string {
  const patch = createTwoFilesPatch(
    `sandbox/${change.renamedFrom ?? change.name}`,
    `production/${change.name}`,
    change.before === null ? '' : `${change.before}\n`,
    change.after === null ? '' : `${change.after}\n`,
    '',
    '',
    { context: 3 },
  );
  // Drop the "Index:" / "====" header lines: the object name is already in the heading.
  return patch
    .split('\n')
    .filter((line) => !line.startsWith('Index:') && !line.startsWith('===='))
    .join('\n')
    .trimEnd();
}

function summaryRows(plan: Plan): [string, string][] {
  const s = plan.summary;
  return [
    ['Tables created', String(s.tablesCreated)],
    ['Tables altered', String(s.tablesAltered)],
    ['Tables dropped', String(s.tablesDropped)],
    ['Tables re-created', String(s.tablesRecreated)],
    ['Other objects changed', String(s.otherObjectsChanged)],
    ['Maintain tables (data refreshed)', String(s.maintainTables)],
    ['Structure-only tables', String(s.structureOnlyTables)],
    ['Destructive steps', String(s.destructiveSteps)],
    ['Estimated rows to copy', s.estimatedRowsToCopy.toLocaleString('en-US')],
  ];
}

/** A unified diff with + lines green, - lines red and hunk headers cyan. */
export function colourDiff(diff: string, paint: Palette): string {
  return diff
    .split('\n')
    .map((line) =>
      line.startsWith('+') && !line.startsWith('+++')
        ? paint.green(line)
        : line.startsWith('-') && !line.startsWith('---')
          ? paint.red(line)
          : line.startsWith('@@')
            ? paint.cyan(line)
            : line,
    )
    .join('\n');
}

function maskText(step: PlanStep): string {
  const masked = step.data?.maskedColumns ?? [];
  return masked.length === 0 ? '' : masked.map((m) => `${m.column}:${m.rule}`).join(', ');
}

/** The plan for a terminal: summary, destructive steps, per-object diffs and SQL, data refresh. */
export function renderPlanText(plan: Plan, paint: Palette = PLAIN): string {
  const out: string[] = [];
  out.push(
    paint.bold(
      `Plan: production ${plan.source.host}:${plan.source.port}/${plan.source.database} -> sandbox ${plan.target.host}:${plan.target.port}/${plan.target.database}`,
    ),
  );
  out.push('');
  for (const [label, value] of summaryRows(plan)) out.push(`  ${label.padEnd(44)} ${value}`);
  out.push('');
  const destructive = plan.steps.filter((s) => s.destructive);
  if (destructive.length > 0) {
    out.push(paint.red(paint.bold(`! ${destructive.length} destructive step${destructive.length > 1 ? 's' : ''}:`)));
    for (const step of destructive) out.push(paint.red(`  ! ${step.id}: ${step.reason}`));
    out.push('');
  }
  if (plan.steps.length > 0) {
    out.push(paint.bold(`Steps in execution order (${phaseRanges(plan)}):`));
    for (const step of plan.steps) out.push(`  ${stepLine(step)}`);
    out.push('');
  }
  const changes = inExecutionOrder(objectChanges(plan), plan);
  if (changes.length === 0) out.push(paint.green('No schema changes: the sandbox structure matches production.'));
  for (const change of changes) {
    const heading = `${SYMBOL[change.action]} ${change.objectType} ${change.name} (${change.action})${change.destructive ? ' DESTRUCTIVE' : ''}: ${objectSummary(change, plan)}`;
    out.push(change.destructive ? paint.red(paint.bold(heading)) : paint.bold(heading));
    for (const step of change.steps) out.push(paint.dim(`  ${step.id}: ${step.reason}`));
    out.push(colourDiff(unifiedDiff(change), paint).replace(/^/gm, '    '));
    for (const step of change.steps) for (const sql of step.sql) out.push(paint.cyan(`${sql};`).replace(/^/gm, '    '));
    out.push('');
  }
  for (const u of plan.summary.unsupported) out.push(paint.yellow(`? unsupported ${u.kind} ${u.name}: ${u.reason} (no DDL generated)`));
  for (const u of plan.summary.untouched ?? []) out.push(paint.yellow(`? left untouched (unknown: skip): ${untouchedLine(u)}`));
  for (const w of plan.summary.warnings ?? []) out.push(paint.yellow(`! ${w}`));
  for (const h of plan.summary.hints ?? []) out.push(paint.yellow(`hint: ${h}`));
  const data = plan.steps.filter((s) => s.kind === 'copy_table');
  if (data.length > 0) {
    out.push(paint.bold('Data refresh (maintain tables):'));
    for (const step of data) {
      const d = step.data!;
      const mask = maskText(step);
      out.push(
        `  ${step.id}: ${d.table}  key=${d.key ? d.key.join(',') : '(none: one pass)'}${d.where ? `  where ${d.where}` : ''}  ~${d.estimatedRows.toLocaleString('en-US')} rows${mask ? `  masked ${mask}` : ''}`,
      );
      if (d.subset) out.push(paint.dim(`      subset: ${subsetText(d.subset)}`));
      out.push(`      ${d.mode ?? 'full'} copy: ${d.modeReason ?? 'every row is copied'}`);
      if (d.keep)
        out.push(
          `      keeps ${d.keep.keptRows.toLocaleString('en-US')} sandbox row${d.keep.keptRows === 1 ? '' : 's'} where ${d.keep.where}; deletes ${d.keep.deletedRows.toLocaleString('en-US')}`,
        );
      if (d.passthroughColumns) out.push(paint.dim(`      passed through unmasked on purpose: ${d.passthroughColumns.join(', ')}`));
      if (d.newUnmaskedColumns)
        out.push(paint.yellow(`      new in production since the last applied plan, not masked: ${d.newUnmaskedColumns.join(', ')}`));
    }
  }
  const around = aroundTheCopies(plan);
  if (around.length > 0) {
    out.push('');
    out.push(paint.bold(`${AROUND_HEADING}:`));
    for (const group of around) {
      out.push(`  ${group.objectType} ${group.name}: ${aroundSummary(group.steps)}`);
      for (const step of group.steps) {
        out.push(paint.dim(`    ${step.id}: ${step.reason}`));
        for (const sql of step.sql) out.push(paint.cyan(`${sql};`).replace(/^/gm, '      '));
      }
    }
  }
  return `${out.join('\n').trimEnd()}\n`;
}

const AROUND_HEADING = 'Around the copies (the objects themselves do not change)';

interface AroundTheCopies {
  readonly objectType: PlanStep['objectType'];
  readonly name: string;
  readonly steps: readonly PlanStep[];
}

/**
 * Steps with SQL that change no schema: the triggers lifted around a copy (dropped so they do not
 * fire on copied rows, then re-created unchanged). They belong to no schema-change section, and
 * the reviewer must still read every statement that runs.
 */
function aroundTheCopies(plan: Plan): AroundTheCopies[] {
  const groups = new Map<string, PlanStep[]>();
  for (const step of plan.steps) {
    if (step.schemaChange || step.sql.length === 0) continue;
    const key = `${step.objectType}\u0000${step.object}`;
    groups.set(key, [...(groups.get(key) ?? []), step]);
  }
  return [...groups.values()].map((steps) => ({ objectType: steps[0]!.objectType, name: steps[0]!.object, steps }));
}

/** "drop trigger 0002, create trigger 0019". */
function aroundSummary(steps: readonly PlanStep[]): string {
  return steps.map((s) => `${s.kind.replace(/_/g, ' ')} ${stepNumber(s)}`).join(', ');
}

function subsetText(subset: NonNullable<NonNullable<Plan['steps'][number]['data']>['subset']>): string {
  const parts = [subset.userWhere ? `own where ${subset.userWhere}` : 'no where of its own'];
  if (subset.restrictedBy.length > 0) parts.push(`only rows whose parent is copied via ${subset.restrictedBy.join(', ')}`);
  if (subset.pulledBy.length > 0) parts.push(`plus rows referenced via ${subset.pulledBy.join(', ')}`);
  if (subset.selfClosure.length > 0) parts.push(`plus ancestors via ${subset.selfClosure.join(', ')}`);
  if (subset.cut.length > 0) parts.push(`cut to break a cycle: ${subset.cut.join(', ')}`);
  return parts.join('; ');
}

function mdEscape(text: string): string {
  return text.replace(/\|/g, '\\|').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

function fence(language: string, body: string): string {
  const longest = Math.max(2, ...[...body.matchAll(/`+/g)].map((m) => m[0].length));
  const ticks = '`'.repeat(longest + 1);
  return `${ticks}${language}\n${body}\n${ticks}`;
}

/** The plan for a pull-request comment: summary table, destructive steps first, collapsible diffs. */
export function renderPlanMarkdown(plan: Plan): string {
  const out: string[] = [];
  out.push(`## replicoop plan: \`${mdEscape(plan.source.database)}\` → \`${mdEscape(plan.target.database)}\``);
  out.push('');
  out.push(
    `Production ${plan.source.flavor} ${mdEscape(plan.source.version)} at \`${plan.source.host}:${plan.source.port}\`; sandbox ${plan.target.flavor} ${mdEscape(plan.target.version)} at \`${plan.target.host}:${plan.target.port}\`. Plan checksum \`${plan.checksum.slice(0, 12)}\`.`,
  );
  out.push('');
  out.push('| Summary | |');
  out.push('|---|---:|');
  for (const [label, value] of summaryRows(plan)) out.push(`| ${label} | ${value} |`);
  out.push('');
  const destructive = plan.steps.filter((s) => s.destructive);
  if (destructive.length > 0) {
    out.push('> [!WARNING]');
    out.push(`> **${destructive.length} destructive step${destructive.length > 1 ? 's' : ''}** — data in the sandbox can be lost:`);
    for (const step of destructive) out.push(`> - \`${step.id}\`: ${mdEscape(step.reason)}`);
    out.push('');
  }
  out.push(...markdownDiagram(plan));
  if (plan.steps.length > 0) {
    out.push('<details>');
    out.push(`<summary><b>Steps in execution order</b> (${mdEscape(phaseRanges(plan))})</summary>`);
    out.push('');
    out.push('| Step | Phase | What |');
    out.push('|---|---|---|');
    for (const step of plan.steps)
      out.push(
        `| \`${step.id}\` | ${step.phase} | ${step.destructive ? '⚠️ ' : ''}${mdEscape(step.reason)}${step.schemaChange ? '' : ' *(data refresh)*'} |`,
      );
    out.push('');
    out.push('</details>');
    out.push('');
  }
  const changes = inExecutionOrder(objectChanges(plan), plan);
  if (changes.length === 0) out.push('No schema changes: the sandbox structure matches production.\n');
  else out.push('### Schema changes\n');
  const ordered = [...changes.filter((c) => c.destructive), ...changes.filter((c) => !c.destructive)];
  for (const change of ordered) {
    out.push('<details>');
    out.push(
      `<summary>${change.destructive ? '⚠️ ' : ''}<code>${mdEscape(change.name)}</code> — ${change.objectType}, ${change.action}${change.destructive ? ' (destructive)' : ''}: ${mdEscape(objectSummary(change, plan))}</summary>`,
    );
    out.push('');
    for (const step of change.steps) out.push(`- \`${step.id}\`: ${mdEscape(step.reason)}`);
    out.push('');
    out.push(fence('diff', unifiedDiff(change)));
    out.push('');
    out.push(fence('sql', change.steps.flatMap((s) => s.sql.map((q) => `${q};`)).join('\n')));
    out.push('');
    out.push('</details>');
    out.push('');
  }
  if (plan.summary.unsupported.length > 0) {
    out.push('### Not handled (no DDL generated)\n');
    for (const u of plan.summary.unsupported) out.push(`- ${u.kind} \`${mdEscape(u.name)}\`: ${mdEscape(u.reason)}`);
    out.push('');
  }
  if ((plan.summary.warnings ?? []).length > 0) {
    out.push('### Warnings\n');
    for (const w of plan.summary.warnings ?? []) out.push(`- ${mdEscape(w)}`);
    out.push('');
  }
  if ((plan.summary.hints ?? []).length > 0) {
    out.push('### Hints (not acted on)\n');
    for (const h of plan.summary.hints ?? []) out.push(`- ${mdEscape(h)}`);
    out.push('');
  }
  if ((plan.summary.untouched ?? []).length > 0) {
    out.push('### Left untouched: an account cannot read them (`unknown: skip`)\n');
    for (const u of plan.summary.untouched ?? []) out.push(`- ${mdEscape(untouchedLine(u))}`);
    out.push('');
  }
  const data = plan.steps.filter((s) => s.kind === 'copy_table');
  if (data.length > 0) {
    out.push('### Data refresh\n');
    out.push('| Step | Table | Chunk key | Filter | Est. rows | Masked columns | Mode |');
    out.push('|---:|---|---|---|---:|---|---|');
    for (const step of data) {
      const d = step.data!;
      out.push(
        `| ${stepNumber(step)} | \`${mdEscape(d.table)}\` | ${d.key ? d.key.map((k) => `\`${mdEscape(k)}\``).join(', ') : '(none: one pass)'} | ${d.where ? `\`${mdEscape(d.where)}\`` : ''} | ${d.estimatedRows.toLocaleString('en-US')} | ${mdEscape(maskText(step))} | ${d.mode ?? 'full'}: ${mdEscape(d.modeReason ?? 'every row is copied')} |`,
      );
    }
    out.push('');
    for (const step of data) {
      const d = step.data!;
      if (d.keep)
        out.push(
          `- \`${mdEscape(d.table)}\` keeps ${d.keep.keptRows.toLocaleString('en-US')} sandbox rows where \`${mdEscape(d.keep.where)}\` and deletes ${d.keep.deletedRows.toLocaleString('en-US')}`,
        );
      if (d.passthroughColumns)
        out.push(
          `- \`${mdEscape(d.table)}\` passes through unmasked on purpose: ${d.passthroughColumns.map((c) => `\`${mdEscape(c)}\``).join(', ')}`,
        );
      if (d.newUnmaskedColumns)
        out.push(
          `- ⚠️ \`${mdEscape(d.table)}\` has columns new since the last applied plan, not masked: ${d.newUnmaskedColumns.map((c) => `\`${mdEscape(c)}\``).join(', ')}`,
        );
    }
    if (data.some((step) => step.data!.passthroughColumns || step.data!.newUnmaskedColumns || step.data!.keep)) out.push('');
    const shaped = data.filter((step) => step.data!.subset);
    if (shaped.length > 0) {
      out.push('Subset (foreign-key closure of the filters; the Filter column is the effective filter):\n');
      for (const step of shaped) out.push(`- \`${mdEscape(step.data!.table)}\`: ${mdEscape(subsetText(step.data!.subset!))}`);
      out.push('');
    }
  }
  const around = aroundTheCopies(plan);
  if (around.length > 0) {
    out.push(`### ${AROUND_HEADING}\n`);
    for (const group of around) {
      out.push('<details>');
      out.push(`<summary><code>${mdEscape(group.name)}</code> — ${group.objectType}: ${aroundSummary(group.steps)}</summary>`);
      out.push('');
      for (const step of group.steps) out.push(`- \`${step.id}\`: ${mdEscape(step.reason)}`);
      out.push('');
      out.push(fence('sql', group.steps.flatMap((s) => s.sql.map((q) => `${q};`)).join('\n')));
      out.push('');
      out.push('</details>');
      out.push('');
    }
  }
  return `${out.join('\n').trimEnd()}\n`;
}

/** "structure 0001-0012, data 0013-0015, post 0016-0020": where each phase sits in the step list. */
function phaseRanges(plan: Plan): string {
  const parts: string[] = [];
  for (const phase of ['structure', 'data', 'post'] as const) {
    const steps = plan.steps.filter((s) => s.phase === phase);
    if (steps.length === 0) continue;
    const first = stepNumber(steps[0]!);
    const last = stepNumber(steps[steps.length - 1]!);
    parts.push(`${phase} ${first === last ? first : `${first}-${last}`}`);
  }
  return `${plan.steps.length} step${plan.steps.length === 1 ? '' : 's'}: ${parts.join(', ')}`;
}

/** The position part of a step id ("0007"). */
function stepNumber(step: PlanStep): string {
  return step.id.slice(0, step.id.indexOf('-'));
}

/** One step in the execution-order list of the text plan. */
function stepLine(step: PlanStep): string {
  const kind = step.kind.replace(/_/g, ' ');
  return `${stepNumber(step)}  ${step.phase.padEnd(9)}  ${kind.padEnd(16)}  ${step.object}${step.destructive ? '  (destructive)' : ''}${step.schemaChange ? '' : '  (data refresh)'}`;
}

/** Objects in the order their first step runs, so that step numbers read upwards. */
function inExecutionOrder(changes: readonly ObjectChange[], plan: Plan): ObjectChange[] {
  const position = new Map(plan.steps.map((s, i) => [s.id, i]));
  const first = (c: ObjectChange): number => Math.min(...c.steps.map((s) => position.get(s.id) ?? 0));
  return [...changes].sort((a, b) => first(a) - first(b));
}

/** The Mermaid picture of the refreshed tables and their neighbours, with its legend. */
function markdownDiagram(plan: Plan): string[] {
  const diagram = planDiagram(plan);
  if (diagram.source === null) return [];
  const out = ['### Tables and foreign keys', ''];
  out.push(fence('mermaid', diagram.source));
  out.push('');
  out.push(
    'Rectangles: maintain tables (data refreshed; the number is the copy order). Rounded: structure-only. Red border: a destructive change. Arrows point from a child table to the parent it references; dotted arrows are foreign keys in a cycle (`cut`: the subset cut it).' +
      (diagram.subsets
        ? " Dashed border, `subset`: only some rows are copied, by the table's own `where` and, under `closure`, the foreign keys that add a condition to it; the effective filter is in the Data refresh table."
        : '') +
      (diagram.cutFilters ? ' A filter ending in `… (cut)` is shortened; the Data refresh table has it in full.' : ''),
  );
  if (diagram.note) out.push(`${mdEscape(diagram.note)}`);
  out.push('');
  return out;
}

/** The plan for machines: identities, summary and steps (the snapshots stay in the plan file). */
export function planJson(plan: Plan, file: string | null): Record<string, unknown> {
  return {
    file,
    checksum: plan.checksum,
    createdAt: plan.createdAt,
    source: plan.source,
    target: plan.target,
    fingerprints: plan.fingerprints,
    schemaChanges: hasSchemaChanges(plan),
    summary: plan.summary,
    steps: plan.steps,
  };
}

/** One object (or class) an account cannot read, left untouched by the plan. */
function untouchedLine(u: NonNullable<Plan['summary']['untouched']>[number]): string {
  return `${u.side}: ${u.name === null ? u.what : `${u.kind} ${u.name}: ${u.what}`} (to include it: ${u.grant})`;
}
