/** Exit codes, as Terraform's -detailed-exitcode and Skeema use them. */
export const ExitCode = {
  ok: 0,
  error: 1,
  differences: 2,
  /** Stopped by Ctrl-C, SIGINT or SIGTERM at a safe point (128 + SIGINT, as shells report it). */
  interrupted: 130,
} as const;

export type ExitCode = (typeof ExitCode)[keyof typeof ExitCode];
