/**
 * yargs' own failure texts ("Not enough non-option arguments: got 0, need at least 1", "Unknown
 * argument: plna") turned into replicoop's one-line errors, with the usage line of the command
 * that was meant and a did-you-mean for a mistyped command or option.
 */
import { ReplicoopError } from '../errors.js';
import { editDistance } from '../compare-text.js';

export interface UsageCommand {
  /** yargs' command string: "apply <plan>". */
  readonly command: string;
  /** Long option names the command takes (without --), globals included. */
  readonly options: readonly string[];
}

/** The command a command line meant: its first word that names one. */
function commandOf(argv: readonly string[], commands: readonly UsageCommand[]): UsageCommand | null {
  for (const word of argv) {
    const command = commands.find((c) => nameOf(c) === word);
    if (command) return command;
  }
  return null;
}

function nameOf(command: UsageCommand): string {
  return command.command.split(' ')[0]!;
}

/** "Usage: replicoop apply <plan> [options]  (replicoop apply --help for more)". */
export function usageLine(argv: readonly string[], commands: readonly UsageCommand[]): string {
  const command = commandOf(argv, commands);
  if (!command) return `Usage: replicoop <command> [options]  (commands: ${commands.map(nameOf).join(', ')}; replicoop --help for more)`;
  return `Usage: replicoop ${command.command} [options]  (replicoop ${nameOf(command)} --help for more)`;
}

export function usageError(message: string, argv: readonly string[], commands: readonly UsageCommand[]): ReplicoopError {
  return new ReplicoopError('usage', translate(message, argv, commands), { details: { yargs: message } });
}

function translate(message: string, argv: readonly string[], commands: readonly UsageCommand[]): string {
  const command = commandOf(argv, commands);
  const where = command ? `${nameOf(command)}: ` : '';
  const positionals = command ? [...command.command.matchAll(/<([^>]+)>/g)].map((m) => m[1]!) : [];
  let m: RegExpExecArray | null;
  if ((m = /^Not enough non-option arguments: got (\d+), need at least (\d+)/.exec(message))) {
    const missing = positionals.slice(Number(m[1]));
    return `${where}missing argument${missing.length > 1 ? 's' : ''} ${missing.length > 0 ? missing.map((p) => `<${p}>`).join(' ') : `(${Number(m[2]) - Number(m[1])} more needed)`}`;
  }
  if ((m = /^Too many non-option arguments: got (\d+), maximum of (\d+)/.exec(message))) {
    const extra = argv.filter((a) => !a.startsWith('-')).slice(1 + Number(m[2]));
    return `${where}unexpected argument${extra.length === 1 ? '' : 's'} ${extra.map((a) => `"${a}"`).join(', ') || `(got ${m[1]}, at most ${m[2]})`}`;
  }
  if ((m = /^Unknown (?:arguments?|commands?): (.+)$/s.exec(message))) {
    const words = m[1]!.split(/,\s*/).map((w) => w.trim());
    const parts = words.map((word) => {
      const typed = argv.find((a) => a === word || a.replace(/^-+/, '').split('=')[0] === word) ?? word;
      if (!typed.startsWith('-') && !command) {
        const guess = closest(word, commands.map(nameOf));
        return `unknown command "${word}"${guess ? ` (did you mean "${guess}"?)` : ''}`;
      }
      if (!typed.startsWith('-')) return `unexpected argument "${word}"`;
      const name = typed.replace(/^-+/, '').split('=')[0]!;
      const guess = closest(name, command?.options ?? [...new Set(commands.flatMap((c) => c.options))]);
      return `unknown option "${typed.split('=')[0]}"${guess ? ` (did you mean "--${guess}"?)` : ''}`;
    });
    return `${where}${parts.join('; ')}`;
  }
  if ((m = /^Invalid values:\s*Argument: (\S+), Given: (.+?), Choices: (.+)$/s.exec(message))) {
    return `${where}--${m[1]}: ${m[2]!.trim()} is not one of ${m[3]!.replace(/"/g, '').trim()}`;
  }
  if ((m = /^Not enough arguments following: (\S+)/.exec(message))) return `${where}--${m[1]} needs a value`;
  if ((m = /^Missing required arguments?: (.+)$/.exec(message)))
    return `${where}missing ${m[1]!
      .split(/,\s*/)
      .map((a) => `--${a}`)
      .join(', ')}`;
  return `${where}${message.replace(/\s*\n\s*/g, ' ')}`;
}

/** The candidate within edit distance 2 (or a third of the word), nearest first; null when none is close. */
export function closest(word: string, candidates: readonly string[]): string | null {
  let best: string | null = null;
  let bestDistance = Infinity;
  const limit = Math.max(2, Math.floor(word.length / 3));
  for (const candidate of candidates) {
    const d = editDistance(word.toLowerCase(), candidate.toLowerCase());
    if (d < bestDistance && d <= limit) {
      best = candidate;
      bestDistance = d;
    }
  }
  return best;
}
