import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadConfig, parseConfig } from '../../../src/config/load-config.js';
import { parseConnectionUrl, sameDatabase } from '../../../src/config/resolve-connection.js';
import { ReplicoopError, maskSecrets } from '../../../src/errors.js';

const GOOD = `
production:
  host: 127.0.0.1
  port: 3306
  user: replicoop_ro
  password: \${PROD_DB_PASSWORD}
  database: shop
sandbox:
  url: mysql://root:sandpass@127.0.0.1:3307/shop_sandbox
maintain:
  - countries
  - table: customers
    where: "deleted_at IS NULL"
    mask: { email: email, phone: phone, notes: null, status: { fixed: "x" } }
ignore: ["tmp_*", "*_old"]
masking: { secret: "\${MASK_SECRET:-a-long-default-secret}" }
backup: { dir: ./backups, keep: 5 }
state: ./.replicoop/state.db
`;

function parse(text: string, env: Record<string, string> = { PROD_DB_PASSWORD: 'pw-secret-1' }) {
  return parseConfig(text, '/etc/replicoop/replicoop.yaml', 'replicoop.yaml', env);
}

function errorOf(text: string, env?: Record<string, string>): string {
  try {
    parse(text, env);
  } catch (error) {
    expect(error).toBeInstanceOf(ReplicoopError);
    return (error as Error).message;
  }
  throw new Error('expected the config to be rejected');
}

describe('config: a good file', () => {
  it('resolves every key, interpolates env and resolves paths against the file', () => {
    const config = parse(GOOD);
    expect(config.production).toMatchObject({
      host: '127.0.0.1',
      port: 3306,
      user: 'replicoop_ro',
      password: 'pw-secret-1',
      database: 'shop',
    });
    expect(config.sandbox).toMatchObject({ host: '127.0.0.1', port: 3307, user: 'root', password: 'sandpass', database: 'shop_sandbox' });
    expect(config.maintain).toEqual([
      { table: 'countries', where: null, mask: {} },
      {
        table: 'customers',
        where: 'deleted_at IS NULL',
        mask: { email: { kind: 'email' }, notes: { kind: 'null' }, phone: { kind: 'phone' }, status: { kind: 'fixed', value: 'x' } },
      },
    ]);
    expect(config.masking.secret).toBe('a-long-default-secret');
    expect(config.backup).toEqual({ dir: '/etc/replicoop/backups', keep: 5, scope: 'plan' });
    expect(config.statePath).toBe('/etc/replicoop/.replicoop/state.db');
    expect(config.logsDir).toBe('/etc/replicoop/logs');
    expect(config.copy).toEqual({ concurrency: 2, chunkRows: 20000, deltaThreshold: 0.1, method: 'auto', mode: 'auto' });
    expect(config.definers).toBe('current_user');
    expect(Object.isFrozen(config)).toBe(true);
  });

  it('masks the passwords it has read in any later message', () => {
    parse(GOOD);
    expect(maskSecrets('failed with pw-secret-1 and sandpass')).toBe('failed with **** and ****');
  });

  it('gives a whole-token ${VAR} the type the schema wants (port: ${PORT})', () => {
    const config = parse(GOOD.replace('port: 3306', 'port: ${PORT}'), { PROD_DB_PASSWORD: '12345', PORT: '3310' });
    expect(config.production.port).toBe(3310);
    expect(config.production.password).toBe('12345');
  });

  it('uses ${VAR:-default} when the variable is unset or empty, and $$ for a literal $', () => {
    const config = parse(GOOD.replace('password: ${PROD_DB_PASSWORD}', 'password: "${UNSET:-pa$$word}x$$y"'));
    expect(config.production.password).toBe('pa$wordx$y');
  });

  it('accepts JSON', () => {
    const dir = mkdtempSync(join(tmpdir(), 'replicoop-cfg-'));
    const file = join(dir, 'replicoop.json');
    writeFileSync(file, JSON.stringify({ production: { user: 'ro', database: 'a' }, sandbox: { user: 'root', database: 'b' } }));
    const config = loadConfig(file, {}, dir);
    expect(config.displayFile).toBe('replicoop.json');
    expect(config.production.port).toBe(3306);
  });
});

describe('config: each bad file gives exact lines naming file and key', () => {
  const minimal = 'production: { user: ro, database: shop }\nsandbox: { user: root, database: shop_sandbox, port: 3307 }\n';
  const cases: [string, string, string][] = [
    ['port is not an integer', minimal.replace('port: 3307', 'port: "abc"'), 'replicoop.yaml: /sandbox/port: must be integer'],
    ['port out of range', minimal.replace('port: 3307', 'port: 70000'), 'replicoop.yaml: /sandbox/port: must be <= 65535'],
    ['unknown top-level key', `${minimal}maintian: [a]\n`, 'replicoop.yaml: /: unknown key "maintian" (did you mean "maintain"?)'],
    [
      'unknown connection key',
      minimal.replace('user: ro', 'usr: ro'),
      'replicoop.yaml: /production: unknown key "usr" (did you mean "user"?)',
    ],
    ['unknown key far from any', `${minimal}colour: blue\n`, 'replicoop.yaml: /: unknown key "colour"'],
    ['missing sandbox', 'production: { user: ro, database: shop }\n', 'replicoop.yaml: /: missing required key "sandbox"'],
    ['missing database', minimal.replace('database: shop }', '}'), 'replicoop.yaml: /production: missing required key "database"'],
    [
      'missing env var',
      minimal.replace('user: ro', 'user: ro, password: "${NOPE_PW}"'),
      'replicoop.yaml: /production/password: environment variable NOPE_PW is not set (set it, or write ${NOPE_PW:-default})',
    ],
    ['invalid glob', `${minimal}ignore: ["tmp_[x"]\n`, 'replicoop.yaml: /ignore/0: "tmp_[x" is not a valid glob: it has an unclosed ['],
    [
      'maintain entry with a glob',
      `${minimal}maintain: ["cust*"]\n`,
      'replicoop.yaml: /maintain/0: "cust*" is not a valid table name: it contains glob characters (maintain takes exact table names)',
    ],
    [
      'maintained and ignored',
      `${minimal}maintain: [tmp_users]\nignore: ["tmp_*"]\n`,
      'replicoop.yaml: /maintain/0: table "tmp_users" is both maintained and ignored (matched by an ignore pattern)',
    ],
    [
      'maintained twice',
      `${minimal}maintain: [a, {table: A}]\n`,
      'replicoop.yaml: /maintain/1/table: table "A" is listed twice (also /maintain/0)',
    ],
    [
      'same database',
      'production: { host: localhost, user: ro, database: shop }\nsandbox: { host: 127.0.0.1, user: root, database: shop }\n',
      'replicoop.yaml: /sandbox: points at the production database (localhost:3306 and 127.0.0.1:3306, database shop); refusing to use production as the sandbox',
    ],
    [
      'bad mask rule',
      `${minimal}maintain: [{table: u, mask: {email: scramble}}]\n`,
      'replicoop.yaml: maintain u: mask email: must be null, email, name, phone, hash, redact, or {fixed: value} (/maintain/0/mask/email)',
    ],
    [
      'mask without secret',
      `${minimal}maintain: [{table: u, mask: {email: email}}]\n`,
      'replicoop.yaml: /masking/secret: is required when a mask rule other than null/fixed is used (e.g. secret: ${REPLICOOP_MASK_SECRET})',
    ],
    [
      'url and fields together',
      'production: { url: "mysql://a@h/db", user: x }\nsandbox: { user: root, database: s }\n',
      'replicoop.yaml: /production: use either url or user, not both',
    ],
    [
      'url with another scheme',
      'production: { url: "postgres://a@h/db" }\nsandbox: { user: root, database: s }\n',
      'replicoop.yaml: /production/url: has scheme "postgres", expected mysql:// or mariadb://',
    ],
    ['bad enum', `${minimal}copy: { method: fast }\n`, 'replicoop.yaml: /copy/method: must be one of: auto, load-data, insert'],
    ['keep zero', `${minimal}backup: { keep: 0 }\n`, 'replicoop.yaml: /backup/keep: must be >= 1'],
    [
      'empty where',
      `${minimal}maintain: [{table: u, where: " "}]\n`,
      'replicoop.yaml: /maintain/0/where: is empty (remove it to copy every row)',
    ],
    ['not a mapping', '- a\n- b\n', 'replicoop.yaml: /: must be a mapping of keys (production, sandbox, maintain, ...)'],
    ['YAML syntax', 'production: { user: ro\nsandbox: [\n', 'replicoop.yaml: line 2, column 1: deficient indentation'],
  ];
  it.each(cases)('%s', (_name, text, expected) => {
    const message = errorOf(text);
    expect(message.split('\n')).toContain(expected);
  });

  it('reports every problem at once, one line each', () => {
    const message = errorOf(
      'production: { user: ro, database: shop, port: x }\nsandbox: { user: root, database: s, host: 1 }\nignore: ["["]\n',
    );
    expect(message.split('\n')).toEqual([
      'replicoop.yaml: /production/port: must be integer',
      'replicoop.yaml: /sandbox/host: must be string',
    ]);
  });

  it('a missing file names the file', () => {
    expect(() => loadConfig('nope.yaml', {}, tmpdir())).toThrow(
      'nope.yaml: file not found (pass -c <file>, or start from replicoop.yaml.example)',
    );
  });
});

describe('config helpers', () => {
  it('parses connection URLs with encoded passwords', () => {
    expect(parseConnectionUrl('mysql://u%40x:p%3Aw@db.example:3310/shop')).toEqual({
      host: 'db.example',
      port: 3310,
      database: 'shop',
      user: 'u@x',
      password: 'p:w',
    });
  });
  it.each([
    ['#', 'mysql://app:s3cr#t@db.example/shop', '"#" as %23'],
    ['@', 'mysql://app:s3cr@t@db.example/shop', '"@" as %40'],
    ['/', 'mysql://app:s3cr/t@db.example/shop', '"/" as %2F'],
    ['% alone', 'mysql://app:100%sure@db.example/shop', '"%" as %25'],
  ])('says a password with %s must be percent-encoded, without printing it', (_, url, encoding) => {
    const problem = parseConnectionUrl(url);
    expect(typeof problem).toBe('string');
    expect(problem).toContain(`must be percent-encoded in a URL (write ${encoding})`);
    expect(problem).not.toContain('s3cr');
    expect(problem).not.toContain('sure');
    const config = `production: { url: "${url}" }\nsandbox: { user: root, database: s }\n`;
    expect(() => parseConfig(config, '/x/replicoop.yaml', 'replicoop.yaml', {})).toThrow(
      /^replicoop\.yaml: \/production\/url: the user or password contains characters that must be percent-encoded/,
    );
  });
  it('treats every local name as one host, and different ports as different servers', () => {
    const a = { role: 'production' as const, host: 'localhost', port: 3306, user: 'a', password: '', database: 'x' };
    expect(sameDatabase(a, { ...a, role: 'sandbox', host: '::1' })).not.toBeNull();
    expect(sameDatabase(a, { ...a, role: 'sandbox', port: 3307 })).toBeNull();
    expect(sameDatabase(a, { ...a, role: 'sandbox', database: 'y' })).toBeNull();
  });
});

describe('replicoop.yaml.example', () => {
  it('is a valid config documenting every top-level key of the schema', async () => {
    const { packageRoot, schemaPath } = await import('../../../src/package-info.js');
    const { readFileSync } = await import('node:fs');
    const file = join(packageRoot, 'replicoop.yaml.example');
    const config = loadConfig(file, { PROD_DB_PASSWORD: 'x', REPLICOOP_MASK_SECRET: 'a-long-enough-secret' }, packageRoot);
    expect(config.maintain.map((m) => m.table)).toEqual(['countries', 'customers', 'orders']);
    const text = readFileSync(file, 'utf8');
    const schema = JSON.parse(readFileSync(schemaPath('config'), 'utf8')) as { properties: Record<string, unknown> };
    for (const key of Object.keys(schema.properties).filter((k) => k !== '$schema')) expect(text).toMatch(new RegExp(`^${key}:`, 'm'));
  });
});

describe('config: filters and references that are not what they look like (issue 18)', () => {
  const base = (extra: string) => `
production: { host: 127.0.0.1, user: ro, password: "pw", database: shop }
sandbox: { host: 127.0.0.1, port: 3307, user: root, database: shop_sandbox }
${extra}`;

  it('refuses a where that escapes its parentheses or leaves one open, naming the key', () => {
    expect(errorOf(base('maintain: [{ table: t, where: "1) OR (1" }]'))).toMatch(
      /^replicoop\.yaml: \/maintain\/0\/where: must be one SQL expression: it closes a parenthesis/,
    );
    expect(errorOf(base('maintain: [{ table: t, where: "(a = 1" }]'))).toMatch(/\/maintain\/0\/where: .*unclosed parenthesis/);
    expect(errorOf(base(`maintain: [{ table: t, where: "a = 'x" }]`))).toMatch(/\/maintain\/0\/where: .*unclosed quote/);
  });

  it('reads copy.deltaThreshold as a share in (0, 1], naming the key when it is not', () => {
    expect(parse(base('copy: { deltaThreshold: 1 }')).copy.deltaThreshold).toBe(1);
    expect(parse(base('copy: { deltaThreshold: 0.05 }')).copy.deltaThreshold).toBe(0.05);
    expect(errorOf(base('copy: { deltaThreshold: 0 }'))).toMatch(/^replicoop\.yaml: \/copy\/deltaThreshold: /);
    expect(errorOf(base('copy: { deltaThreshold: 30 }'))).toMatch(/^replicoop\.yaml: \/copy\/deltaThreshold: /);
  });

  it('refuses an unclosed ${ instead of passing it on as a password, without quoting the value', () => {
    const message = errorOf(`
production: { host: 127.0.0.1, user: ro, password: "s3cr3t\${DB_PASS", database: shop }
sandbox: { host: 127.0.0.1, port: 3307, user: root, database: shop_sandbox }
`);
    expect(message).toMatch(/^replicoop\.yaml: \/production\/password: has an unclosed "\$\{" at character 7/);
    expect(message).not.toContain('s3cr3t');
    expect(errorOf(base('logs: "${1BAD}"'))).toMatch(/\/logs: has a "\$\{\.\.\.\}" at character 1 that is not/);
    expect(parse(base('logs: "$${NOT_A_REF"')).logsDir).toBe('/etc/replicoop/${NOT_A_REF');
  });
});

describe('config: sample and limit', () => {
  const base = (extra: string) => `
production: { host: 127.0.0.1, user: ro, password: "pw", database: shop }
sandbox: { host: 127.0.0.1, port: 3307, user: root, database: shop_sandbox }
${extra}`;
  it('reads a percentage and a row limit, refuses a sample outside (0, 100]', () => {
    expect(parse(base('maintain: [{ table: t, sample: "10%", limit: 100 }]')).maintain[0]).toEqual({
      table: 't',
      where: null,
      mask: {},
      sample: 10,
      limit: 100,
    });
    expect(parse(base('maintain: [{ table: t, sample: 100 }]')).maintain[0]).toEqual({ table: 't', where: null, mask: {} });
    expect(errorOf(base('maintain: [{ table: t, sample: "0%" }]'))).toMatch(
      /\/maintain\/0\/sample: must be a percentage above 0 and at most 100/,
    );
    expect(errorOf(base('maintain: [{ table: t, sample: "half" }]'))).toMatch(/\/maintain\/0\/sample: must be a percentage/);
    expect(errorOf(base('maintain: [{ table: t, limit: 0 }]'))).toMatch(/\/maintain\/0\/limit: must be >= 1/);
  });
});
