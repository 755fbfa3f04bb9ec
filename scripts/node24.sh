#!/usr/bin/env bash
# The unit, contract and consumer tests again on Node 24, the current LTS (Node 20, which the machines
# run, reached its end of life in April 2026), in a tree beside the repository (scripts/node24-tree.sh:
# Node 24 from the npm registry, better-sqlite3 compiled once for it). Needs `npm test`'s build (dist/) and servers.
set -euo pipefail
repo=$(cd "$(dirname "$0")/.." && pwd)
source "$repo/scripts/node24-tree.sh"
node24_fetch
node24_tree

cd "$tree"
echo "node24: $("$node24" --version): unit, contract and consumer tests"
PATH="$node24_bin:$PATH" "$node24" node_modules/mocha/bin/mocha.js --no-config --reporter ./test/support/summary-reporter.cjs \
  --timeout 20000 --exit 'dist/test/unit/**/*.test.js' 'dist/test/contract/**/*.test.js' dist/test/integration/package-consumer.test.js
