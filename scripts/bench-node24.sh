#!/usr/bin/env bash
# npm run bench, bench:operations and bench:scale: one script of dist/test/bench run on Node 24 in a tree
# beside the repository (scripts/node24-tree.sh), so the figures are Node 24's whatever Node runs npm. What
# the bench writes — bench-results/ and docs/BENCHMARKS.md — lands in the repository: the tree links those two.
#   bash scripts/bench-node24.sh main.js --rounds 3        (needs dist/: npm run bench builds it first)
set -euo pipefail
repo=$(cd "$(dirname "$0")/.." && pwd)
script=${1:?usage: bench-node24.sh <script in dist/test/bench> [arguments]}
shift
[ -f "$repo/dist/test/bench/$script" ] || { echo "bench-node24: dist/test/bench/$script not found: build first (npx tsc -p tsconfig.json)" >&2; exit 1; }
source "$repo/scripts/node24-tree.sh"
node24_fetch
node24_tree docs bench-results

cd "$tree"
echo "bench: $("$node24" --version): dist/test/bench/$script $*" >&2
# Node 24 first on PATH too, for anything the bench starts by name.
PATH="$node24_bin:$PATH" "$node24" "dist/test/bench/$script" "$@"
