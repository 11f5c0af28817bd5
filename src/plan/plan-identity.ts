import type { ConnectionTarget } from '../config/connection-target.js';
import type { ServerInfo } from '../sql/server-info.js';
import { ReplicoopError } from '../errors.js';
import type { Plan, ServerIdentity } from './plan-types.js';

/** Where a database lives, without any user name or password: what plans and reports record. */
export function serverIdentity(target: ConnectionTarget, server: ServerInfo): ServerIdentity {
  return {
    host: target.socket ? `socket:${target.socket}` : target.host,
    port: target.socket ? 0 : target.port,
    database: target.database,
    flavor: server.flavor,
    version: server.version,
    serverId: server.serverId,
  };
}

export interface Side {
  readonly serverId: string;
  readonly database: string;
}

/** A plan is only valid for the servers and databases it was made from and for. */
export function checkPlanIdentity(plan: Plan, production: Side, sandbox: Side, planName: string): void {
  if (plan.target.serverId !== sandbox.serverId || plan.target.database !== sandbox.database) {
    throw new ReplicoopError(
      'wrong_target',
      `${planName} was made for sandbox ${plan.target.database} on server ${plan.target.serverId}, but the configured sandbox is ${sandbox.database} on ${sandbox.serverId}; refusing to use it here`,
    );
  }
  if (plan.source.serverId !== production.serverId || plan.source.database !== production.database) {
    throw new ReplicoopError(
      'wrong_source',
      `${planName} was made from production ${plan.source.database} on server ${plan.source.serverId}, but the configured production is ${production.database} on ${production.serverId}; refusing to use it here`,
    );
  }
}
