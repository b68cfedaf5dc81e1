-- A migration nobody should run: it drops a table full of data, and no marker accepts it.
DROP TABLE customers;
