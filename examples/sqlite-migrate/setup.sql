-- The shop as it is today (what 0001_init.sql created), with data: 200 customers, 5,000 orders.
CREATE TABLE customers (id INTEGER PRIMARY KEY, email TEXT NOT NULL);
CREATE TABLE orders (id INTEGER PRIMARY KEY, customer_id INTEGER REFERENCES customers(id), total REAL NOT NULL, legacy_total TEXT);
WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 200)
  INSERT INTO customers SELECT i, 'customer' || i || '@example.com' FROM n;
WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 5000)
  INSERT INTO orders SELECT i, 1 + i % 200, i * 1.5, CASE WHEN i % 5 = 0 THEN printf('%.2f', i * 1.5) END FROM n;
