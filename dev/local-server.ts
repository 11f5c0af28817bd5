import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createHash } from 'node:crypto';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import mysql from 'mysql2/promise';
import { ReplicoopError } from '../src/errors.js';

/**
 * Private, throwaway MariaDB servers in temp dirs on free ports, for tests, the demo and the
 * benchmarks. Never touches a server it did not start.
 */
export interface LocalServerOptions {
  readonly name?: string;
  /** Extra mariadbd options, e.g. ['--max-allowed-packet=64K']. */
  readonly args?: readonly string[];
  readonly port?: number;
}

const live = new Set<ChildProcess>();
let exitHookInstalled = false;

function installExitHook(): void {
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  process.on('exit', () => {
    for (const child of live) child.kill('SIGKILL');
  });
}

export function findServerBinary(): { mysqld: string; installDb: string | null } {
  const fromEnv = process.env.REPLICOOP_TEST_MYSQLD;
  const candidates = fromEnv ? [fromEnv] : ['mariadbd', '/usr/sbin/mariadbd', '/usr/local/bin/mariadbd', 'mysqld', '/usr/sbin/mysqld'];
  for (const candidate of candidates) {
    const path = candidate.includes('/') ? (existsSync(candidate) ? candidate : null) : which(candidate);
    if (path) {
      const installDb = which('mariadb-install-db') ?? which('mysql_install_db');
      return { mysqld: path, installDb };
    }
  }
  throw new ReplicoopError(
    'no_server_binary',
    fromEnv
      ? `REPLICOOP_TEST_MYSQLD=${fromEnv} does not exist; install MariaDB with "apt-get install -y mariadb-server" or fix the variable`
      : 'no MariaDB server binary (mariadbd) found: install one with "apt-get install -y mariadb-server" or set REPLICOOP_TEST_MYSQLD',
  );
}

function which(command: string): string | null {
  const result = spawnSync('sh', ['-c', `command -v ${command}`], { encoding: 'utf8' });
  const path = result.stdout.trim();
  return result.status === 0 && path ? path : null;
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

export class LocalServer {
  readonly name: string;
  readonly dir: string;
  readonly port: number;
  readonly args: readonly string[];
  #child: ChildProcess | null = null;
  #mysqld: string;

  private constructor(name: string, dir: string, port: number, args: readonly string[], mysqld: string) {
    this.name = name;
    this.dir = dir;
    this.port = port;
    this.args = args;
    this.#mysqld = mysqld;
  }

  static async start(options: LocalServerOptions = {}): Promise<LocalServer> {
    const { mysqld, installDb } = findServerBinary();
    installExitHook();
    const name = options.name ?? 'server';
    const dir = mkdtempSync(join(tmpdir(), `replicoop-${name}-`));
    cpSync(join(await templateDataDir(mysqld, installDb), 'data'), join(dir, 'data'), { recursive: true });
    const port = options.port ?? (await freePort());
    const server = new LocalServer(name, dir, port, options.args ?? [], mysqld);
    try {
      await server.launch();
    } catch (error) {
      // Leave nothing behind: neither a half-started server nor its folder.
      await server.kill().catch(() => undefined);
      rmSync(dir, { recursive: true, force: true });
      throw error;
    }
    return server;
  }

  get pid(): number | undefined {
    return this.#child?.pid;
  }

  get running(): boolean {
    return this.#child !== null;
  }

  private tmpdir(): string {
    const dir = join(this.dir, 'tmp');
    mkdirSync(dir, { recursive: true });
    return dir;
  }

  async launch(): Promise<void> {
    const args = [
      '--no-defaults',
      `--datadir=${join(this.dir, 'data')}`,
      `--port=${this.port}`,
      '--bind-address=127.0.0.1',
      `--socket=${join(this.dir, 'mysqld.sock')}`,
      `--pid-file=${join(this.dir, 'mysqld.pid')}`,
      `--log-error=${join(this.dir, 'error.log')}`,
      // Its own tmpdir: servers sharing /tmp have been seen losing each other's temporary tables.
      `--tmpdir=${this.tmpdir()}`,
      '--skip-name-resolve',
      '--skip-log-bin',
      '--innodb-flush-log-at-trx-commit=2',
      '--innodb-buffer-pool-size=128M',
      '--local-infile=1',
      ...(isRoot() ? ['--user=root'] : []),
      ...this.args,
    ];
    const child = spawn(this.#mysqld, args, { stdio: 'ignore' });
    this.#child = child;
    live.add(child);
    child.once('exit', () => {
      live.delete(child);
      if (this.#child === child) this.#child = null;
    });
    await this.waitReady(child);
  }

  private async waitReady(child: ChildProcess): Promise<void> {
    const deadline = Date.now() + 60_000;
    let lastError = '';
    while (Date.now() < deadline) {
      if (child.exitCode !== null || child.signalCode !== null) break;
      try {
        const conn = await mysql.createConnection({ host: '127.0.0.1', port: this.port, user: 'root', password: '', connectTimeout: 2000 });
        await conn.end();
        return;
      } catch (error) {
        lastError = (error as Error).message;
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
    }
    const log = existsSync(join(this.dir, 'error.log'))
      ? readFileSync(join(this.dir, 'error.log'), 'utf8').trim().split('\n').slice(-3).join(' | ')
      : '';
    throw new ReplicoopError(
      'server_start_failed',
      `private server ${this.name} on port ${this.port} did not start: ${lastError} ${log}`.trim(),
    );
  }

  /** A root connection URL-ish description for configs written by tests and the demo. */
  connection(database: string): { host: string; port: number; user: string; password: string; database: string } {
    return { host: '127.0.0.1', port: this.port, user: 'root', password: '', database };
  }

  async admin(): Promise<mysql.Connection> {
    return mysql.createConnection({
      host: '127.0.0.1',
      port: this.port,
      user: 'root',
      password: '',
      multipleStatements: true,
      charset: 'utf8mb4_general_ci',
      dateStrings: true,
      supportBigNumbers: true,
      bigNumberStrings: true,
    });
  }

  /** Runs SQL text (several statements allowed) as root, optionally inside a database. */
  async sql(text: string, database?: string): Promise<unknown> {
    const conn = await this.admin();
    try {
      if (database) await conn.query(`USE \`${database.replace(/`/g, '``')}\``);
      const [rows] = await conn.query(text);
      return rows;
    } finally {
      await conn.end();
    }
  }

  /** Loads a SQL file with the standard client (handles DELIMITER and other client commands). */
  loadFile(path: string, database: string): void {
    const client = which('mariadb') ?? which('mysql');
    if (!client) throw new ReplicoopError('no_client_binary', 'the mariadb client is needed to load SQL files');
    const result = spawnSync(
      client,
      ['--no-defaults', '-h127.0.0.1', `-P${this.port}`, '-uroot', '--default-character-set=utf8mb4', '--comments', database],
      {
        input: readFileSync(path),
        encoding: 'utf8',
        maxBuffer: 1 << 28,
      },
    );
    if (result.status !== 0) throw new ReplicoopError('load_failed', `loading ${path} into ${database} failed: ${result.stderr.trim()}`);
  }

  async stop(): Promise<void> {
    const child = this.#child;
    if (!child) return;
    await new Promise<void>((resolve) => {
      const timer = setTimeout(() => child.kill('SIGKILL'), 30_000);
      child.once('exit', () => {
        clearTimeout(timer);
        resolve();
      });
      child.kill('SIGTERM');
    });
  }

  /** SIGKILL: for fault tests; the next launch runs InnoDB crash recovery. */
  async kill(): Promise<void> {
    const child = this.#child;
    if (!child) return;
    await new Promise<void>((resolve) => {
      child.once('exit', () => resolve());
      child.kill('SIGKILL');
    });
  }

  async restart(): Promise<void> {
    await this.stop();
    await this.launch();
  }

  async destroy(): Promise<void> {
    await this.stop();
    rmSync(this.dir, { recursive: true, force: true });
  }
}

/**
 * mariadb-install-db takes ~2 s; copying an initialised data dir takes ~0.2 s. The template is
 * made once per binary and shared by every later start (atomic rename, so parallel starts are safe).
 */
const templates = new Map<string, Promise<string>>();

/** One initialisation per binary in this process, however many servers start at once. */
function templateDataDir(mysqld: string, installDb: string | null): Promise<string> {
  let template = templates.get(mysqld);
  if (!template) {
    template = makeTemplateDataDir(mysqld, installDb);
    templates.set(mysqld, template);
    template.catch(() => templates.delete(mysqld));
  }
  return template;
}

async function makeTemplateDataDir(mysqld: string, installDb: string | null): Promise<string> {
  const key = createHash('sha256')
    .update(`${mysqld}:${statSync(mysqld).mtimeMs}:${isRoot()}`)
    .digest('hex')
    .slice(0, 12);
  const final = join(tmpdir(), `replicoop-template-${key}`);
  if (existsSync(join(final, 'ready'))) return final;
  const work = mkdtempSync(join(tmpdir(), 'replicoop-template-work-'));
  const datadir = join(work, 'data');
  const rootArgs = isRoot() ? ['--user=root'] : [];
  const [command, args] = installDb
    ? [
        installDb,
        ['--no-defaults', `--datadir=${datadir}`, '--auth-root-authentication-method=normal', '--skip-test-db', '--force', ...rootArgs],
      ]
    : [mysqld, ['--no-defaults', '--initialize-insecure', `--datadir=${datadir}`, ...rootArgs]];
  // A bootstrap was once seen failing on a machine's first start and working right after: one retry.
  let init = await runInit(command, args);
  if (init.status !== 0) {
    rmSync(datadir, { recursive: true, force: true });
    await new Promise((resolve) => setTimeout(resolve, 500));
    init = await runInit(command, args);
  }
  if (init.status !== 0) {
    rmSync(work, { recursive: true, force: true });
    throw new ReplicoopError(
      'server_init_failed',
      `could not initialise a private server (${command} exited with ${init.status}): ${initFailure(init.output)}`,
    );
  }
  writeFileSync(join(work, 'ready'), 'ok');
  try {
    renameSync(work, final);
  } catch {
    rmSync(work, { recursive: true, force: true });
  }
  return final;
}

function runInit(command: string, args: readonly string[]): Promise<{ status: number | null; output: string }> {
  return new Promise((resolve) => {
    const child = spawn(command, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout?.on('data', (d: Buffer) => (output += d.toString()));
    child.stderr?.on('data', (d: Buffer) => (output += d.toString()));
    child.on('close', (status) => resolve({ status, output }));
    child.on('error', (error) => resolve({ status: -1, output: error.message }));
  });
}

/** The line that says why: mariadb-install-db ends with boilerplate, so prefer an [ERROR] line. */
function initFailure(output: string): string {
  const lines = output
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line !== '');
  return lines.find((line) => /\berror\b/i.test(line)) ?? (lines.slice(-3).join(' | ') || 'no output');
}

function isRoot(): boolean {
  return typeof process.getuid === 'function' && process.getuid() === 0;
}
