/** What we know about a server once connected: flavor, version and a stable identity. */
export type Flavor = 'mariadb' | 'mysql';

export interface ServerInfo {
  readonly flavor: Flavor;
  /** Full version string as the server reports it, e.g. "10.11.19-MariaDB-0+deb12u1". */
  readonly version: string;
  readonly major: number;
  readonly minor: number;
  readonly patch: number;
  /**
   * A stable identity for "is this the same server?": @@server_uuid on MySQL; on MariaDB
   * (which has none) @@hostname:@@port.
   */
  readonly serverId: string;
  readonly hostname: string;
  readonly port: number;
  readonly lowerCaseTableNames: number;
  readonly maxAllowedPacket: number;
  readonly sqlMode: string;
}

export function parseServerInfo(vars: ReadonlyMap<string, string>): ServerInfo {
  const version = vars.get('version') ?? '0.0.0';
  const comment = vars.get('version_comment') ?? '';
  const flavor: Flavor = /mariadb/i.test(version) || /mariadb/i.test(comment) ? 'mariadb' : 'mysql';
  const m = /^(\d+)\.(\d+)\.(\d+)/.exec(version);
  const hostname = vars.get('hostname') ?? '';
  const port = Number(vars.get('port') ?? 0);
  const uuid = vars.get('server_uuid');
  return Object.freeze({
    flavor,
    version,
    major: m ? Number(m[1]) : 0,
    minor: m ? Number(m[2]) : 0,
    patch: m ? Number(m[3]) : 0,
    serverId: flavor === 'mysql' && uuid ? uuid : `${hostname}:${port}`,
    hostname,
    port,
    lowerCaseTableNames: Number(vars.get('lower_case_table_names') ?? 0),
    maxAllowedPacket: Number(vars.get('max_allowed_packet') ?? 16777216),
    sqlMode: vars.get('sql_mode') ?? '',
  });
}

export const SERVER_VARIABLES = [
  'version',
  'version_comment',
  'hostname',
  'port',
  'server_uuid',
  'lower_case_table_names',
  'max_allowed_packet',
  'sql_mode',
] as const;

/** "10.11.19-MariaDB-0+deb12u1" -> [10, 11, 19]; [0, 0, 0] when the text is not a version. */
export function versionParts(version: string): [number, number, number] {
  const m = /^(\d+)\.(\d+)\.(\d+)/.exec(version);
  return m ? [Number(m[1]), Number(m[2]), Number(m[3])] : [0, 0, 0];
}
