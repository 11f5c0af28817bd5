/** Exit codes, as Terraform's -detailed-exitcode and Skeema use them. */
export const ExitCode = {
  ok: 0,
  error: 1,
  differences: 2,
} as const;

export type ExitCode = (typeof ExitCode)[keyof typeof ExitCode];
