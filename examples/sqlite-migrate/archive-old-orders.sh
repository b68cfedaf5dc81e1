#!/bin/sh
# A data migration with a bug: it was meant to archive orders older than a year, but the WHERE was
# forgotten, so it archives every order. It runs happily (exit 0); the post-check catches it.
set -e
sqlite3 "${DATABASE_URL#sqlite:}" "UPDATE orders SET status = 'archived';"
