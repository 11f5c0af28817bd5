import { spawnSync, type ChildProcess } from 'node:child_process';
import { accessSync, constants as fsConstants, mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter as pathDelimiter, join } from 'node:path';
import type { ConnectionTarget } from '../config/connection-target.js';
import { maskSecrets } from '../errors.js';

// ---------------------------------------------------------------------------------------------
// Running mariadb-dump and mariadb without putting the password on the command line

export const DUMP_TOOLS = ['mariadb-dump', 'mysqldump'] as const;
export const CLIENT_TOOLS = ['mariadb', 'mysql'] as const;

export interface ClientInvocation {
  readonly args: readonly string[];
  /** The 0600 option file holding the connection settings, password included. */
  readonly defaultsFile: string;
  cleanup(): void;
}

/**
 * The arguments for mariadb-dump ('dump') or the mariadb client ('client'). Connection
 * settings, the password above all, go into a private option file: arguments are visible to
 * every user in `ps`, and MYSQL_PWD is deprecated and readable in /proc/<pid>/environ.
 */
export function clientInvocation(kind: 'dump' | 'client', tool: string, target: ConnectionTarget): ClientInvocation {
  const dir = mkdtempSync(join(tmpdir(), 'replicoop-client-'));
  const defaultsFile = join(dir, 'client.cnf');
  const lines = ['[client]', `user=${optionValue(target.user)}`, `password=${optionValue(target.password)}`];
  if (target.socket) lines.push(`socket=${optionValue(target.socket)}`, 'protocol=SOCKET');
  // Without protocol=TCP, host "localhost" would silently mean the default socket: maybe another server.
  else lines.push(`host=${optionValue(target.host)}`, `port=${target.port}`, 'protocol=TCP');
  if (target.ssl) {
    // loose-: each client knows only its own spelling and must not fail on the other's.
    lines.push('loose-ssl');
    if (target.ssl.ca) {
      const caFile = join(dir, 'ca.pem');
      writeFileSync(caFile, target.ssl.ca, { mode: 0o600 });
      lines.push(`loose-ssl-ca=${optionValue(caFile)}`);
    }
    const verify = target.ssl.rejectUnauthorized ?? true;
    lines.push(verify ? 'loose-ssl-verify-server-cert' : 'loose-skip-ssl-verify-server-cert');
    lines.push(`loose-ssl-mode=${verify ? (target.ssl.ca ? 'VERIFY_CA' : 'VERIFY_IDENTITY') : 'REQUIRED'}`);
  }
  if (kind === 'dump' && !isMariaDbTool(tool)) {
    // MySQL's mysqldump: no GTID_PURGED line (it would fail on a sandbox with GTIDs), and no
    // column statistics query (MariaDB servers lack the table).
    lines.push('[mysqldump]', 'loose-set-gtid-purged=OFF', 'loose-column-statistics=0');
  }
  writeFileSync(defaultsFile, lines.join('\n') + '\n', { mode: 0o600 });
  const common = [`--defaults-file=${defaultsFile}`, '--default-character-set=utf8mb4'];
  const args =
    kind === 'dump'
      ? [
          ...common,
          '--single-transaction',
          '--quick',
          '--routines',
          '--triggers',
          '--events',
          '--hex-blob',
          '--skip-comments',
          '--skip-dump-date',
          '--no-create-db',
          '--add-drop-table',
          '--no-tablespaces',
          // Restoring must need no privilege beyond the README's sandbox GRANT, so that the account
          // that ran apply can always roll back: --add-locks (on by default) wraps each table's rows in
          // LOCK TABLES (the LOCK TABLES privilege), --disable-keys in ALTER TABLE ... DISABLE KEYS
          // (ALTER, which a plan without table changes does not ask for). Neither speeds up InnoDB.
          // Reading takes no lock: --single-transaction turns --lock-tables off.
          '--skip-add-locks',
          '--skip-disable-keys',
          // The default --tz-utc is kept: TIMESTAMPs are dumped in UTC and the file sets
          // time_zone='+00:00' before loading them, so they come back exact.
          '--',
          target.database,
        ]
      : [
          ...common,
          '--batch',
          // Binary mode: bytes go to the server as they are (no \r\n rewriting inside routine
          // bodies) and no client command other than DELIMITER runs from a backup file.
          '--binary-mode',
          // Comments inside routine bodies are part of their definition.
          '--comments',
          '--max-allowed-packet=1073741824',
          `--database=${target.database}`,
        ];
  return {
    args: Object.freeze(args),
    defaultsFile,
    cleanup: () => rmSync(dir, { recursive: true, force: true }),
  };
}

/** An option-file value: always double-quoted, with the escapes my_load_defaults understands. */
function optionValue(value: string): string {
  return '"' + value.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n').replace(/\r/g, '\\r').replace(/\t/g, '\\t') + '"';
}

const toolFlavors = new Map<string, boolean>();

function isMariaDbTool(tool: string): boolean {
  let mariadb = toolFlavors.get(tool);
  if (mariadb === undefined) {
    const result = spawnSync(tool, ['--version'], { encoding: 'utf8' });
    mariadb = /mariadb/i.test(`${result.stdout ?? ''}${result.stderr ?? ''}`);
    toolFlavors.set(tool, mariadb);
  }
  return mariadb;
}

export function findTool(names: readonly string[]): string | null {
  const dirs = (process.env.PATH ?? '').split(pathDelimiter).filter(Boolean);
  for (const name of names) {
    for (const dir of dirs) {
      const candidate = join(dir, name);
      try {
        accessSync(candidate, fsConstants.X_OK);
        if (statSync(candidate).isFile()) return candidate;
      } catch {
        // not here
      }
    }
  }
  return null;
}

/** The environment for client tools, without variables that would override the option file. */
export function childEnv(): NodeJS.ProcessEnv {
  const env = { ...process.env };
  for (const name of ['MYSQL_PWD', 'MYSQL_HOST', 'MYSQL_TCP_PORT', 'MYSQL_UNIX_PORT', 'MYSQL_TEST_LOGIN_FILE', 'MARIADB_HOST'])
    delete env[name];
  return env;
}

interface ExitInfo {
  code: number | null;
  signal: NodeJS.Signals | null;
  stderr: string;
  spawnError: Error | null;
}

export function waitForExit(child: ChildProcess): Promise<ExitInfo> {
  return new Promise((resolve) => {
    let stderr = '';
    child.stderr?.on('data', (d: Buffer) => {
      if (stderr.length < 64 * 1024) stderr += d.toString('utf8');
    });
    child.once('error', (error) => resolve({ code: null, signal: null, stderr, spawnError: error }));
    child.once('close', (code, signal) => resolve({ code, signal, stderr, spawnError: null }));
  });
}

export function lastLines(text: string): string {
  const lines = maskSecrets(text)
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l && !/^Warning: /i.test(l));
  return lines.slice(-3).join(' | ') || 'no error output';
}
