import { existsSync, readFileSync } from 'node:fs';
import { isIP } from 'node:net';
import { hostname } from 'node:os';
import { resolve } from 'node:path';
import { registerSecret } from '../errors.js';
import type { ConnectionTarget, Role } from './connection-target.js';

/** A production or sandbox block as written: url, or host/port/socket/user/password/database. */
export interface RawConnection {
  url?: string;
  host?: string;
  port?: number;
  socket?: string;
  user?: string;
  password?: string;
  database?: string;
  connectTimeoutMs?: number;
  ssl?: { ca?: string; rejectUnauthorized?: boolean };
}

/** One connection block -> a frozen ConnectionTarget, or null with its problems pushed. */
export function resolveConnection(role: Role, raw: RawConnection, base: string, problems: string[]): ConnectionTarget | null {
  let fields: RawConnection = { ...raw };
  if (raw.url !== undefined) {
    const extra = (['host', 'port', 'socket', 'user', 'password', 'database'] as const).filter((k) => raw[k] !== undefined);
    if (extra.length > 0) {
      problems.push(`/${role}: use either url or ${extra.join('/')}, not both`);
      return null;
    }
    const parsed = parseConnectionUrl(raw.url);
    if (typeof parsed === 'string') {
      problems.push(`/${role}/url: ${parsed}`);
      return null;
    }
    fields = { ...raw, ...parsed };
  }
  let ok = true;
  if (!fields.user) {
    problems.push(`/${role}: missing required key "user"`);
    ok = false;
  }
  if (!fields.database) {
    problems.push(`/${role}: missing required key "database"`);
    ok = false;
  } else {
    const problem = databaseNameProblem(fields.database);
    if (problem) {
      problems.push(`/${role}/database: "${fields.database}" is not a valid database name: it ${problem}`);
      ok = false;
    }
  }
  if (fields.host !== undefined && fields.host.trim() === '') {
    problems.push(`/${role}/host: is empty`);
    ok = false;
  }
  let ssl: ConnectionTarget['ssl'];
  if (fields.ssl) {
    let ca: string | undefined;
    if (fields.ssl.ca !== undefined) {
      const caPath = resolve(base, fields.ssl.ca);
      if (!existsSync(caPath)) {
        problems.push(`/${role}/ssl/ca: file not found: ${fields.ssl.ca}`);
        ok = false;
      } else ca = readFileSync(caPath, 'utf8');
    }
    ssl = Object.freeze({ ...(ca ? { ca } : {}), rejectUnauthorized: fields.ssl.rejectUnauthorized ?? true });
  }
  if (!ok) return null;
  registerSecret(fields.password);
  return Object.freeze({
    role,
    host: fields.host ?? '127.0.0.1',
    port: fields.port ?? 3306,
    user: fields.user!,
    password: fields.password ?? '',
    database: fields.database!,
    ...(fields.socket ? { socket: resolve(base, fields.socket) } : {}),
    ...(ssl ? { ssl } : {}),
    ...(fields.connectTimeoutMs ? { connectTimeoutMs: fields.connectTimeoutMs } : {}),
  });
}

function databaseNameProblem(name: string): string | null {
  if (name.length > 64) return 'is longer than 64 characters';
  if (/\s$/.test(name)) return 'ends with a space';
  if (/[/\\.\0]/.test(name)) return 'contains "/", "\\", "." or NUL';
  return null;
}

/** mysql://user:pass@host:port/db -> fields; a string is the reason it cannot be parsed. */
export function parseConnectionUrl(text: string): RawConnection | string {
  const userinfo = userinfoProblem(text);
  if (userinfo) return userinfo;
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    return 'is not a valid URL (expected mysql://user:password@host:port/database)';
  }
  if (!['mysql:', 'mariadb:'].includes(url.protocol))
    return `has scheme "${url.protocol.replace(':', '')}", expected mysql:// or mariadb://`;
  const database = decodeURIComponent(url.pathname.replace(/^\//, ''));
  if (!database) return 'names no database (expected mysql://user:password@host:port/database)';
  const port = url.port ? Number(url.port) : 3306;
  const host = url.hostname.replace(/^\[|\]$/g, '');
  const out: RawConnection = { host: host || '127.0.0.1', port, database };
  if (url.username) out.user = decodeURIComponent(url.username);
  if (url.password) out.password = decodeURIComponent(url.password);
  return out;
}

/** Characters a URL's user or password cannot hold as they are, with their percent-encoding. */
const URL_RESERVED: Readonly<Record<string, string>> = {
  '#': '%23',
  '/': '%2F',
  '?': '%3F',
  '@': '%40',
  '[': '%5B',
  ']': '%5D',
  ' ': '%20',
};

/**
 * A password holding "#", "/", "@" and the like breaks the URL apart ("#" starts a fragment, "/"
 * the path) and would connect with the wrong credentials or to the wrong host: said plainly,
 * naming the characters and never the password.
 */
function userinfoProblem(text: string): string | null {
  const scheme = text.indexOf('://');
  if (scheme < 0) return null;
  const rest = text.slice(scheme + 3);
  const at = rest.lastIndexOf('@');
  if (at < 0) return null;
  const info = rest.slice(0, at);
  const found = Object.keys(URL_RESERVED).filter((c) => info.includes(c));
  const badPercent = /%(?![0-9a-fA-F]{2})/.test(info);
  if (found.length === 0 && !badPercent) return null;
  const what = [...found.map((c) => `${c === ' ' ? 'a space' : `"${c}"`} as ${URL_RESERVED[c]}`), ...(badPercent ? ['"%" as %25'] : [])];
  return `the user or password contains characters that must be percent-encoded in a URL (write ${what.join(', ')}), or give user and password as separate keys instead of url`;
}

const LOCAL_NAMES = new Set(['localhost', '127.0.0.1', '::1', '0.0.0.0', '::', 'localhost.localdomain', 'ip6-localhost']);

/** A canonical host for "same server?" comparisons: every name of this machine becomes "local". */
export function canonicalHost(host: string): string {
  const lower = host.trim().toLowerCase().replace(/\.$/, '');
  if (LOCAL_NAMES.has(lower) || lower === hostname().toLowerCase()) return 'local';
  if (isIP(lower) === 4 && lower.startsWith('127.')) return 'local';
  return lower;
}

/** Describes why two targets are the same database, or returns null. Config-time check; connect time checks server identity too. */
export function sameDatabase(a: ConnectionTarget, b: ConnectionTarget): string | null {
  if (a.database.toLowerCase() !== b.database.toLowerCase()) return null;
  if (a.socket || b.socket) {
    // A socket and a TCP address may or may not be one server: the connect-time identity check decides.
    return a.socket && b.socket && a.socket === b.socket ? `socket ${a.socket}, database ${a.database}` : null;
  }
  if (canonicalHost(a.host) === canonicalHost(b.host) && a.port === b.port)
    return `${a.host}:${a.port} and ${b.host}:${b.port}, database ${a.database}`;
  return null;
}
