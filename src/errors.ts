/**
 * The one error shape of replicoop: a stable snake_case code, a one-line human message,
 * JSON-safe details and the underlying cause. Only the CLI top level turns it into output
 * and an exit code.
 */
export type Details = Readonly<Record<string, unknown>>;

export class ReplicoopError extends Error {
  readonly code: string;
  readonly details: Details;

  constructor(code: string, message: string, options: { details?: Details; cause?: unknown } = {}) {
    super(maskSecrets(message), options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'ReplicoopError';
    this.code = code;
    this.details = options.details ?? {};
  }

  toJSON(): { code: string; message: string; details: Details } {
    return { code: this.code, message: this.message, details: this.details };
  }
}

export function isReplicoopError(value: unknown): value is ReplicoopError {
  return value instanceof ReplicoopError;
}

/** Turns anything thrown into a ReplicoopError, keeping the original as the cause. */
export function asReplicoopError(value: unknown, code = 'internal_error'): ReplicoopError {
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
