import type { SandboxSession } from '../db/session.js';
import { ReplicoopError } from '../errors.js';

/**
 * One apply (or rollback) at a time per sandbox: a named server lock on the sandbox connection,
 * which the server frees by itself if the process dies.
 */
export function lockName(database: string): string {
  return `replicoop:${database}`.slice(0, 64);
}

export interface AcquireOptions {
  /** Told about the wait for a statement left running by a killed run, about once a second. */
  readonly onWait?: (text: string) => void;
  /** How long to wait for such a statement to finish. */
  readonly waitSeconds?: number;
}

/**
 * Takes the lock. When another connection holds it while running a statement, that is most
 * likely the last statement of an apply that was killed (kill -9, a crash): the server finishes
 * it and only then frees the lock. That wait is shown as a countdown and bounded; a holder that
 * sits idle is a live apply, refused at once.
 */
export async function acquireApplyLock(sandbox: SandboxSession, options: AcquireOptions = {}): Promise<void> {
  const name = lockName(sandbox.database);
  if (await tryLock(sandbox, name, 0)) return;
  const waitSeconds = options.waitSeconds ?? 120;
  const started = Date.now();
  let announced = false;
  for (;;) {
    const [holder] = await sandbox.query<{ holder: number | string | null }>('SELECT IS_USED_LOCK(?) AS holder', [name]);
    const id = holder?.holder ?? null;
    if (id !== null) {
      const [proc] = await sandbox.query<{ COMMAND: string; TIME: number | string; INFO: string | null }>(
        'SELECT COMMAND, TIME, LEFT(INFO, 60) AS INFO FROM information_schema.PROCESSLIST WHERE ID = ?',
        [id],
      );
      const busy = proc !== undefined && proc.COMMAND !== 'Sleep' && proc.INFO !== null;
      const left = Math.ceil(waitSeconds - (Date.now() - started) / 1000);
      if (!busy || left <= 0) {
        const what = busy ? `, still running ${JSON.stringify(proc!.INFO)} after ${waitSeconds} s of waiting` : '';
        throw new ReplicoopError(
          'sandbox_locked',
          `another replicoop apply or rollback is running against sandbox ${sandbox.database} (lock ${name} held by connection ${String(id)}${what}); wait for it to finish`,
        );
      }
      if (!announced) {
        options.onWait?.(
          `the apply lock is held by connection ${String(id)}, which is running ${JSON.stringify(proc!.INFO)} (for ${String(proc!.TIME)} s): most likely the last statement of a previous apply that was killed, which the server finishes on its own; waiting for it`,
        );
        announced = true;
      } else options.onWait?.(`waiting for connection ${String(id)} to finish its statement: ${left} s left`);
    }
    if (await tryLock(sandbox, name, 1)) return;
  }
}

async function tryLock(sandbox: SandboxSession, name: string, seconds: number): Promise<boolean> {
  const [row] = await sandbox.query<{ got: number | string | null }>('SELECT GET_LOCK(?, ?) AS got', [name, seconds]);
  return Number(row?.got) === 1;
}

export async function releaseApplyLock(sandbox: SandboxSession): Promise<void> {
  await sandbox.query('SELECT RELEASE_LOCK(?)', [lockName(sandbox.database)]);
}

/**
 * Watches that this process still holds the apply lock. The lock lives on the main sandbox
 * connection, which sits idle during a copy; if the server closes that connection (KILL, a
 * proxy's idle timeout, wait_timeout) the lock is gone and a second apply could start writing
 * the same tables. A heartbeat asks the server every `intervalMs` whether the lock is still this
 * connection's; the run checks the answer before every step (awaited) and after every chunk
 * commit (synchronously), and stops, resumable, once the lock is lost.
 */
export class ApplyLockGuard {
  readonly #session: () => SandboxSession;
  readonly #intervalMs: number;
  #timer: NodeJS.Timeout | null = null;
  #lost: string | null = null;
  #busy = false;

  constructor(session: () => SandboxSession, intervalMs = 500) {
    this.#session = session;
    this.#intervalMs = intervalMs;
  }

  start(): void {
    if (this.#timer) return;
    this.#timer = setInterval(() => {
      if (this.#busy || this.#lost) return;
      this.#busy = true;
      this.check()
        .catch(() => undefined)
        .finally(() => (this.#busy = false));
    }, this.#intervalMs);
    this.#timer.unref();
  }

  stop(): void {
    if (this.#timer) clearInterval(this.#timer);
    this.#timer = null;
  }

  /** After a reconnect that took the lock again. */
  regained(): void {
    this.#lost = null;
  }

  get lost(): boolean {
    return this.#lost !== null;
  }

  /** Asks the server; throws lock_lost when the lock is no longer this connection's. */
  async check(): Promise<void> {
    if (this.#lost === null) {
      const session = this.#session();
      try {
        const [row] = await session.query<{ holder: number | string | null; me: number | string }>(
          'SELECT IS_USED_LOCK(?) AS holder, CONNECTION_ID() AS me',
          [lockName(session.database)],
        );
        // A session replaced meanwhile (a reconnect that took the lock again) says nothing about the lock.
        if (session !== this.#session()) return this.assertHeld();
        if (row?.holder === null || row?.holder === undefined) this.#lost = 'nobody holds it any more';
        else if (String(row.holder) !== String(row.me)) this.#lost = `connection ${String(row.holder)} holds it now`;
      } catch (error) {
        if (session === this.#session()) this.#lost = `the connection holding it was closed (${(error as Error).message})`;
      }
    }
    this.assertHeld();
  }

  /** Throws lock_lost if the heartbeat found the lock gone; no query. */
  assertHeld(): void {
    if (this.#lost === null) return;
    throw new ReplicoopError(
      'lock_lost',
      `the apply lock of the sandbox was lost (${this.#lost}); this run stopped before writing again so that no two applies write at once. The run is resumable: run the same replicoop apply again (it waits for, or refuses while, another apply holds the lock)`,
    );
  }
}
