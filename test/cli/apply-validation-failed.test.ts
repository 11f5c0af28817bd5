import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli, tempDir, writeConfig } from '../support/cli.js';
import { testServers, uniqueName } from '../support/servers.js';
import { sides } from '../support/shop.js';

/**
 * Issue 17: a validation that fails inside apply is one of the run's errors, said once, and not
 * also a warning. The failure is real: the maintain table's where draws a different sample each
 * time it runs (RAND()), so the rows validate reads from production are not the ones the copy
 * wrote, and no copy can make them agree (replicoop's deterministic `sample` exists for this).
 */
describe('the apply report of a run whose validation fails', () => {
  it('names the failed validation once, under errors, and not under warnings (JSON and Markdown)', async () => {
    const { production, sandbox } = testServers();
    const productionDb = uniqueName('vf_p');
    const sandboxDb = uniqueName('vf_s');
    await production.createDatabase(productionDb);
    await sandbox.createDatabase(sandboxDb);
    const ddl = 'CREATE TABLE item (id INT PRIMARY KEY, v INT NOT NULL);';
    await production.sql(`${ddl} INSERT INTO item SELECT seq, seq FROM seq_1_to_400;`, productionDb);
    await sandbox.sql(ddl, sandboxDb);
    const dir = tempDir();
    writeConfig(dir, sides(production.port, sandbox.port, productionDb, sandboxDb), {
      maintain: [{ table: 'item', where: 'RAND() < 0.5' }],
    });
    const plan = await runCli(['plan'], { cwd: dir });
    expect(plan.code, plan.stderr).toBe(0);
    // A full copy: a delta copy reads production twice and would notice the draws differ itself.
    const apply = await runCli(['apply', 'plan.json', '--no-backup', '--full'], { cwd: dir });
    expect(apply.code, apply.stderr).toBe(1);
    const file = readdirSync(join(dir, 'reports')).find((f) => f.startsWith('apply_') && f.endsWith('.json'))!;
    const report = JSON.parse(readFileSync(join(dir, 'reports', file), 'utf8')) as {
      success: boolean;
      errors: string[];
      warnings: string[];
      validation: { passed: boolean; summary: string };
      steps: { status: string }[];
    };
    // The copy itself succeeded: only validation failed.
    expect(report.steps.map((s) => s.status)).toEqual(['applied']);
    expect(report.validation.passed).toBe(false);
    const summary = report.validation.summary;
    expect(summary).toContain('1 of 1 table differs (item)');
    expect(report.success).toBe(false);
    expect(report.errors).toEqual([`validation: ${summary}`]);
    expect(report.warnings.filter((w) => w.includes('validation') || w.includes(summary))).toEqual([]);
    const markdown = readFileSync(join(dir, 'reports', file.replace(/\.json$/, '.md')), 'utf8');
    const section = (heading: string): string => {
      const start = markdown.indexOf(`\n${heading}\n`);
      expect(start, heading).toBeGreaterThanOrEqual(0);
      const end = markdown.indexOf('\n### ', start + 1);
      return markdown.slice(start, end < 0 ? undefined : end);
    };
    expect(section('### Errors').split(summary)).toHaveLength(2);
    expect(section('### Warnings')).not.toContain(summary);
    expect(section('### Warnings')).not.toContain('validation');
  });
});
