import { ReplicoopError } from '../errors.js';
import { CONNECTION_LOST_ERRNOS, ER_NET_PACKET_TOO_LARGE, FOREIGN_KEY_ERRNOS } from '../sql/errno.js';

/** The fields mysql2 puts on its errors that we use to decide what to do. */
export interface DriverError {
  readonly code?: string;
  readonly errno?: number;
  readonly sqlState?: string;
  readonly sqlMessage?: string;
  readonly message?: string;
  readonly fatal?: boolean;
}

export function driverError(value: unknown): DriverError {
  return typeof value === 'object' && value !== null ? (value as DriverError) : { message: String(value) };
}

const CONNECTION_LOST_CODES = new Set([
  'PROTOCOL_CONNECTION_LOST',
  'ECONNRESET',
  'EPIPE',
  'ECONNREFUSED',
  'ETIMEDOUT',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'EAI_AGAIN',
  'PROTOCOL_SEQUENCE_TIMEOUT',
  'ER_CON_COUNT_ERROR',
  'ER_TOO_MANY_USER_CONNECTIONS',
  'ER_SERVER_SHUTDOWN',
  'ER_CONNECTION_KILLED',
  'ER_NORMAL_SHUTDOWN',
  'ER_CLIENT_INTERACTION_TIMEOUT',
  'ER_NET_READ_ERROR',
  'ER_NET_READ_INTERRUPTED',
  'ER_NET_ERROR_ON_WRITE',
  'ER_NET_WRITE_INTERRUPTED',
]);

/** Network-level trouble that a reconnect may cure (ARCHITECTURE.md: connection_error). */
export function isConnectionError(value: unknown): boolean {
  const e = driverError(value);
  if (e.code && CONNECTION_LOST_CODES.has(e.code)) return true;
  if (e.errno !== undefined && CONNECTION_LOST_ERRNOS.has(e.errno)) return true;
  if (value instanceof ReplicoopError && value.code === 'connection_lost') return true;
  return /Connection lost|closed state|Can't add new command when connection is in closed state/i.test(e.message ?? '');
}

/** "Got a packet bigger than max_allowed_packet" (ARCHITECTURE.md: data_too_large_error). */
export function isPacketTooLarge(value: unknown): boolean {
  const e = driverError(value);
  const cause = value instanceof ReplicoopError ? driverError(value.cause) : e;
  return (
    e.errno === ER_NET_PACKET_TOO_LARGE ||
    cause.errno === ER_NET_PACKET_TOO_LARGE ||
    e.code === 'ER_NET_PACKET_TOO_LARGE' ||
    cause.code === 'ER_NET_PACKET_TOO_LARGE' ||
    /max_allowed_packet/i.test(e.message ?? '')
  );
}

/** Errors that foreign_key_checks=0 avoids (ARCHITECTURE.md: foreign_key_error). */
export function isForeignKeyError(value: unknown): boolean {
  const e = value instanceof ReplicoopError ? driverError(value.cause) : driverError(value);
  if (e.errno !== undefined && FOREIGN_KEY_ERRNOS.has(e.errno)) return true;
  return /foreign key constraint/i.test(e.sqlMessage ?? e.message ?? '');
}

/** Whether the error (or the driver error it wraps) carries one of these server error numbers. */
export function hasErrno(value: unknown, errnos: number | ReadonlySet<number>): boolean {
  const errno = errnoOf(value);
  if (errno === undefined) return false;
  return typeof errnos === 'number' ? errno === errnos : errnos.has(errno);
}

export function errnoOf(value: unknown): number | undefined {
  const e = value instanceof ReplicoopError ? driverError(value.cause) : driverError(value);
  return e.errno;
}

/** Wraps a driver error into a ReplicoopError that names the statement (shortened). */
export function sqlError(value: unknown, sql: string, role: string): ReplicoopError {
  const e = driverError(value);
  const text = e.sqlMessage ?? e.message ?? String(value);
  const shortSql = sql.length > 300 ? `${sql.slice(0, 300)}...` : sql;
  const code = isConnectionError(value) ? 'connection_lost' : 'sql_error';
  return new ReplicoopError(code, `${role}: ${text}`, {
    details: { sql: shortSql, errno: e.errno ?? null, sqlState: e.sqlState ?? null, driverCode: e.code ?? null },
    cause: value,
  });
}
