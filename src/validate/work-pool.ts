import type { ResolvedConfig } from '../config/types.js';
import { closeAll, openProductionPool, openSandboxPool } from '../db/open-sessions.js';
import { DEFAULT_RETRY, type ProductionSession, type RetryPolicy, type SandboxSession } from '../db/session.js';
import { ReplicoopError } from '../errors.js';

/** One production and one sandbox connection: a chunk is checksummed on both at the same time. */
export interface SessionPair {
  readonly production: ProductionSession;
  readonly sandbox: SandboxSession;
}

/**
 * A fixed set of session pairs shared by every data and integrity task. run() waits for a free
 * pair, so the number of statements in flight per server never exceeds the pool size. A task
 * must not call run() while it holds a pair (it would wait for itself when the pool is full):
 * callers chain tasks instead of nesting them.
 */
export class WorkPool {
  readonly size: number;
  readonly #pairs: SessionPair[];
  readonly #free: SessionPair[];
  readonly #waiting: ((pair: SessionPair) => void)[] = [];
  readonly #signal: AbortSignal | undefined;

  private constructor(pairs: SessionPair[], signal: AbortSignal | undefined) {
    this.size = pairs.length;
    this.#pairs = pairs;
    this.#free = [...pairs];
    this.#signal = signal;
  }

  /** signal: once aborted, no further task starts (each is a chunk's worth of work); run() throws 'interrupted'. */
  static async open(config: ResolvedConfig, size: number, signal?: AbortSignal, retry: RetryPolicy = DEFAULT_RETRY): Promise<WorkPool> {
    const production = await openProductionPool(config, size, retry);
    let sandbox: SandboxSession[];
    try {
      sandbox = await openSandboxPool(config, size, retry);
    } catch (error) {
      await closeAll(production);
      throw error;
    }
    return new WorkPool(
      production.map((p, i) => ({ production: p, sandbox: sandbox[i]! })),
      signal,
    );
  }

  /** The sessions of one side, e.g. as extra sessions for introspection before the data checks. */
  sessions<R extends keyof SessionPair>(role: R): SessionPair[R][] {
    return this.#pairs.map((p) => p[role]);
  }

  /**
   * From here on every result column arrives as the server's raw bytes (no charset conversion):
   * key values are bound back exactly and text is shown as stored. Introspection must be done.
   */
  async rawResults(): Promise<void> {
    await Promise.all(
      this.#pairs.flatMap((p) => [
        p.production.query('SET SESSION character_set_results = binary'),
        p.sandbox.query('SET SESSION character_set_results = binary'),
      ]),
    );
  }

  async run<T>(task: (pair: SessionPair) => Promise<T>): Promise<T> {
    throwIfStopped(this.#signal);
    const pair = this.#free.pop() ?? (await new Promise<SessionPair>((resolve) => this.#waiting.push(resolve)));
    try {
      throwIfStopped(this.#signal);
      return await task(pair);
    } finally {
      const next = this.#waiting.shift();
      if (next) next(pair);
      else this.#free.push(pair);
    }
  }

  async close(): Promise<void> {
    await closeAll(this.#pairs.flatMap((p) => [p.production, p.sandbox]));
  }
}

/** The validation's safe point: between two statements, nothing half done (it only reads). */
export function throwIfStopped(signal: AbortSignal | undefined): void {
  if (!signal?.aborted) return;
  const reason: unknown = signal.reason;
  throw new ReplicoopError(
    'interrupted',
    `validation interrupted by ${typeof reason === 'string' ? reason : 'a stop signal'} before it finished`,
  );
}
