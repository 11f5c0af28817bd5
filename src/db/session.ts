import mysql from 'mysql2/promise';
import type { Readable } from 'node:stream';
import type { ConnectionTarget, Role } from '../config/connection-target.js';
import { describeTarget } from '../config/connection-target.js';
import { ReplicoopError } from '../errors.js';
import { quoteIdent } from '../sql/quote.js';
import { parseServerInfo, SERVER_VARIABLES, type ServerInfo } from '../sql/server-info.js';
import { producePackedRows, type PackedRow } from './packed-rows.js';
import { driverError, isConnectionError, sqlError } from './sql-error.js';
import { PRODUCTION_SQL_MODE, SANDBOX_SQL_MODE, SESSION_TIME_ZONE } from '../sql/sandbox-settings.js';

export type Row = Record<string, unknown>;

/** The parts of mysql2's callback Connection and Query commands used here. */
interface CoreQuery {
  stream(options: object): Readable;
}
interface CoreConnection {
  query(options: object, callback?: (error: unknown, rows: unknown) => void): CoreQuery;
}

/** The minimal interface introspection and validation need: read-only queries. */
export interface Queryable {
  readonly role: Role;
  readonly server: ServerInfo;
  readonly database: string;
  query<T = Row>(sql: string, params?: readonly unknown[]): Promise<T[]>;
}

export interface RetryPolicy {
  readonly attempts: number;
  readonly baseDelayMs: number;
  readonly factor: number;
  /** Told before each wait: the attempt that failed, the wait before the next one, why, and what was being reached. */
  readonly onRetry?: (info: { attempt: number; delayMs: number; error: string; what?: string }) => void;
}

/** The connection_error strategy (ARCHITECTURE.md): 3 attempts, backoff factor 2. */
export const DEFAULT_RETRY: RetryPolicy = { attempts: 3, baseDelayMs: 1000, factor: 2 };

export interface StreamOptions {
  /**
   * Return every value as the raw bytes the server sent (Buffer) or null: exact round-trips, no
   * driver interpretation. (typeCast: false, which the driver's compiled row parser reads
   * directly; a typeCast function costs a closure and a call per value.)
   */
  readonly raw?: boolean;
  readonly highWaterMark?: number;
}

abstract class BaseSession implements Queryable {
  abstract readonly role: Role;
  readonly server: ServerInfo;
  readonly target: ConnectionTarget;
  #conn: mysql.Connection;
  #closed = false;
  #broken = false;

  protected constructor(conn: mysql.Connection, server: ServerInfo, target: ConnectionTarget) {
    this.#conn = conn;
    this.server = server;
    this.target = target;
    // A server-side disconnect must not crash the process as an unhandled 'error' event; the
    // session counts as closed from then on (a pool must not lend it again).
    conn.on('error', () => {
      this.#broken = true;
    });
    conn.on('end', () => {
      this.#broken = true;
    });
  }

  get database(): string {
    return this.target.database;
  }

  get threadId(): number {
    return this.#conn.threadId ?? 0;
  }

  /** Closed by us, or its connection failed. */
  get closed(): boolean {
    return this.#closed || this.#broken;
  }

  async query<T = Row>(sql: string, params: readonly unknown[] = []): Promise<T[]> {
    this.guard(sql);
    try {
      const [rows] = await this.#conn.query({ sql, values: params as unknown[] });
      return (Array.isArray(rows) ? rows : []) as T[];
    } catch (error) {
      throw sqlError(error, sql, this.role);
    }
  }

  /** Rows as arrays, for bulk readers that know their column order. */
  async queryArrays(sql: string, params: readonly unknown[] = [], options: StreamOptions = {}): Promise<unknown[][]> {
    this.guard(sql);
    try {
      const [rows] = await this.#conn.query({
        sql,
        values: params as unknown[],
        rowsAsArray: true,
        ...(options.raw ? { typeCast: false } : {}),
      });
      return rows as unknown[][];
    } catch (error) {
      throw sqlError(error, sql, this.role);
    }
  }

  /** Streams a large result with backpressure (the connection pauses while the consumer is busy). */
  streamRows(sql: string, params: readonly unknown[] = [], options: StreamOptions = {}): Readable {
    this.guard(sql);
    const query = this.#core().query({
      sql,
      values: params,
      rowsAsArray: true,
      ...(options.raw ? { typeCast: false } : {}),
    });
    return query.stream({ highWaterMark: options.highWaterMark ?? 1024, objectMode: true });
  }

  /**
   * Rows as PackedRows (see packed-rows.ts): the copy's production reads, one Buffer per row
   * instead of one per value.
   */
  queryPacked(sql: string, params: readonly unknown[] = []): Promise<PackedRow[]> {
    this.guard(sql);
    return new Promise((resolve, reject) => {
      const query = this.#core().query({ sql, values: params }, (error: unknown, rows: unknown) => {
        if (error) reject(sqlError(error, sql, this.role));
        else if (Array.isArray(rows) && rows.length > 0 && !Buffer.isBuffer(rows[0])) {
          // The hook relies on a driver internal (mysql2 is pinned; its tests would show a change).
          reject(new ReplicoopError('internal_error', 'internal error: the MySQL driver did not return packed rows (has mysql2 changed?)'));
        } else resolve(rows as PackedRow[]);
      });
      producePackedRows(query);
    });
  }

  /** streamRows for PackedRows: a large result with backpressure, one Buffer per row. */
  streamPacked(sql: string, params: readonly unknown[] = [], options: { readonly highWaterMark?: number } = {}): Readable {
    this.guard(sql);
    const query = this.#core().query({ sql, values: params });
    producePackedRows(query);
    return query.stream({ highWaterMark: options.highWaterMark ?? 1024, objectMode: true });
  }

  /** The callback-style connection under the promise wrapper (streams and row-parser hooks need it). */
  #core(): CoreConnection {
    return (this.#conn as unknown as { connection: CoreConnection }).connection;
  }

  protected async run(
    sql: string,
    params: readonly unknown[] = [],
    extra: object = {},
  ): Promise<{ affectedRows: number; warningStatus: number }> {
    try {
      const [result] = await this.#conn.query({ sql, values: params as unknown[], ...extra });
      const header = result as { affectedRows?: number; warningStatus?: number };
      return { affectedRows: header.affectedRows ?? 0, warningStatus: header.warningStatus ?? 0 };
    } catch (error) {
      throw sqlError(error, sql, this.role);
    }
  }

  protected abstract guard(sql: string): void;

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    try {
      await this.#conn.end();
    } catch {
      this.#conn.destroy();
    }
  }

  /** Drops the socket without the polite goodbye; for a connection already known to be broken. */
  destroy(): void {
    this.#closed = true;
    this.#conn.destroy();
  }
}

// Statements a production session may send. The session is also READ ONLY at the server, so
// this is a second fence, not the only one.
const PRODUCTION_ALLOWED =
  /^\s*(?:\/\*.*?\*\/\s*)*(?:SELECT|SHOW|EXPLAIN|DESCRIBE|DESC|WITH|START\s+TRANSACTION|COMMIT|ROLLBACK|USE|SET\s+(?:SESSION\b|NAMES\b|@@SESSION\.|TRANSACTION\b|time_zone\b|sql_mode\b|character_set_results\b|group_concat_max_len\b|max_statement_time\b|max_execution_time\b|net_read_timeout\b|net_write_timeout\b))/is;
const PRODUCTION_FORBIDDEN = /\bINTO\s+(?:OUTFILE|DUMPFILE)\b|\bFOR\s+UPDATE\b|\bLOCK\s+IN\s+SHARE\s+MODE\b|\bSET\s+GLOBAL\b/i;

/** A production session: read-only at the server and by type. Nothing that writes accepts it. */
export class ProductionSession extends BaseSession {
  readonly role = 'production' as const;

  static async open(target: ConnectionTarget, retry: RetryPolicy = DEFAULT_RETRY): Promise<ProductionSession> {
    const { conn, server } = await connectWithRetry(target, retry);
    const session = new ProductionSession(conn, server, target);
    await session.query('SET SESSION TRANSACTION READ ONLY');
    await session.query(`SET SESSION time_zone = '${SESSION_TIME_ZONE}', SESSION sql_mode = '${PRODUCTION_SQL_MODE}'`);
    return session;
  }

  /** One consistent, read-only view of production for everything read until commit(). */
  async startSnapshot(): Promise<void> {
    await this.query('START TRANSACTION WITH CONSISTENT SNAPSHOT, READ ONLY');
  }

  async commit(): Promise<void> {
    await this.query('COMMIT');
  }

  protected guard(sql: string): void {
    if (!PRODUCTION_ALLOWED.test(sql) || PRODUCTION_FORBIDDEN.test(sql)) {
      throw new ReplicoopError('production_write_refused', `refused to send a non-read statement to production: ${sql.slice(0, 80)}`);
    }
  }
}

/** The sandbox: the only session type that write paths accept. */
export class SandboxSession extends BaseSession {
  readonly role = 'sandbox' as const;

  static async open(target: ConnectionTarget, retry: RetryPolicy = DEFAULT_RETRY): Promise<SandboxSession> {
    const { conn, server } = await connectWithRetry(target, retry);
    const session = new SandboxSession(conn, server, target);
    // The sandbox settings of sql/sandbox-settings.ts; foreign_key_checks stays the server's default.
    await session.query(`SET SESSION time_zone = '${SESSION_TIME_ZONE}', SESSION sql_mode = '${SANDBOX_SQL_MODE}'`);
    return session;
  }

  async execute(sql: string, params: readonly unknown[] = []): Promise<{ affectedRows: number; warningStatus: number }> {
    return this.run(sql, params);
  }

  /** LOAD DATA LOCAL INFILE fed from a stream instead of a file. */
  async loadDataLocal(sql: string, source: () => Readable): Promise<{ affectedRows: number; warningStatus: number }> {
    return this.run(sql, [], { infileStreamFactory: source });
  }

  protected guard(): void {
    // The sandbox may receive anything.
  }
}

const NO_RETRY_CODES = new Map<string, string>([
  ['ER_ACCESS_DENIED_ERROR', 'access denied (check user and password); not retried'],
  ['ER_DBACCESS_DENIED_ERROR', 'access to the database denied (check the GRANTs); not retried'],
  ['ER_BAD_DB_ERROR', 'unknown database; not retried'],
  ['ER_NOT_SUPPORTED_AUTH_MODE', 'authentication method not supported; not retried'],
  ['HANDSHAKE_SSL_ERROR', 'TLS handshake failed; not retried'],
  ['ENOTFOUND', 'host name not found; not retried'],
]);

async function connectWithRetry(target: ConnectionTarget, retry: RetryPolicy): Promise<{ conn: mysql.Connection; server: ServerInfo }> {
  let delayMs = retry.baseDelayMs;
  for (let attempt = 1; ; attempt++) {
    try {
      const conn = await mysql.createConnection({
        host: target.socket ? undefined : target.host,
        port: target.socket ? undefined : target.port,
        socketPath: target.socket,
        user: target.user,
        password: target.password,
        database: target.database,
        charset: 'utf8mb4_general_ci',
        timezone: 'Z',
        dateStrings: true,
        supportBigNumbers: true,
        bigNumberStrings: true,
        decimalNumbers: false,
        multipleStatements: false,
        connectTimeout: target.connectTimeoutMs ?? 10_000,
        ...(target.ssl ? { ssl: { ca: target.ssl.ca, rejectUnauthorized: target.ssl.rejectUnauthorized ?? true } } : {}),
      });
      try {
        const [rows] = await conn.query({
          sql: `SHOW VARIABLES WHERE Variable_name IN (${SERVER_VARIABLES.map(() => '?').join(', ')})`,
          values: [...SERVER_VARIABLES],
        });
        const vars = new Map<string, string>();
        for (const row of rows as { Variable_name: string; Value: string }[]) vars.set(row.Variable_name, row.Value);
        return { conn, server: parseServerInfo(vars) };
      } catch (error) {
        conn.destroy();
        throw error;
      }
    } catch (error) {
      const e = driverError(error);
      const fatal = e.code ? NO_RETRY_CODES.get(e.code) : undefined;
      const where = describeTarget(target);
      if (e.code === 'ER_BAD_DB_ERROR' && target.database) {
        const fix = target.role === 'sandbox' ? `; create it first (CREATE DATABASE ${quoteIdent(target.database)}) and plan again` : '';
        throw new ReplicoopError(
          'connection_refused',
          `${target.role}: database ${target.database} does not exist (${where})${fix}; not retried`,
          {
            details: { role: target.role, target: where, driverCode: e.code },
            cause: error,
          },
        );
      }
      if (fatal) {
        throw new ReplicoopError(
          'connection_refused',
          `${target.role}: ${fatal} (${where}${e.code === 'ER_ACCESS_DENIED_ERROR' ? `, user ${target.user}` : ''})`,
          {
            details: { role: target.role, target: where, driverCode: e.code ?? null },
            cause: error,
          },
        );
      }
      const retryable = isConnectionError(error);
      if (!retryable || attempt >= retry.attempts) {
        const reason = e.code ?? e.sqlMessage ?? e.message ?? 'unknown error';
        throw new ReplicoopError(
          'connection_failed',
          `${target.role}: cannot connect to ${where} (${reason})${retryable ? ` after ${attempt} attempts` : ''}`,
          { details: { role: target.role, target: where, attempts: attempt, driverCode: e.code ?? null }, cause: error },
        );
      }
      retry.onRetry?.({ attempt, delayMs, error: e.code ?? e.message ?? 'error', what: `${target.role} ${where}` });
      await new Promise((resolve) => setTimeout(resolve, delayMs));
      delayMs *= retry.factor;
    }
  }
}
