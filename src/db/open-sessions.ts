import type { ResolvedConfig } from '../config/types.js';
import { describeTarget } from '../config/connection-target.js';
import { ReplicoopError } from '../errors.js';
import { ProductionSession, SandboxSession, type RetryPolicy, DEFAULT_RETRY } from './session.js';

export interface Sessions {
  readonly production: ProductionSession;
  readonly sandbox: SandboxSession;
}

/**
 * Opens both sides and refuses when they are the same database on the same server, whatever
 * the config's names say (server identity: @@server_uuid, or @@hostname:@@port on MariaDB).
 */
export async function openSessions(config: ResolvedConfig, retry: RetryPolicy = DEFAULT_RETRY): Promise<Sessions> {
  const production = await ProductionSession.open(config.production, retry);
  let sandbox: SandboxSession;
  try {
    sandbox = await SandboxSession.open(config.sandbox, retry);
  } catch (error) {
    await production.close();
    throw error;
  }
  try {
    assertDistinct(production, sandbox);
  } catch (error) {
    await Promise.all([production.close(), sandbox.close()]);
    throw error;
  }
  return { production, sandbox };
}

export function assertDistinct(production: ProductionSession, sandbox: SandboxSession): void {
  const sameServer = production.server.serverId === sandbox.server.serverId;
  const caseInsensitive = production.server.lowerCaseTableNames !== 0;
  const sameName = caseInsensitive
    ? production.database.toLowerCase() === sandbox.database.toLowerCase()
    : production.database === sandbox.database;
  if (sameServer && sameName) {
    throw new ReplicoopError(
      'same_database',
      `sandbox ${describeTarget(sandbox.target)} and production ${describeTarget(production.target)} are the same database on the same server (${production.server.serverId}); refusing to use production as the sandbox`,
    );
  }
}

/** Extra production sessions for parallel reads (SHOW CREATE, checksums, copies). */
export async function openProductionPool(
  config: ResolvedConfig,
  count: number,
  retry: RetryPolicy = DEFAULT_RETRY,
): Promise<ProductionSession[]> {
  const sessions: ProductionSession[] = [];
  try {
    for (let i = 0; i < count; i++) sessions.push(await ProductionSession.open(config.production, retry));
  } catch (error) {
    await Promise.all(sessions.map((s) => s.close()));
    throw error;
  }
  return sessions;
}

export async function openSandboxPool(
  config: ResolvedConfig,
  count: number,
  retry: RetryPolicy = DEFAULT_RETRY,
): Promise<SandboxSession[]> {
  const sessions: SandboxSession[] = [];
  try {
    for (let i = 0; i < count; i++) sessions.push(await SandboxSession.open(config.sandbox, retry));
  } catch (error) {
    await Promise.all(sessions.map((s) => s.close()));
    throw error;
  }
  return sessions;
}

export async function closeAll(sessions: readonly { close: () => Promise<void> }[]): Promise<void> {
  await Promise.all(sessions.map((s) => s.close().catch(() => undefined)));
}
