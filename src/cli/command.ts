import type { Argv } from 'yargs';
import type { ExitCode } from './exit-codes.js';
import type { Output } from './output.js';

export interface GlobalArgs {
  readonly config: string;
  readonly json: boolean;
  readonly color: boolean;
  readonly quiet: boolean;
  readonly verbose: boolean;
}

export interface CommandContext<A = Record<string, unknown>> {
  readonly args: GlobalArgs & A;
  readonly out: Output;
  readonly cwd: string;
  /** True when stdin and stdout are terminals (a human is there to answer). */
  readonly interactive: boolean;
}

/**
 * A command: its yargs definition, and `run`, which imports the heavy modules it needs (drivers,
 * SQLite, JSON Schema) when it runs, so that --help, --version and every other command start fast.
 */
export interface CommandModule<A = Record<string, unknown>> {
  readonly command: string;
  readonly describe: string;
  readonly builder: (yargs: Argv) => Argv;
  readonly run: (context: CommandContext<A>) => Promise<ExitCode>;
}
