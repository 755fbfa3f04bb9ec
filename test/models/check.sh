#!/usr/bin/env bash
# Model-checks oncebus's inbox protocol (oncebus.pml), then shows that three broken variants fail:
# the handled mark committed apart from the effect (Shuttle.Esb v15), a claim that does not block a
# concurrent copy, and a handler failure that keeps its writes (no rollback).
set -eu
cd "$(dirname "$0")"; t=$(mktemp -d); trap 'rm -rf "$t"' EXIT
run() { (cd "$t" && spin -a "$1" >/dev/null && gcc -O2 -DSAFETY -o pan pan.c && ./pan -m400000 | grep -E 'errors:|states, stored' | tr '\n' ' '; echo); }
cp oncebus.pml "$t/ok.pml"
sed 's/effect++; row = HANDLED; lockHolder = 0;/effect++; lockHolder = 0;/' oncebus.pml >"$t/shuttle.pml"
sed 's/lockHolder == 0 ->/true ->/' oncebus.pml >"$t/nolock.pml"
sed 's/atomic { lockHolder = 0; copies++ }/atomic { effect++; lockHolder = 0; copies++ }/' oncebus.pml >"$t/norollback.pml"
echo "oncebus:            $(run ok.pml)"
echo "mutant shuttle:     $(run shuttle.pml)"
echo "mutant no-lock:     $(run nolock.pml)"
echo "mutant no-rollback: $(run norollback.pml)"
