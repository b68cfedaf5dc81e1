-- The first migration: creating things is always fine.
CREATE TABLE users (
  id bigint PRIMARY KEY,
  email text NOT NULL UNIQUE,
  legacy_password text
);

CREATE TABLE payments (
  id bigint PRIMARY KEY,
  user_id bigint NOT NULL REFERENCES users (id),
  amount_cents integer NOT NULL
);

CREATE TABLE import_staging (id bigint, payload jsonb);
CREATE INDEX payments_user_id_idx ON payments (user_id);
CREATE INDEX import_staging_id_idx ON import_staging (id);
