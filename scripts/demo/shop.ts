/**
 * The demo's embedded "shop": a production database with the current schema and data, and an
 * older sandbox copy that drifted the way real sandboxes do (a release behind, hand-made tables,
 * leftover test rows). Generated with MariaDB's sequence engine so loading takes well under a second.
 */

export const PRODUCTION_DATABASE = 'shop';
export const SANDBOX_DATABASE = 'shop_sandbox';

const FIRST_NAMES =
  "'Ana','Bruno','Carla','Diego','Elena','Fábio','Greta','Hugo','Inês','João','Klara','Luís','Marta','Nuno','Olga','Pedro'";
const LAST_NAMES =
  "'Almeida','Becker','Costa','Duarte','Esteves','Ferreira','Gomes','Hoffmann','Iglesias','Jansen','Keller','Lopes','Moreira','Neves','Oliveira','Pereira'";

/** Production: the schema of the current release, 2,000 customers, 5,000 orders, 15,000 order lines. */
export const PRODUCTION_SQL = `
CREATE TABLE countries (
  code CHAR(2) NOT NULL PRIMARY KEY,
  name VARCHAR(64) NOT NULL
);
CREATE TABLE customers (
  id INT UNSIGNED NOT NULL AUTO_INCREMENT PRIMARY KEY,
  email VARCHAR(120) NOT NULL,
  name VARCHAR(80) NOT NULL,
  phone VARCHAR(20) NULL,
  country CHAR(2) NOT NULL,
  created_at DATETIME NOT NULL,
  deleted_at DATETIME NULL,
  UNIQUE KEY uk_customers_email (email),
  KEY by_country (country),
  CONSTRAINT fk_customers_country FOREIGN KEY (country) REFERENCES countries (code)
);
CREATE TABLE products (
  id INT UNSIGNED NOT NULL AUTO_INCREMENT PRIMARY KEY,
  sku VARCHAR(32) NOT NULL,
  title VARCHAR(120) NOT NULL,
  price DECIMAL(10,2) NOT NULL,
  stock INT NOT NULL DEFAULT 0,
  UNIQUE KEY uk_products_sku (sku)
);
CREATE TABLE orders (
  id INT UNSIGNED NOT NULL AUTO_INCREMENT PRIMARY KEY,
  customer_id INT UNSIGNED NOT NULL,
  status ENUM('new','paid','shipped','cancelled','refunded') NOT NULL DEFAULT 'new',
  total DECIMAL(12,2) NOT NULL DEFAULT 0,
  note VARCHAR(255) NULL,
  placed_at DATETIME NOT NULL,
  KEY by_customer (customer_id),
  KEY by_status_placed (status, placed_at),
  CONSTRAINT fk_orders_customer FOREIGN KEY (customer_id) REFERENCES customers (id)
);
CREATE TABLE order_items (
  order_id INT UNSIGNED NOT NULL,
  line TINYINT UNSIGNED NOT NULL,
  product_id INT UNSIGNED NOT NULL,
  quantity SMALLINT UNSIGNED NOT NULL,
  unit_price DECIMAL(10,2) NOT NULL,
  PRIMARY KEY (order_id, line),
  KEY by_product (product_id),
  CONSTRAINT fk_items_order FOREIGN KEY (order_id) REFERENCES orders (id) ON DELETE CASCADE,
  CONSTRAINT fk_items_product FOREIGN KEY (product_id) REFERENCES products (id)
);
CREATE TABLE audit_log (
  id BIGINT UNSIGNED NOT NULL AUTO_INCREMENT PRIMARY KEY,
  event VARCHAR(100) NOT NULL,
  at DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP
);
CREATE VIEW order_totals AS
  SELECT o.id AS order_id, o.customer_id, o.status, SUM(i.quantity * i.unit_price) AS amount
  FROM orders o JOIN order_items i ON i.order_id = o.id
  GROUP BY o.id, o.customer_id, o.status;
CREATE TRIGGER orders_after_insert AFTER INSERT ON orders FOR EACH ROW
  INSERT INTO audit_log (event) VALUES (CONCAT('order ', NEW.id, ' placed'));

INSERT INTO countries VALUES ('BR','Brazil'),('DE','Germany'),('ES','Spain'),('FR','France'),('JP','Japan'),('NL','Netherlands'),('PT','Portugal'),('US','United States');

-- Every tenth customer closed their account (deleted_at set): the demo config leaves them out.
INSERT INTO customers (id, email, name, phone, country, created_at, deleted_at)
  SELECT seq,
         CONCAT(LOWER(ELT(1 + seq % 16, ${FIRST_NAMES})), '.', LOWER(ELT(1 + (seq DIV 16) % 16, ${LAST_NAMES})), seq, '@mail.example'),
         CONCAT(ELT(1 + seq % 16, ${FIRST_NAMES}), ' ', ELT(1 + (seq DIV 16) % 16, ${LAST_NAMES})),
         IF(seq % 7 = 0, NULL, CONCAT('+351 9', LPAD((seq * 7919) % 100000000, 8, '0'))),
         ELT(1 + seq % 8, 'BR','DE','ES','FR','JP','NL','PT','US'),
         '2023-01-01 09:00:00' + INTERVAL seq * 263 MINUTE,
         IF(seq % 10 = 0, '2025-06-01 12:00:00', NULL)
  FROM seq_1_to_2000;

INSERT INTO products (id, sku, title, price, stock)
  SELECT seq, CONCAT('SKU-', LPAD(seq, 5, '0')),
         CONCAT(ELT(1 + seq % 8, 'Ceramic','Linen','Oak','Copper','Wool','Glass','Cork','Steel'), ' ',
                ELT(1 + (seq DIV 8) % 8, 'mug','towel','tray','lamp','blanket','vase','coaster','bottle'), ' #', seq),
         ROUND(3 + (seq * 37) % 200 + (seq % 100) / 100, 2), (seq * 13) % 250
  FROM seq_1_to_200;

-- Orders only for active customers (ids not divisible by ten), so the filtered copy keeps every
-- foreign key intact. The trigger writes one audit_log row per order, as the application would.
INSERT INTO orders (id, customer_id, status, note, placed_at)
  SELECT seq, ((seq % 1800) DIV 9) * 10 + (seq % 1800) % 9 + 1,
         ELT(1 + seq % 5, 'new','paid','shipped','cancelled','refunded'),
         IF(seq % 4 = 0, CONCAT('gift wrap, message #', seq), NULL),
         '2024-01-01 08:00:00' + INTERVAL seq * 97 MINUTE
  FROM seq_1_to_5000;

INSERT INTO order_items (order_id, line, product_id, quantity, unit_price)
  SELECT o.seq, l.seq, 1 + (o.seq * 31 + l.seq * 17) % 200, 1 + (o.seq + l.seq) % 4, 0
  FROM seq_1_to_5000 o JOIN seq_1_to_3 l;
UPDATE order_items i JOIN products p ON p.id = i.product_id SET i.unit_price = p.price;
UPDATE orders o JOIN (SELECT order_id, SUM(quantity * unit_price) AS total FROM order_items GROUP BY order_id) t ON t.order_id = o.id SET o.total = t.total;
`;

/**
 * The sandbox, one release behind: no customers.phone / products.stock / orders.note, narrower
 * countries.name and products.price, no 'refunded' status, an old view, no trigger, a hand-made
 * table nobody needs any more, and stale test rows.
 */
export const SANDBOX_SQL = `
CREATE TABLE countries (
  code CHAR(2) NOT NULL PRIMARY KEY,
  name VARCHAR(40) NOT NULL
);
CREATE TABLE customers (
  id INT UNSIGNED NOT NULL AUTO_INCREMENT PRIMARY KEY,
  email VARCHAR(120) NOT NULL,
  name VARCHAR(80) NOT NULL,
  country CHAR(2) NOT NULL,
  created_at DATETIME NOT NULL,
  deleted_at DATETIME NULL,
  UNIQUE KEY uk_customers_email (email),
  KEY by_country (country),
  CONSTRAINT fk_customers_country FOREIGN KEY (country) REFERENCES countries (code)
);
CREATE TABLE products (
  id INT UNSIGNED NOT NULL AUTO_INCREMENT PRIMARY KEY,
  sku VARCHAR(32) NOT NULL,
  title VARCHAR(120) NOT NULL,
  price DECIMAL(8,2) NOT NULL,
  UNIQUE KEY uk_products_sku (sku)
);
CREATE TABLE orders (
  id INT UNSIGNED NOT NULL AUTO_INCREMENT PRIMARY KEY,
  customer_id INT UNSIGNED NOT NULL,
  status ENUM('new','paid','shipped','cancelled') NOT NULL DEFAULT 'new',
  total DECIMAL(12,2) NOT NULL DEFAULT 0,
  placed_at DATETIME NOT NULL,
  KEY by_customer (customer_id),
  CONSTRAINT fk_orders_customer FOREIGN KEY (customer_id) REFERENCES customers (id)
);
CREATE TABLE order_items (
  order_id INT UNSIGNED NOT NULL,
  line TINYINT UNSIGNED NOT NULL,
  product_id INT UNSIGNED NOT NULL,
  quantity SMALLINT UNSIGNED NOT NULL,
  unit_price DECIMAL(10,2) NOT NULL,
  PRIMARY KEY (order_id, line),
  KEY by_product (product_id),
  CONSTRAINT fk_items_order FOREIGN KEY (order_id) REFERENCES orders (id) ON DELETE CASCADE,
  CONSTRAINT fk_items_product FOREIGN KEY (product_id) REFERENCES products (id)
);
CREATE TABLE audit_log (
  id BIGINT UNSIGNED NOT NULL AUTO_INCREMENT PRIMARY KEY,
  event VARCHAR(100) NOT NULL,
  at DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP
);
CREATE TABLE legacy_coupons (
  code VARCHAR(16) NOT NULL PRIMARY KEY,
  percent TINYINT UNSIGNED NOT NULL
);
CREATE VIEW order_totals AS
  SELECT o.id AS order_id, SUM(i.quantity * i.unit_price) AS amount
  FROM orders o JOIN order_items i ON i.order_id = o.id
  GROUP BY o.id;

INSERT INTO countries VALUES ('PT','Portugal'),('XX','Testland');
INSERT INTO customers VALUES
  (1, 'qa.tester@sandbox.example', 'QA Tester', 'XX', '2022-03-01 10:00:00', NULL),
  (2, 'ana.real@mail.example', 'Ana Real', 'PT', '2022-03-02 10:00:00', NULL),
  (9001, 'load.test@sandbox.example', 'Load Test', 'XX', '2022-04-01 10:00:00', NULL);
INSERT INTO products VALUES (1, 'SKU-00001', 'Old mug', 4.50), (999, 'TEST-1', 'Test product', 0.01);
INSERT INTO orders VALUES (1, 1, 'paid', 4.50, '2022-03-03 10:00:00'), (77777, 9001, 'new', 0.01, '2022-04-02 10:00:00');
INSERT INTO order_items VALUES (1, 1, 1, 1, 4.50), (77777, 1, 999, 1, 0.01);
INSERT INTO audit_log (event, at) VALUES ('sandbox created from a 2022 dump', '2022-03-01 09:00:00'), ('QA run 17', '2022-04-02 10:00:00');
INSERT INTO legacy_coupons VALUES ('WELCOME10', 10), ('SPRING22', 15);
`;

/** The replicoop.yaml the demo writes: both servers, the maintained tables with a filter and masks. */
export const DEMO_CONFIG = (
  production: { port: number },
  sandbox: { port: number },
): string => `# replicoop.yaml written by "npm run demo" for two throwaway local MariaDB servers.
production:
  host: 127.0.0.1
  port: ${production.port}
  user: root
  password: ""
  database: ${PRODUCTION_DATABASE}
sandbox:
  host: 127.0.0.1
  port: ${sandbox.port}
  user: root
  password: ""
  database: ${SANDBOX_DATABASE}

# Tables whose rows are refreshed from production. Every other table (audit_log here) only gets
# production's structure and keeps its sandbox rows.
maintain:
  - countries
  - products
  - table: customers
    where: deleted_at IS NULL        # closed accounts stay out of the sandbox
    mask:                            # personal data never leaves production unmasked
      email: email
      name: name
      phone: phone
  - orders
  - order_items

masking:
  secret: \${REPLICOOP_DEMO_MASK_SECRET}   # the demo sets it; keep real secrets out of the file

copy:
  chunkRows: 2500
`;
