#!/usr/bin/env bash
# The test command (npm test): start the real servers, build, run every suite, end on
# "N passed, N failed, N skipped". Integration suites fail instead of skipping under CI=true.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/services.sh start
export RABBITMQ_URL=${RABBITMQ_URL:-amqp://guest:guest@127.0.0.1:5672}
export PG_URL=${PG_URL:-postgres://oncebus:oncebus@127.0.0.1:5432/oncebus}
rm -rf dist
npx biome lint
npx tsc -p tsconfig.json
npx mocha "$@"
