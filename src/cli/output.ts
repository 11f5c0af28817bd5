import { maskSecrets } from '../errors.js';
import { palette, type Palette } from '../report/palette.js';

export interface OutputOptions {
  readonly color: boolean;
  readonly quiet: boolean;
  readonly verbose: boolean;
  readonly json: boolean;
}

/** The only writer to stdout/stderr. Everything passes through the secret mask. */
export class Output {
  readonly options: OutputOptions;
  readonly paint: Palette;
  readonly stdoutIsTTY: boolean;
  readonly stderrIsTTY: boolean;

  constructor(options: OutputOptions) {
    this.options = options;
    this.paint = palette(options.color);
    this.stdoutIsTTY = Boolean(process.stdout.isTTY);
    this.stderrIsTTY = Boolean(process.stderr.isTTY);
  }

  /** Command results (plans, reports, JSON). */
  result(text: string): void {
    process.stdout.write(maskSecrets(text.endsWith('\n') ? text : `${text}\n`));
  }

  /** Progress and notes, on stderr; silenced by --quiet. */
  info(text: string): void {
    if (!this.options.quiet) process.stderr.write(`${maskSecrets(text)}\n`);
  }

  warn(text: string): void {
    process.stderr.write(`${this.paint.yellow('warning:')} ${maskSecrets(text)}\n`);
  }

  error(text: string): void {
    process.stderr.write(`${this.paint.red('error:')} ${maskSecrets(text)}\n`);
  }

  debug(text: string): void {
    if (this.options.verbose) process.stderr.write(`${this.paint.dim(maskSecrets(text))}\n`);
  }

  /**
   * Whether an interactive spinner may be drawn on stderr. Not on a terminal that reports no
   * width (a pseudo-terminal nobody sized): the spinner would divide by its 0 columns and clear
   * lines without end.
   */
  get spinnerAllowed(): boolean {
    return (
      this.stderrIsTTY && (process.stderr.columns ?? 0) > 0 && !this.options.quiet && !this.options.json && process.env.CI === undefined
    );
  }
}

export function colorWanted(flag: boolean | undefined, stream: NodeJS.WriteStream = process.stdout): boolean {
  if (flag === false) return false;
  if (process.env.NO_COLOR !== undefined && process.env.NO_COLOR !== '') return false;
  if (process.env.FORCE_COLOR !== undefined && process.env.FORCE_COLOR !== '0') return true;
  return Boolean(stream.isTTY);
}
