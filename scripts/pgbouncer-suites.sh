#!/usr/bin/env bash
# The PostgreSQL suites that matter behind a transaction pooler, run again through PgBouncer (started by
# services.sh on 6432, pool_mode = transaction) with the stores in their `pooler: 'transaction'` mode:
# the idempotence and queue contracts, group commit, transactional sessions, sagas and HTTP keys, their
# PostgreSQL cases only (--grep). LISTEN goes to the server itself (PG_LISTEN_URL). Run after a build
# (scripts/test.sh runs it after the full run). A subset: about 1.5 min on a 2-core machine.
set -euo pipefail
cd "$(dirname "$0")/.."
direct=${PG_URL:-postgres://oncebus:oncebus@127.0.0.1:5432/oncebus}
pooled=${PGBOUNCER_URL:-postgres://oncebus:oncebus@127.0.0.1:6432/oncebus}
if ! pg_isready -q -d "$pooled"; then
  # No PgBouncer (PG_URL pointed elsewhere, so services.sh started none): a CI run must have one.
  if [ "${CI:-}" = true ]; then echo "pgbouncer: nothing answers at $pooled" >&2; exit 1; fi
  echo "pgbouncer: nothing answers at $pooled, skipped"; exit 0
fi
echo "pgbouncer: the PostgreSQL suites through $pooled (transaction pooling)"
PG_URL=$pooled PG_POOLER=transaction PG_LISTEN_URL=$direct npx mocha --no-config --reporter ./test/support/summary-reporter.cjs \
  --timeout 60000 --exit --grep '[Pp]ostgre' \
  dist/test/contract/postgres-store.test.js dist/test/contract/postgres-sagas.test.js \
  dist/test/integration/sql/group-commit.test.js dist/test/integration/sql/transactional-session.test.js \
  dist/test/sagas/saga-runtime-postgres.test.js dist/test/integration/http/idempotency-keys.test.js \
  dist/test/integration/http/http-keys-retention.test.js dist/test/integration/postgres/through-a-transaction-pooler.test.js
