import { appendFileSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { ReplicoopError, maskSecrets, type Details } from '../errors.js';

export type LogLevel = 'info' | 'warn' | 'error' | 'debug';

export interface Logger {
  /** The file the next line goes to, or null when nothing is written. */
  readonly file: string | null;
  info(message: string, details?: Details): void;
  warn(message: string, details?: Details): void;
  error(message: string, details?: Details): void;
  /** Every statement sent to a server; written only in verbose mode. */
  sql(text: string): void;
}

export interface FileLoggerOptions {
  readonly verbose?: boolean;
  /** The clock, for tests that need a predictable file name. */
  readonly now?: () => Date;
}

/**
 * Appends to <dir>/replicoop_YYYYMMDD.log (UTC date, so a run that crosses midnight continues
 * in the next day's file). Appends are synchronous so that the last line before a crash is on
 * disk. Every line passes through maskSecrets().
 */
export class FileLogger implements Logger {
  readonly dir: string;
  readonly verbose: boolean;
  #now: () => Date;
  #writeError: string | null = null;

  constructor(dir: string, options: FileLoggerOptions = {}) {
    this.dir = dir;
    this.verbose = options.verbose ?? false;
    this.#now = options.now ?? (() => new Date());
    try {
      mkdirSync(dir, { recursive: true });
    } catch (error) {
      throw new ReplicoopError('log_unavailable', `cannot create the log directory ${dir}: ${(error as Error).message}`, {
        details: { dir },
        cause: error,
      });
    }
  }

  get file(): string {
    return this.#fileFor(this.#now());
  }

  /**
   * The first failed append, if any. A full disk must not abort an apply halfway, so write
   * errors are remembered here for the CLI to report instead of being thrown.
   */
  get writeError(): string | null {
    return this.#writeError;
  }

  info(message: string, details?: Details): void {
    this.#write('info', message, details);
  }

  warn(message: string, details?: Details): void {
    this.#write('warn', message, details);
  }

  error(message: string, details?: Details): void {
    this.#write('error', message, details);
  }

  sql(text: string): void {
    if (this.verbose) this.#write('debug', text);
  }

  #fileFor(date: Date): string {
    const day = date.toISOString().slice(0, 10).replace(/-/g, '');
    return join(this.dir, `replicoop_${day}.log`);
  }

  #write(level: LogLevel, message: string, details?: Details): void {
    const now = this.#now();
    const body = details && Object.keys(details).length > 0 ? `${message} ${safeJson(details)}` : message;
    // Every physical line carries its own prefix so that grep on a multi-line SQL statement
    // still shows when and at which level it was logged.
    const prefix = `${now.toISOString()} ${level.toUpperCase().padEnd(5)} `;
    const text = maskSecrets(body)
      .split(/\r?\n/)
      .map((line) => prefix + line)
      .join('\n');
    try {
      appendFileSync(this.#fileFor(now), text + '\n', { encoding: 'utf8', mode: 0o600 });
    } catch (error) {
      this.#writeError ??= `cannot write to ${this.#fileFor(now)}: ${(error as Error).message}`;
    }
  }
}

/** For runs without a log directory: same interface, writes nothing. */
export class NullLogger implements Logger {
  readonly file = null;
  info(): void {}
  warn(): void {}
  error(): void {}
  sql(): void {}
}

function safeJson(details: Details): string {
  try {
    return JSON.stringify(details, (_key, value: unknown) => (typeof value === 'bigint' ? value.toString() : value));
  } catch {
    return '[unserialisable details]';
  }
}
