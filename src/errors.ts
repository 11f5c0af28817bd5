/**
 * The one error shape of replicoop: a stable snake_case code, a one-line human message,
 * JSON-safe details and the underlying cause. Only the CLI top level turns it into output
 * and an exit code.
 */
export type Details = Readonly<Record<string, unknown>>;

/**
 * Every error code replicoop throws, stable for scripts (they appear in `--json` output and logs).
 * A new failure gets a new code here; a typo in a code no longer compiles.
 */
export const ERROR_CODES = [
  'already_rolled_back',
  'backup_disk_full',
  'backup_failed',
  'backup_invalid_keep',
  'backup_missing',
  'backup_no_space',
  'backup_tool_missing',
  'bad_collation_name',
  'collation_unmappable',
  'config_invalid',
  'config_not_found',
  'config_syntax',
  'config_unreadable',
  'connection_failed',
  'connection_lost',
  'connection_refused',
  'copy_aborted',
  'copy_bad_value',
  'copy_failed',
  'copy_invalid_task',
  'copy_load_data_refused',
  'copy_packet_too_large',
  'copy_resume_invalid',
  'copy_rows_mismatch',
  'database_not_found',
  'internal_error',
  'interrupted',
  'keep_collision',
  'load_failed',
  'lock_lost',
  'log_unavailable',
  'maintain_invalid',
  'mask_secret_missing',
  'missing_privilege',
  'no_backup',
  'no_client_binary',
  'no_runs',
  'no_server_binary',
  'plan_invalid',
  'plan_not_found',
  'plan_stale',
  'plan_tampered',
  'plan_version',
  'production_write_refused',
  'restore_failed',
  'restore_privilege_missing',
  'restore_tool_missing',
  'restore_unsupported',
  'run_not_found',
  'same_database',
  'sandbox_locked',
  'sandbox_privileges',
  'server_init_failed',
  'server_start_failed',
  'sql_error',
  'state_conflict',
  'state_invalid_checkpoint',
  'state_not_found',
  'state_unavailable',
  'subset_incomplete',
  'unfinished_run',
  'unknown_objects',
  'usage',
  'validate_unknown_table',
  'wrong_source',
  'wrong_target',
] as const;

export type ErrorCode = (typeof ERROR_CODES)[number];

/** Failures of the copy engine itself (its task, values, masks), as opposed to SQL or connection errors. */
export function isCopyEngineError(value: unknown): value is ReplicoopError {
  return value instanceof ReplicoopError && (value.code.startsWith('copy_') || value.code.startsWith('mask_'));
}

export class ReplicoopError extends Error {
  readonly code: ErrorCode;
  readonly details: Details;

  constructor(code: ErrorCode, message: string, options: { details?: Details; cause?: unknown } = {}) {
    super(maskSecrets(message), options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'ReplicoopError';
    this.code = code;
    this.details = options.details ?? {};
  }

  toJSON(): { code: ErrorCode; message: string; details: Details } {
    return { code: this.code, message: this.message, details: this.details };
  }
}

export function isReplicoopError(value: unknown): value is ReplicoopError {
  return value instanceof ReplicoopError;
}

/** Turns anything thrown into a ReplicoopError, keeping the original as the cause. */
export function asReplicoopError(value: unknown, code: ErrorCode = 'internal_error'): ReplicoopError {
  if (value instanceof ReplicoopError) return value;
  const message = value instanceof Error ? value.message : String(value);
  return new ReplicoopError(code, message, { cause: value });
}

// Secrets (passwords, masking keys) are registered as soon as the config is read, so that
// every message, log line and report can be scrubbed in one place.
const secrets = new Set<string>();

export function registerSecret(secret: string | undefined | null): void {
  if (secret && secret.length >= 3) secrets.add(secret);
}

export function maskSecrets(text: string): string {
  let out = text;
  for (const secret of secrets) {
    if (out.includes(secret)) out = out.split(secret).join('****');
    const encoded = encodeURIComponent(secret);
    if (encoded !== secret && out.includes(encoded)) out = out.split(encoded).join('****');
  }
  return out;
}
