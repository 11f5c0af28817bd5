import type { Ora } from 'ora';
import type { Output } from './output.js';

/** A spinner on stderr when a human watches; silent otherwise (CI, pipes, --quiet, --json). */
export interface Progress {
  start(text: string): void;
  update(text: string): void;
  succeed(text?: string): void;
  fail(text?: string): void;
  stop(): void;
}

export async function createProgress(out: Output): Promise<Progress> {
  if (!out.spinnerAllowed) {
    return { start: () => undefined, update: () => undefined, succeed: () => undefined, fail: () => undefined, stop: () => undefined };
  }
  // Loaded only for a terminal: ora and its dependencies take ~70 ms to import. discardStdin: false
  // keeps the terminal out of raw mode, so Ctrl-C still raises SIGINT (apply stops at a safe point).
  const { default: ora } = await import('ora');
  let spinner: Ora | null = null;
  return {
    start(text) {
      spinner?.stop();
      spinner = ora({ text, stream: process.stderr, color: 'cyan', isEnabled: true, discardStdin: false }).start();
    },
    update(text) {
      // A message printed in between stops the spinner; news of ongoing work brings it back.
      if (spinner) spinner.text = text;
      else spinner = ora({ text, stream: process.stderr, color: 'cyan', isEnabled: true, discardStdin: false }).start();
    },
    succeed(text) {
      spinner?.succeed(text);
      spinner = null;
    },
    fail(text) {
      spinner?.fail(text);
      spinner = null;
    },
    stop() {
      spinner?.stop();
      spinner = null;
    },
  };
}

/** Plain progress lines when no spinner can be shown (and in the log): this often (REPLICOOP_PROGRESS_MS, default 10 s). */
export function progressLineMs(env: NodeJS.ProcessEnv = process.env): number {
  const value = Number(env.REPLICOOP_PROGRESS_MS);
  return Number.isFinite(value) && value > 0 ? value : 10_000;
}
