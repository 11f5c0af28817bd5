import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { MaskRule } from '../../src/config/types.js';
import { CopyPair } from '../support/copy-fixture.js';

const DDL = `
CREATE TABLE customers (
  id INT NOT NULL PRIMARY KEY, email VARCHAR(100) NOT NULL, name VARCHAR(8), phone VARCHAR(20), notes TEXT,
  ssn CHAR(11) CHARACTER SET latin1, status VARCHAR(10) NOT NULL, code VARBINARY(64), tiny VARCHAR(5), amount INT,
  UNIQUE KEY (email)
) DEFAULT CHARSET=utf8mb4;
CREATE TABLE orders (id INT NOT NULL PRIMARY KEY, customer_email VARCHAR(60) NOT NULL, total DECIMAL(10,2), KEY (customer_email)) DEFAULT CHARSET=utf8mb4;
`;

const FILL = `
INSERT INTO customers SELECT seq, CONCAT('user', seq, '@shop.test'), CONCAT('Name', seq), CONCAT('+33 6 ', seq), IF(seq % 5 = 0, NULL, 'private notes'),
  IF(seq % 7 = 0, NULL, CONCAT('12', seq % 10, '-45-', LPAD(seq, 4, '0'))), 'active', UNHEX(SHA2(seq, 256)), 'abc', seq FROM seq_1_to_500;
UPDATE customers SET email = '', phone = '' WHERE id = 500;
INSERT INTO orders SELECT seq, CONCAT('user', 1 + seq % 450, '@shop.test'), seq / 10 FROM seq_1_to_1200;
`;

const CUSTOMER_MASKS: Record<string, MaskRule> = {
  email: { kind: 'email' },
  name: { kind: 'name' },
  phone: { kind: 'phone' },
  notes: { kind: 'null' },
  ssn: { kind: 'redact' },
  status: { kind: 'fixed', value: 'x' },
  code: { kind: 'hash' },
};

describe('copy masking', () => {
  let pair: CopyPair;

  beforeAll(async () => {
    pair = await CopyPair.create('copy_mask');
    await pair.both(DDL);
    await pair.prod(FILL);
  });

  afterAll(async () => {
    await pair.drop();
  });

  async function copyBoth(secret: string): Promise<void> {
    const customers = await pair.copy(await pair.task('customers', { mask: CUSTOMER_MASKS }), null, { maskSecret: secret, chunkRows: 100 });
    expect(customers.maskedColumns.sort()).toEqual(Object.keys(CUSTOMER_MASKS).sort());
    const orders = await pair.copy(await pair.task('orders', { mask: { customer_email: { kind: 'email' } } }), null, {
      maskSecret: secret,
      method: 'insert',
    });
    expect(orders.maskedColumns).toEqual(['customer_email']);
  }

  it('masks deterministically: the same secret gives the same data, another secret other data', async () => {
    await copyBoth('first-secret-123');
    const first = (await pair.compare('customers', { rowByRow: false })).checksums[1];
    await copyBoth('first-secret-123');
    const again = (await pair.compare('customers', { rowByRow: false })).checksums;
    expect(again[1]).toBe(first);
    expect(again[1]).not.toBe(again[0]);
    await copyBoth('second-secret-456');
    expect((await pair.compare('customers', { rowByRow: false })).checksums[1]).not.toBe(first);
  });

  it('keeps joins on masked emails working across tables and leaks no real address', async () => {
    await copyBoth('join-secret-789');
    const join = 'SELECT COUNT(*) AS n FROM orders o JOIN customers c ON o.customer_email = c.email';
    const [production] = await pair.prod<{ n: number }[]>(join);
    const [sandbox] = await pair.sand<{ n: number }[]>(join);
    expect(Number(production!.n)).toBe(1200);
    expect(Number(sandbox!.n)).toBe(1200);
    const leaked = await pair.sand<{ n: number }[]>(
      "SELECT COUNT(*) AS n FROM customers WHERE email LIKE '%@shop.test' OR phone LIKE '+33%' OR name LIKE 'Name%'",
    );
    expect(Number(leaked[0]!.n)).toBe(0);
  });

  it('respects types and lengths, keeps NULL and empty strings, leaves unmasked columns alone', async () => {
    await copyBoth('shape-secret-000');
    const [shape] = await pair.sand<Record<string, unknown>[]>(`
      SELECT COUNT(*) AS n, COUNT(DISTINCT email) AS emails, SUM(email REGEXP '^[0-9a-f]{24}@example[.]com$') AS good_emails,
             MAX(CHAR_LENGTH(name)) AS name_len, SUM(phone REGEXP '^[+]1-555-[0-9]{3}-[0-9]{4}$') AS good_phones,
             COUNT(notes) AS notes, SUM(status = 'x') AS fixed, SUM(code REGEXP '^[0-9a-f]{64}$') AS hashes, SUM(amount) AS amounts
      FROM customers`);
    const numbers = Object.fromEntries(Object.entries(shape!).map(([k, v]) => [k, Number(v)]));
    expect(numbers).toEqual({
      n: 500,
      emails: 500,
      good_emails: 499,
      name_len: 8,
      good_phones: 499,
      notes: 0,
      fixed: 500,
      hashes: 500,
      amounts: 125250,
    });
    const [empty] = await pair.sand<Record<string, unknown>[]>('SELECT email, phone FROM customers WHERE id = 500');
    expect(empty).toEqual({ email: '', phone: '' });
    // redact keeps each value's length and its NULLs.
    const production = await pair.prod<{ id: number; len: number | null }[]>(
      'SELECT id, CHAR_LENGTH(ssn) AS len FROM customers ORDER BY id',
    );
    const sandbox = await pair.sand<{ id: number; len: number | null; x: number | null }[]>(
      "SELECT id, CHAR_LENGTH(ssn) AS len, ssn REGEXP '^x+$' AS x FROM customers ORDER BY id",
    );
    expect(sandbox.map((r) => r.len)).toEqual(production.map((r) => r.len));
    expect(sandbox.filter((r) => r.len !== null).every((r) => r.x === 1)).toBe(true);
  });

  it('refuses, before touching the sandbox, a mask that cannot fit the column', async () => {
    await pair.sand("DELETE FROM customers; INSERT INTO customers (id, email, status) VALUES (1, 'kept@sandbox', 'kept')");
    const tooShort = pair.copy(await pair.task('customers', { mask: { tiny: { kind: 'email' } } }));
    await expect(tooShort).rejects.toMatchObject({
      code: 'copy_invalid_task',
      message: expect.stringMatching(/tiny.*at least 24 characters, the column holds 5/),
    });
    const onInt = pair.copy(await pair.task('customers', { mask: { amount: { kind: 'hash' } } }));
    await expect(onInt).rejects.toMatchObject({ code: 'copy_invalid_task', message: expect.stringMatching(/amount.*string masks need/) });
    const noSecret = pair.copy(await pair.task('customers', { mask: { email: { kind: 'email' } } }), null, { maskSecret: null });
    await expect(noSecret).rejects.toMatchObject({ code: 'copy_invalid_task', message: expect.stringMatching(/needs masking.secret/) });
    expect(await pair.sand('SELECT id, email FROM customers')).toEqual([{ id: 1, email: 'kept@sandbox' }]);
  });
});
