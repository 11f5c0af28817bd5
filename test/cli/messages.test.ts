import { describe, expect, it } from 'vitest';
import { runCli, tempDir } from '../support/cli.js';

/** Command-line mistakes: one error line, the usage of the command meant, exit 1, nothing on stdout. */
describe('usage errors of the built binary', () => {
  it.each([
    [['plna'], 'error: unknown command "plna" (did you mean "plan"?)', 'Usage: replicoop <command> [options]'],
    [['apply'], 'error: apply: missing argument <plan>', 'Usage: replicoop apply <plan> [options]  (replicoop apply --help for more)'],
    [
      ['plan', '--fromat', 'markdown'],
      'error: plan: unknown option "--fromat" (did you mean "--format"?)',
      'Usage: replicoop plan [options]',
    ],
  ])('replicoop %j', async (args, error, usage) => {
    const result = await runCli(args, { cwd: tempDir() });
    expect(result.code).toBe(1);
    expect(result.stdout).toBe('');
    const lines = result.stderr.trimEnd().split('\n');
    expect(lines).toHaveLength(2);
    expect(lines[0]).toBe(error);
    expect(lines[1]).toContain(usage);
    expect(result.stderr).not.toMatch(/Not enough non-option|Unknown argument/);
  });
});
