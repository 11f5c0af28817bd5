import type { RetryPolicy } from './session.js';

/** The line that says a connection attempt failed and when the next one comes (every command prints it the same way). */
export function retryLine(attempt: Parameters<NonNullable<RetryPolicy['onRetry']>>[0], attempts: number): string {
  return `connecting to ${attempt.what ?? 'the server'} failed (${attempt.error}); attempt ${attempt.attempt + 1}/${attempts} in ${(attempt.delayMs / 1000).toFixed(1)} s`;
}
