import { describe, expect, it } from 'vitest';
import { closest, usageError, usageLine, type UsageCommand } from '../../../src/cli/usage-error.js';

const COMMANDS: UsageCommand[] = [
  { command: 'plan', options: ['out', 'format', 'detailed-exitcode', 'config', 'json'] },
  { command: 'apply <plan>', options: ['restart', 'force', 'backup', 'config', 'json'] },
  { command: 'status', options: ['run', 'config', 'json'] },
];

const message = (yargs: string, argv: string[]): string => usageError(yargs, argv, COMMANDS).message;

describe("yargs' failure texts become replicoop's one-line errors", () => {
  it.each([
    ['Unknown argument: plna', ['plna'], 'unknown command "plna" (did you mean "plan"?)'],
    ['Unknown argument: deploy', ['deploy'], 'unknown command "deploy"'],
    ['Not enough non-option arguments: got 0, need at least 1', ['apply'], 'apply: missing argument <plan>'],
    ['Too many non-option arguments: got 2, maximum of 1', ['apply', 'a.json', 'b.json'], 'apply: unexpected argument "b.json"'],
    ['Unknown argument: fromat', ['plan', '--fromat', 'markdown'], 'plan: unknown option "--fromat" (did you mean "--format"?)'],
    [
      'Unknown arguments: restrat, x',
      ['apply', 'p.json', '--restrat', 'x'],
      'apply: unknown option "--restrat" (did you mean "--restart"?); unexpected argument "x"',
    ],
    [
      'Invalid values:\n  Argument: format, Given: "xml", Choices: "text", "markdown", "json"',
      ['plan', '--format', 'xml'],
      'plan: --format: "xml" is not one of text, markdown, json',
    ],
    ['Not enough arguments following: out', ['plan', '-o'], 'plan: --out needs a value'],
  ])('%s', (yargs, argv, expected) => {
    const text = message(yargs, argv);
    expect(text).toBe(expected);
    expect(text).not.toContain('\n');
  });

  it('gives the usage line of the command that was meant', () => {
    expect(usageLine(['apply'], COMMANDS)).toBe('Usage: replicoop apply <plan> [options]  (replicoop apply --help for more)');
    expect(usageLine(['-c', 'x.yaml', 'status', '--json'], COMMANDS)).toBe(
      'Usage: replicoop status [options]  (replicoop status --help for more)',
    );
    expect(usageLine(['plna'], COMMANDS)).toBe(
      'Usage: replicoop <command> [options]  (commands: plan, apply, status; replicoop --help for more)',
    );
  });

  it('suggests only near names', () => {
    expect(closest('stauts', ['status', 'plan'])).toBe('status');
    expect(closest('xyz', ['status', 'plan'])).toBeNull();
  });
});
