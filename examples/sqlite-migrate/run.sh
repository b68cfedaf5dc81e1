#!/bin/sh
# Every step of README.md in order, checking each exit code. Run it from this directory.
set -u
export DATABASE_URL="sqlite:$PWD/shop.db"
# DBSAFE_HOOKS: how to run the CLI (default: this project's own, through npx)
dbsafe() { ${DBSAFE_HOOKS:-npx --no-install dbsafe-hooks} "$@"; }
step() { expected=$1; shift; printf '\n$ dbsafe-hooks %s\n' "$*"; dbsafe "$@"; code=$?; [ "$code" = "$expected" ] || { echo "!! expected exit $expected, got $code"; exit 1; }; }
rm -f shop.db shop.db.dbsafe-prev-*
sqlite3 shop.db < setup.sql
step 0 migrate --baseline 1
step 0 migrations status
step 0 backup --verify
step 1 dry-run pending/0004_drop_customers.sql
step 0 dry-run migrations/0002_add_status.sql migrations/0003_drop_legacy_total.sql
step 0 migrate
step 1 safe-migrate --check "test \$(sqlite3 shop.db \"SELECT count(*) FROM orders WHERE status = 'open'\") -gt 0" -- ./archive-old-orders.sh
printf '\nopen orders after the automatic restore: %s\n' "$(sqlite3 shop.db "SELECT count(*) FROM orders WHERE status = 'open'")"
