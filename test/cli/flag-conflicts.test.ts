import { existsSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli, tempDir, writeConfig } from '../support/cli.js';

/** A config that loads (no server is contacted before these checks): ports nobody listens on. */
function project(extra: Record<string, unknown> = {}): string {
  const dir = tempDir('replicoop-flags-');
  writeConfig(dir, { productionPort: 1, sandboxPort: 1, productionDb: 'p', sandboxDb: 's' }, extra);
  writeFileSync(join(dir, 'plan.json'), '{}');
  return dir;
}

describe('conflicting flags and non-numeric values: one usage line, exit 1, nothing written', () => {
  const cases: readonly { args: string[]; line: string; extra?: Record<string, unknown> }[] = [
    { args: ['plan', '--json', '--format', 'markdown'], line: 'error: --json and --format markdown disagree: pass one of them' },
    { args: ['validate', '--json', '--format', 'text'], line: 'error: --json and --format text disagree: pass one of them' },
    {
      args: ['apply', 'plan.json', '--no-backup', '--rollback-on-failure'],
      line: 'error: --no-backup and --rollback-on-failure disagree: without a backup there is nothing to roll back to',
    },
    {
      args: ['apply', 'plan.json', '--no-backup'],
      extra: { apply: { onFailure: 'rollback' } },
      line: 'error: --no-backup disagrees with apply.onFailure: rollback in replicoop.yaml: without a backup there is nothing to roll back to (add --no-rollback-on-failure)',
    },
    { args: ['status', '--limit', 'abc'], line: 'error: --limit takes a whole number >= 1' },
    { args: ['validate', '--concurrency', 'two'], line: 'error: --concurrency takes a whole number >= 1' },
    { args: ['validate', '--concurrency', '0'], line: 'error: --concurrency takes a whole number >= 1' },
  ];
  for (const { args, line, extra } of cases) {
    it(args.join(' ') + (extra ? ' (with apply.onFailure: rollback)' : ''), async () => {
      const dir = project(extra);
      const result = await runCli(args, { cwd: dir });
      expect(result.code).toBe(1);
      expect(result.stderr.split('\n')[0]).toBe(line);
      expect(existsSync(join(dir, '.replicoop'))).toBe(false);
      expect(readdirSync(dir).sort()).toEqual(['plan.json', 'replicoop.yaml']);
    });
  }

  it('the agreeing forms are accepted (they fail later, on the unreachable server, not on the flags)', async () => {
    const dir = project();
    const result = await runCli(['plan', '--json', '--format', 'json'], { cwd: dir });
    expect(result.code).toBe(1);
    expect(result.stderr).not.toContain('disagree');
    expect(result.stderr).toMatch(/production/);
  });
});
