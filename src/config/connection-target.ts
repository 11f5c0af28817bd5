/** A resolved connection target: what db/ needs to open a session, nothing more. */
export type Role = 'production' | 'sandbox';

export interface ConnectionTarget {
  readonly role: Role;
  readonly host: string;
  readonly port: number;
  readonly user: string;
  readonly password: string;
  readonly database: string;
  readonly socket?: string;
  readonly ssl?: { readonly ca?: string; readonly rejectUnauthorized?: boolean };
  readonly connectTimeoutMs?: number;
}

/** host:port/database, with no user name or password: safe for logs, plans and reports. */
export function describeTarget(target: ConnectionTarget): string {
  const where = target.socket ? `socket ${target.socket}` : `${target.host}:${target.port}`;
  return `${where}/${target.database}`;
}
