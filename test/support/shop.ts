import { spawnSync } from 'node:child_process';
import type { ConfigSides } from './cli.js';

/** A small shop: production has the newer schema and the data; the sandbox an older schema. */
export const SHOP_PRODUCTION = `
CREATE TABLE countries (code CHAR(2) PRIMARY KEY, name VARCHAR(64) NOT NULL);
CREATE TABLE customers (
  id INT AUTO_INCREMENT PRIMARY KEY,
  email VARCHAR(120) NOT NULL,
  name VARCHAR(80),
  country CHAR(2),
  deleted_at DATETIME NULL,
  created TIMESTAMP(6) NOT NULL DEFAULT CURRENT_TIMESTAMP(6),
  UNIQUE KEY uk_email (email),
  CONSTRAINT fk_customer_country FOREIGN KEY (country) REFERENCES countries (code));
CREATE TABLE orders (
  id BIGINT AUTO_INCREMENT PRIMARY KEY,
  customer_id INT NOT NULL,
  amount DECIMAL(12,2) NOT NULL,
  status ENUM('new','paid','shipped','cancelled') NOT NULL DEFAULT 'new',
  note TEXT,
  KEY by_customer (customer_id),
  CONSTRAINT fk_order_customer FOREIGN KEY (customer_id) REFERENCES customers (id));
CREATE TABLE events (id INT PRIMARY KEY, kind INT NOT NULL, payload VARBINARY(64), at DATETIME(6) NOT NULL, KEY by_kind (kind));
CREATE TABLE audit (id INT AUTO_INCREMENT PRIMARY KEY, msg VARCHAR(100), at DATETIME DEFAULT NULL);
CREATE VIEW paid_orders AS SELECT id, customer_id, amount FROM orders WHERE status = 'paid';
CREATE TRIGGER orders_ai AFTER INSERT ON orders FOR EACH ROW INSERT INTO audit (msg) VALUES (CONCAT('order ', NEW.id));
INSERT INTO countries VALUES ('BR','Brazil'),('PT','Portugal'),('DE','Germany'),('JP','Japan'),('US','United States');
INSERT INTO customers (id, email, name, country, deleted_at, created)
  SELECT seq, CONCAT('user', seq, '@shop.example'), CONCAT('Customer ', seq), ELT(1 + seq % 5, 'BR','PT','DE','JP','US'),
         IF(seq % 10 = 0, '2024-01-01 00:00:00', NULL), '2024-05-01 10:00:00.123456' FROM seq_1_to_2000;
INSERT INTO orders (id, customer_id, amount, status, note)
  SELECT seq, 1 + seq % 2000, (seq % 1000) / 7, ELT(1 + seq % 4, 'new','paid','shipped','cancelled'), IF(seq % 3 = 0, NULL, CONCAT('note ', seq)) FROM seq_1_to_20000;
INSERT INTO events SELECT seq, seq % 17, UNHEX(SHA2(seq, 256)), '2025-01-01 00:00:00' + INTERVAL seq SECOND FROM seq_1_to_60000;
INSERT INTO audit (msg, at) VALUES ('production only', NOW());
`;

export const SHOP_SANDBOX = `
CREATE TABLE countries (code CHAR(2) PRIMARY KEY, name VARCHAR(40) NOT NULL);
CREATE TABLE customers (id INT AUTO_INCREMENT PRIMARY KEY, email VARCHAR(120) NOT NULL, name VARCHAR(80), country CHAR(2), created TIMESTAMP(6) NOT NULL DEFAULT CURRENT_TIMESTAMP(6), UNIQUE KEY uk_email (email));
CREATE TABLE orders (id BIGINT AUTO_INCREMENT PRIMARY KEY, customer_id INT NOT NULL, amount DECIMAL(10,2) NOT NULL, status ENUM('new','paid','shipped') NOT NULL DEFAULT 'new', KEY by_customer (customer_id));
CREATE TABLE events (id INT PRIMARY KEY, kind INT NOT NULL, payload VARBINARY(64), at DATETIME(6) NOT NULL);
CREATE TABLE audit (id INT AUTO_INCREMENT PRIMARY KEY, msg VARCHAR(100));
CREATE TABLE old_stuff (id INT PRIMARY KEY);
INSERT INTO countries VALUES ('XX','Nowhere');
INSERT INTO customers (id, email) VALUES (1, 'stale@sandbox.example');
INSERT INTO events VALUES (999999, 1, NULL, '2020-01-01 00:00:00');
INSERT INTO audit (msg) VALUES ('sandbox row 1'), ('sandbox row 2');
INSERT INTO old_stuff VALUES (1);
`;

export const SHOP_MAINTAIN = [
  'countries',
  { table: 'customers', where: 'deleted_at IS NULL', mask: { email: 'email', name: 'name' } },
  'orders',
  'events',
];

/** Schema dump (no data) and CHECKSUM TABLE of every table: the state a rollback must restore. */
export function databaseState(port: number, database: string): { schema: string; checksums: string } {
  const schema = spawnSync(
    'mariadb-dump',
    [
      '--no-defaults',
      '-h127.0.0.1',
      `-P${port}`,
      '-uroot',
      '--no-data',
      '--skip-dump-date',
      '--routines',
      '--triggers',
      '--events',
      '--skip-comments',
      database,
    ],
    { encoding: 'utf8' },
  );
  if (schema.status !== 0) throw new Error(schema.stderr);
  const tables = spawnSync(
    'mariadb',
    [
      '--no-defaults',
      '-h127.0.0.1',
      `-P${port}`,
      '-uroot',
      '-N',
      '-e',
      `SELECT GROUP_CONCAT(CONCAT('\`', REPLACE(TABLE_NAME, '\`', '\`\`'), '\`') ORDER BY TABLE_NAME) FROM information_schema.TABLES WHERE TABLE_SCHEMA = '${database}' AND TABLE_TYPE = 'BASE TABLE'`,
    ],
    { encoding: 'utf8' },
  );
  const list = tables.stdout.trim();
  const checksums =
    list && list !== 'NULL'
      ? spawnSync(
          'mariadb',
          ['--no-defaults', '-h127.0.0.1', `-P${port}`, '-uroot', '-N', database, '-e', `CHECKSUM TABLE ${list} EXTENDED`],
          { encoding: 'utf8' },
        ).stdout
      : '';
  return { schema: schema.stdout, checksums };
}

export function sides(productionPort: number, sandboxPort: number, productionDb: string, sandboxDb: string): ConfigSides {
  return { productionPort, sandboxPort, productionDb, sandboxDb };
}
