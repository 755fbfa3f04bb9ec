#!/usr/bin/env bash
# The consumer test: packs oncebus as `npm publish` would (prepack builds dist/src), installs the tarball
# into a fresh project outside the tree with only the drivers an SQLite user installs, then compiles and
# runs test/consumer/fixture/app.ts (the two-endpoint app), saga.ts (oncebus/sagas) and http.ts
# (oncebus/http with Fastify) with legacy decorators (experimentalDecorators + emitDecoratorMetadata) and
# with TC39 decorators, runs app.mjs as plain ESM JavaScript, and imports an entry whose driver is missing.
# Each step prints one line "<step>: <result>"; exits non-zero on the first failure. A step's output is
# taken in an assignment of its own before it is printed: `echo "x: $(node …)"` would print whatever the
# command wrote and go on whatever its exit status, where an assignment's status is the command's (set -e).
set -euo pipefail
repo=$(cd "$(dirname "$0")/../.." && pwd)
work=$(mktemp -d "${TMPDIR:-/tmp}/oncebus-consumer.XXXXXX")
trap 'rm -rf "$work"' EXIT

# Pack from a copy: prepack rebuilds dist/src, which a running test suite is using.
stage=$work/stage
mkdir -p "$stage"
cp -r "$repo"/{package.json,README.md,CHANGELOG.md,LICENSE,tsconfig.json,tsconfig.package.json,tsconfig.dashboard.json,src,docs,config} "$stage"/
ln -s "$repo/node_modules" "$stage/node_modules"
(cd "$stage" && npm pack --json --pack-destination "$work" 2>/dev/null) >"$work/pack.json"
node -e 'const [p] = JSON.parse(require("fs").readFileSync(process.argv[1], "utf8")); console.log(`pack: ${p.filename}, ${p.entryCount} files, ${p.size} bytes packed, ${p.unpackedSize} unpacked; dist/test in it: ${p.files.some((f) => f.path.startsWith("dist/test"))}; dashboard page script in it: ${p.files.some((f) => f.path === "dist/src/operations/dashboard/page/app.js")}`)' "$work/pack.json"
# What a user reads beside the code: the settings schema and the example settings files; not the screenshots.
node -e 'const [p] = JSON.parse(require("fs").readFileSync(process.argv[1], "utf8")); const has = (re) => p.files.filter((f) => re.test(f.path)).map((f) => f.path).sort(); console.log(`shipped: schema ${has(/^config\/oncebus\.schema\.json$/).length === 1}; examples ${has(/^config\/(?!oncebus\.schema).*\.json$/).join(" ")}; screenshots ${has(/^docs\/screenshots\//).length}`)' "$work/pack.json"
# Every file "exports" names (types and code of each entry), in the tarball: checked for all entries, not
# only those the fixtures import; a path outside "files" or a types path that was renamed shows here.
node -e 'const [p] = JSON.parse(require("fs").readFileSync(process.argv[1], "utf8")); const { exports } = JSON.parse(require("fs").readFileSync(process.argv[2], "utf8")); const shipped = new Set(p.files.map((f) => f.path)); const wanted = Object.entries(exports).flatMap(([entry, targets]) => Object.values(targets).map((file) => [entry, file.replace(/^\.\//, "")])); const missing = wanted.filter(([, file]) => !shipped.has(file)).map(([entry, file]) => `${entry} ${file}`); console.log(`exports: ${Object.keys(exports).length} entries, ${wanted.length} files; missing ${missing.length ? missing.join(", ") : "none"}`)' "$work/pack.json" "$stage/package.json"

app=$work/app
mkdir -p "$app"
cp "$repo"/test/consumer/fixture/* "$app"/
cd "$app"
echo '{ "name": "consumer", "private": true, "type": "module" }' >package.json
# The drivers this application uses, linked from the repository (better-sqlite3 is a native build; the
# registry's copy would compile again); everything else the tarball needs comes from the registry.
# --ignore-scripts: npm would run a linked package's install script in place, rebuilding the repository's
# own better-sqlite3 (minutes, and its binary missing meanwhile); nothing the app needs has a script.
# No reflect-metadata: inversify loads it itself (and npm installs it as inversify's peer). fastify: the
# framework of http.ts (oncebus/http/fastify), an optional peer a web app installs itself.
npm install --ignore-scripts --no-audit --no-fund --loglevel=error "$work"/oncebus-*.tgz \
  "$repo/node_modules/better-sqlite3" "$repo/node_modules/@types/better-sqlite3" "$repo/node_modules/inversify" "$repo/node_modules/@types/node" \
  "$repo/node_modules/fastify" >/dev/null
packages=$(ls node_modules | wc -l)
echo "install: $packages top-level packages; pg installed: $(test -d node_modules/pg && echo yes || echo no); @types/pg installed: $(test -d node_modules/@types/pg && echo yes || echo no)"

# Runs one step and prints "<label>: <its output>"; a failing step still prints what it said (the test shows
# it), then stops the script with the step's exit status.
step() {
  local label=$1 out status=0
  shift
  out=$("$@") || status=$?
  echo "$label: $out"
  if [ "$status" -ne 0 ]; then
    echo "$label failed (exit $status)" >&2
    exit "$status"
  fi
}

tsc=$repo/node_modules/.bin/tsc
for mode in legacy tc39; do
  "$tsc" -p "tsconfig.$mode.json"
  step "$mode" node "out-$mode/app.js"
  step "saga $mode" node "out-$mode/saga.js"
  step "http $mode" node "out-$mode/http.js"
done
step "injection by type" node out-legacy/injection.js
# A settings file with a mistake: the error's hint names the schema's path, which must exist from here.
echo '{ "nmae": "sales" }' >bad-settings.json
step "schema pointer" node --input-type=module -e "Promise.all([import('oncebus'), import('node:fs')]).then(([{ loadEndpointSettings }, { existsSync }]) => { try { loadEndpointSettings('bad-settings.json', {}); console.log('accepted'); } catch (e) { const path = /node_modules\/oncebus\/\S+\.json/.exec(e.hint ?? '')?.[0]; console.log(path + (path && existsSync(path) ? ' exists' : ' missing')); } })"
step esm node app.mjs
step "testing entry" node --input-type=module -e "import('oncebus/testing').then((m) => console.log(typeof m.TestHarness + ' ' + typeof m.HandlerTestContext))"
# oncebus/postgres without pg installed: the error names the package to install.
step "missing driver" node --input-type=module -e "import('oncebus/postgres').then(() => console.log('loaded'), (e) => console.log(e.name + ': ' + e.message))"
# The package's command, as `npx oncebus` finds it: its usage, and a usage error's exit code (a failure
# expected here, so caught rather than stopping the script). The first line of the help is cut in bash: a
# pipe into head could end the command early with SIGPIPE, a failure under pipefail.
help=$(./node_modules/.bin/oncebus idempotence --help)
status=0
./node_modules/.bin/oncebus idempotence stats >/dev/null 2>&1 || status=$?
echo "bin: ${help%%$'\n'*}; without a store: exit $status"
