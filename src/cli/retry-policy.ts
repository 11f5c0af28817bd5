import { DEFAULT_RETRY, type RetryPolicy } from '../db/session.js';
import { retryLine } from '../db/retry-line.js';
import type { Logger } from '../log/file-logger.js';
import type { Output } from './output.js';

/**
 * The connection retry policy every command's sessions get: each retry is said on stderr (and
 * logged), so that a command that seems stuck for seconds says why. before: e.g. stop a spinner.
 */
export function retryPolicy(out: Output, logger: Logger, before?: () => void): RetryPolicy {
  return {
    ...DEFAULT_RETRY,
    onRetry: (attempt) => {
      const line = retryLine(attempt, DEFAULT_RETRY.attempts);
      before?.();
      out.warn(line);
      logger.warn(line);
    },
  };
}
