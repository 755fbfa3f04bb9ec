#!/usr/bin/env bash
# A PostgreSQL primary + streaming standby pair on this machine, for the failover suites: two data
# directories of Debian's PostgreSQL (the newest installed) under $PAIR_DIR, owned by the postgres user and
# run with its pg_ctl, on ports 5441 (node a) and 5442 (node b). Entirely separate from the shared server on
# 5432 (never touched here). Roles move: after a failover node b may be the primary and node a its standby.
#
#   pg-pair.sh start    idempotent: builds the pair when missing (a primary, b its standby), starts a node
#                       that is down; a down node that was a primary while the other has become one (it was
#                       failed over) is rebuilt as the new primary's standby (pg_basebackup -R), never
#                       started beside it.
#   pg-pair.sh rejoin   the same as start (the name a test calls after it promoted the standby).
#   pg-pair.sh reset    stops both and rebuilds the pair from nothing (a primary on 5441, b standby on 5442).
#   pg-pair.sh stop     stops both (fast).
#   pg-pair.sh status   one line per node: port, up/down, primary/standby.
#   pg-pair.sh mode sync|async   synchronous_standby_names '*' (synchronous_commit on) or '' on both nodes.
#
# The pair is made in synchronous mode (PG_PAIR_MODE=async to make it asynchronous). Connection string for
# both: postgres://oncebus:oncebus@127.0.0.1:5441,127.0.0.1:5442/oncebus (the store tries them in order).
set -euo pipefail
action=${1:-start}
PAIR_DIR=${PG_PAIR_DIR:-/var/lib/postgresql/oncebus-pair}
MODE=${PG_PAIR_MODE:-sync}
NODES="a b"
port_of() { [ "$1" = a ] && echo 5441 || echo 5442; }
other_of() { [ "$1" = a ] && echo b || echo a; }
data_of() { echo "$PAIR_DIR/$1"; }

bin_dir() {
  local ver; ver=$(ls /usr/lib/postgresql | sort -n | tail -1)
  echo "/usr/lib/postgresql/$ver/bin"
}
BIN=""
as_pg() { su postgres -s /bin/sh -c "$*"; }
psql_on() { PGPASSWORD=oncebus psql -qtAX -h 127.0.0.1 -p "$(port_of "$1")" -U oncebus -d oncebus -c "$2"; }
is_up() { pg_isready -q -h 127.0.0.1 -p "$(port_of "$1")"; }
role_of() { [ "$(psql_on "$1" 'SELECT pg_is_in_recovery()' 2>/dev/null)" = f ] && echo primary || echo standby; }

ensure_installed() {
  if ! ls /usr/lib/postgresql/*/bin/pg_ctl >/dev/null 2>&1; then
    echo "pg-pair: installing postgresql"
    [ "$(id -u)" = 0 ] || { echo "pg-pair: need root to apt-get install postgresql" >&2; exit 1; }
    DEBIAN_FRONTEND=noninteractive apt-get update -qq >/dev/null
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql >/dev/null
  fi
  BIN=$(bin_dir)
}

node_start() {
  local n=$1 log; log="$PAIR_DIR/$n.log"
  as_pg "$BIN/pg_ctl -D $(data_of "$n") -l $log -w -t 60 -o '-p $(port_of "$n") -k /tmp' start" >/dev/null
}

node_stop() {
  local n=$1 mode=${2:-fast}
  [ -f "$(data_of "$n")/postmaster.pid" ] || return 0
  as_pg "$BIN/pg_ctl -D $(data_of "$n") -m $mode -w -t 30 stop" >/dev/null 2>&1 || true
}

# A fresh primary: its own initdb, replication allowed from loopback, the oncebus role and database.
make_primary() {
  local n=$1 d; d=$(data_of "$n")
  rm -rf "$d"
  as_pg "$BIN/initdb -D $d -U postgres --auth-local=trust --auth-host=scram-sha-256 -E UTF8 --no-instructions --no-sync" >/dev/null
  cat >>"$d/postgresql.conf" <<EOF
listen_addresses = '127.0.0.1'
wal_level = replica
max_wal_senders = 5
wal_keep_size = '256MB'
hot_standby = on
fsync = on
synchronous_commit = on
shared_buffers = '64MB'
max_connections = 60
EOF
  echo "host replication oncebus 127.0.0.1/32 scram-sha-256" >>"$d/pg_hba.conf"
  node_start "$n"
  as_pg "psql -qX -h /tmp -p $(port_of "$n") -U postgres -d postgres -v ON_ERROR_STOP=1 -c \"CREATE ROLE oncebus LOGIN SUPERUSER REPLICATION PASSWORD 'oncebus'\" -c 'CREATE DATABASE oncebus OWNER oncebus'" >/dev/null
  set_mode "$n" "$MODE"
}

# node n as a streaming standby of node `from` (a copy of its data; -R writes standby.signal and
# primary_conninfo). The password goes through a .pgpass of the postgres user, not the command line.
make_standby() {
  local n=$1 from=$2 d; d=$(data_of "$n")
  node_stop "$n" immediate
  rm -rf "$d"
  local pass=/var/lib/postgresql/.pgpass
  grep -qs "^127.0.0.1:\*:\*:oncebus:" "$pass" 2>/dev/null || { echo "127.0.0.1:*:*:oncebus:oncebus" >>"$pass"; }
  chown postgres: "$pass"; chmod 600 "$pass"
  as_pg "$BIN/pg_basebackup -h 127.0.0.1 -p $(port_of "$from") -U oncebus -D $d -R -X stream -c fast --no-sync" >/dev/null
  node_start "$n"
}

set_mode() {
  local n=$1 mode=$2 names="''"
  [ "$mode" = sync ] && names="'*'"
  psql_on "$n" "ALTER SYSTEM SET synchronous_standby_names = $names" >/dev/null
  psql_on "$n" "ALTER SYSTEM SET synchronous_commit = on" >/dev/null
  psql_on "$n" "SELECT pg_reload_conf()" >/dev/null
}

primary_node() { local n; for n in $NODES; do is_up "$n" && [ "$(role_of "$n")" = primary ] && { echo "$n"; return; }; done; true; }

pair_reset() {
  for n in $NODES; do node_stop "$n" immediate; done
  install -d -o postgres -g postgres "$PAIR_DIR"
  make_primary a
  make_standby b a
}

pair_start() {
  local started n other; started=$(date +%s%N)
  install -d -o postgres -g postgres "$PAIR_DIR"
  if [ ! -f "$(data_of a)/PG_VERSION" ] && [ ! -f "$(data_of b)/PG_VERSION" ]; then
    pair_reset
  else
    for n in $NODES; do
      is_up "$n" && continue
      other=$(other_of "$n")
      if [ ! -f "$(data_of "$n")/PG_VERSION" ]; then
        # Only one node's data is left: rebuild the other from it.
        is_up "$other" || node_start "$other"
        make_standby "$n" "$other"
      elif [ ! -f "$(data_of "$n")/standby.signal" ] && is_up "$other" && [ "$(role_of "$other")" = primary ]; then
        # Failed over while it was down: starting it would make two primaries. Rebuild it as a standby.
        make_standby "$n" "$other"
      else
        node_start "$n"
      fi
    done
  fi
  echo "pg-pair: ready (primary $(port_of "$(primary_node)"), in $(( ($(date +%s%N) - started) / 1000000 )) ms; postgres://oncebus:oncebus@127.0.0.1:5441,127.0.0.1:5442/oncebus)"
}

pair_status() {
  local n
  for n in $NODES; do
    if is_up "$n"; then echo "$n $(port_of "$n") up $(role_of "$n")"; else echo "$n $(port_of "$n") down"; fi
  done
}

ensure_installed
case "$action" in
  start|rejoin) pair_start ;;
  reset) pair_reset; echo "pg-pair: rebuilt (primary 5441, standby 5442)" ;;
  stop) for n in $NODES; do node_stop "$n"; done ;;
  status) pair_status ;;
  # On both nodes: the standby's own setting is what its promotion keeps (postgresql.auto.conf is not replicated).
  mode) for n in $NODES; do is_up "$n" && set_mode "$n" "${2:?sync|async}"; done ;;
  *) echo "usage: pg-pair.sh start|rejoin|reset|stop|status|mode sync|async" >&2; exit 2 ;;
esac
