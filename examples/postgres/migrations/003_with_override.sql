-- `users` is protected, so dropping one of its columns needs a marker that names the
-- column and says why. The override is listed in every report so reviewers see it.
-- dbsafe:allow drop-column(users.legacy_password) -- passwords moved to the auth service in PR 1234; column unread since v2.3
ALTER TABLE users DROP COLUMN legacy_password;

-- An index on an unprotected table: a warning, does not block. (`DROP INDEX payments_user_id_idx`
-- would block: check finds in 001 that it belongs to `payments`, a protected table.)
DROP INDEX IF EXISTS import_staging_id_idx;
