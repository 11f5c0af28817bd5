import { afterAll, describe, expect, it } from 'vitest';
import type { MaskRule } from '../../src/config/types.js';
import { maskValue } from '../../src/mask/mask-value.js';
import { runPlan } from '../../src/plan/run-plan.js';
import type { Plan } from '../../src/plan/plan-types.js';
import { renderValidationMarkdown, renderValidationText, structureDiff } from '../../src/report/render-validation.js';
import { runValidate } from '../../src/validate/run-validate.js';
import type { TableDataResult, ValidationResult } from '../../src/validate/validation-result.js';
import { testServers } from '../support/servers.js';
import { validatePair, type ValidatePair } from '../support/validate-setup.js';

const pairs: ValidatePair[] = [];
afterAll(async () => {
  for (const pair of pairs) await pair.drop();
});

async function newPair(prefix: string): Promise<ValidatePair> {
  const pair = await validatePair(prefix);
  pairs.push(pair);
  return pair;
}

const SECRET = 'validate-test-secret';

function table(result: ValidationResult, name: string): TableDataResult {
  const found = result.data.tables.find((t) => t.table === name);
  if (!found) throw new Error(`no data result for ${name}`);
  return found;
}

/** Writes masked values into the sandbox the way the copy engine would (maskValue on production bytes). */
async function maskInSandbox(pair: ValidatePair, tableName: string, column: string, rule: MaskRule, type: string): Promise<void> {
  const { production, sandbox } = testServers();
  const rows = await production.sql<{ id: number; v: string | null }[]>(
    `SELECT id, \`${column}\` AS v FROM \`${tableName}\``,
    pair.database,
  );
  const spec = { name: column, dataType: type.replace(/\(.*/, ''), type, nullable: true, charset: 'utf8mb4', generated: null };
  const conn = await sandbox.admin(pair.database);
  try {
    for (const row of rows) {
      const masked = maskValue(rule, row.v === null ? null : Buffer.from(row.v, 'utf8'), spec, SECRET);
      await conn.query(`UPDATE \`${tableName}\` SET \`${column}\` = ? WHERE id = ?`, [
        masked === null ? null : masked.toString('utf8'),
        row.id,
      ]);
    }
  } finally {
    await conn.end();
  }
}

/** The plan `replicoop plan` makes from the pair's config (the same use case, not a hand-built one). */
function realPlan(pair: ValidatePair): Promise<Plan> {
  return runPlan(pair.config(), { readers: 1, createdAt: '2026-01-01T00:00:00.000Z' });
}

describe('validate: a sandbox that matches production', () => {
  it('passes with chunked keys (integer and composite text), a key-less table, a where filter, masks and foreign keys', async () => {
    const pair = await newPair('val_ok');
    await pair.both(`
      CREATE TABLE customers (
        id INT PRIMARY KEY, name VARCHAR(50) NOT NULL, email VARCHAR(100) NULL, note TEXT NULL,
        score DECIMAL(8,2) NOT NULL, born DATE NULL, f FLOAT NULL, flags BIT(4) NULL, kind ENUM('a','b#') NULL,
        doubled INT AS (id * 2) VIRTUAL, label VARCHAR(60) AS (CONCAT(name, '!')) STORED
      ) DEFAULT CHARSET=utf8mb4;
      CREATE TABLE orders (id INT PRIMARY KEY, customer_id INT NOT NULL, amount INT NOT NULL, CONSTRAINT fk_orders_customer FOREIGN KEY (customer_id) REFERENCES customers (id));
      CREATE TABLE tags (code VARCHAR(20) NOT NULL, lang CHAR(2) NOT NULL, label VARCHAR(50) NULL, PRIMARY KEY (code, lang)) DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;
      CREATE TABLE log (msg VARCHAR(50) NULL, n INT NULL);
      CREATE TABLE notes (id INT PRIMARY KEY, customer_id INT NULL, CONSTRAINT fk_notes_customer FOREIGN KEY (customer_id) REFERENCES customers (id));
    `);
    await pair.production(`
      INSERT INTO customers (id, name, email, note, score, born, f, flags, kind)
        SELECT seq, CONCAT('name ', seq), IF(seq % 7 = 0, NULL, CONCAT('user', seq, '@corp.example')), IF(seq % 5 = 0, '', IF(seq % 3 = 0, NULL, CONCAT('note ', seq))),
               seq / 4, IF(seq % 11 = 0, NULL, '2000-01-01' + INTERVAL seq DAY), seq / 3, seq % 16, IF(seq % 2 = 0, 'a', 'b#')
          FROM seq_1_to_1000;
      INSERT INTO orders SELECT seq, 1 + seq % 1000, seq * 3 FROM seq_1_to_2000;
      INSERT INTO tags SELECT CONCAT('tag-', seq), l.lang, CONCAT('Étiquette ', seq) FROM seq_1_to_300 JOIN (SELECT 'en' AS lang UNION SELECT 'fr') l;
      INSERT INTO log VALUES ('dup', 1), ('dup', 1), ('single', 2), (NULL, NULL), ('', NULL);
    `);
    // The sandbox as a correct apply leaves it: production's rows, the filtered orders only,
    // the masked column masked, a structure-only table with its own (valid) rows.
    await pair.sandbox(`
      INSERT INTO customers (id, name, email, note, score, born, f, flags, kind)
        SELECT seq, CONCAT('name ', seq), IF(seq % 7 = 0, NULL, CONCAT('user', seq, '@corp.example')), IF(seq % 5 = 0, '', IF(seq % 3 = 0, NULL, CONCAT('note ', seq))),
               seq / 4, IF(seq % 11 = 0, NULL, '2000-01-01' + INTERVAL seq DAY), seq / 3, seq % 16, IF(seq % 2 = 0, 'a', 'b#')
          FROM seq_1_to_1000;
      INSERT INTO orders SELECT seq, 1 + seq % 1000, seq * 3 FROM seq_1_to_2000 WHERE seq % 2 = 0;
      INSERT INTO tags SELECT CONCAT('tag-', seq), l.lang, CONCAT('Étiquette ', seq) FROM seq_1_to_300 JOIN (SELECT 'en' AS lang UNION SELECT 'fr') l;
      INSERT INTO log VALUES ('single', 2), ('dup', 1), ('', NULL), (NULL, NULL), ('dup', 1);
      INSERT INTO notes VALUES (1, 5), (2, NULL);
    `);
    await maskInSandbox(pair, 'customers', 'email', { kind: 'email' }, 'varchar(100)');
    const config = pair.config({
      maintain: ['log', 'tags', { table: 'customers', mask: { email: 'email' } }, { table: 'orders', where: 'id % 2 = 0' }],
      masking: { secret: SECRET },
    });

    const result = await runValidate({ config, strict: true, chunkRows: 100 });

    expect(result.failures).toEqual([]);
    expect(result.warnings).toEqual([]);
    expect(result.passed).toBe(true);
    expect(result.structure.differences).toEqual([]);
    const customers = table(result, 'customers');
    expect(customers).toMatchObject({
      status: 'match',
      method: 'key_ranges',
      key: ['id'],
      productionRows: 1000,
      sandboxRows: 1000,
      excludedColumns: ['email'],
    });
    // Generated columns are compared like any other (a difference in them is a real difference).
    expect(customers.columns).toEqual(expect.arrayContaining(['doubled', 'label']));
    expect(customers.chunks).toBeGreaterThan(5);
    expect(customers.masked).toEqual([
      expect.objectContaining({
        column: 'email',
        rule: 'email',
        productionNonNull: 858,
        sandboxNonNull: 858,
        verified: 'sample',
        mismatches: 0,
        passed: true,
      }),
    ]);
    expect(customers.masked[0]!.checked).toBeGreaterThan(0);
    expect(table(result, 'orders')).toMatchObject({ status: 'match', where: 'id % 2 = 0', productionRows: 1000, sandboxRows: 1000 });
    expect(table(result, 'tags')).toMatchObject({ status: 'match', method: 'key_ranges', key: ['code', 'lang'], productionRows: 600 });
    expect(table(result, 'tags').chunks).toBeGreaterThan(5);
    expect(table(result, 'log')).toMatchObject({ status: 'match', method: 'hash_buckets', key: null, productionRows: 5, sandboxRows: 5 });
    expect(result.orphans.foreignKeysChecked).toBe(2);
    expect(result.orphans.findings).toEqual([]);
    expect(renderValidationText(result)).toContain('Result: PASSED');
  });
});

describe('validate: data differences are found and located by key', () => {
  it('a changed value, a missing row, an extra row and a NULL turned into an empty string', async () => {
    const pair = await newPair('val_diff');
    await pair.both(`
      CREATE TABLE items (id INT PRIMARY KEY, s VARCHAR(20) NULL, n INT NOT NULL);
      INSERT INTO items SELECT seq, IF(seq = 777, NULL, CONCAT('s', seq)), seq FROM seq_1_to_1000;
    `);
    await pair.sandbox(`
      UPDATE items SET n = -1 WHERE id = 150;
      DELETE FROM items WHERE id = 420;
      INSERT INTO items VALUES (5000, 'new', 5000);
      UPDATE items SET s = '' WHERE id = 777;
    `);
    const result = await runValidate({ config: pair.config({ maintain: ['items'] }), strict: false, chunkRows: 100 });

    expect(result.passed).toBe(false);
    const items = table(result, 'items');
    expect(items).toMatchObject({ status: 'differ', productionRows: 1000, sandboxRows: 1000, drillComplete: true });
    expect(items.missing).toEqual({ count: 1, samples: [{ id: '420' }] });
    expect(items.extra).toEqual({ count: 1, samples: [{ id: '5000' }] });
    expect(items.different.count).toBe(2);
    expect(items.different.samples).toEqual(
      expect.arrayContaining([
        { key: { id: '150' }, columns: [{ column: 'n', production: '150', sandbox: '-1' }] },
        { key: { id: '777' }, columns: [{ column: 's', production: null, sandbox: '' }] },
      ]),
    );
    expect(result.failures).toEqual([expect.stringMatching(/^data: items differs .*1 missing, 1 extra, 2 different/)]);
    const text = renderValidationText(result);
    expect(text).toContain('missing in the sandbox (1): id=420');
    expect(text).toContain('extra in the sandbox (1): id=5000');
    expect(text).toContain("id=777: s NULL in production, '' in the sandbox");
    expect(renderValidationMarkdown(result)).toContain('**differs**');
  });

  it('finds differences under a composite text key, in a chunk the sandbox made larger', async () => {
    const pair = await newPair('val_text');
    await pair.both(`
      CREATE TABLE t (code VARCHAR(20) NOT NULL, lang CHAR(2) NOT NULL, v INT, PRIMARY KEY (code, lang)) DEFAULT CHARSET=utf8mb4;
      INSERT INTO t SELECT CONCAT('k', LPAD(seq, 4, '0')), 'en', seq FROM seq_1_to_800;
    `);
    // 500 extra rows after production's last key: one open-ended chunk holds them all.
    await pair.sandbox(`
      INSERT INTO t SELECT CONCAT('z', seq), 'xx', seq FROM seq_1_to_500;
      UPDATE t SET v = 0 WHERE code = 'k0333';
    `);
    const result = await runValidate({ config: pair.config({ maintain: ['t'] }), strict: false, chunkRows: 100 });
    const t = table(result, 't');
    expect(t.status).toBe('differ');
    expect(t.extra.count).toBe(500);
    expect(t.extra.samples).toHaveLength(10);
    expect(t.extra.samples.every((k) => k.lang === 'xx' && /^z\d+$/.test(k.code!))).toBe(true);
    expect(t.different.samples).toEqual([
      { key: { code: 'k0333', lang: 'en' }, columns: [{ column: 'v', production: '333', sandbox: '0' }] },
    ]);
  });

  it('catches two rows swapping same-length values, which a plain CRC32 XOR cannot see', async () => {
    const pair = await newPair('val_swap');
    await pair.both(`CREATE TABLE t (id INT PRIMARY KEY, code CHAR(4) NOT NULL)`);
    await pair.production(`INSERT INTO t VALUES (1, 'aaaa'), (2, 'bbbb')`);
    await pair.sandbox(`INSERT INTO t VALUES (1, 'bbbb'), (2, 'aaaa')`);
    const { production, sandbox } = testServers();
    // pt-table-checksum's default: CRC32 is linear, so the XOR of the two rows is unchanged.
    const ptStyle = "SELECT BIT_XOR(CRC32(CONCAT_WS('#', id, code))) AS x FROM t";
    const [p] = await production.sql<{ x: string }[]>(ptStyle, pair.database);
    const [s] = await sandbox.sql<{ x: string }[]>(ptStyle, pair.database);
    expect(p!.x).toBe(s!.x);

    const result = await runValidate({ config: pair.config({ maintain: ['t'] }), strict: false });
    expect(
      table(result, 't')
        .different.samples.map((d) => d.key.id)
        .sort(),
    ).toEqual(['1', '2']);
  });

  it('tells an empty string from NULL and keeps values in their columns', async () => {
    const pair = await newPair('val_nulls');
    await pair.both(`CREATE TABLE t (id INT PRIMARY KEY, a VARCHAR(10) NULL, b VARCHAR(10) NULL)`);
    await pair.production(`INSERT INTO t VALUES (1, 'x#', 'y'), (2, NULL, ''), (3, 'p', NULL)`);
    // Same concatenation 'x##y' / same text once NULLs are dropped: only the encoding tells them apart.
    await pair.sandbox(`INSERT INTO t VALUES (1, 'x', '#y'), (2, '', NULL), (3, NULL, 'p')`);
    const result = await runValidate({ config: pair.config({ maintain: ['t'] }), strict: false });
    expect(
      table(result, 't')
        .different.samples.map((d) => d.key.id)
        .sort(),
    ).toEqual(['1', '2', '3']);
  });
});

describe('validate: tables without a key', () => {
  it('compares row multisets: a duplicate traded for another row is found, with row samples', async () => {
    const pair = await newPair('val_nokey');
    await pair.both(`CREATE TABLE events (kind VARCHAR(10) NULL, n INT NULL)`);
    await pair.production(`INSERT INTO events VALUES ('a', 1), ('a', 1), ('b', 2), ('c', NULL)`);
    await pair.sandbox(`INSERT INTO events VALUES ('a', 1), ('b', 2), ('b', 2), ('c', NULL)`);
    const result = await runValidate({ config: pair.config({ maintain: ['events'] }), strict: false });
    const events = table(result, 'events');
    expect(events).toMatchObject({ status: 'differ', method: 'hash_buckets', productionRows: 4, sandboxRows: 4 });
    expect(events.missing.count).toBe(1);
    expect(events.extra.count).toBe(1);
    expect(events.rowSamples.missing).toEqual([{ row: { kind: 'a', n: '1' }, copies: 1 }]);
    expect(events.rowSamples.extra).toEqual([{ row: { kind: 'b', n: '2' }, copies: 1 }]);
  });
});

describe('validate: where-filtered tables', () => {
  it('compares the sandbox with the filtered production rows; a row the filter excludes is extra', async () => {
    const pair = await newPair('val_where');
    await pair.both(`CREATE TABLE events (id INT PRIMARY KEY, created DATE NOT NULL, v INT)`);
    await pair.production(`INSERT INTO events SELECT seq, '2020-01-01' + INTERVAL seq DAY, seq FROM seq_1_to_400`);
    await pair.sandbox(`INSERT INTO events SELECT seq, '2020-01-01' + INTERVAL seq DAY, seq FROM seq_1_to_400 WHERE seq > 100`);
    const config = pair.config({ maintain: [{ table: 'events', where: "created > '2020-04-10'" }] });
    const ok = await runValidate({ config, strict: false, chunkRows: 50 });
    expect(table(ok, 'events')).toMatchObject({ status: 'match', productionRows: 300, sandboxRows: 300 });

    await pair.sandbox(`INSERT INTO events VALUES (7, '2020-01-08', 7)`);
    const bad = await runValidate({ config, strict: false, chunkRows: 50 });
    expect(table(bad, 'events').extra).toEqual({ count: 1, samples: [{ id: '7' }] });
  });
});

describe('validate: masked columns', () => {
  it('checks counts, constant rules on every row and a recomputed sample of keyed rules; reports keys, never values', async () => {
    const pair = await newPair('val_mask');
    await pair.both(
      `CREATE TABLE users (id INT PRIMARY KEY, email VARCHAR(100) NULL, nick VARCHAR(20) NULL, code VARCHAR(10) NULL, name VARCHAR(40) NOT NULL) DEFAULT CHARSET=utf8mb4`,
    );
    const rows = `SELECT seq, IF(seq % 10 = 0, NULL, CONCAT('person', seq, '@mail.example')), CONCAT('nick', seq), CONCAT('c', seq), CONCAT('Name ', seq) FROM seq_1_to_60`;
    await pair.production(`INSERT INTO users ${rows}`);
    await pair.sandbox(`INSERT INTO users ${rows}; UPDATE users SET nick = NULL, code = 'X'`);
    await maskInSandbox(pair, 'users', 'email', { kind: 'email' }, 'varchar(100)');
    const config = pair.config({
      maintain: [{ table: 'users', mask: { email: 'email', nick: null, code: { fixed: 'X' } } }],
      masking: { secret: SECRET },
    });

    const ok = await runValidate({ config, strict: false });
    const users = table(ok, 'users');
    expect(users.status).toBe('match');
    expect(users.masked).toEqual([
      expect.objectContaining({ column: 'code', rule: 'fixed:X', verified: 'all_rows', checked: 60, mismatches: 0, passed: true }),
      expect.objectContaining({
        column: 'email',
        rule: 'email',
        productionNonNull: 54,
        sandboxNonNull: 54,
        verified: 'sample',
        mismatches: 0,
        passed: true,
      }),
      expect.objectContaining({
        column: 'nick',
        rule: 'null',
        sandboxNonNull: 0,
        expectedSandboxNonNull: 0,
        verified: 'all_rows',
        passed: true,
      }),
    ]);

    // A row that escaped masking, a nick that was not nulled, a code that is not the constant.
    await pair.sandbox(
      `UPDATE users SET email = 'person3@mail.example' WHERE id = 3; UPDATE users SET nick = 'leak' WHERE id = 4; UPDATE users SET code = 'Y' WHERE id = 5`,
    );
    const bad = await runValidate({ config, strict: false });
    const masked = table(bad, 'users').masked;
    expect(bad.passed).toBe(false);
    expect(table(bad, 'users').status).toBe('differ');
    // Masked columns are not in the row checksum: the rows themselves still match.
    expect(table(bad, 'users').differingChunks).toBe(0);
    expect(masked.find((m) => m.column === 'email')).toMatchObject({ mismatches: 1, mismatchKeys: [{ id: '3' }], passed: false });
    expect(masked.find((m) => m.column === 'nick')).toMatchObject({ sandboxNonNull: 1, mismatches: 1, passed: false });
    expect(masked.find((m) => m.column === 'code')).toMatchObject({ mismatches: 1, passed: false });
    expect(JSON.stringify(bad)).not.toContain('person3@mail.example');
  });
});

describe('validate: structure', () => {
  it('reports a structural difference as the unified diff plan shows', async () => {
    const pair = await newPair('val_struct');
    await pair.production(`CREATE TABLE t (id INT PRIMARY KEY, a INT); CREATE VIEW v AS SELECT id FROM t`);
    await pair.sandbox(`CREATE TABLE t (id INT PRIMARY KEY, a INT, KEY ix_a (a)); CREATE TABLE leftover (id INT)`);
    const result = await runValidate({ config: pair.config(), strict: false });
    expect(result.passed).toBe(false);
    expect(result.structure.differences.map((d) => `${d.kind} ${d.objectType} ${d.name}`)).toEqual([
      'extra table leftover',
      'differs table t',
      'missing view v',
    ]);
    const t = result.structure.differences.find((d) => d.name === 't')!;
    const diff = structureDiff(t);
    expect(diff).toContain('--- sandbox/t');
    expect(diff).toContain('+++ production/t');
    expect(diff).toMatch(/^- {2}KEY `ix_a` \(`a`\)/m);
    expect(result.failures[0]).toMatch(/^structure: table leftover, table t, view v differ from production/);
  });

  it('leaves ignored objects out', async () => {
    const pair = await newPair('val_ignore');
    await pair.production(`CREATE TABLE t (id INT PRIMARY KEY)`);
    await pair.sandbox(`CREATE TABLE t (id INT PRIMARY KEY); CREATE TABLE tmp_scratch (id INT)`);
    const result = await runValidate({ config: pair.config({ ignore: ['tmp_*'] }), strict: true });
    expect(result.structure.differences).toEqual([]);
    expect(result.passed).toBe(true);
  });

  it('does not compare the data of a table whose sandbox copy lacks a column', async () => {
    const pair = await newPair('val_cols');
    await pair.production(`CREATE TABLE t (id INT PRIMARY KEY, a INT, b INT); INSERT INTO t VALUES (1, 1, 1)`);
    await pair.sandbox(`CREATE TABLE t (id INT PRIMARY KEY, a INT); INSERT INTO t VALUES (1, 1)`);
    const result = await runValidate({ config: pair.config({ maintain: ['t'] }), strict: false });
    expect(table(result, 't')).toMatchObject({ status: 'not_compared', reason: 'the sandbox table lacks column b' });
    expect(result.failures).toContain('data: t was not compared: the sandbox table lacks column b');
  });
});

describe('validate: orphan rows', () => {
  it('warns about structure-only children of refreshed parents, fails with --strict, and fails on orphans between two maintain tables', async () => {
    const pair = await newPair('val_orphan');
    await pair.both(`
      CREATE TABLE authors (id INT PRIMARY KEY, name VARCHAR(20));
      CREATE TABLE books (id INT PRIMARY KEY, author_id INT NULL, CONSTRAINT fk_books_author FOREIGN KEY (author_id) REFERENCES authors (id));
      CREATE TABLE quotes (id INT PRIMARY KEY, author_id INT NOT NULL, CONSTRAINT fk_quotes_author FOREIGN KEY (author_id) REFERENCES authors (id));
      INSERT INTO authors SELECT seq, CONCAT('a', seq) FROM seq_1_to_5;
      INSERT INTO quotes SELECT seq, 1 + seq % 5 FROM seq_1_to_20;
    `);
    // The refresh brought authors 1-5; the sandbox's own books still point at author 9, and
    // one book has no author at all (NULL references are not orphans).
    await pair.sandbox(`SET foreign_key_checks = 0; INSERT INTO books VALUES (1, 2), (2, 9), (3, 9), (4, NULL)`);
    const config = pair.config({ maintain: ['authors', 'quotes'] });

    const lenient = await runValidate({ config, strict: false });
    expect(lenient.passed).toBe(true);
    expect(lenient.orphans.foreignKeysChecked).toBe(2);
    expect(lenient.orphans.findings).toEqual([
      expect.objectContaining({
        foreignKey: 'fk_books_author',
        table: 'books',
        referencedTable: 'authors',
        orphanRows: 2,
        samples: [
          { id: '2', author_id: '9' },
          { id: '3', author_id: '9' },
        ],
        severity: 'warning',
        childMaintained: false,
        parentMaintained: true,
      }),
    ]);
    expect(lenient.warnings).toEqual(['integrity: 2 rows of books point at no authors row (foreign key fk_books_author)']);

    const strict = await runValidate({ config, strict: true });
    expect(strict.passed).toBe(false);
    expect(renderValidationText(strict)).toContain('Result: FAILED');

    // An orphan between two maintain tables that production does not have: the copy lost a row.
    await pair.sandbox(`SET foreign_key_checks = 0; DELETE FROM authors WHERE id = 3`);
    const broken = await runValidate({ config, strict: false, tables: ['quotes'] });
    const quotes = broken.orphans.findings.find((f) => f.foreignKey === 'fk_quotes_author');
    expect(quotes).toMatchObject({ severity: 'error', orphanRows: 4, expectedOrphans: 0, childMaintained: true, parentMaintained: true });
    expect(broken.passed).toBe(false);
    // --tables limits the data checks to quotes; authors' missing row is not looked for.
    expect(broken.data.tables.map((t) => t.table)).toEqual(['quotes']);
  });
});

describe('validate: with the plan', () => {
  it('says whether the sandbox holds the reviewed schema and whether production drifted since', async () => {
    const pair = await newPair('val_plan');
    await pair.both(`CREATE TABLE t (id INT PRIMARY KEY, a INT)`);
    const plan = await realPlan(pair);
    const config = pair.config();

    const same = await runValidate({ config, plan, strict: true });
    expect(same.plan).toMatchObject({ sandboxMatchesReviewed: true, productionDrifted: false });
    expect(same.passed).toBe(true);

    await pair.production(`ALTER TABLE t ADD COLUMN b INT`);
    const drifted = await runValidate({ config, plan, strict: false });
    expect(drifted.plan).toMatchObject({ sandboxMatchesReviewed: true, productionDrifted: true });
    expect(drifted.plan!.driftDifferences.map((d) => d.name)).toEqual(['t']);
    expect(structureDiff(drifted.plan!.driftDifferences[0]!)).toContain('+++ production/t');
    expect(structureDiff(drifted.plan!.driftDifferences[0]!)).toContain('--- reviewed/t');
    expect(drifted.warnings).toEqual([expect.stringMatching(/^plan: production changed since the plan was made \(table t\)/)]);
    // The sandbox no longer matches production itself: that is still a failure.
    expect(drifted.structure.differences.map((d) => d.name)).toEqual(['t']);
    expect(drifted.passed).toBe(false);
  });

  it('refuses a plan made for another sandbox', async () => {
    const pair = await newPair('val_wrong');
    await pair.both(`CREATE TABLE t (id INT PRIMARY KEY)`);
    const plan = await realPlan(pair);
    const other: Plan = { ...plan, target: { ...plan.target, database: 'somewhere_else' } };
    await expect(runValidate({ config: pair.config(), plan: other, strict: false })).rejects.toMatchObject({ code: 'wrong_target' });
  });

  it('refuses --tables that are not maintain tables', async () => {
    const pair = await newPair('val_tables');
    await expect(runValidate({ config: pair.config({ maintain: ['t'] }), tables: ['nope'], strict: false })).rejects.toMatchObject({
      code: 'validate_unknown_table',
    });
  });
});
