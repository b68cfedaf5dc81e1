-- dbsafe:allow drop-column(orders.legacy_total) -- totals were copied into orders.total in 2023
ALTER TABLE orders DROP COLUMN legacy_total;
