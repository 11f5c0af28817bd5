/**
 * The session settings of every sandbox connection, once: the DDL steps, the copy, the restore
 * and the checks all run under the same sql_mode and time zone, so a value or a default means
 * the same thing wherever it is written.
 *
 * sql_mode is lenient like mysqldump's restore: no STRICT/NO_ZERO_DATE, so zero dates in DDL
 * defaults and rows load; NO_AUTO_VALUE_ON_ZERO, so an id 0 stays 0; no ANSI_QUOTES surprises;
 * NO_ENGINE_SUBSTITUTION, so a missing engine is an error, not a silent InnoDB table.
 * time_zone +00:00: TIMESTAMP values travel as UTC text on both sides.
 */

export const SANDBOX_SQL_MODE = 'NO_AUTO_VALUE_ON_ZERO,NO_ENGINE_SUBSTITUTION';
/** Production reads need no NO_AUTO_VALUE_ON_ZERO (they never insert). */
export const PRODUCTION_SQL_MODE = 'NO_ENGINE_SUBSTITUTION';
export const SESSION_TIME_ZONE = '+00:00';

export interface SandboxSessionOptions {
  readonly foreignKeyChecks: boolean;
  /** unique_checks, set only when given (the copy decides it per run). */
  readonly uniqueChecks?: boolean;
}

/** One SET statement for the sandbox session's settings. */
export function sandboxSessionSql(options: SandboxSessionOptions): string {
  const parts = [
    `SESSION sql_mode = '${SANDBOX_SQL_MODE}'`,
    `SESSION time_zone = '${SESSION_TIME_ZONE}'`,
    `SESSION foreign_key_checks = ${options.foreignKeyChecks ? 1 : 0}`,
  ];
  if (options.uniqueChecks !== undefined) parts.push(`SESSION unique_checks = ${options.uniqueChecks ? 1 : 0}`);
  return `SET ${parts.join(', ')}`;
}
