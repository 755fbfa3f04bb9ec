#!/usr/bin/env bash
# The test command (npm test): start the real servers, build, run every suite, end on
# "N passed, N failed, N skipped" (the sum of the runs). Integration suites fail instead of skipping under CI=true.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/services.sh start
export RABBITMQ_URL=${RABBITMQ_URL:-amqp://guest:guest@127.0.0.1:5672}
export PG_URL=${PG_URL:-postgres://oncebus:oncebus@127.0.0.1:5432/oncebus}
rm -rf dist
npx biome lint
npx tsc -p tsconfig.json
# The dashboard page's script: TypeScript for the browser (the DOM, no Node), beside the server's build.
npx tsc -p tsconfig.dashboard.json
# Every suite on this machine's Node; then (for the full run) the unit, contract and consumer tests on
# Node 24. The last line is the sum of both runs.
summary=$(mktemp)
export ONCEBUS_SUMMARY_FILE=$summary
status=0
npx mocha "$@" || status=$?
if [ $# -eq 0 ]; then bash scripts/node24.sh || status=$?; fi
# Then (for the full run) the PostgreSQL suites again, through PgBouncer in transaction pooling mode.
if [ $# -eq 0 ]; then bash scripts/pgbouncer-suites.sh || status=$?; fi
awk '{ p += $1; f += $2; s += $3 } END { printf "\nall runs (this Node, then Node 24, then through PgBouncer):\n%d passed, %d failed, %d skipped\n", p, f, s }' "$summary"
rm -f "$summary"
exit $status
