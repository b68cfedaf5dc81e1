-- Clean-up that an ORM might generate: the staging table is fine to drop,
-- but `payments` is protected in examples/.dbsaferc.json, so this migration is blocked.
DROP TABLE import_staging;
DROP TABLE payments;
