import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LocalServer } from '../../dev/local-server.js';
import { runCli, tempDir } from '../support/cli.js';

const MINIMAL = 'production: { user: ro, database: shop }\nsandbox: { user: root, database: shop_sandbox, port: 3307 }\n';

/** Each bad config gives exactly these stderr lines and exit 1, through the real binary. */
const CASES: [string, string, string[]][] = [
  ['port is not an integer', MINIMAL.replace('port: 3307', 'port: "abc"'), ['error: replicoop.yaml: /sandbox/port: must be integer']],
  ['unknown top-level key', `${MINIMAL}maintian: [a]\n`, ['error: replicoop.yaml: /: unknown key "maintian" (did you mean "maintain"?)']],
  [
    'unknown connection key',
    MINIMAL.replace('user: ro', 'usr: ro'),
    ['error: replicoop.yaml: /production: unknown key "usr" (did you mean "user"?)'],
  ],
  ['missing sandbox', 'production: { user: ro, database: shop }\n', ['error: replicoop.yaml: /: missing required key "sandbox"']],
  [
    'missing env var',
    'production:\n  user: ro\n  password: ${NOPE_PW}\n  database: shop\nsandbox: { user: root, database: s }\n',
    ['error: replicoop.yaml: /production/password: environment variable NOPE_PW is not set (set it, or write ${NOPE_PW:-default})'],
  ],
  [
    'invalid glob',
    `${MINIMAL}ignore: ["tmp_[x"]\n`,
    ['error: replicoop.yaml: /ignore/0: "tmp_[x" is not a valid glob: it has an unclosed ['],
  ],
  [
    'maintain glob',
    `${MINIMAL}maintain: ["cust*"]\n`,
    [
      'error: replicoop.yaml: /maintain/0: "cust*" is not a valid table name: it contains glob characters (maintain takes exact table names)',
    ],
  ],
  [
    'maintained and ignored',
    `${MINIMAL}maintain: [tmp_users]\nignore: ["tmp_*"]\n`,
    ['error: replicoop.yaml: /maintain/0: table "tmp_users" is both maintained and ignored (matched by an ignore pattern)'],
  ],
  [
    'same database',
    'production: { host: localhost, user: ro, database: shop }\nsandbox: { host: 127.0.0.1, user: root, database: shop }\n',
    [
      'error: replicoop.yaml: /sandbox: points at the production database (localhost:3306 and 127.0.0.1:3306, database shop); refusing to use production as the sandbox',
    ],
  ],
  [
    'bad mask rule',
    `${MINIMAL}maintain: [{table: u, mask: {email: scramble}}]\n`,
    [
      'error: replicoop.yaml: maintain u: mask email: must be null, email, name, phone, hash, redact, or {fixed: value} (/maintain/0/mask/email)',
    ],
  ],
  [
    'mask without secret',
    `${MINIMAL}maintain: [{table: u, mask: {email: email}}]\n`,
    [
      'error: replicoop.yaml: /masking/secret: is required when a mask rule other than null/fixed is used (e.g. secret: ${REPLICOOP_MASK_SECRET})',
    ],
  ],
  [
    'bad url',
    'production: { url: "postgres://a@h/db" }\nsandbox: { user: root, database: s }\n',
    ['error: replicoop.yaml: /production/url: has scheme "postgres", expected mysql:// or mariadb://'],
  ],
  ['bad enum', `${MINIMAL}copy: { method: fast }\n`, ['error: replicoop.yaml: /copy/method: must be one of: auto, load-data, insert']],
  ['YAML syntax', 'production: { user: ro\nsandbox: [\n', ['error: replicoop.yaml: line 2, column 1: deficient indentation']],
  ['empty file', '', ['error: replicoop.yaml: the file is empty']],
];

describe('config errors through the binary', () => {
  it.each(CASES)('%s', async (_name, text, lines) => {
    const dir = tempDir();
    writeFileSync(join(dir, 'replicoop.yaml'), text);
    const result = await runCli(['plan'], { cwd: dir });
    expect(result.code).toBe(1);
    expect(result.stderr.trimEnd().split('\n')).toEqual(lines);
    expect(result.stdout).toBe('');
  });

  it('a missing config file names it and says how to get one', async () => {
    const dir = tempDir();
    const result = await runCli(['plan', '-c', 'other.yml'], { cwd: dir });
    expect(result.code).toBe(1);
    expect(result.stderr.trim()).toBe('error: other.yml: file not found (pass -c <file>, or start from replicoop.yaml.example)');
  });

  it('unknown flags and commands are errors with the usage line', async () => {
    const dir = tempDir();
    const flag = await runCli(['plan', '--frobnicate'], { cwd: dir });
    expect(flag.code).toBe(1);
    expect(flag.stderr).toBe(
      'error: plan: unknown option "--frobnicate"\nUsage: replicoop plan [options]  (replicoop plan --help for more)\n',
    );
    const command = await runCli(['deploy'], { cwd: dir });
    expect(command.code).toBe(1);
    expect(command.stderr).toContain('error: unknown command "deploy"\nUsage: replicoop <command> [options]  (commands: plan, apply,');
  });

  it('--verbose adds the stack trace; without it there is none', async () => {
    const dir = tempDir();
    writeFileSync(join(dir, 'replicoop.yaml'), MINIMAL.replace('port: 3307', 'port: "abc"'));
    const quiet = await runCli(['plan'], { cwd: dir });
    expect(quiet.stderr).not.toContain('    at ');
    const verbose = await runCli(['plan', '--verbose'], { cwd: dir });
    expect(verbose.stderr).toContain('    at ');
  });

  it('--help and --version work', async () => {
    const dir = tempDir();
    const help = await runCli(['--help'], { cwd: dir });
    expect(help.code).toBe(0);
    for (const command of ['plan', 'apply <plan>', 'validate', 'rollback', 'status']) expect(help.stdout).toContain(`replicoop ${command}`);
    const version = await runCli(['--version'], { cwd: dir });
    expect(version.stdout.trim()).toMatch(/^\d+\.\d+\.\d+$/);
  });
});

describe('environment interpolation and the same-database guard against a real server', () => {
  let server: LocalServer;
  beforeAll(async () => {
    server = await LocalServer.start({ name: 'cfg' });
    await server.sql('CREATE DATABASE shop; CREATE TABLE shop.t (id INT PRIMARY KEY)');
  });
  afterAll(async () => {
    await server?.destroy();
  });

  it('connects with ports and names taken from the environment (${VAR} and ${VAR:-default})', async () => {
    const dir = tempDir();
    await server.sql('CREATE DATABASE IF NOT EXISTS shop_sandbox');
    writeFileSync(
      join(dir, 'replicoop.yaml'),
      'production:\n  host: 127.0.0.1\n  port: ${DB_PORT}\n  user: root\n  database: ${PROD_DB:-shop}\nsandbox:\n  url: mysql://root@127.0.0.1:${DB_PORT}/shop_sandbox\n',
    );
    const result = await runCli(['plan', '--detailed-exitcode'], { cwd: dir, env: { DB_PORT: String(server.port) } });
    expect(result.stderr).not.toContain('error');
    expect(result.code).toBe(2);
    expect(result.stdout).toContain('+ table t (create)');
  });

  it('refuses a sandbox that is production reached another way (socket vs TCP): checked at connect time by server identity', async () => {
    const dir = tempDir();
    writeFileSync(
      join(dir, 'replicoop.yaml'),
      `production: { host: 127.0.0.1, port: ${server.port}, user: root, database: shop }\nsandbox: { socket: ${join(server.dir, 'mysqld.sock')}, user: root, database: shop }\n`,
    );
    const result = await runCli(['plan'], { cwd: dir });
    expect(result.code).toBe(1);
    expect(result.stderr.trim()).toMatch(
      /^error: sandbox socket .*mysqld\.sock\/shop and production 127\.0\.0\.1:\d+\/shop are the same database on the same server \(.+:\d+\); refusing to use production as the sandbox$/,
    );
  });
});
