/**
 * Pure renderers of a ValidationResult: text for a terminal (with a palette), Markdown for a
 * pull request or the report file, JSON for machines. Structural differences are shown like
 * plan shows them: a unified diff of the CREATE statement.
 */
import type {
  KeyValues,
  MaskedColumnResult,
  OrphanFinding,
  StructureDifference,
  TableDataResult,
  ValidationResult,
} from '../validate/validation-result.js';
import { unreadableLine } from '../validate/validation-result.js';
import { PLAIN, type Palette } from './palette.js';
import { colourDiff, unifiedDiff } from './render-plan.js';

const KIND_SYMBOL: Record<StructureDifference['kind'], string> = { missing: '+', extra: '-', differs: '~' };
const KIND_TEXT: Record<StructureDifference['kind'], string> = {
  missing: 'missing in the sandbox',
  extra: 'only in the sandbox',
  differs: 'differs',
};

/**
 * The unified diff of a difference's two CREATE statements, headed with its side labels; '' when
 * the texts are equal while the models differ (e.g. definers compared with definers: keep).
 */
export function structureDiff(d: StructureDifference): string {
  const action = d.kind === 'missing' ? 'create' : d.kind === 'extra' ? 'drop' : 'change';
  const diff = unifiedDiff({
    objectType: d.objectType,
    name: d.name,
    action,
    before: d.before,
    after: d.after,
    steps: [],
    destructive: false,
  });
  if (!diff.includes('\n@@')) return '';
  const [from, to] = d.labels;
  return diff.replace(/^--- sandbox\//m, `--- ${from}/`).replace(/^\+\+\+ production\//m, `+++ ${to}/`);
}

const count = (n: number): string => n.toLocaleString('en-US');
const plural = (n: number, word: string, many = `${word}s`): string => `${count(n)} ${n === 1 ? word : many}`;

/** One line for logs, apply's report and the end of the text output (without the verdict). */
export function validationSummary(result: ValidationResult): string {
  const parts: string[] = [];
  const differences = result.structure.differences;
  parts.push(
    differences.length === 0
      ? 'structure matches'
      : `${plural(differences.length, 'object')} differ${differences.length === 1 ? 's' : ''} (${someNames(differences.map((d) => `${d.objectType} ${d.name}`))})`,
  );
  const tables = result.data.tables;
  const bad = tables.filter((t) => t.status !== 'match');
  const rows = tables.reduce((n, t) => n + t.productionRows, 0);
  if (tables.length > 0) {
    parts.push(
      bad.length === 0
        ? `${plural(tables.length, 'table')} match${tables.length === 1 ? 'es' : ''} (${plural(rows, 'row')})`
        : `${bad.length} of ${plural(tables.length, 'table')} differ${bad.length === 1 ? 's' : ''} (${someNames(bad.map((t) => t.table))})`,
    );
  }
  const proven = result.data.provenByDeltaCopy ?? [];
  if (proven.length > 0) parts.push(`${plural(proven.length, 'table')} proven equal by the delta copy`);
  const orphans = result.orphans.findings;
  parts.push(orphans.length === 0 ? 'no orphan rows' : `orphan rows in ${plural(orphans.length, 'foreign key')}`);
  if (result.plan) parts.push(result.plan.productionDrifted ? 'production drifted since the plan' : 'production unchanged since the plan');
  return `${parts.join(', ')}${result.warnings.length > 0 ? `; ${plural(result.warnings.length, 'warning')}` : ''}`;
}

/** The first few names, so that a one-line summary says where to look. */
function someNames(names: readonly string[]): string {
  const shown = names.slice(0, 5).join(', ');
  return names.length > 5 ? `${shown} and ${names.length - 5} more` : shown;
}

/** `id=5`, `(a=1, b='x')`; NULL and '' stay distinguishable. */
export function formatKey(key: KeyValues): string {
  const entries = Object.entries(key).map(([name, value]) => `${name}=${formatValue(value)}`);
  return entries.length === 1 ? entries[0]! : `(${entries.join(', ')})`;
}

export function formatValue(value: string | null): string {
  if (value === null) return 'NULL';
  if (/^-?\d+(\.\d+)?$/.test(value) || /^0x[0-9a-f]+(\.\.\.)?$/.test(value)) return value;
  return `'${value.replace(/\\/g, '\\\\').replace(/'/g, "\\'").replace(/\n/g, '\\n').replace(/\r/g, '\\r').replace(/\t/g, '\\t')}'`;
}

function tableHeadline(t: TableDataResult): string {
  const how = t.method === 'key_ranges' ? `key ${t.key!.join(',')}` : 'no key: row multiset';
  const rows =
    t.productionRows === t.sandboxRows
      ? plural(t.productionRows, 'row')
      : `${count(t.productionRows)} rows in production, ${count(t.sandboxRows)} in the sandbox`;
  const filter = t.where ? `  where ${t.where}` : '';
  const masked = t.excludedColumns.length > 0 ? `  masked ${t.excludedColumns.join(',')}` : '';
  if (t.status === 'not_compared') return `${t.table}  not compared: ${t.reason}`;
  return `${t.table}  ${how}${filter}  ${rows}  ${plural(t.chunks, t.method === 'key_ranges' ? 'chunk' : 'bucket')}${t.differingChunks > 0 ? ` (${count(t.differingChunks)} differ)` : ''}${masked}  ${t.seconds.toFixed(2)} s`;
}

function differenceLines(t: TableDataResult): string[] {
  const lines: string[] = [];
  const plus = t.drillComplete ? '' : '+';
  const list = (label: string, n: number, keys: readonly KeyValues[]): void => {
    if (n === 0) return;
    lines.push(`${label} (${count(n)}${plus}): ${keys.map(formatKey).join('; ')}${n > keys.length ? '; ...' : ''}`);
  };
  if (t.method === 'key_ranges') {
    list('missing in the sandbox', t.missing.count, t.missing.samples);
    list('extra in the sandbox', t.extra.count, t.extra.samples);
  }
  if (t.different.count > 0) {
    lines.push(`different (${count(t.different.count)}${plus}):`);
    for (const d of t.different.samples) {
      lines.push(
        `  ${formatKey(d.key)}: ${d.columns.map((c) => `${c.column} ${formatValue(c.production)} in production, ${formatValue(c.sandbox)} in the sandbox`).join('; ') || '(only masked columns differ)'}`,
      );
    }
  }
  for (const [label, samples, n] of [
    ['missing in the sandbox', t.rowSamples.missing, t.missing.count],
    ['extra in the sandbox', t.rowSamples.extra, t.extra.count],
  ] as const) {
    if (samples.length === 0) continue;
    lines.push(`${label} (${plural(n, 'row')}):`);
    for (const s of samples) lines.push(`  ${s.copies > 1 ? `${s.copies} x ` : ''}${formatKey(s.row)}`);
  }
  if (!t.drillComplete) lines.push('(the drill-down stopped after enough samples: counts are lower bounds)');
  if (t.differingChunks > 0 && lines.length === 0)
    lines.push('checksums differ, but no row differed when compared again (rows changed during the check?)');
  return lines;
}

function maskLine(m: MaskedColumnResult): string {
  const how =
    m.verified === 'all_rows'
      ? `every row checked`
      : m.verified === 'sample'
        ? `${plural(m.checked, 'sampled row')} re-masked`
        : 'count only';
  const wrong =
    m.mismatches > 0
      ? `, ${plural(m.mismatches, 'mismatch', 'mismatches')}${m.mismatchKeys.length > 0 ? ` at ${m.mismatchKeys.map(formatKey).join('; ')}` : ''}`
      : '';
  const counts = `non-NULL ${count(m.sandboxNonNull)} (expected ${count(m.expectedSandboxNonNull)})`;
  return `masked ${m.column} (${m.rule}): ${counts}, ${how}${wrong}${m.note ? ` — ${m.note}` : ''}`;
}

function orphanLine(o: OrphanFinding): string {
  return `${o.foreignKey}: ${plural(o.orphanRows, 'row')} of ${o.table} (${o.columns.join(', ')}) point${o.orphanRows === 1 ? 's' : ''} at no ${o.referencedTable} (${o.referencedColumns.join(', ')}) row`;
}

export function renderValidationText(result: ValidationResult, paint: Palette = PLAIN): string {
  const out: string[] = [];
  const ok = (text: string): string => paint.green(`ok    ${text}`);
  const fail = (text: string): string => paint.red(paint.bold(`FAIL  ${text}`));
  const warn = (text: string): string => paint.yellow(`warn  ${text}`);
  const p = result.production;
  const s = result.sandbox;
  out.push(paint.bold(`Validate: sandbox ${s.host}:${s.port}/${s.database} against production ${p.host}:${p.port}/${p.database}`));
  out.push('');

  const structure = result.structure;
  out.push(paint.bold('Structure'));
  const unreadable = structure.unreadable ?? [];
  if (structure.differences.length === 0)
    out.push(ok(unreadable.length === 0 ? 'the sandbox schema matches production' : 'what both accounts can read matches production'));
  else
    out.push(
      fail(`${plural(structure.differences.length, 'object')} differ${structure.differences.length === 1 ? 's' : ''} from production`),
    );
  for (const d of structure.differences) {
    out.push(`  ${KIND_SYMBOL[d.kind]} ${d.objectType} ${d.name} (${KIND_TEXT[d.kind]})`);
    for (const reason of d.reasons) out.push(paint.dim(`    plan would: ${reason}`));
    if (structureDiff(d)) out.push(colourDiff(structureDiff(d), paint).replace(/^/gm, '    '));
  }
  for (const u of structure.uncomparable) out.push(warn(`${u.objectType} ${u.name} cannot be compared: ${u.reason}`));
  for (const u of unreadable) out.push((u.fails === false ? warn : fail)(unreadableLine(u)));
  out.push('');

  out.push(paint.bold('Data (maintain tables)'));
  const proven = result.data.provenByDeltaCopy ?? [];
  if (result.data.tables.length === 0 && proven.length === 0) out.push(paint.dim('  no maintain tables to check'));
  for (const name of proven)
    out.push(ok(`${name}: compared range by range with production by this apply's delta copy (not checksummed again)`));
  for (const t of result.data.tables) {
    out.push(t.status === 'match' ? ok(tableHeadline(t)) : fail(tableHeadline(t)));
    for (const note of t.notes) out.push(paint.dim(`      ${note}`));
    for (const line of differenceLines(t)) out.push(`      ${line}`);
    for (const m of t.masked) out.push(m.passed ? paint.dim(`      ${maskLine(m)}`) : paint.red(`      ${maskLine(m)}`));
  }
  out.push('');

  const orphans = result.orphans;
  out.push(paint.bold('Integrity (foreign keys in the sandbox)'));
  if (orphans.findings.length === 0) out.push(ok(`${plural(orphans.foreignKeysChecked, 'foreign key')} checked, no orphan rows`));
  for (const o of orphans.findings) {
    out.push(o.severity === 'error' ? fail(orphanLine(o)) : warn(orphanLine(o)));
    out.push(paint.dim(`      ${o.note}`));
    if (o.samples.length > 0) out.push(`      e.g. ${o.samples.map(formatKey).join('; ')}`);
  }
  for (const sk of orphans.skipped) out.push(paint.dim(`      ${sk.foreignKey} on ${sk.table} not checked: ${sk.reason}`));
  out.push('');

  if (result.plan) {
    const plan = result.plan;
    out.push(paint.bold(`Plan ${plan.checksum.slice(0, 12)} (made ${plan.createdAt})`));
    out.push(
      plan.sandboxMatchesReviewed
        ? ok('the sandbox matches the production schema reviewed in the plan')
        : fail(`the sandbox differs from the reviewed schema in ${plural(plan.reviewedDifferences.length, 'object')}`),
    );
    for (const d of plan.reviewedDifferences) {
      out.push(`  ${KIND_SYMBOL[d.kind]} ${d.objectType} ${d.name} (${KIND_TEXT[d.kind]})`);
      if (structureDiff(d)) out.push(colourDiff(structureDiff(d), paint).replace(/^/gm, '    '));
    }
    out.push(
      plan.productionDrifted
        ? warn(
            `production changed since the plan${plan.driftDifferences.length > 0 ? ` (${plural(plan.driftDifferences.length, 'object')})` : ''}: run replicoop plan again`,
          )
        : ok('production has not changed since the plan'),
    );
    for (const d of plan.driftDifferences) {
      out.push(`  ${KIND_SYMBOL[d.kind]} ${d.objectType} ${d.name}`);
      if (structureDiff(d)) out.push(colourDiff(structureDiff(d), paint).replace(/^/gm, '    '));
    }
    for (const note of plan.notes) out.push(paint.dim(`      ${note}`));
    out.push('');
  }

  const verdict = `Result: ${result.passed ? 'PASSED' : 'FAILED'} (${validationSummary(result)})`;
  out.push(result.passed ? paint.green(paint.bold(verdict)) : paint.red(paint.bold(verdict)));
  if (!result.passed && result.failures.length === 0 && result.strict) out.push(paint.red('  --strict: warnings fail the validation'));
  return `${out.join('\n').trimEnd()}\n`;
}

function mdEscape(text: string): string {
  return text.replace(/\|/g, '\\|').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

function mdCode(text: string): string {
  const longest = Math.max(0, ...[...text.matchAll(/`+/g)].map((m) => m[0].length));
  const ticks = '`'.repeat(longest + 1);
  return `${ticks}${longest > 0 ? ' ' : ''}${text.replace(/\|/g, '\\|')}${longest > 0 ? ' ' : ''}${ticks}`;
}

function fence(language: string, body: string): string {
  const longest = Math.max(2, ...[...body.matchAll(/`+/g)].map((m) => m[0].length));
  const ticks = '`'.repeat(longest + 1);
  return `${ticks}${language}\n${body}\n${ticks}`;
}

function mdDifferences(out: string[], differences: readonly StructureDifference[]): void {
  for (const d of differences) {
    out.push('<details>');
    out.push(`<summary><code>${mdEscape(d.name)}</code> — ${d.objectType}, ${KIND_TEXT[d.kind]}</summary>`);
    out.push('');
    for (const reason of d.reasons) out.push(`- plan would: ${mdEscape(reason)}`);
    out.push('');
    if (structureDiff(d)) {
      out.push(fence('diff', structureDiff(d)));
      out.push('');
    }
    out.push('</details>');
    out.push('');
  }
}

export function renderValidationMarkdown(result: ValidationResult): string {
  const out: string[] = [];
  const p = result.production;
  const s = result.sandbox;
  out.push(`## replicoop validate: ${result.passed ? '✅ passed' : '❌ failed'}`);
  out.push('');
  out.push(
    `Sandbox ${s.flavor} ${mdEscape(s.version)} \`${s.host}:${s.port}/${mdEscape(s.database)}\` against production ${p.flavor} ${mdEscape(p.version)} \`${p.host}:${p.port}/${mdEscape(p.database)}\`, ${result.finishedAt}, ${result.seconds.toFixed(1)} s${result.strict ? ', --strict' : ''}.`,
  );
  out.push('');
  out.push('| Check | Result |');
  out.push('|---|---|');
  const structure = result.structure;
  out.push(
    `| Structure | ${structure.differences.length === 0 ? 'matches' : `**${plural(structure.differences.length, 'object')} differ**`}${(structure.unreadable ?? []).length > 0 ? `; ${(structure.unreadable ?? []).length} unreadable (not compared)` : ''} |`,
  );
  const bad = result.data.tables.filter((t) => t.status !== 'match');
  out.push(
    `| Data | ${result.data.tables.length === 0 ? 'no maintain tables' : bad.length === 0 ? `${plural(result.data.tables.length, 'table')} match${result.data.tables.length === 1 ? 'es' : ''}` : `**${bad.length} of ${plural(result.data.tables.length, 'table')} differ**`} |`,
  );
  const errors = result.orphans.findings.filter((o) => o.severity === 'error').length;
  out.push(
    `| Integrity | ${result.orphans.findings.length === 0 ? `${plural(result.orphans.foreignKeysChecked, 'foreign key')}, no orphans` : [errors > 0 ? `**${plural(errors, 'error')}**` : '', errors < result.orphans.findings.length ? plural(result.orphans.findings.length - errors, 'warning') : ''].filter(Boolean).join(', ')} |`,
  );
  if (result.plan)
    out.push(
      `| Plan \`${result.plan.checksum.slice(0, 12)}\` | ${result.plan.sandboxMatchesReviewed ? 'sandbox matches the reviewed schema' : '**sandbox differs from the reviewed schema**'}; ${result.plan.productionDrifted ? 'production drifted since' : 'production unchanged'} |`,
    );
  out.push('');
  if (result.failures.length > 0) {
    out.push('> [!CAUTION]');
    for (const f of result.failures) out.push(`> - ${mdEscape(f)}`);
    out.push('');
  }
  if (result.warnings.length > 0) {
    out.push('> [!WARNING]');
    for (const w of result.warnings) out.push(`> - ${mdEscape(w)}`);
    out.push('');
  }
  if (structure.differences.length > 0) {
    out.push('### Structure differences\n');
    mdDifferences(out, structure.differences);
  }
  if (result.data.tables.length > 0) {
    out.push('### Data\n');
    out.push('| Table | Result | Compared by | Filter | Production rows | Sandbox rows | Chunks (differ) | Masked | Seconds |');
    out.push('|---|---|---|---|---:|---:|---:|---|---:|');
    for (const t of result.data.tables) {
      const how =
        t.status === 'not_compared'
          ? ''
          : t.method === 'key_ranges'
            ? `key ${t.key!.map((k) => mdCode(k)).join(', ')}`
            : 'row multiset (no key)';
      const verdict =
        t.status === 'match' ? 'match' : t.status === 'differ' ? '**differs**' : `**not compared**: ${mdEscape(t.reason ?? '')}`;
      out.push(
        `| ${mdCode(t.table)} | ${verdict} | ${how} | ${t.where ? mdCode(t.where) : ''} | ${count(t.productionRows)} | ${count(t.sandboxRows)} | ${count(t.chunks)} (${count(t.differingChunks)}) | ${t.excludedColumns.map(mdCode).join(', ')} | ${t.seconds.toFixed(2)} |`,
      );
    }
    out.push('');
    for (const t of result.data.tables) {
      const lines = [...t.notes, ...differenceLines(t), ...t.masked.map(maskLine)];
      if (lines.length === 0) continue;
      out.push(`#### ${mdCode(t.table)}\n`);
      for (const line of lines) out.push(`- ${mdEscape(line)}`);
      out.push('');
    }
  }
  if (result.orphans.findings.length > 0) {
    out.push('### Orphan rows\n');
    out.push('| Foreign key | Child | Parent | Orphans | Severity | Examples |');
    out.push('|---|---|---|---:|---|---|');
    for (const o of result.orphans.findings) {
      out.push(
        `| ${mdCode(o.foreignKey)} | ${mdCode(`${o.table}(${o.columns.join(', ')})`)} | ${mdCode(`${o.referencedTable}(${o.referencedColumns.join(', ')})`)} | ${count(o.orphanRows)} | ${o.severity === 'error' ? '**error**' : 'warning'} | ${mdEscape(o.samples.map(formatKey).join('; '))} |`,
      );
    }
    out.push('');
    for (const o of result.orphans.findings) out.push(`- ${mdCode(o.foreignKey)}: ${mdEscape(o.note)}`);
    out.push('');
  }
  if (
    result.plan &&
    (result.plan.reviewedDifferences.length > 0 || result.plan.driftDifferences.length > 0 || result.plan.notes.length > 0)
  ) {
    out.push('### Plan\n');
    if (result.plan.reviewedDifferences.length > 0) {
      out.push('The sandbox against the production schema reviewed in the plan:\n');
      mdDifferences(out, result.plan.reviewedDifferences);
    }
    if (result.plan.driftDifferences.length > 0) {
      out.push('Production changed since the plan:\n');
      mdDifferences(out, result.plan.driftDifferences);
    }
    for (const note of result.plan.notes) out.push(`- ${mdEscape(note)}`);
    out.push('');
  }
  out.push(`**Result: ${result.passed ? 'passed' : 'failed'}** (${mdEscape(validationSummary(result))})`);
  return `${out.join('\n').trimEnd()}\n`;
}

/** The result for machines, with its one-line summary. */
export function validationJson(result: ValidationResult): Record<string, unknown> {
  return { summary: validationSummary(result), ...result };
}
